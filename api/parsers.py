"""The API's one parser: JSON, refused before it can hurt (a 400 ``parse_error``).

Python's ``json`` recurses once per level of nesting, so a body of 5,000 ``[`` ends in a
``RecursionError`` (a 500), and whatever survived the parser would recurse again in the
serializers, the cache and the renderer. No request of this API nests deeper than a few levels,
so the depth is bounded at :data:`MAX_DEPTH`, counted before ``json`` sees the text.

U+0000 is refused anywhere in a string, keys included: PostgreSQL's ``text`` cannot store it, so
it would fail at the database (a 500) or, in a bulk COPY, corrupt the stream. Refusing it at
the door covers every endpoint and every field at once.
"""

from __future__ import annotations

import codecs
import re

import numpy as np
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser
from rest_framework.utils import json

#: Deepest nesting of objects and arrays a body may have; the deepest request (a bulk push:
#: body → rows → row) has 3, a product's target distributions 2.
MAX_DEPTH = 32

#: ``\u0000`` that is an escape, not the text ``\\u0000`` (an escaped backslash, then "u0000"):
#: preceded by an even number of backslashes.
_NUL_ESCAPE = re.compile(r"(?<!\\)(?:\\\\)*\\u0000")
#: A UTF-16 surrogate escape: paired (an emoji from an ASCII-only encoder) it is one character;
#: alone it is text that UTF-8, and so PostgreSQL, cannot store.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")

#: Each byte's change of depth: +1 for ``[`` and ``{``, -1 for ``]`` and ``}``, else 0.
_STEP = np.zeros(256, dtype=np.int8)
_STEP[[ord("["), ord("{")]] = 1
_STEP[[ord("]"), ord("}")]] = -1
_QUOTE, _BACKSLASH = ord('"'), ord("\\")
#: The bytes that matter for the depth: brackets, quotes and backslashes.
_SYNTAX = (_STEP != 0).astype(np.uint8)
_SYNTAX[[_QUOTE, _BACKSLASH]] = 1
_CHUNK = 1 << 20  # bytes per step: the temporary arrays stay at a few MB whatever the body


def nesting_depth(raw: bytes, *, stop_above: int | None = None) -> int:
    """The deepest nesting of the JSON text ``raw`` (UTF-8), brackets inside strings not counted.

    Vectorised, so megabytes cost milliseconds: only the brackets, quotes and backslashes are
    looked at; a quote not escaped (not after an odd run of backslashes) opens or closes a
    string, and the running sum of the bracket steps outside strings is the depth there.
    ``stop_above`` ends the count as soon as it is passed. Where ``raw`` is not valid JSON the
    count may differ from what ``json`` would see, but only after the point where ``json``
    gives up on it.
    """
    data = np.frombuffer(raw, dtype=np.uint8)
    deepest = depth = in_string = run = 0
    for start in range(0, len(data), _CHUNK):
        chunk = data[start : start + _CHUNK]
        where = np.flatnonzero(_SYNTAX[chunk])
        if not len(where):
            run = 0
            continue
        byte = chunk[where]
        quotes, backslash = byte == _QUOTE, byte == _BACKSLASH
        if run or backslash.any():
            quotes, run = _unescaped(quotes, backslash, where, run, len(chunk))
        parity = (np.cumsum(quotes, dtype=np.int32) + in_string) & 1
        running = np.cumsum(_STEP[byte] * (parity == 0), dtype=np.int32) + depth
        deepest = max(deepest, int(running.max()))
        depth, in_string = int(running[-1]), int(parity[-1])
        if stop_above is not None and deepest > stop_above:
            break
    return deepest


def _unescaped(quotes, backslash, where, run: int, size: int):
    """The quotes not after an odd run of backslashes, and the run that ends the chunk.

    ``where`` are the positions of the syntax bytes in the chunk; ``run`` is the length of the
    backslash run that ended the previous chunk (it continues at position 0).
    """
    k = np.arange(len(where))
    after_backslash = np.empty(len(where), dtype=bool)  # right after a backslash
    after_backslash[0] = where[0] == 0 and run > 0
    after_backslash[1:] = backslash[:-1] & (np.diff(where) == 1)
    starts = backslash & ~after_backslash
    # Where each run began; -run stands for the run carried in from the previous chunk.
    began = np.maximum.accumulate(np.where(starts, k, -run))
    odd = (k - began) % 2 == 0  # a run of odd length ends at k (if k is a backslash)
    escaped = np.empty(len(where), dtype=bool)
    escaped[0] = where[0] == 0 and run % 2 == 1
    escaped[1:] = after_backslash[1:] & odd[:-1]
    ends_chunk = backslash[-1] and where[-1] == size - 1
    return quotes & ~escaped, int(k[-1] - began[-1] + 1) if ends_chunk else 0


class BoundedJSONParser(JSONParser):
    """DRF's JSON parser (strict: no ``NaN``), refusing deep nesting and NUL before parsing."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        raw = stream.read()
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise ParseError(_("JSON parse error - %(error)s") % {"error": exc}) from None
        utf8 = codecs.lookup(encoding).name == "utf-8"
        self._refuse_hostile(text, raw if utf8 else text.encode())
        try:
            data = json.loads(text, parse_constant=json.strict_constant)
        except (ValueError, RecursionError) as exc:
            raise ParseError(_("JSON parse error - %(error)s") % {"error": exc}) from None
        if ("\\ud" in text or "\\uD" in text) and _SURROGATE_ESCAPE.search(text):
            self._refuse_lone_surrogates(data)
        return data

    @staticmethod
    def _refuse_hostile(text: str, utf8: bytes) -> None:
        """Cheap scans first: most bodies have no escape at all and fewer brackets than the
        bound, and then cost two substring searches and two counts."""
        if "\x00" in text or ("\\u0000" in text and _NUL_ESCAPE.search(text)):
            raise ParseError(_("Text may not contain the NUL character (U+0000)."))
        openers = utf8.count(b"[") + utf8.count(b"{")
        if openers > MAX_DEPTH and nesting_depth(utf8, stop_above=MAX_DEPTH) > MAX_DEPTH:
            raise ParseError(
                _("JSON nested deeper than %(depth)d levels is refused.") % {"depth": MAX_DEPTH}
            )

    @staticmethod
    def _refuse_lone_surrogates(data) -> None:
        """Exact, and paid only by bodies with surrogate escapes: encode what was parsed."""
        try:
            json.dumps(data, ensure_ascii=False).encode()
        except UnicodeEncodeError:
            raise ParseError(_("Text may not contain unpaired UTF-16 surrogates.")) from None
