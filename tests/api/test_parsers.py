"""Hostile JSON on every JSON endpoint: deep nesting and U+0000 are 400s, nothing is written."""

import io
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.exceptions import ParseError

from api import parsers
from api.parsers import MAX_DEPTH, BoundedJSONParser, nesting_depth
from tests.factories import CreatorFactory, OrganizationFactory
from tests.rowcounts import row_counts
from tests.tenancy_helpers import api_key_client

TABLES = (
    "brands.Campaign",
    "creators.MetricSnapshot",
    "creators.ContentItem",
    "webhooks.WebhookEndpoint",
    "tenancy.AuditEvent",
)
DEEP = "[" * 5000 + "]" * 5000


def parse(text: str | bytes):
    raw = text.encode() if isinstance(text, str) else text
    return BoundedJSONParser().parse(io.BytesIO(raw), "application/json", {})


def nested(depth: int) -> str:
    return '{"a":' * (depth - 1) + "[]" + "}" * (depth - 1)


def test_nesting_up_to_the_bound_parses_and_one_more_level_is_refused():
    assert parse(nested(MAX_DEPTH)) is not None
    with pytest.raises(ParseError, match="nested"):
        parse(nested(MAX_DEPTH + 1))


def test_brackets_inside_strings_do_not_count_as_nesting():
    body = json.dumps({"title": "[" * 5000 + '\\"{' * 100, "rows": [{"a": "}}]]"}]})
    assert parse(body)["rows"] == [{"a": "}}]]"}]


def depth_of(value) -> int:
    if isinstance(value, dict | list):
        children = value.values() if isinstance(value, dict) else value
        return 1 + max((depth_of(child) for child in children), default=0)
    return 0


TRICKY_TEXT = st.text(alphabet='[]{}"\\ab\u4e2d', max_size=12)
JSON_VALUES = st.recursive(
    st.none() | st.integers() | TRICKY_TEXT,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(TRICKY_TEXT, children, max_size=4)
    ),
    max_leaves=30,
)


@given(JSON_VALUES, st.sampled_from([3, 7, 1 << 18]))
def test_the_vectorised_depth_is_the_depth_json_sees(value, chunk):
    """Brackets, quotes and backslashes inside strings, and chunk edges anywhere (the chunk
    size is shrunk so that they fall inside strings and escapes)."""
    raw = json.dumps(value, ensure_ascii=False).encode()
    previous, parsers._CHUNK = parsers._CHUNK, chunk
    try:
        assert nesting_depth(raw) == depth_of(value)
    finally:
        parsers._CHUNK = previous


def test_5000_deep_nesting_is_refused_without_recursing():
    with pytest.raises(ParseError, match="nested"):
        parse(DEEP)
    with pytest.raises(ParseError, match="nested"):
        parse('{"rows": ' + DEEP + "}")


@pytest.mark.parametrize(
    "body",
    [
        '{"title": "a\\u0000b"}',
        '{"ti\\u0000tle": "a"}',
        '{"rows": [{"text": "\\\\\\u0000"}]}',  # an escaped backslash, then a NUL
    ],
)
def test_nul_anywhere_in_a_string_is_refused(body):
    assert "\\x00" in repr(json.loads(body))  # the body does decode to a NUL
    with pytest.raises(ParseError, match="U\\+0000"):
        parse(body)


def test_a_backslash_followed_by_u0000_text_is_not_a_nul():
    assert parse('{"title": "C:\\\\u0000"}') == {"title": "C:\\u0000"}


def test_a_lone_surrogate_is_refused_and_a_pair_is_one_character():
    assert parse('{"title": "\\ud83d\\ude00"}') == {"title": "\U0001f600"}
    for body in ('{"title": "\\ud800"}', '{"title": "\\ude00\\ud83d"}'):
        with pytest.raises(ParseError, match="surrogate"):
            parse(body)


def test_a_raw_nul_byte_and_non_standard_constants_are_parse_errors():
    for body in (b'{"title": "a\x00b"}', b'{"views": NaN}', b"{"):
        with pytest.raises(ParseError):
            parse(body)


@pytest.fixture
def partner(db):
    creator = CreatorFactory()
    client = api_key_client(
        OrganizationFactory(kind="partner"),
        ["metrics:write", "content:write", "webhooks:manage", "creators:read"],
    )[1]
    return creator, client


@pytest.fixture
def brand_client(db):
    return api_key_client(OrganizationFactory(kind="brand"), ["campaigns:write"])[1]


def _refused(client, path: str, body: str, *, words: str):
    before = row_counts(*TABLES)
    response = client.generic("POST", path, body, content_type="application/json")
    assert row_counts(*TABLES) == before
    assert response.status_code == 400, response.content[:500]
    error = response.json()["error"]
    assert error["code"] == "parse_error" and words in error["message"]


@pytest.mark.parametrize("path", ["/api/v1/metrics/bulk/", "/api/v1/content/bulk/"])
def test_bulk_endpoints_refuse_deep_nesting_and_nul(partner, path):
    creator, client = partner
    _refused(client, path, '{"rows": ' + DEEP + "}", words="nested")
    _refused(client, path, DEEP, words="nested")
    row = {"creator": creator.handle, "date": "2026-11-02", "followers": 10}
    row |= {"external_id": "x\x00", "kind": "video", "title": "t", "published_at": "2026-11-02"}
    _refused(client, path, json.dumps({"rows": [row]}), words="U+0000")


def test_a_metric_push_with_a_nul_key_stores_nothing(partner):
    creator, client = partner
    row = {"creator": creator.handle, "date": "2026-11-02", "followers": 10, "vi\x00ews": 1}
    _refused(client, "/api/v1/metrics/bulk/", json.dumps({"rows": [row]}), words="U+0000")


def test_object_endpoints_refuse_deep_nesting_and_nul(partner, brand_client):
    _creator, client = partner
    webhook = {"url": "https://example.com/\x00", "events": ["ping"]}
    _refused(client, "/api/v1/webhooks/", json.dumps(webhook), words="U+0000")
    _refused(client, "/api/v1/webhooks/", DEEP, words="nested")
    campaign = {"name": "Harvest\x00", "mode": "both", "budget": "1", "start": "2026-11-01"}
    _refused(brand_client, "/api/v1/campaigns/", json.dumps(campaign), words="U+0000")
    _refused(brand_client, "/api/v1/campaigns/", '{"name": ' + DEEP + "}", words="nested")


def test_a_clean_bulk_push_still_stores_its_rows(partner):
    creator, client = partner
    row = {"creator": creator.handle, "date": "2026-11-02", "followers": 10}
    response = client.post("/api/v1/metrics/bulk/", {"rows": [row]}, format="json")
    assert response.status_code == 200 and response.json()["rows"] == 1


def test_the_refusal_speaks_the_request_language(brand_client):
    deep = brand_client.generic(
        "POST",
        "/api/v1/campaigns/",
        DEEP,
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    nul = brand_client.generic(
        "POST",
        "/api/v1/campaigns/",
        '{"name": "\\u0000"}',
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert "嵌套超过 32 层" in deep.json()["error"]["message"]
    assert "NUL 字符" in nul.json()["error"]["message"]
