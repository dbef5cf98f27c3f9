"""The rule track: a versioned lexicon of banned terms matched in one Aho-Corasick pass.

The lexicon (``lexicon.yaml`` beside this module) is data: categories with a severity, the law
they come from, their terms and their exceptions. Terms and exceptions go into one automaton, so a
text is read once. A term hit that lies inside an exception's span ("第一" inside "第一次") is
dropped, and of hits that overlap, the longest wins ("史上最低价" over "最低价"). A hit after a
negation cue in its clause ("我们不卖高仿", "千万别加微信", "说是全网最低价") stays a reason but
counts at a fraction of its severity (``negated``). Matching runs on
a folded copy of the text (full-width ASCII to half-width, lower case) that keeps every character
at its index, so each hit's ``start``/``end`` index the original text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import ahocorasick
import yaml

LEXICON_PATH = Path(__file__).with_name("lexicon.yaml")

# Full-width ASCII (U+FF01..U+FF5E) and the ideographic space fold to their half-width forms.
_FOLD = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def fold(text: str) -> str:
    """The text as matched: same length as ``text``, full-width folded, ASCII lower-cased."""
    folded = text.translate(_FOLD)
    lowered = folded.lower()
    # str.lower() may lengthen a few letters (İ → i̇); then only fold, so spans stay true.
    return lowered if len(lowered) == len(folded) else folded


@dataclass(frozen=True)
class Category:
    key: str
    label: str
    law: str
    severity: float
    verticals: frozenset[str] | None  # None: the severity holds for every vertical
    elsewhere: float


@dataclass(frozen=True)
class Negations:
    cues: frozenset[str]  # folded
    window: int
    factor: float
    clause_breaks: frozenset[str]


NO_NEGATIONS = Negations(frozenset(), 0, 1.0, frozenset())
NEGATION = "\x00negation"  # the automaton's payload category of a cue


@dataclass(frozen=True)
class Lexicon:
    version: str
    categories: Mapping[str, Category]
    terms: Mapping[str, str]  # folded term -> category key
    exceptions: frozenset[str]  # folded phrases that are not hits
    negations: Negations = NO_NEGATIONS


@dataclass(frozen=True)
class Hit:
    rule: str  # the lexicon term, as written there
    category: str
    severity: float
    start: int
    end: int  # exclusive
    text: str  # the original text of the span
    negated: bool = False


class LexiconError(ValueError):
    """The lexicon data is not well formed."""


def parse_lexicon(data: Mapping) -> Lexicon:
    """Build a :class:`Lexicon` from its YAML mapping; raises :class:`LexiconError`."""
    try:
        levels = {name: float(value) for name, value in data["severities"].items()}
        categories, terms, exceptions = {}, {}, set()
        for key, spec in data["categories"].items():
            categories[key] = Category(
                key=key,
                label=str(spec["label"]),
                law=str(spec.get("law", "")),
                severity=levels[spec["severity"]],
                verticals=frozenset(spec["verticals"]) if spec.get("verticals") else None,
                elsewhere=levels[spec.get("elsewhere", spec["severity"])],
            )
            for term in spec["terms"]:
                folded = fold(str(term))
                if folded in terms:
                    raise LexiconError(f"term {term!r} is listed twice")
                terms[folded] = key
            exceptions.update(fold(str(phrase)) for phrase in spec.get("exceptions") or ())
        return Lexicon(
            str(data["version"]),
            categories,
            terms,
            frozenset(exceptions),
            _negations(data.get("negations")),
        )
    except (KeyError, TypeError, AttributeError) as error:
        raise LexiconError(f"malformed lexicon: {error!r}") from error


def _negations(spec) -> Negations:
    if not spec:
        return NO_NEGATIONS
    return Negations(
        cues=frozenset(fold(str(cue)) for cue in spec["cues"]),
        window=int(spec["window"]),
        factor=float(spec["factor"]),
        clause_breaks=frozenset(str(spec.get("clause_breaks", ""))),
    )


@cache
def shipped_lexicon() -> Lexicon:
    return parse_lexicon(yaml.safe_load(LEXICON_PATH.read_text(encoding="utf-8")))


class Matcher:
    """Finds the lexicon's hits in a text. Build once (it compiles the automaton), reuse."""

    def __init__(self, lexicon: Lexicon):
        self.lexicon = lexicon
        self._automaton = ahocorasick.Automaton()
        for cue in lexicon.negations.cues:
            self._automaton.add_word(cue, (NEGATION, cue))
        for phrase in lexicon.exceptions:
            self._automaton.add_word(phrase, (None, phrase))
        for term, category in lexicon.terms.items():
            self._automaton.add_word(term, (category, term))  # a term that is also an exception
        self._automaton.make_automaton()

    def find(self, text: str, *, vertical: str | None = None) -> list[Hit]:
        """The hits in ``text`` in reading order, after exceptions and overlaps are resolved."""
        if not text:
            return []
        candidates, shelters, cues = [], [], []
        folded = fold(text)
        for last, (category, phrase) in self._automaton.iter(folded):
            span = (last + 1 - len(phrase), last + 1)
            if category == NEGATION:
                cues.append(span[1])
            else:
                (shelters if category is None else candidates).append((span, category, phrase))
        kept = [c for c in candidates if not any(_inside(c[0], s[0]) for s in shelters)]
        kept.sort(key=lambda c: (c[0][0], -(c[0][1] - c[0][0])))  # by start, longest first
        hits, reach = [], -1
        for (start, end), category, phrase in kept:
            if end <= reach:
                continue  # inside a longer hit already taken
            if start < reach:
                continue  # overlaps the previous hit; the earlier, longer one stands
            negated = self._negated(folded, start, cues)
            hits.append(self._hit(text, start, end, category, phrase, vertical, negated))
            reach = end
        return hits

    def _negated(self, folded: str, start: int, cue_ends: list[int]) -> bool:
        rules = self.lexicon.negations
        for cue_end in cue_ends:
            if start - rules.window <= cue_end <= start and not any(
                ch in rules.clause_breaks for ch in folded[cue_end:start]
            ):
                return True
        return False

    def _hit(self, text, start, end, category, phrase, vertical, negated) -> Hit:
        spec = self.lexicon.categories[category]
        applies = spec.verticals is None or vertical is None or vertical in spec.verticals
        severity = spec.severity if applies else spec.elsewhere
        if negated:
            severity = round(severity * self.lexicon.negations.factor, 4)
        return Hit(
            rule=phrase,
            category=category,
            severity=severity,
            start=start,
            end=end,
            text=text[start:end],
            negated=negated,
        )


def _inside(span: tuple[int, int], shelter: tuple[int, int]) -> bool:
    return shelter[0] <= span[0] and span[1] <= shelter[1]
