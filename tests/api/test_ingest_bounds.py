"""Hostile values on the ingestion endpoints (issue 10, findings 1 and 2).

Every case answers 400 in the one error format, naming the row and the field, and writes
nothing; the COPY NULL marker ``\\N`` is data like any other string. Run on SQLite by default and
on PostgreSQL in CI (column overflow and U+0000 only ever failed there).
"""

import datetime
import json

import pandas as pd
import pytest
from django.utils import timezone

from creators.ingest import BOUNDS, DATE_MIN, FUTURE_LEEWAY
from creators.models import ContentItem, MetricSnapshot
from tests.factories import CreatorFactory, OrganizationFactory
from tests.rowcounts import row_counts
from tests.tenancy_helpers import api_key_client

pytestmark = pytest.mark.django_db
TABLES = ("creators.MetricSnapshot", "creators.ContentItem", "creators.Creator")
HANDLE = "bounded-one"


@pytest.fixture
def partner():
    CreatorFactory(handle=HANDLE)
    scopes = ["metrics:write", "content:write"]
    return api_key_client(OrganizationFactory(kind="partner"), scopes)[1]


def today() -> datetime.date:
    return timezone.now().date()


def snapshot(**fields) -> dict:
    row = {"creator": HANDLE, "date": (today() - datetime.timedelta(days=3)).isoformat()}
    return {**row, "followers": 1_000, "views": 500, **fields}


def content(**fields) -> dict:
    published = (timezone.now() - datetime.timedelta(days=2)).isoformat()
    row = {"creator": HANDLE, "external_id": "v-1", "kind": "video", "title": "Hello"}
    return {**row, "published_at": published, "views": 10, "engagement": 1, **fields}


def refused(client, path, rows, index, field):
    """POST ``rows``; assert a 400 naming (index, field) and that no table changed."""
    before = row_counts(*TABLES)
    response = client.post(path, {"rows": rows}, format="json")
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    # The JSON parser refuses U+0000 before any row is read.
    if "\\u0000" in json.dumps(rows):
        assert error["code"] == "parse_error" and "U+0000" in error["message"]
        assert row_counts(*TABLES) == before
        return
    assert error["code"] == "invalid" and error["message"]
    found = {(e["index"], e["field"]) for e in error["fields"]["rows"]}
    assert (index, field) in found, found
    assert row_counts(*TABLES) == before


HUGE_COUNTS = [2**63, 2**64 + 5, 10**30, 1e30, 1e20, 2**62]
SNAPSHOT_COUNTS = ["followers", "views", "likes", "comments", "shares", "orders", "live_minutes"]


@pytest.mark.parametrize("value", HUGE_COUNTS)
@pytest.mark.parametrize("field", SNAPSHOT_COUNTS)
def test_huge_snapshot_counts_are_a_400(partner, field, value):
    rows = [snapshot(), snapshot(date=today().isoformat(), **{field: value})]
    refused(partner, "/api/v1/metrics/bulk/", rows, 1, field)


@pytest.mark.parametrize("field", SNAPSHOT_COUNTS)
def test_one_above_each_bound_is_a_400_and_the_bound_itself_is_stored(partner, field):
    refused(partner, "/api/v1/metrics/bulk/", [snapshot(**{field: BOUNDS[field] + 1})], 0, field)
    row = snapshot(**{field: BOUNDS[field]})
    assert partner.post("/api/v1/metrics/bulk/", {"rows": [row]}, format="json").status_code == 200
    assert getattr(MetricSnapshot.objects.unscoped().get(), field) == BOUNDS[field]


@pytest.mark.parametrize("value", [2**31, 2**31 - 1, 2**40])
@pytest.mark.parametrize("field", ["orders", "live_minutes"])
def test_orders_and_live_minutes_past_the_int32_column_are_a_400(partner, field, value):
    refused(partner, "/api/v1/metrics/bulk/", [snapshot(**{field: value})], 0, field)


