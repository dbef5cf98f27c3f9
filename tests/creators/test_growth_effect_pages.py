"""The operator's "Growth programmes — effect" page and its selector, from rows built here.

The clock is frozen (the report is as of today); every date below is relative to it.
"""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from creators.models import Course, Enrolment, MetricSnapshot
from creators.selectors_growth import growth_effect_frame, growth_effect_report
from tenancy.scoping import Actor, WrongKind
from tests.factories import CreatorFactory, MembershipFactory, OrganizationFactory, UserFactory
from tests.ui.charts import figures

pytestmark = pytest.mark.django_db
LOCAL = ZoneInfo("Asia/Shanghai")
TODAY = datetime.date(2026, 7, 1)
PAGE = "/operator/growth-effect/"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(datetime.datetime(2026, 7, 1, 10, 0, tzinfo=LOCAL), tick=False):
        yield


def client_of(kind: str, role: str = "owner") -> Client:
    user = MembershipFactory(organization=OrganizationFactory(kind=kind), role=role).user
    client = Client()
    client.force_login(user)
    return client


def grow(creator, *, first_day=3, reach_day=None, start=80, until=TODAY) -> None:
    """Weekly snapshots from ``first_day`` after joining until ``until``: ``start`` followers,
    10,000 or more from ``reach_day`` on (never if None)."""
    rows, day = [], first_day
    while creator.joined + datetime.timedelta(days=day) <= until:
        reached = reach_day is not None and day >= reach_day
        followers = 12_000 if reached else start + 10 * day
        rows.append(
            MetricSnapshot(
                creator=creator,
                date=creator.joined + datetime.timedelta(days=day),
                followers=followers,
            )
        )
        day += 7
    MetricSnapshot.objects.unscoped().bulk_create(rows)


def study(creator, course, *, enrol_day: int, done_day: int | None) -> Enrolment:
    at = datetime.datetime.combine(creator.joined, datetime.time(10), LOCAL)
    return Enrolment.objects.unscoped().create(
        creator=creator,
        course=course,
        enrolled_at=at + datetime.timedelta(days=enrol_day),
        completed_at=None if done_day is None else at + datetime.timedelta(days=done_day),
    )


@pytest.fixture
def course():
    return Course.objects.unscoped().create(
        slug="live-basics", track="live_selling", title="Live basics", published=True
    )


@pytest.fixture
def world(course):
    """An old creator (its start unknown), then five new ones who joined in January."""
    old = CreatorFactory(joined=datetime.date(2025, 6, 1))
    grow(old, first_day=(datetime.date(2026, 1, 5) - old.joined).days)
    joined = datetime.date(2026, 1, 10)
    new = {
        name: CreatorFactory(joined=joined, vertical=vertical)
        for name, vertical in [
            ("fast_trained", "beauty"),
            ("slow_trained", "beauty"),
            ("late_untrained", "beauty"),
            ("dropout", "food"),
            ("late_student", "beauty"),
        ]
    }
    grow(new["fast_trained"], reach_day=38)
    grow(new["slow_trained"])
    grow(new["late_untrained"], reach_day=101)
    grow(new["dropout"])
    grow(new["late_student"])
    study(new["fast_trained"], course, enrol_day=1, done_day=12)
    study(new["slow_trained"], course, enrol_day=2, done_day=20)
    study(new["dropout"], course, enrol_day=5, done_day=None)
    study(new["late_student"], course, enrol_day=110, done_day=120)  # too late to count
    return {"old": old, **new}


def operator_actor() -> Actor:
    ops = OrganizationFactory(kind="operator")
    return Actor(user_id=None, organization_id=ops.pk, organization_kind="operator", role="owner")


def test_the_frame_comes_from_the_rows(world):
    frame = growth_effect_frame(actor=operator_actor(), as_of=TODAY).set_index("creator_id")
    assert world["old"].pk not in frame.index  # joined before the first snapshot
    rows = {name: frame.loc[creator.pk] for name, creator in world.items() if name != "old"}
    assert rows["fast_trained"]["trained"] and rows["slow_trained"]["trained"]
    assert not rows["dropout"]["trained"] and not rows["late_student"]["trained"]
    assert rows["fast_trained"]["days_to_10k"] == 38
    assert rows["late_untrained"]["days_to_10k"] == 101
    assert all(row["start_followers"] == 110 for row in rows.values())  # 80 + 10 × day 3
    assert rows["dropout"]["vertical"] == "food"
    last = (TODAY - world["dropout"].joined).days
    assert rows["dropout"]["observed_days"] == last - (last - 3) % 7


