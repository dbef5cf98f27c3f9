"""The directory sorts by its figure columns on the page and in the API, by the value it shows:
engagement rate and average views over the window for everyone, a brand's own median fee and
GMV (net of refunds) for that brand only. A creator without the figure comes last both ways,
ties are broken by the id, and the API's cursor pages through each ordering once per row."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from brands.models import Refund
from creators.selectors import directory_extra_columns
from tenancy.scoping import Actor
from tests.api.test_keyset_pages import _walk
from tests.factories import (
    CollaborationFactory,
    CreatorFactory,
    MembershipFactory,
    MetricSnapshotFactory,
    OrderFactory,
    OrganizationFactory,
)
from tests.tenancy_helpers import api_key_client

pytestmark = pytest.mark.django_db

DIRECTORY = "/creators/"
API = "/api/v1/creators/"


def signed_in(organization) -> Client:
    client = Client()
    client.force_login(MembershipFactory(organization=organization).user)
    return client


def page_handles(client, ordering: str) -> list[str]:
    response = client.get(DIRECTORY, {"ordering": ordering})
    assert response.status_code == 200
    return [creator.handle for creator in response.context["page"]]


def api_handles(client, ordering: str) -> list[str]:
    response = client.get(API, {"ordering": ordering})
    assert response.status_code == 200, response.content
    return [row["handle"] for row in response.json()["results"]]


def snapshot(creator, days_ago: int, views: int, engagement: int):
    MetricSnapshotFactory(
        creator=creator,
        date=timezone.localdate() - datetime.timedelta(days=days_ago),
        views=views,
        likes=engagement,
        comments=0,
        shares=0,
    )


@pytest.fixture
def reach():
    """rate / average views: high 20% / 500, mid 10% / 1500, low 5% / 3000; idle has no
    snapshots (no figures), silent has snapshots without views (average 0, no rate)."""
    for handle, snaps in [
        ("high", [(1, 400, 80), (8, 600, 120)]),
        ("mid", [(2, 1500, 150)]),
        ("low", [(3, 2000, 100), (10, 4000, 200)]),
        ("silent", [(4, 0, 0)]),
    ]:
        creator = CreatorFactory(handle=handle)
        for days_ago, views, engagement in snaps:
            snapshot(creator, days_ago, views, engagement)
    old = CreatorFactory(handle="idle")
    snapshot(old, 40, 10**6, 10**6)  # outside the window: no figures


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("engagement_rate", ["low", "mid", "high", "idle", "silent"]),
        ("-engagement_rate", ["high", "mid", "low", "idle", "silent"]),
        ("avg_views", ["silent", "high", "mid", "low", "idle"]),
        ("-avg_views", ["low", "mid", "high", "silent", "idle"]),
    ],
)
def test_page_and_api_sort_by_the_reach_figures_with_nulls_last(reach, ordering, expected):
    agency = OrganizationFactory(kind="agency")
    # idle and silent both lack a rate: the id breaks the tie (silent was created first,
    # then idle, ascending both ways on the page, in the sort's direction in the API).
    got_page = page_handles(signed_in(agency), ordering)
    got_api = api_handles(api_key_client(agency, ["creators:read"])[1], ordering)
    figures_of = ordering.removeprefix("-")
    if figures_of == "engagement_rate":
        nulls_page = ["silent", "idle"]
        nulls_api = ["idle", "silent"] if ordering.startswith("-") else ["silent", "idle"]
        assert got_page == [*expected[:3], *nulls_page]
        assert got_api == [*expected[:3], *nulls_api]
    else:
        assert got_page == got_api == expected


def test_the_sorted_value_is_the_shown_value(reach):
    response = signed_in(OrganizationFactory(kind="agency")).get(
        DIRECTORY, {"ordering": "-engagement_rate"}
    )
    rows = list(response.context["page"])
    assert [row.engagement_rate for row in rows[:3]] == pytest.approx([0.2, 0.1, 0.05])
    assert [row.avg_views for row in rows] == [500, 1500, 3000, 0, None]  # silent, idle
    html = response.content.decode()
    assert 'aria-sort="descending"' in html and "ordering=engagement_rate" in html


@pytest.mark.parametrize("ordering", ["engagement_rate", "-engagement_rate", "-avg_views"])
def test_the_cursor_pages_through_a_figure_ordering_once_per_row(ordering):
    # Ties of rates and of missing figures, across page boundaries, both ways.
    for n in range(23):
        creator = CreatorFactory(handle=f"c{n:02d}")
        if n % 4:  # a quarter without snapshots
            snapshot(creator, 1, 100 * (n % 3 + 1), 10 * (n % 3 + 1) if n % 5 else 0)
    client = api_key_client(OrganizationFactory(kind="partner"), ["creators:read"])[1]
    whole = api_handles(client, ordering) + []  # page_size 50: all of them at once
    forwards, backwards = _walk(client, API, {"ordering": ordering, "page_size": 4}, "handle")
    assert len(whole) == 23
    assert forwards == whole and backwards == whole


@pytest.fixture
def brands():
    """Two brands and three creators: brand's fees and GMV differ from brand2's per creator."""
    brand, brand2 = OrganizationFactory(kind="brand"), OrganizationFactory(kind="brand")
    creators = {handle: CreatorFactory(handle=handle) for handle in ("ann", "bo", "cy")}
    for handle, fees, gmv in [("ann", [100, 300], "900"), ("bo", [200], "50"), ("cy", [], None)]:
        for fee in fees:
            done = CollaborationFactory(
                campaign__organization=brand, creator=creators[handle], fee=fee, status="live"
            )
        if gmv:
            OrderFactory(collaboration=done, amount=Decimal(gmv))
    # brand2 the other way round: its large GMV is with cy, none with ann.
    for handle, fee, gmv in [("cy", 5000, "99999"), ("bo", 10, "1")]:
        done = CollaborationFactory(
            campaign__organization=brand2, creator=creators[handle], fee=fee, status="completed"
        )
        OrderFactory(collaboration=done, amount=Decimal(gmv))
    return brand, brand2


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("gmv", ["bo", "ann", "cy"]),
        ("-gmv", ["ann", "bo", "cy"]),
        ("median_fee", ["ann", "bo", "cy"]),  # median 200 = 200: the id decides
        ("-median_fee", ["ann", "bo", "cy"]),
    ],
)
def test_a_brand_sorts_by_its_own_fees_and_gmv(brands, ordering, expected):
    brand, _brand2 = brands
    got_page = page_handles(signed_in(brand), ordering)
    got_api = api_handles(api_key_client(brand, ["creators:read"])[1], ordering)
    assert got_page == expected
    if ordering == "-median_fee":
        assert got_api == ["bo", "ann", "cy"]  # the tie broken by the id descending
    else:
        assert got_api == expected


def test_another_brands_orders_never_reach_the_sort(brands):
    _brand, brand2 = brands
    client = signed_in(brand2)
    assert page_handles(client, "-gmv") == ["cy", "bo", "ann"]  # ann: nothing with brand2
    assert page_handles(client, "-median_fee") == ["cy", "bo", "ann"]
    api = api_key_client(brand2, ["creators:read"])[1]
    assert api_handles(api, "-gmv") == ["cy", "bo", "ann"]
    (ann,) = [row for row in client.get(DIRECTORY).context["page"] if row.handle == "ann"]
    assert ann.extra == [None, None]


def test_the_brand_columns_page_through_the_cursor(brands):
    brand, _brand2 = brands
    client = api_key_client(brand, ["creators:read"])[1]
    for ordering in ("gmv", "-gmv", "median_fee"):
        whole = api_handles(client, ordering)
        forwards, backwards = _walk(client, API, {"ordering": ordering, "page_size": 1}, "handle")
        assert forwards == whole == backwards


def test_gmv_is_net_of_refunds():
    brand = OrganizationFactory(kind="brand")
    creator = CreatorFactory()
    done = CollaborationFactory(campaign__organization=brand, creator=creator, status="live")
    first = OrderFactory(collaboration=done, amount=Decimal("300.00"))
    OrderFactory(collaboration=done, amount=Decimal("200.00"))
    for amount in ("50.00", "25.50"):  # two refunds of one order: counted once each
        Refund.objects.unscoped().create(
            organization=brand,
            order=first,
            amount=Decimal(amount),
            reason="quality",
            requested_at=timezone.now(),
        )
    actor = Actor(user_id=None, organization_id=brand.pk, organization_kind="brand", role="owner")
    columns, figures = directory_extra_columns(actor=actor, creator_ids=[creator.pk])
    assert [key for key, _label in columns] == ["median_fee", "gmv"]
    assert figures[creator.pk][1] == Decimal("424.50")  # 500 - 75.50
    response = signed_in(brand).get(DIRECTORY, {"ordering": "-gmv"})
    assert response.context["page"][0].extra[1] == Decimal("424.50")


@pytest.mark.parametrize("ordering", ["gmv", "-gmv", "median_fee", "-median_fee"])
@pytest.mark.parametrize("kind", ["agency", "partner", "operator"])
def test_other_viewers_may_not_sort_by_a_brands_own_figures(kind, ordering):
    organization = OrganizationFactory(kind=kind)
    CreatorFactory(handle="someone")
    response = signed_in(organization).get(DIRECTORY, {"ordering": ordering})
    assert response.status_code == 400
    assert "Only a brand can sort by its own figures" in response.content.decode()
    assert [row.handle for row in response.context["page"]] == ["someone"]  # default order
    api = api_key_client(organization, ["creators:read"])[1]
    refused = api.get(API, {"ordering": ordering})
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert error["code"] == "invalid" and "ordering" in error["fields"]


@pytest.mark.parametrize("ordering", ["-engagement_rate", "avg_views", "-gmv", "median_fee"])
def test_a_sorted_page_costs_the_same_queries_at_5_rows_or_50(ordering):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    brand = OrganizationFactory(kind="brand")
    client = signed_in(brand)

    def world(count: int):
        for _ in range(count):
            creator = CreatorFactory()
            snapshot(creator, 1, 1000, 10)
            done = CollaborationFactory(
                campaign__organization=brand, creator=creator, fee=5, status="live"
            )
            OrderFactory(collaboration=done)

    world(5)
    with CaptureQueriesContext(connection) as five:
        assert len(client.get(DIRECTORY, {"ordering": ordering}).context["page"]) == 5
    world(45)
    with CaptureQueriesContext(connection) as fifty:
        assert len(client.get(DIRECTORY, {"ordering": ordering}).context["page"]) > 5
    assert len(fifty.captured_queries) == len(five.captured_queries)


def test_the_api_shows_the_figures_it_sorts_by(reach):
    client = api_key_client(OrganizationFactory(kind="partner"), ["creators:read"])[1]
    rows = client.get(API, {"ordering": "-engagement_rate"}).json()["results"]
    assert [row["engagement_rate"] for row in rows] == pytest.approx([0.2, 0.1, 0.05, None, None])
    assert [row["avg_views"] for row in rows] == [500, 1500, 3000, None, 0]  # idle, silent
    detail = client.get(f"{API}high/").json()
    assert detail["engagement_rate"] == pytest.approx(0.2) and detail["avg_views"] == 500
    assert client.get(f"{API}idle/").json()["avg_views"] is None
