"""Every list pages through ties of any size, each row exactly once, forwards and backwards.

The cursor carries the whole ordering tuple of its boundary row (ending in a unique column), so
more than DRF's 1000-row offset cutoff may share the first ordering value.
"""

from __future__ import annotations

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import signing
from django.db import connection
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from api.pagination import SALT, CursorPage, InvalidCursor
from creators.models import ContentItem, Creator
from tests.factories import CreatorFactory, MetricSnapshotFactory, OrganizationFactory
from tests.tenancy_helpers import api_key_client
from traffic.models import Allocation, AllocationRun

pytestmark = pytest.mark.django_db

TIES = 1_200  # more than DRF's offset_cutoff of 1000


def _cursor_of(link: str | None) -> str | None:
    return parse_qs(urlsplit(link).query)["cursor"][0] if link else None


def _walk(client, path: str, params: dict, key: str) -> tuple[list, list]:
    """``key`` of every row, following ``next`` to the end, then ``previous`` back to the start."""
    forwards, cursor, last = [], None, None
    while True:
        response = client.get(path, {**params, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200, response.content
        last = response.json()
        forwards += [row[key] for row in last["results"]]
        cursor = _cursor_of(last["next"])
        if cursor is None:
            break
    backwards, cursor = [row[key] for row in last["results"]], _cursor_of(last["previous"])
    while cursor is not None:
        response = client.get(path, {**params, "cursor": cursor})
        assert response.status_code == 200, response.content
        backwards = [row[key] for row in response.json()["results"]] + backwards
        cursor = _cursor_of(response.json()["previous"])
    return forwards, backwards


def _many_creators(count: int, followers=lambda n: 7, joined=lambda n: datetime.date(2024, 3, 1)):
    Creator.objects.unscoped().bulk_create(
        Creator(
            handle=f"tie-{n:05d}",
            display_name=f"Tie {n}",
            vertical="beauty",
            city_tier="t3",
            followers=followers(n),
            joined=joined(n),
        )
        for n in range(count)
    )
    return Creator.objects.unscoped().order_by("pk")


def test_allocations_page_through_more_ties_than_the_offset_cutoff():
    """1,200 creators with 0 impressions (and a few above): each exactly once, both ways."""
    creators = list(_many_creators(TIES + 5))
    run = AllocationRun.objects.unscoped().create(
        pool=1000, target_gini=0.3, as_of="2026-01-01", status="succeeded"
    )
    Allocation.objects.unscoped().bulk_create(
        Allocation(
            run=run,
            creator=creator,
            merit=1.0,
            impressions=0 if n < TIES else 200 * (n - TIES + 1),
            eligible=n >= TIES,
        )
        for n, creator in enumerate(creators)
    )
    expected = [
        a.creator.handle
        for a in Allocation.objects.unscoped()
        .select_related("creator")
        .order_by("-impressions", "id")
    ]
    _key, client = api_key_client(OrganizationFactory(kind="operator"), ["traffic:read"])
    path = f"/api/v1/traffic/runs/{run.pk}/allocations/"
    forwards, backwards = _walk(client, path, {"page_size": 100}, "creator")
    assert forwards == expected
    assert backwards == expected


@pytest.mark.parametrize(
    ("ordering", "sort"),
    [
        (None, lambda c: (-c.followers, -c.pk)),
        ("-followers", lambda c: (-c.followers, -c.pk)),
        ("followers", lambda c: (c.followers, c.pk)),
        ("joined", lambda c: (c.joined, c.pk)),
        ("-joined,handle", lambda c: (-c.joined.toordinal(), c.handle)),
        ("handle", lambda c: c.handle),
    ],
)
def test_creators_page_through_ties_in_every_ordering(ordering, sort):
    # 1,100 share the follower count and the join date; a few others around them.
    rows = _many_creators(
        TIES - 100 + 6,
        followers=lambda n: 7 if n >= 6 else n * 3,
        joined=lambda n: datetime.date(2024, 3, 1) + datetime.timedelta(days=n % 2 if n < 6 else 0),
    )
    expected = [c.handle for c in sorted(rows, key=sort)]
    _key, client = api_key_client(OrganizationFactory(kind="partner"), ["creators:read"])
    params = {"page_size": 97, **({"ordering": ordering} if ordering else {})}
    forwards, backwards = _walk(client, "/api/v1/creators/", params, "handle")
    assert forwards == expected
    assert backwards == expected


def test_agencies_page_through_ties_on_the_signed_count():
    agencies = [OrganizationFactory(kind="agency") for _ in range(6)]
    for n, agency in enumerate(agencies[:2]):
        for _ in range(n + 1):
            CreatorFactory(agency=agency)
    expected = [agencies[1].slug, agencies[0].slug, *sorted(a.slug for a in agencies[2:])]
    _key, client = api_key_client(OrganizationFactory(kind="brand"), ["agencies:read"])
    forwards, backwards = _walk(client, "/api/v1/agencies/", {"page_size": 1}, "slug")
    assert forwards == backwards == expected


def test_metrics_and_content_page_through_equal_dates_and_times():
    creator = CreatorFactory()
    for days in (1, 2, 3, 4):
        MetricSnapshotFactory(
            creator=creator, date=datetime.date(2026, 6, 1) - datetime.timedelta(days)
        )
    at = timezone.make_aware(datetime.datetime(2026, 6, 1, 12, 0, 0, 123456), datetime.UTC)
    for n in range(5):  # three published at the very same microsecond
        ContentItem.objects.unscoped().create(
            creator=creator,
            external_id=f"c-{n}",
            kind="video",
            title=f"Video {n}",
            published_at=at - datetime.timedelta(seconds=max(n - 2, 0)),
        )
    _key, client = api_key_client(OrganizationFactory(kind="partner"), ["creators:read"])
    base = f"/api/v1/creators/{creator.handle}"
    forwards, backwards = _walk(client, f"{base}/metrics/", {"page_size": 1}, "date")
    assert forwards == backwards == ["2026-05-31", "2026-05-30", "2026-05-29", "2026-05-28"]
    forwards, backwards = _walk(client, f"{base}/content/", {"page_size": 2}, "external_id")
    assert forwards == backwards == ["c-2", "c-1", "c-0", "c-3", "c-4"]


def _first_next_cursor(client, path, params) -> str:
    response = client.get(path, {**params, "page_size": 1})
    assert response.status_code == 200
    return _cursor_of(response.json()["next"])


def _is_invalid_cursor(response) -> bool:
    return response.status_code == 400 and response.json()["error"]["code"] == "invalid_cursor"


def test_a_cursor_only_serves_the_list_and_ordering_it_was_made_for():
    CreatorFactory(followers=1)
    CreatorFactory(followers=2)
    OrganizationFactory(kind="agency")
    OrganizationFactory(kind="agency")
    _key, client = api_key_client(
        OrganizationFactory(kind="partner"), ["creators:read", "agencies:read"]
    )
    by_followers = _first_next_cursor(client, "/api/v1/creators/", {})
    by_joined = _first_next_cursor(client, "/api/v1/creators/", {"ordering": "joined"})
    assert client.get("/api/v1/creators/", {"cursor": by_followers}).status_code == 200
    assert (
        client.get("/api/v1/creators/", {"ordering": "joined", "cursor": by_joined}).status_code
        == 200
    )
    assert _is_invalid_cursor(
        client.get("/api/v1/creators/", {"ordering": "joined", "cursor": by_followers})
    )
    assert _is_invalid_cursor(client.get("/api/v1/creators/", {"cursor": by_joined}))
    assert _is_invalid_cursor(client.get("/api/v1/agencies/", {"cursor": by_followers}))
    # One character changed is a bad signature.
    tampered = by_followers[:-1] + ("A" if by_followers[-1] != "A" else "B")
    assert _is_invalid_cursor(client.get("/api/v1/creators/", {"cursor": tampered}))


@pytest.mark.parametrize(
    "values",
    [
        ["many", 1],  # text for a number
        [7.5, 1],  # a float for an integer column
        [True, 1],  # a flag for a number
        [-1, 1],  # below the column's range
        [7, None],  # NULL for a non-null column
        [7],  # one value short
        [7, {"a": 1}],
    ],
)
def test_signed_cursors_are_still_type_checked(values):
    """A signature proves the API made the cursor, not that the columns are as they were then."""
    CreatorFactory()
    _key, client = api_key_client(OrganizationFactory(kind="partner"), ["creators:read"])
    payload = {"m": "creators.creator", "o": ["-followers", "-pk"], "r": 0, "v": values}
    cursor = signing.dumps(payload, salt=SALT)
    assert _is_invalid_cursor(client.get("/api/v1/creators/", {"cursor": cursor}))
    payload["v"] = [7, 1]
    assert (
        client.get("/api/v1/creators/", {"cursor": signing.dumps(payload, salt=SALT)}).status_code
        == 200
    )


def test_a_signed_text_value_with_nul_is_refused():
    """``?ordering=handle`` pages by a text column: a NUL would crash PostgreSQL's driver."""
    CreatorFactory()
    _key, client = api_key_client(OrganizationFactory(kind="partner"), ["creators:read"])
    payload = {"m": "creators.creator", "o": ["handle"], "r": 0, "v": ["a\x00b"]}
    bad = client.get(
        "/api/v1/creators/", {"ordering": "handle", "cursor": signing.dumps(payload, salt=SALT)}
    )
    assert _is_invalid_cursor(bad)


def test_a_cursor_past_deleted_rows_gives_an_empty_page_with_a_way_back():
    creators = [CreatorFactory(followers=n) for n in range(4)]
    _key, client = api_key_client(OrganizationFactory(kind="partner"), ["creators:read"])
    first = client.get("/api/v1/creators/", {"page_size": 2}).json()
    Creator.objects.unscoped().filter(pk__in=[c.pk for c in creators[:2]]).delete()
    page = client.get("/api/v1/creators/", {"cursor": _cursor_of(first["next"])}).json()
    assert page["results"] == [] and page["next"] is None
    # Back from the boundary row (the last one of the page before, itself not repeated).
    back = client.get("/api/v1/creators/", {"cursor": _cursor_of(page["previous"])}).json()
    assert [row["handle"] for row in back["results"]] == [creators[3].handle]
    assert back["previous"] is None and back["next"] is not None


class _ByCap(CursorPage):
    ordering = ("cap",)  # nullable: NULLs sort after every value, on every database


def _page(queryset, cursor=None, page_size=2, paginator_class=_ByCap):
    params = {"page_size": page_size, **({"cursor": cursor} if cursor else {})}
    request = Request(APIRequestFactory().get("/runs/", params))
    paginator = paginator_class()
    rows = paginator.paginate_queryset(queryset, request)
    return rows, _cursor_of(paginator.get_next_link()), _cursor_of(paginator.get_previous_link())


@pytest.mark.parametrize(
    "paginator_class", [_ByCap, type("ByCapDown", (CursorPage,), {"ordering": "-cap"})]
)
def test_a_nullable_ordering_column_pages_nulls_once(paginator_class):
    caps = [None, 0.5, None, 0.1, 0.5, None, 0.9]
    for cap in caps:
        AllocationRun.objects.unscoped().create(
            pool=1, target_gini=0.3, as_of="2026-01-01", cap=cap
        )
    runs = AllocationRun.objects.unscoped().all()
    seen, cursor, last = [], None, None
    while True:
        rows, cursor, previous = _page(runs, cursor, paginator_class=paginator_class)
        seen += rows
        last = (rows, previous)
        if cursor is None:
            break
    descending = paginator_class.ordering == "-cap"
    key = lambda r: (r.cap is None, r.cap or 0, r.pk)  # noqa: E731 - NULL largest
    assert seen == sorted(runs, key=key, reverse=descending)
    back, previous = list(last[0]), last[1]
    while previous is not None:
        rows, _next, previous = _page(runs, previous, paginator_class=paginator_class)
        back = rows + back
    assert back == seen


def test_next_page_query_of_creators_is_an_index_scan_on_postgresql():
    """EXPLAIN of the second page of ``-followers`` over 50k creators, 5k sharing a count."""
    if connection.vendor != "postgresql":
        pytest.skip("the plan that matters is PostgreSQL's")
    _many_creators(50_000, followers=lambda n: 1000 if n % 10 == 0 else n)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE creators_creator")
    tie = Creator.objects.unscoped().filter(followers=1000).order_by("-pk")[2500]
    payload = {"m": "creators.creator", "o": ["-followers", "-pk"], "r": 0, "v": [1000, tie.pk]}
    request = Request(APIRequestFactory().get("/", {"cursor": signing.dumps(payload, salt=SALT)}))
    paginator = CursorPage()
    paginator.ordering = ("-followers",)
    queryset = Creator.objects.unscoped().all()
    rows = paginator.paginate_queryset(queryset, request)
    assert rows[0].followers == 1000 and rows[0].pk < tie.pk
    keys = paginator.keys
    plan = (
        queryset.order_by(*(k.order_by(False) for k in keys))
        .filter(paginator._after([1000, tie.pk], False))[:51]
        .explain()
    )
    assert "Index Scan Backward using creator_followers_id" in plan, plan
    assert "Sort" not in plan and "Seq Scan" not in plan, plan


def test_an_unknown_cursor_raises_invalid_cursor_directly():
    request = Request(APIRequestFactory().get("/", {"cursor": "nope"}))
    with pytest.raises(InvalidCursor):
        CursorPage().paginate_queryset(AllocationRun.objects.unscoped().all(), request)