@pytest.mark.parametrize("value", ["1000000000000.00", 1e12, "1e400", "NaN", "Infinity", -1])
@pytest.mark.parametrize("field", ["tipping_revenue", "gmv"])
def test_absurd_money_is_a_400(partner, field, value):
    refused(partner, "/api/v1/metrics/bulk/", [snapshot(**{field: value})], 0, field)


@pytest.mark.parametrize("value", [True, False, [1], {"n": 1}, "1e3", "12abc", -1, 1.5])
@pytest.mark.parametrize("field", ["followers", "views", "orders"])
def test_counts_must_be_whole_numbers_not_booleans_or_containers(partner, field, value):
    refused(partner, "/api/v1/metrics/bulk/", [snapshot(**{field: value})], 0, field)


@pytest.mark.parametrize("value", [True, [1], {"n": 1}, "12abc"])
@pytest.mark.parametrize("field", ["tipping_revenue", "gmv"])
def test_money_must_be_a_number_or_decimal_text(partner, field, value):
    refused(partner, "/api/v1/metrics/bulk/", [snapshot(**{field: value})], 0, field)


@pytest.mark.parametrize("value", [[HANDLE], {"handle": HANDLE}, 7, True, f"{HANDLE}\x00"])
@pytest.mark.parametrize(
    ("path", "row"), [("/api/v1/metrics/bulk/", snapshot), ("/api/v1/content/bulk/", content)]
)
def test_a_creator_that_is_not_a_handle_is_a_400(partner, path, row, value):
    refused(partner, path, [row(), row(creator=value)], 1, "creator")


def test_whole_counts_in_every_json_spelling_are_stored_exactly(partner):
    rows = [
        snapshot(followers=10**10, views="123", likes=4.0, orders=10**6, live_minutes=44_640),
        snapshot(date=today().isoformat(), followers=7, gmv=99_999_999_999.99),
    ]
    response = partner.post("/api/v1/metrics/bulk/", {"rows": rows}, format="json")
    assert response.status_code == 200, response.content
    stored = MetricSnapshot.objects.unscoped().order_by("date")
    assert [(s.followers, s.views, s.likes, s.orders, s.live_minutes) for s in stored] == [
        (10**10, 123, 4, 10**6, 44_640),
        (7, 500, 0, 0, 0),
    ]
    assert str(stored[1].gmv) == "99999999999.99"


# --- dates ------------------------------------------------------------------------------------


def _dates_out_of_range():
    # Computed from the clock, as the code does: the bounds move with "now" (CI freezes it).
    future = today() + FUTURE_LEEWAY + datetime.timedelta(days=1)
    return ["0001-01-01", "1999-12-31", future.isoformat(), "9999-12-31"]


@pytest.mark.parametrize("value", [*_dates_out_of_range(), 20260101, True, ["2026-01-01"]])
def test_a_snapshot_date_out_of_range_is_a_400(partner, value):
    refused(partner, "/api/v1/metrics/bulk/", [snapshot(date=value)], 0, "date")


@pytest.mark.parametrize(
    "value",
    [
        *(f"{d}T00:00:00Z" for d in _dates_out_of_range()),
        "0001-01-01",
        1_700_000_000,
        "2026-01-01T00:00:00\x00Z",
    ],
)
def test_a_published_at_out_of_range_is_a_400(partner, value):
    refused(partner, "/api/v1/content/bulk/", [content(published_at=value)], 0, "published_at")


def test_dates_at_the_edges_of_the_range_are_accepted(partner):
    first = DATE_MIN.isoformat()
    last = (today() + FUTURE_LEEWAY).isoformat()
    rows = [snapshot(date=first), snapshot(date=last)]
    assert partner.post("/api/v1/metrics/bulk/", {"rows": rows}, format="json").status_code == 200
    items = [
        content(external_id="a", published_at=f"{first}T00:00:00Z"),
        content(external_id="b", published_at=timezone.now().isoformat()),
    ]
    response = partner.post("/api/v1/content/bulk/", {"rows": items}, format="json")
    assert response.status_code == 200, response.content


