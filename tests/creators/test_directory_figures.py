"""The directory for brands: sortable columns (the API's ?ordering= values), reach figures over
the trailing window from known snapshots, a brand's own fees and GMV (never another brand's),
one FilterSet with the API, and a query count that does not grow with the rows."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from creators.api import CreatorViewSet
from creators.filters import CreatorFilter
from creators.selectors import DIRECTORY_ORDERING_FIELDS, DIRECTORY_WINDOW_DAYS
from tenancy.homes import nav_for
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


def client_of(kind: str):
    membership = MembershipFactory(organization=OrganizationFactory(kind=kind))
    client = Client()
    client.force_login(membership.user)
    return membership.organization, client


def listed(response) -> list[str]:
    return [creator.handle for creator in response.context["page"]]


@pytest.fixture
def three():
    CreatorFactory(handle="bravo", followers=300, joined=datetime.date(2024, 1, 1))
    CreatorFactory(handle="alpha", followers=200, joined=datetime.date(2025, 1, 1))
    CreatorFactory(handle="charlie", followers=100, joined=datetime.date(2023, 1, 1))


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("handle", ["alpha", "bravo", "charlie"]),
        ("-handle", ["charlie", "bravo", "alpha"]),
        ("followers", ["charlie", "alpha", "bravo"]),
        ("-followers", ["bravo", "alpha", "charlie"]),
        ("joined", ["charlie", "bravo", "alpha"]),
        ("-joined", ["alpha", "bravo", "charlie"]),
        ("nonsense", ["bravo", "alpha", "charlie"]),  # ignored, as the API ignores it
    ],
)
def test_the_page_sorts_by_each_column_as_the_api_does(three, ordering, expected):
    organization, client = client_of("brand")
    page = client.get(DIRECTORY, {"ordering": ordering})
    assert listed(page) == expected
    api = api_key_client(organization, ["creators:read"])[1]
    body = api.get("/api/v1/creators/", {"ordering": ordering}).json()
    assert [row["handle"] for row in body["results"]] == expected


def test_headers_link_to_sorting_and_flip_the_sorted_column(three):
    _org, client = client_of("brand")
    html = client.get(DIRECTORY, {"vertical": "beauty"}).content.decode()
    assert 'aria-sort="descending"' in html  # followers, the default
    assert "vertical=beauty&amp;ordering=followers" in html  # flips the sorted column
    assert "ordering=handle" in html and "ordering=-joined" in html
    html = client.get(DIRECTORY, {"ordering": "handle"}).content.decode()
    assert 'aria-sort="ascending"' in html and "ordering=-handle" in html
    assert 'name="ordering" value="handle"' in html  # the filter form keeps the sort


def test_page_and_api_share_one_filterset_and_the_ordering_values():
    assert CreatorViewSet.filterset_class is CreatorFilter
    assert tuple(CreatorViewSet.ordering_fields) == DIRECTORY_ORDERING_FIELDS


def test_engagement_rate_and_average_views_come_from_the_windows_snapshots():
    today = timezone.localdate()
    creator = CreatorFactory(handle="known")
    for days_ago, views, likes, comments, shares in [(1, 1000, 50, 10, 20), (8, 3000, 100, 20, 0)]:
        MetricSnapshotFactory(
            creator=creator,
            date=today - datetime.timedelta(days=days_ago),
            views=views,
            likes=likes,
            comments=comments,
            shares=shares,
        )
    # Before the window: would change both figures if it counted.
    MetricSnapshotFactory(
        creator=creator,
        date=today - datetime.timedelta(days=DIRECTORY_WINDOW_DAYS),
        views=10**6,
        likes=10**6,
    )
    CreatorFactory(handle="quiet", followers=1)  # no snapshots: dashes
    _org, client = client_of("agency")
    page = client.get(DIRECTORY)
    known, quiet = page.context["page"]
    assert known.avg_views == 2000  # (1000 + 3000) / 2
    assert known.engagement_rate == pytest.approx(200 / 4000)  # 5%
    assert quiet.avg_views is None and quiet.engagement_rate is None
    html = page.content.decode()
    assert "5.0%" in html and "2K" in html
    assert page.context["extra_labels"] == []  # no brand: no fee or GMV columns


def test_directory_figures_answer_only_for_creators_the_actor_may_list():
    from creators.selectors import directory_figures
    from tenancy.scoping import NOBODY, Actor

    creator = CreatorFactory()
    MetricSnapshotFactory(creator=creator, date=timezone.localdate(), views=100)
    org = OrganizationFactory(kind="agency")
    agency = Actor(user_id=None, organization_id=org.pk, organization_kind="agency", role="owner")
    assert directory_figures(actor=agency, creator_ids=[creator.pk])[creator.pk]["avg_views"] == 100
    assert directory_figures(actor=NOBODY, creator_ids=[creator.pk]) == {}


@pytest.fixture
def two_brands():
    creator = CreatorFactory(handle="shared")
    mine, mine_client = client_of("brand")
    theirs, theirs_client = client_of("brand")
    for fee, status in [("1000", "completed"), ("3000", "live"), ("8000", "accepted")]:
        done = CollaborationFactory(
            campaign__organization=mine, creator=creator, fee=Decimal(fee), status=status
        )
    CollaborationFactory(campaign__organization=mine, creator=creator, fee=99_999)  # an offer
    OrderFactory(collaboration=done, amount=Decimal("199.00"))
    OrderFactory(collaboration=done, amount=Decimal("301.00"))
    other = CollaborationFactory(
        campaign__organization=theirs, creator=creator, fee=Decimal("777"), status="completed"
    )
    OrderFactory(collaboration=other, amount=Decimal("10000.00"))
    return mine_client, theirs_client


def test_a_brand_sees_the_median_fee_and_gmv_of_its_own_collaborations(two_brands):
    mine_client, _theirs = two_brands
    page = mine_client.get(DIRECTORY)
    (creator,) = page.context["page"]
    assert creator.extra == [Decimal("3000"), Decimal("500.00")]  # median of 1000, 3000, 8000
    html = page.content.decode()
    assert "Median fee (yours)" in html and "GMV with you" in html
    assert "777" not in html and "10,000" not in html


def test_another_brand_sees_only_its_own_figures(two_brands):
    _mine, theirs_client = two_brands
    page = theirs_client.get(DIRECTORY)
    (creator,) = page.context["page"]
    assert creator.extra == [Decimal("777"), Decimal("10000.00")]
    html = page.content.decode()
    assert "3,000" not in html and "500.00" not in html
    # A brand without collaborations sees dashes, not anyone's figures.
    _org, stranger = client_of("brand")
    (creator,) = stranger.get(DIRECTORY).context["page"]
    assert creator.extra == [None, None]


def _world(n: int, brand):
    today = timezone.localdate()
    for _ in range(n):
        creator = CreatorFactory()
        MetricSnapshotFactory(creator=creator, date=today)
        done = CollaborationFactory(campaign__organization=brand, creator=creator, status="live")
        OrderFactory(collaboration=done)


def test_the_query_count_does_not_grow_with_the_rows(django_assert_max_num_queries):
    brand, client = client_of("brand")
    _world(5, brand)
    with CaptureQueriesContext(connection) as five:
        assert len(client.get(DIRECTORY, {"ordering": "handle"}).context["page"]) == 5
    _world(45, brand)
    with django_assert_max_num_queries(len(five.captured_queries)):
        assert len(client.get(DIRECTORY, {"ordering": "handle"}).context["page"]) > 5


def test_the_directory_is_in_a_brands_navigation():
    assert ("creators:directory", "Creators") in [
        (name, str(label)) for name, label in nav_for("brand")
    ]
    _org, client = client_of("brand")
    assert 'href="/creators/"' in client.get("/creators/").content.decode()
