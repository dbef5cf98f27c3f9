"""The API's one parser: JSON, refused before it can hurt (a 400 ``parse_error``).

Python's ``json`` recurses once per level of nesting, so a body of 5,000 ``[`` ends in a
``RecursionError`` (a 500), and whatever survived the parser would recurse again in the
serializers, the cache and the renderer. No request of this API nests deeper than a few levels,
so the depth is bounded at :data:`MAX_DEPTH`, counted before ``json`` sees the text.

U+0000 is refused anywhere in a string, keys included: PostgreSQL's ``text`` cannot store it, so
it would fail at the database (a 500) or, in a bulk COPY, corrupt the stream. Refusing it at
the door covers every endpoint and every field at once. So are unpaired UTF-16 surrogate escapes
(``"\\ud800"``), which no UTF-8 column can store either.
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
_NUL_ESCAPE = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")
#: A UTF-16 surrogate escape: paired (an emoji from an ASCII-only encoder) it is one character;
#: alone it is text that UTF-8, and so PostgreSQL, cannot store.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")

#: Each byte's change of depth: +1 for ``[`` and ``{``, -1 for ``]`` and ``}``, else 0.
_STEP = np.zeros(256, dtype=np.int8)
_STEP[[ord("["), ord("{")]] = 1
_STEP[[ord("]"), ord("}")]] = -1
#: Every byte but the quote and the brackets, for ``bytes.translate(None, delete=…)``.
_NOT_SYNTAX = bytes(b for b in range(256) if b not in b'"[]{}')
_CHUNK = 1 << 20  # syntax bytes per step: the temporary arrays stay small whatever the body


def nesting_depth(raw: bytes, *, stop_above: int | None = None) -> int:
    """The deepest nesting of the JSON text ``raw`` (UTF-8), brackets inside strings not counted.

    Three C-speed passes leave only the syntax that matters: escaped backslashes, then escaped
    quotes are removed (left to right, exactly as JSON reads its escapes, so every quote left
    opens or closes a string), then everything but quotes and brackets. On what is left (a few
    percent of a real body) the running sum of the bracket steps outside strings, vectorised,
    is the depth there. ``stop_above`` ends the count as soon as it is passed. Where ``raw`` is
    not valid JSON the count may differ from what ``json`` would see, but only after the point
    where ``json`` gives up on it.
    """
    if b"\\" in raw:
        raw = raw.replace(b"\\\\", b"").replace(b'\\"', b"")
    syntax = np.frombuffer(raw.translate(None, _NOT_SYNTAX), dtype=np.uint8)
    deepest = depth = in_string = 0
    for start in range(0, len(syntax), _CHUNK):
        chunk = syntax[start : start + _CHUNK]
        parity = (np.cumsum(chunk == ord('"'), dtype=np.int32) + in_string) & 1
        running = np.cumsum(_STEP[chunk] * (parity == 0), dtype=np.int32) + depth
        deepest = max(deepest, int(running.max()))
        depth, in_string = int(running[-1]), int(parity[-1])
        if stop_above is not None and deepest > stop_above:
            break
    return deepest


class BoundedJSONParser(JSONParser):
    """DRF's JSON parser (strict: no ``NaN``), refusing deep nesting and NUL before parsing."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        raw = stream.read()
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise ParseError(_("JSON parse error - %(error)s") % {"error": exc}) from None
        # The scans read UTF-8 bytes (faster than str, and no ASCII byte hides in a multi-byte
        # character); a body in another charset is re-encoded first.
        utf8 = raw if codecs.lookup(encoding).name == "utf-8" else text.encode()
        self._refuse_hostile(utf8)
        try:
            data = json.loads(text, parse_constant=json.strict_constant)
        except (ValueError, RecursionError) as exc:
            raise ParseError(_("JSON parse error - %(error)s") % {"error": exc}) from None
        if (b"\\ud" in utf8 or b"\\uD" in utf8) and _SURROGATE_ESCAPE.search(utf8):
            self._refuse_lone_surrogates(data)
        return data

    @staticmethod
    def _refuse_hostile(utf8: bytes) -> None:
        """Cheap scans first: most bodies have no escape at all and fewer brackets than the
        bound, and then cost two substring searches and two counts."""
        if b"\x00" in utf8 or (b"\\u0000" in utf8 and _NUL_ESCAPE.search(utf8)):
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