# --- content --------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [*HUGE_COUNTS, "BOUND+1"])
@pytest.mark.parametrize("field", ["views", "engagement"])
def test_huge_content_counts_are_a_400(partner, field, value):
    value = BOUNDS[f"content_{field}"] + 1 if value == "BOUND+1" else value
    refused(partner, "/api/v1/content/bulk/", [content(**{field: value})], 0, field)


@pytest.mark.parametrize("value", [True, [1], {"n": 1}])
def test_content_counts_refuse_booleans_and_containers(partner, value):
    refused(partner, "/api/v1/content/bulk/", [content(engagement=value)], 0, "engagement")


@pytest.mark.parametrize("field", ["external_id", "title", "text", "kind"])
def test_text_with_a_nul_character_is_a_400(partner, field):
    row = content(**{field: "bad\x00value" if field != "kind" else "video\x00"})
    refused(partner, "/api/v1/content/bulk/", [content(external_id="ok"), row], 1, field)


def test_the_copy_null_marker_is_stored_as_text(partner):
    r"""``\N`` is COPY's NULL marker: a title, id or text of exactly that is still that text."""
    rows = [
        content(external_id="\\N", title="\\N", text="\\N"),
        content(external_id="plain", title="x\\Ny", text=""),
    ]
    response = partner.post("/api/v1/content/bulk/", {"rows": rows}, format="json")
    assert response.status_code == 200, response.content
    stored = {
        c.external_id: (c.title, c.text) for c in ContentItem.objects.unscoped().order_by("id")
    }
    assert stored == {"\\N": ("\\N", "\\N"), "plain": ("x\\Ny", "")}
    # A repeat (the upsert path with existing rows) keeps them exactly.
    again = partner.post("/api/v1/content/bulk/", {"rows": rows}, format="json")
    assert again.status_code == 200
    assert ContentItem.objects.unscoped().get(external_id="\\N").title == "\\N"


# --- the bulk loader itself -----------------------------------------------------------------


def test_the_loader_refuses_nul_before_writing():
    """Callers validate; should U+0000 get through anyway, nothing is written (no DB error)."""
    from bulkload.frames import upsert_frame

    creator = CreatorFactory()
    frame = pd.DataFrame(
        {
            "creator_id": [creator.pk],
            "external_id": ["x"],
            "kind": ["video"],
            "title": ["a\x00b"],
            "text": [""],
            "published_at": pd.to_datetime(["2026-01-01T00:00:00Z"], utc=True),
            "views": [1],
            "engagement": [0],
        }
    )
    with pytest.raises(ValueError, match="U\\+0000"):
        upsert_frame(ContentItem, frame, conflict=["creator", "external_id"], update=["title"])
    assert not ContentItem.objects.unscoped().exists()


@pytest.mark.postgres
def test_copy_keeps_the_null_marker_as_text_and_nulls_as_null():
    from django.db import connection

    from bulkload.frames import _copy_csv

    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE copy_probe (word text NOT NULL, maybe text)")
        frame = pd.DataFrame(
            {"word": ["\\N", "\\N", "plain"], "maybe": [None, "\\N", "x"]}, dtype=object
        )
        _copy_csv("copy_probe", frame.iloc[:1], not_null=["word"])  # COPY
        _copy_csv("copy_probe", frame.iloc[1:], not_null=["word"])  # row by row: literal \N
        cursor.execute("SELECT word, maybe FROM copy_probe ORDER BY word, maybe NULLS FIRST")
        assert cursor.fetchall() == [("\\N", None), ("\\N", "\\N"), ("plain", "x")]


def test_row_errors_follow_the_callers_language(partner):
    rows = [snapshot(followers=True)]
    response = partner.post(
        "/api/v1/metrics/bulk/", {"rows": rows}, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.status_code == 400
    [error] = response.json()["error"]["fields"]["rows"]
    assert error == {
        "index": 0,
        "field": "followers",
        "message": "必须是 0 到 10,000,000,000 之间的整数。",
    }
