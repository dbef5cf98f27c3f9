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

#: A whole JSON string literal, escapes included (the "unrolled loop" form: linear, no
#: backtracking). Between two of them a valid JSON text holds no quote.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
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
_CHUNK = 1 << 20


def nesting_depth(text: str, *, stop_above: int | None = None) -> int:
    """The deepest nesting of ``text`` read as JSON, brackets inside strings not counted.

    Vectorised so a body of megabytes costs milliseconds: the strings are blanked out by one
    regex, then the running sum of the bracket steps is the depth at each byte. Chunks keep
    the arrays small (a few MB whatever the body); ``stop_above`` ends the count early.

    Where the text is not valid JSON the count may differ from what ``json`` would see, but
    only after the point where ``json`` gives up on it.
    """
    skeleton = np.frombuffer(_STRING.sub('""', text).encode(), dtype=np.uint8)
    deepest = depth = 0
    for start in range(0, len(skeleton), _CHUNK):
        running = np.cumsum(_STEP[skeleton[start : start + _CHUNK]], dtype=np.int32) + depth
        deepest, depth = max(deepest, int(running.max())), int(running[-1])
        if stop_above is not None and deepest > stop_above:
            break
    return deepest


class BoundedJSONParser(JSONParser):
    """DRF's JSON parser (strict: no ``NaN``), refusing deep nesting and NUL before parsing."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = stream.read().decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise ParseError(_("JSON parse error - %(error)s") % {"error": exc}) from None
        self._refuse_hostile(text)
        try:
            data = json.loads(text, parse_constant=json.strict_constant)
        except (ValueError, RecursionError) as exc:
            raise ParseError(_("JSON parse error - %(error)s") % {"error": exc}) from None
        if _SURROGATE_ESCAPE.search(text):
            self._refuse_lone_surrogates(data)
        return data

    @staticmethod
    def _refuse_hostile(text: str) -> None:
        if "\x00" in text or ("\\u0000" in text and _NUL_ESCAPE.search(text)):
            raise ParseError(_("Text may not contain the NUL character (U+0000)."))
        if nesting_depth(text, stop_above=MAX_DEPTH) > MAX_DEPTH:
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