def test_operator_sees_the_figures(world):
    response = client_of("operator").get(PAGE)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="observational"' in page and "observational comparison" in page
    assert 'data-figure="raw_trained">50%' in page  # 1 of 2 trained reached 10k by day 91
    assert "(1/2)" in page and "(0/3)" in page  # untrained: nobody within 91 days
    assert 'data-figure="cycle_trained">38.0' in page
    assert 'data-figure="cycle_untrained">101.0' in page
    assert 'data-month="2026-01"' in page
    (chart,) = [f for f in figures(page) if "Kaplan" in f["title"]]
    trained, untrained = chart["data"]
    assert trained["name"] == "Trained (n=2)" and untrained["name"] == "Not trained (n=3)"
    assert trained["y"][0] == 100.0 and trained["y"][6] == 50.0  # day 42: one of two at 10k
    assert untrained["y"][15] == pytest.approx(100 * 2 / 3, abs=0.01)  # day 105: 1 of 3 there
    assert "Show the numbers" in page  # the chart's table, one click away
    # Up to the longest watch (the January joiners: 172 days), in weeks.
    assert chart["data"][0]["x"][-1] == "175" and len(trained["x"]) == 26


def test_a_new_completion_moves_the_page(world, course):
    study(world["late_untrained"], course, enrol_day=3, done_day=9)
    page = client_of("operator").get(PAGE).content.decode()
    assert "(1/3)" in page and "(0/2)" in page


def test_the_page_is_the_operators_only(world):
    assert client_of("operator", role="viewer").get(PAGE).status_code == 200
    for kind in ("brand", "agency", "partner"):
        response = client_of(kind).get(PAGE)
        assert response.status_code == 404, kind
        assert b"observational" not in response.content
    creator = world["dropout"]
    creator.user = UserFactory()
    creator.save(update_fields=["user"])
    client = Client()
    client.force_login(creator.user)
    assert client.get(PAGE).status_code == 404
    anonymous = Client().get(PAGE)
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]


def test_the_selector_refuses_anyone_but_the_operator(world):
    brand = OrganizationFactory(kind="brand")
    actor = Actor(user_id=None, organization_id=brand.pk, organization_kind="brand", role="owner")
    with pytest.raises(WrongKind):
        growth_effect_report(actor=actor, as_of=TODAY)


def test_the_navigation_links_the_page_for_the_operator_only(world):
    assert f'href="{PAGE}"' in client_of("operator").get("/", follow=True).content.decode()
    home = client_of("brand").get("/", follow=True).content.decode()
    assert f'href="{PAGE}"' not in home


def test_empty_state_without_new_creators():
    page = client_of("operator").get(PAGE).content.decode()
    assert 'id="growth-empty"' in page and 'id="growth-rates"' not in page


def test_a_bad_page_number_shows_the_first_page(world):
    response = client_of("operator").get(PAGE, {"page": "x'; drop"})
    assert response.status_code == 200 and b'data-month="2026-01"' in response.content


def test_queries_do_not_grow_with_creators(world, course):
    client = client_of("operator")
    client.get(PAGE)  # warm the session and the navigation

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(PAGE).status_code == 200
        return len(queries)

    before = count()
    for day in range(12):
        creator = CreatorFactory(joined=datetime.date(2026, 2, 1) + datetime.timedelta(days=day))
        grow(creator, reach_day=30 + day)
        study(creator, course, enrol_day=1, done_day=5)
    assert count() == before


def test_the_page_speaks_chinese(world):
    client = client_of("operator")
    client.post("/i18n/setlang/", {"language": "zh-hans"})
    page = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "观察性比较" in page and "成长周期" in page and "参加培训" in page
    assert "observational comparison" not in page


def test_a_group_without_creators_draws_no_curve(course):
    old = CreatorFactory(joined=datetime.date(2025, 6, 1))
    grow(old, first_day=(datetime.date(2026, 1, 5) - old.joined).days)
    grow(CreatorFactory(joined=datetime.date(2026, 3, 2)), reach_day=50)  # untrained only
    page = client_of("operator").get(PAGE).content.decode()
    (chart,) = [f for f in figures(page) if "Kaplan" in f["title"]]
    trained, untrained = chart["data"]
    assert trained["name"] == "Trained (n=0)" and set(trained["y"]) == {None}
    # At 10k on day 52 (its first snapshot from day 50 on), watched to day 115: 0% from then on.
    assert untrained["y"][0] == 100.0 and untrained["y"][8] == 0.0 and untrained["y"][16] == 0.0
    assert untrained["y"][-1] is None  # day 119: nobody was watched that long
