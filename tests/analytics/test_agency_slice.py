"""The agency's own analytics slice: GMV and followers of the days its contracts covered, like
for like growth, its tier over the cycles; nobody else's figures, 404 for other kinds."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from analytics.selectors_agency import agency_slice
from mcn.models import AgencyAssessment, CertificationRun
from tenancy.scoping import Actor
from tests.analytics.test_page import client_of
from tests.factories import (
    ContractFactory,
    CreatorFactory,
    MembershipFactory,
    MetricSnapshotFactory,
    OrganizationFactory,
)
from tests.traffic.test_packages import policy_in_force

pytestmark = pytest.mark.django_db
URL = "/agency/analytics/"
TODAY = datetime.date(2026, 6, 30)


def agency_actor(agency) -> Actor:
    return Actor(user_id=None, organization_id=agency.pk, organization_kind="agency", role="owner")


def snap(creator, day, gmv, followers):
    return MetricSnapshotFactory(creator=creator, date=day, gmv=Decimal(gmv), followers=followers)


def signed(agency, start=datetime.date(2026, 2, 1), **contract):
    active = contract.get("status", "active") == "active"
    creator = CreatorFactory(agency=agency if active else None)
    ContractFactory(organization=agency, creator=creator, start=start, **contract)
    return creator


def test_gmv_and_followers_count_the_days_under_contract_only():
    agency = OrganizationFactory(kind="agency")
    star = signed(agency)
    snap(star, datetime.date(2026, 1, 20), "5000.00", 10_000)  # before the contract: not ours
    snap(star, datetime.date(2026, 2, 10), "1000.00", 20_000)
    snap(star, datetime.date(2026, 2, 24), "2000.00", 22_000)
    snap(star, datetime.date(2026, 3, 10), "4000.00", 33_000)
    left = signed(
        agency, status="ended", start=datetime.date(2026, 1, 1), end=datetime.date(2026, 2, 28)
    )
    snap(left, datetime.date(2026, 2, 17), "300.00", 1_000)
    snap(left, datetime.date(2026, 3, 17), "900.00", 1_500)  # after it left: another's
    data = agency_slice(actor=agency_actor(agency), today=TODAY)
    by_period = {row["period"]: row for row in data["periods"]}
    assert "2026-01" not in by_period  # the star's January was before its contract
    assert by_period["2026-02"] == {
        "period": "2026-02", "gmv": 3300.0, "followers": 23_000, "creators": 2, "growth": None
    }  # fmt: skip
    # March: the star alone (like for like: 22,000 → 33,000 is +50%).
    assert by_period["2026-03"]["gmv"] == 4000.0 and by_period["2026-03"]["creators"] == 1
    assert by_period["2026-03"]["growth"] == pytest.approx(0.5)
    assert data["signed"] == 1
    quarters = agency_slice(actor=agency_actor(agency), by="quarter", today=TODAY)["periods"]
    assert [(q["period"], q["gmv"]) for q in quarters] == [("2026-Q1", 7300.0)]


def test_a_day_two_contracts_cover_counts_once():
    agency = OrganizationFactory(kind="agency")
    creator = CreatorFactory(agency=agency)
    ContractFactory(
        organization=agency, creator=creator, status="ended",
        start=datetime.date(2026, 1, 1), end=datetime.date(2026, 3, 3),
    )  # fmt: skip
    ContractFactory(organization=agency, creator=creator, start=datetime.date(2026, 3, 3))
    snap(creator, datetime.date(2026, 3, 3), "100.00", 5_000)  # the day one ends, one begins
    snap(creator, datetime.date(2026, 3, 10), "50.00", 5_100)
    other = signed(agency)
    snap(other, datetime.date(2026, 3, 3), "7.00", 900)
    data = agency_slice(actor=agency_actor(agency), today=TODAY)
    assert data["periods"] == [
        {"period": "2026-03", "gmv": 157.0, "followers": 6_000, "creators": 2, "growth": None}
    ]


def test_a_snapshot_after_today_is_no_history():
    agency = OrganizationFactory(kind="agency")
    creator = signed(agency)
    snap(creator, datetime.date(2026, 3, 3), "100.00", 5_000)
    snap(creator, datetime.date(2026, 8, 3), "999.00", 9_000)  # a partner's typo
    data = agency_slice(actor=agency_actor(agency), today=TODAY)
    assert [row["period"] for row in data["periods"]] == ["2026-03"]


def test_the_tier_trend_is_the_agencys_own_succeeded_cycles():
    agency, other = OrganizationFactory(kind="agency"), OrganizationFactory(kind="agency")
    policy = policy_in_force()
    for month, status, tier, override in (
        (3, "succeeded", "B", ""), (4, "failed", "S", ""), (5, "succeeded", "B", "A"),
    ):  # fmt: skip
        day = datetime.date(2026, month, 28)
        run = CertificationRun.objects.unscoped().create(
            policy=policy, as_of=day, window_start=day - datetime.timedelta(days=89), status=status
        )
        AgencyAssessment.objects.unscoped().create(
            run=run, organization=agency, tier=tier, score=50 + month, override_tier=override,
            override_reason="appeal upheld" if override else "",
        )  # fmt: skip
        AgencyAssessment.objects.unscoped().create(run=run, organization=other, tier="S", score=99)
    tiers = agency_slice(actor=agency_actor(agency), today=TODAY)["tiers"]
    trend = [(t["as_of"].month, t["tier"], t["score"]) for t in tiers]
    assert trend == [(3, "B", 53), (5, "A", 55)]


def test_an_agency_sees_its_own_figures_and_never_anothers():
    mine, theirs = OrganizationFactory(kind="agency"), OrganizationFactory(kind="agency")
    snap(signed(mine), datetime.date(2026, 3, 3), "1111.11", 5_000)
    snap(signed(theirs), datetime.date(2026, 3, 3), "9876.54", 7_000)
    user = MembershipFactory(organization=mine, role="viewer").user
    from django.test import Client

    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = "en"
    html = client.get(URL).content.decode()
    assert "1,111.11" in html and "9,876.54" not in html and "7,000" not in html
    outsider = MembershipFactory(organization=theirs, role="owner").user
    client.force_login(outsider)
    html = client.get(URL).content.decode()
    assert "9,876.54" in html and "1,111.11" not in html


@pytest.mark.parametrize("kind", ["operator", "brand", "partner"])
def test_other_kinds_get_404(kind):
    assert client_of(kind).get(URL).status_code == 404


def test_a_bad_grouping_is_a_400_in_words():
    answer = client_of("agency").get(URL, {"by": "week"})
    assert answer.status_code == 400
    assert "Select a valid choice" in answer.content.decode()


def test_the_query_count_does_not_grow_with_the_creators(django_assert_max_num_queries):
    agency = OrganizationFactory(kind="agency")
    client = client_of("agency")
    member = MembershipFactory(organization=agency, role="owner").user
    client.force_login(member)
    snap(signed(agency), datetime.date(2026, 3, 3), "100.00", 5_000)
    with CaptureQueriesContext(connection) as one:
        assert client.get(URL).status_code == 200
    for _ in range(15):
        creator = signed(agency)
        for week in range(4):
            snap(creator, datetime.date(2026, 3, 3) + datetime.timedelta(weeks=week), "10.00", 900)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert client.get(URL).status_code == 200
