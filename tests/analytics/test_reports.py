"""Each report moves with the raw rows: build rows, compute, change the rows, recompute, and the
figure moves the way the change says (nothing hard-coded). Rows come from tests/factories.py."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from analytics.reports import audience, campaigns, growth, inequality, market, safety
from brands.models import Complaint
from creators.models import Course, Enrolment
from tests.factories import (
    AudienceProfileFactory,
    CollaborationFactory,
    ComplaintFactory,
    ContractFactory,
    CreatorFactory,
    MetricSnapshotFactory,
    OrderFactory,
    OrganizationFactory,
    RefundFactory,
)
from traffic.models import Allocation, AllocationRun

pytestmark = pytest.mark.django_db
AS_OF = datetime.date(2026, 6, 30)
DAY = datetime.timedelta(days=1)


def at(day: datetime.date, hour: int = 12) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def snapshot(creator, day=AS_OF, **fields):
    return MetricSnapshotFactory(creator=creator, date=day, **fields)


# --- Inequality and bands ------------------------------------------------------------------------


def test_follower_gini_rises_when_one_creator_pulls_ahead():
    creators = [CreatorFactory(followers=1_000) for _ in range(4)]
    before = inequality.followers_inequality(as_of=AS_OF).values["gini"]["followers"]
    creators[0].followers = 1_000_000
    creators[0].save()
    after = inequality.followers_inequality(as_of=AS_OF).values["gini"]["followers"]
    assert before == 0.0 and after > before
    CreatorFactory(followers=1_000_000, joined=AS_OF + DAY)  # joined after as_of: not counted
    assert inequality.followers_inequality(as_of=AS_OF).values["gini"]["followers"] == after


def _run(day, impressions):
    run = AllocationRun.objects.unscoped().create(
        pool=sum(impressions), target_gini=0.5, as_of=day, status="succeeded"
    )
    for amount in impressions:
        Allocation.objects.unscoped().create(
            run=run, creator=CreatorFactory(), merit=1.0, impressions=amount, eligible=True
        )
    return run


def test_exposure_gini_reads_the_latest_succeeded_run_on_or_before_as_of():
    assert inequality.exposure_inequality(as_of=AS_OF).values["gini"]["exposure"] is None
    _run(AS_OF - 10 * DAY, [100, 100, 100])
    equal = inequality.exposure_inequality(as_of=AS_OF)
    assert equal.values["gini"]["exposure"] == 0.0 and not equal.missing
    latest = _run(AS_OF - DAY, [10, 10, 1_000])
    moved = inequality.exposure_inequality(as_of=AS_OF).values
    assert moved["gini"]["exposure"] > 0.5 and moved["exposure_run"]["id"] == latest.pk
    _run(AS_OF + DAY, [1, 1, 1])  # after as_of
    AllocationRun.objects.unscoped().create(pool=5, target_gini=0.1, as_of=AS_OF, status="failed")
    assert inequality.exposure_inequality(as_of=AS_OF).values["exposure_run"]["id"] == latest.pk


def test_revenue_gini_moves_with_tipping_and_gmv_in_the_window():
    rows = [snapshot(CreatorFactory(), tipping_revenue=100, gmv=100) for _ in range(3)]
    assert inequality.revenue_inequality(as_of=AS_OF).values["gini"]["revenue"] == 0.0
    rows[0].gmv = Decimal("10000")
    rows[0].save()
    moved = inequality.revenue_inequality(as_of=AS_OF).values["gini"]["revenue"]
    assert moved > 0.5
    start, _end = inequality.window(AS_OF)
    snapshot(rows[1].creator, start - DAY, gmv=10**6)  # before the window: not counted
    assert inequality.revenue_inequality(as_of=AS_OF).values["gini"]["revenue"] == moved


def test_tipping_band_share_follows_the_band_on_the_snapshots_day():
    mid = CreatorFactory(followers=500_000)
    tail = CreatorFactory(followers=5_000)
    snapshot(mid, followers=500_000, tipping_revenue=300, gmv=0)
    row = snapshot(tail, followers=5_000, tipping_revenue=100, gmv=0)
    shares = inequality.band_share(as_of=AS_OF).values["band_share"]
    assert shares["tipping"]["mid"] == pytest.approx(0.75)
    assert shares["creators"] == {"head": 0.0, "mid": 0.5, "waist": 0.0, "tail": 0.5}
    row.followers = 100_000  # the tail creator was in the mid band that week
    row.save()
    assert inequality.band_share(as_of=AS_OF).values["band_share"]["tipping"]["mid"] == 1.0
    row.followers, row.tipping_revenue = 20_000, Decimal("900")
    row.save()
    moved = inequality.band_share(as_of=AS_OF).values["band_share"]["tipping"]
    assert moved["mid"] == pytest.approx(0.25) and moved["waist"] == pytest.approx(0.75)


# --- Market --------------------------------------------------------------------------------------


def test_concentration_moves_with_signed_creators_gmv():
    contracts = [
        ContractFactory(organization=OrganizationFactory(kind="agency"), status="active")
        for _ in range(2)
    ]
    for contract in contracts:
        snapshot(contract.creator, AS_OF - DAY, gmv=1_000)
    independent = CreatorFactory()
    snapshot(independent, AS_OF - DAY, gmv=2_000)
    before = market.agency_concentration(as_of=AS_OF).values
    assert before["concentration_quarter"] == "2026-Q2"
    assert before["cr5"] == pytest.approx(0.5) and before["hhi"] == pytest.approx(0.5)
    snapshot(contracts[0].creator, AS_OF, gmv=8_000)
    after = market.agency_concentration(as_of=AS_OF).values
    assert after["cr5"] > before["cr5"] and after["hhi"] > before["hhi"]
    assert after["cr10"] == after["cr5"]  # two agencies: the top 10 are the top 5


def test_monthly_income_moves_with_tipping_and_with_who_is_active():
    creator = CreatorFactory()
    for month in range(1, 7):  # January (entered midway, left out) to June (as_of its last day)
        snapshot(creator, datetime.date(2026, month, 20), tipping_revenue=1_000)
    before = market.monthly_income(as_of=AS_OF).values["avg_monthly_income_by_year"]
    assert before == {"2026": pytest.approx(1_000.0)}
    quiet = CreatorFactory()
    snapshot(quiet, datetime.date(2026, 3, 20), tipping_revenue=0)
    fewer = market.monthly_income(as_of=AS_OF).values["avg_monthly_income_by_year"]["2026"]
    assert fewer < before["2026"]
    snapshot(creator, datetime.date(2026, 4, 27), tipping_revenue=5_000)
    more = market.monthly_income(as_of=AS_OF).values["avg_monthly_income_by_year"]["2026"]
    assert more > fewer


def test_unit_price_by_year_counts_paid_deals_that_went_ahead():
    def deal(year, fee, status="completed"):
        return CollaborationFactory(
            fee=fee,
            status=status,
            offered_at=at(datetime.date(year, 3, 1)),
            offer_type="direct_order",
        )

    deal(2024, 1_000)
    deal(2025, 2_000)
    first = market.cooperation_unit_price(as_of=AS_OF).values
    assert first["unit_price_change"]["ratio"] == pytest.approx(2.0)
    deal(2025, 4_000)
    deal(2025, 90_000, status="declined")  # never went ahead
    deal(2025, 0)  # commission only: no price
    moved = market.cooperation_unit_price(as_of=AS_OF).values
    assert moved["unit_price_by_year"]["2025"] == pytest.approx(3_000.0)
    assert moved["unit_price_change"]["ratio"] > first["unit_price_change"]["ratio"]


# --- Growth --------------------------------------------------------------------------------------


def test_reach_10k_in_3_months_moves_with_snapshots_and_training():
    """The growth programmes' definition (creators.selectors_growth): new creators with a
    snapshot on joining, watched for 91 days; trained = a course completed within them."""
    joined = AS_OF - datetime.timedelta(days=200)
    course = Course.objects.unscoped().create(
        slug="live", track="live_selling", title="Live", published=True
    )
    trained = [CreatorFactory(joined=joined) for _ in range(2)]
    untrained = [CreatorFactory(joined=joined) for _ in range(2)]
    for creator in trained + untrained:
        snapshot(creator, joined, followers=500)
        snapshot(creator, joined + 150 * DAY, followers=800)
    for creator in trained:
        Enrolment.objects.unscoped().create(
            creator=creator, course=course, enrolled_at=at(joined), completed_at=at(joined + DAY)
        )
    snapshot(trained[0], joined + 30 * DAY, followers=12_000)
    snapshot(untrained[0], joined + 120 * DAY, followers=50_000)  # too late
    before = growth.reach_10k_in_3_months(AS_OF)
    assert {k: before[k] for k in ("trained", "trained_creators", "untrained")} == {
        "trained": 0.5, "trained_creators": 2, "untrained": 0.0
    }  # fmt: skip
    assert before["untrained_creators"] == 2
    assert before["cycle_days_trained"] == 30 and before["cycle_days_untrained"] == 120
    snapshot(trained[1], joined + 80 * DAY, followers=10_000)
    snapshot(untrained[1], joined + 10 * DAY, followers=10_001)
    after = growth.reach_10k_in_3_months(AS_OF)
    assert after["trained"] == 1.0 and after["untrained"] == 0.5
    young = CreatorFactory(joined=AS_OF - 10 * DAY)  # its 3 months are not over: no rate
    snapshot(young, AS_OF - 10 * DAY, followers=20_000)
    assert growth.reach_10k_in_3_months(AS_OF)["untrained_creators"] == 2


def test_reach_10k_says_when_nobody_is_trained():
    assert growth.reach_10k_report(as_of=AS_OF).missing == [
        "reach_10k_in_3_months: no new creator has been watched for 3 months"
    ]
    creator = CreatorFactory(joined=AS_OF - 100 * DAY)
    snapshot(creator, AS_OF - 100 * DAY, followers=100)
    snapshot(creator, AS_OF, followers=900)
    figures = growth.reach_10k_report(as_of=AS_OF)
    assert figures.values["reach_10k_in_3_months"]["trained"] is None
    assert any("trained" in what for what in figures.missing)


# --- Safety --------------------------------------------------------------------------------------


def test_complaint_rate_moves_with_complaints_on_the_windows_orders():
    orders = [OrderFactory(placed_at=at(AS_OF - 3 * DAY)) for _ in range(4)]
    ComplaintFactory(order=orders[0], filed_at=at(AS_OF - 2 * DAY))
    before = safety.complaint_rate(as_of=AS_OF).values
    assert before["complaint_rate"] == pytest.approx(0.25)
    ComplaintFactory(order=orders[1], filed_at=at(AS_OF - DAY))
    ComplaintFactory(order=orders[2], filed_at=at(AS_OF - DAY), status=Complaint.Status.REJECTED)
    assert safety.complaint_rate(as_of=AS_OF).values["complaint_rate"] == pytest.approx(0.5)
    OrderFactory(placed_at=at(AS_OF - 40 * DAY))  # before the window
    assert safety.complaint_rate(as_of=AS_OF).values["complaints"]["orders"] == 4


def _violation(creator, decided: datetime.date):
    from compliance.models import Case

    return Case.objects.unscoped().create(
        source="content", track="review", status="rejected", creator=creator, text="x",
        risk=0.9, category="absolute", model_probability=0.9, model_version="v",
        lexicon_version="l", opened_at=at(decided), decided_at=at(decided),
        violation_type="absolute",
    )  # fmt: skip


def test_violations_handled_count_per_quarter_and_year_on_year():
    creator = CreatorFactory()
    _violation(creator, datetime.date(2025, 5, 1))
    _violation(creator, datetime.date(2026, 5, 1))
    before = safety.violations_handled(as_of=AS_OF).values
    assert [row["cases"] for row in before["violations_by_quarter"]] == [1, 1]
    _violation(CreatorFactory(), datetime.date(2026, 6, 1))
    _violation(CreatorFactory(), AS_OF + DAY)  # after as_of
    after = safety.violations_handled(as_of=AS_OF).values
    assert after["violations_by_quarter"][-1]["cases"] == 2
    assert after["violations_by_quarter"][-1]["yoy"] == pytest.approx(1.0)  # accounts 1 → 2
    assert after["violations_by_year"]["2026"] == {"cases": 2, "yoy": pytest.approx(1.0)}


# --- Brands and audiences -----------------------------------------------------------------------


def test_campaign_roi_moves_with_orders_refunds_and_fees():
    deal = CollaborationFactory(
        status="live", fee=1_000, commission_pct=0, offered_at=at(AS_OF - 20 * DAY)
    )
    OrderFactory(collaboration=deal, amount=2_000, placed_at=at(AS_OF - 5 * DAY))
    before = campaigns.campaign_roi(as_of=AS_OF).values["campaign_roi"]
    assert before["overall"]["roi"] == pytest.approx(2.0)
    assert before["by_mode"][deal.campaign.mode]["roi"] == pytest.approx(2.0)
    assert before["by_brand"][str(deal.organization_id)]["name"] == deal.organization.name
    order = OrderFactory(collaboration=deal, amount=3_000, placed_at=at(AS_OF - 4 * DAY))
    assert campaigns.campaign_roi(as_of=AS_OF).values["campaign_roi"]["overall"]["roi"] == 5.0
    RefundFactory(order=order, amount=1_000, status="approved")
    assert campaigns.campaign_roi(as_of=AS_OF).values["campaign_roi"]["overall"]["roi"] == 4.0
    deal.commission_pct = Decimal("50")
    deal.save()
    moved = campaigns.campaign_roi(as_of=AS_OF).values["campaign_roi"]["overall"]
    assert moved["spend"] == pytest.approx(1_000 + 2_000) and moved["roi"] < 4.0


def test_segment_reach_moves_with_the_views_of_each_audience():
    mothers = AudienceProfileFactory(interests={"young_mothers": 0.8, "beauty": 0.2})
    farmers = AudienceProfileFactory(interests={"new_farmers": 0.9, "foodies": 0.1})
    snapshot(mothers.creator, views=1_000)
    row = snapshot(farmers.creator, views=1_000)
    before = audience.segment_reach(as_of=AS_OF).values["segment_reach"]["segments"]
    assert before["young_mothers"]["share"] == pytest.approx(0.4)
    assert before["new_farmers"]["creators"] == 1
    row.views = 9_000
    row.save()
    after = audience.segment_reach(as_of=AS_OF).values["segment_reach"]["segments"]
    assert after["new_farmers"]["share"] > before["new_farmers"]["share"]
    assert after["young_mothers"]["share"] < before["young_mothers"]["share"]


def test_a_missing_line_is_translated_back_from_its_message_and_values():
    from django.utils import translation

    from analytics.reports.missing import NO_AGENCY_GMV, line, translated

    made = line("concentration", NO_AGENCY_GMV, quarter="2026-Q3")
    assert made == "concentration: no agency had GMV in 2026-Q3"
    with translation.override("zh-hans"):
        assert translated(made) == ("concentration", "2026-Q3 没有任何机构产生 GMV")
        assert translated("other: a line made elsewhere") == ("other", "a line made elsewhere")
