"""Schemathesis hooks (``SCHEMATHESIS_HOOKS=tests.fuzz_hostile``): hostile values in valid shapes.

Schemathesis generates bodies and query strings that fit the schema; these hooks then replace
one or more leaves with what an attacker or a broken client sends: integers past int64 and
int32, 1e30, booleans where numbers go, NUL and lone surrogates in strings, the COPY NULL marker
``\\N``, dates at the calendar's ends, lists and objects where scalars go, and, now and then,
the whole body nested hundreds deep. The run asserts only that no answer is a 5xx: every one
of these must be refused with a 4xx (or accepted, when it is harmless) and never crash a worker.
"""

from __future__ import annotations

import schemathesis
from hypothesis import strategies as st

HUGE_NUMBERS = [2**31, 2**62, 2**63, 2**64, -(2**63) - 1, 10**30, 1e30, 1e20, 1e308, -1e308]
HOSTILE_STRINGS = [
    "\x00",
    "a\x00b",
    "\\N",
    "\ud800",
    "0001-01-01",
    "9999-12-31T23:59:59+14:00",
    "x" * 100_000,
    "\u202e\u0000",
    "NaN",
    "-0",
    "99999999999999999999999999999999",
]
SHAPE_BREAKERS = [True, False, None, [], [1, 2], {}, {"a": {"b": 1}}]
HOSTILE_LEAVES = st.sampled_from(HUGE_NUMBERS + HOSTILE_STRINGS + SHAPE_BREAKERS)
#: Deep enough to pass any sane nesting limit of the server, shallow enough for Hypothesis and
#: json.dumps in this process (5,000 levels overflow their C stack); tests/api/ sends 5,000
#: levels as raw bytes.
DEEP = 400


def _deeply_nested(depth: int):
    body: list | dict = []
    for level in range(depth):
        body = [body] if level % 2 else {"a": body}
    return body


def _paths(value, prefix=()):
    """Every leaf's path (keys and indexes) of a JSON value, the root included."""
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value[:5]):
            yield from _paths(item, (*prefix, index))


def _replaced(value, path, new):
    if not path:
        return new
    head, *rest = path
    copy = dict(value) if isinstance(value, dict) else list(value)
    copy[head] = _replaced(value[head], rest, new)
    return copy


@st.composite
def _poisoned(draw, body):
    paths = list(_paths(body))
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(paths))
        try:
            body = _replaced(body, path, draw(HOSTILE_LEAVES))
        except (KeyError, IndexError, TypeError):  # an earlier replacement removed the path
            continue
        paths = list(_paths(body))
    return body


@schemathesis.hook
def flatmap_body(context, body):
    if not isinstance(body, dict | list):
        return st.just(body)
    return st.one_of(st.just(_deeply_nested(DEEP)), _poisoned(body), _poisoned(body))


#: No lone surrogates here: a URL cannot carry them (the client fails to encode them).
HOSTILE_PARAMETERS = st.sampled_from(
    ["\x00", "a\x00b", "\\N", str(2**64), "1e30", "-1", "cD1hYmM=", "x" * 10_000, "%00"]
)


def _with_hostile_parameters(parameters):
    if not parameters:
        return st.just(parameters)
    changes = st.dictionaries(st.sampled_from(sorted(parameters)), HOSTILE_PARAMETERS, min_size=1)
    return st.one_of(st.just(parameters), changes.map(lambda new: {**parameters, **new}))


@schemathesis.hook
def flatmap_query(context, query):
    return _with_hostile_parameters(query)


@schemathesis.hook
def flatmap_path_parameters(context, path_parameters):
    return _with_hostile_parameters(path_parameters)
