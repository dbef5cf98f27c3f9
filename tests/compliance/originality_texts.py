"""The recall test's texts (``data/originality_zh.txt``) and the light edits that make near
duplicates of them: punctuation and width changed, a few characters changed, sentences
reordered, a sentence dropped, and those mixed."""

from __future__ import annotations

import random
import re
from pathlib import Path

TEXTS_PATH = Path(__file__).with_name("data") / "originality_zh.txt"
#: Common Chinese characters to swap in (U+4E00 onwards, the CJK block's first 3,000).
CJK = [chr(code) for code in range(0x4E00, 0x4E00 + 3000)]
_SENTENCE = re.compile(r"[^。！？]+[。！？]?")
_FULL_WIDTH = {code: code + 0xFEE0 for code in range(0x21, 0x7F)}


def originals() -> list[str]:
    lines = TEXTS_PATH.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def sentences(text: str) -> list[str]:
    return _SENTENCE.findall(text)


def punctuation(text: str, rng: random.Random) -> str:
    """Commas to spaces, full stops to exclamation marks, enumeration commas to ASCII commas,
    a few tildes and emoji sprinkled in, ASCII digits and letters typed full-width."""
    text = text.replace("，", " ").replace("。", "！").replace("、", ",").translate(_FULL_WIDTH)
    return "".join(
        ch + rng.choice(["~", "🔥", "…", "  "]) if rng.random() < 0.05 else ch for ch in text
    )


def changed_characters(text: str, rng: random.Random, count: int = 3) -> str:
    chars = list(text)
    hanzi = [i for i, ch in enumerate(chars) if "\u4e00" <= ch <= "\u9fff"]
    for i in rng.sample(hanzi, count):
        chars[i] = rng.choice(CJK)
    return "".join(chars)


def reordered(text: str, rng: random.Random) -> str:
    parts = sentences(text)
    shuffled = parts[:]
    while shuffled == parts:
        rng.shuffle(shuffled)
    return "".join(shuffled)


def sentence_dropped(text: str, rng: random.Random) -> str:
    parts = sentences(text)
    del parts[rng.randrange(len(parts))]
    return "".join(parts)


def mixed(text: str, rng: random.Random) -> str:
    return punctuation(changed_characters(reordered(text, rng), rng, count=2), rng)


EDITS = {
    "punctuation": punctuation,
    "characters": changed_characters,
    "reordered": reordered,
    "dropped": sentence_dropped,
    "mixed": mixed,
}
