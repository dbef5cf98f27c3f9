"""Certification from rows: the metrics an agency's contracts and creators' snapshots give,
runs (claimed, idempotent per cycle, one transaction), tier changes announced, policy versions,
appeals and what-ifs. Every date is fixed and in the past, so nothing depends on the clock."""

import datetime
from decimal import Decimal

import pandas as pd
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from mcn import certification, metrics
from mcn.certification import (
    appeal_decide,
    appeal_file,
    certification_cycle_monthly,
    certification_run_create,
    certification_run_execute,
    tier_benefit_set,
    tier_policy_publish,
)
from mcn.default_policy import DEFAULT_POLICY
from mcn.models import AgencyAssessment, Appeal, CertificationRun, TierBenefit, TierPolicy
from mcn.selectors import agencies_directory, assessment_what_if, assessments_of
from tenancy.models import AuditEvent
from tenancy.scoping import SYSTEM, Actor, acting_as
from tests.factories import (
    CollaborationFactory,
    ContractFactory,
    CreatorFactory,
    MetricSnapshotFactory,
    OrderFactory,
    OrganizationFactory,
)
from webhooks.models import WebhookDelivery
from webhooks.services import webhook_endpoint_create

pytestmark = pytest.mark.django_db
AS_OF = datetime.date(2026, 6, 30)
START = AS_OF - datetime.timedelta(days=89)
WEEK = datetime.timedelta(days=7)


def org_actor(org, role="owner") -> Actor:
    return Actor(user_id=None, organization_id=org.pk, organization_kind=org.kind, role=role)


@pytest.fixture
def operator():
    return org_actor(OrganizationFactory(kind="operator"))


def weekly_snapshots(creator, *, views=100_000, gmv="1000"):
    """Snapshots every 7 days back from AS_OF over the window and the one before."""
    day = AS_OF
    while day > START - datetime.timedelta(days=90):
        MetricSnapshotFactory(
            creator=creator, date=day, views=views, likes=views // 20, gmv=Decimal(gmv)
        )
        day -= WEEK


def signed(agency, *, creators=1, views=100_000, gmv="1000", start=datetime.date(2026, 1, 1)):
    """``creators`` creators under contract with ``agency`` since ``start``, with snapshots."""
    made = []
    for _ in range(creators):
        creator = CreatorFactory()
        ContractFactory(organization=agency, creator=creator, start=start, status="active")
        weekly_snapshots(creator, views=views, gmv=gmv)
        made.append(creator)
    return made


def run_cycle(as_of=AS_OF) -> CertificationRun:
    with acting_as(SYSTEM):
        run, _ = certification_run_create(actor=SYSTEM, as_of=as_of)
        return certification_run_execute(actor=SYSTEM, run_id=run.pk)


def assessment(run, agency) -> AgencyAssessment:
    return AgencyAssessment.objects.unscoped().get(run=run, organization=agency)


# --- metrics ---------------------------------------------------------------------------------


def test_metrics_count_a_creators_figures_for_the_agency_of_that_day():
    first, second = OrganizationFactory(kind="agency"), OrganizationFactory(kind="agency")
    creator = CreatorFactory()
    weekly_snapshots(creator, gmv="100")
    moved = AS_OF - datetime.timedelta(days=30)  # with ``second`` for the window's last 30 days
    ContractFactory(
        organization=first, creator=creator, start=datetime.date(2025, 1, 1), end=moved,
        status="ended",
    )  # fmt: skip
    ContractFactory(organization=second, creator=creator, start=moved + datetime.timedelta(1))
    frame = metrics.window_metrics(as_of=AS_OF, window_days=90, agency_ids=[first.pk, second.pk])
    rows = frame.agencies
    # 13 weekly snapshots in the window: AS_OF − 0, 7, …, 84 days; the first 5 are second's.
    assert rows.loc[first.pk, "gmv"] == pytest.approx(8 * 100)
    assert rows.loc[second.pk, "gmv"] == pytest.approx(5 * 100)
    assert (rows.loc[first.pk, "active_creators"], rows.loc[second.pk, "active_creators"]) == (0, 1)
    assert rows.loc[first.pk, "retention"] == 0.0 and pd.isna(rows.loc[second.pk, "retention"])
    assert frame.creators.loc[(second.pk, creator.pk), "gmv_share"] == 1.0


def test_metrics_of_a_small_agency_from_its_rows():
    agency = OrganizationFactory(kind="agency")
    creators = signed(agency, creators=2, views=10_000, gmv="50")
    brand_collab = CollaborationFactory(creator=creators[0], status="completed")
    placed = datetime.datetime(2026, 6, 1, 4, tzinfo=datetime.UTC)
    orders = [OrderFactory(collaboration=brand_collab, placed_at=placed) for _ in range(4)]
    from brands.models import Complaint

    Complaint.objects.unscoped().create(
        organization=brand_collab.organization, order=orders[0], category="quality",
        filed_at=placed + datetime.timedelta(days=2),
    )  # fmt: skip
    row = metrics.window_metrics(as_of=AS_OF, window_days=90, agency_ids=[agency.pk]).agencies
    row = row.loc[agency.pk]
    weeks = 13  # snapshots on AS_OF and every 7 days back within 90 days
    assert row["active_creators"] == 2
    assert row["gmv"] == pytest.approx(2 * weeks * 50)
    assert row["gmv_growth"] == pytest.approx(0.0)
    assert row["engagement_rate"] == pytest.approx(0.05)
    assert row["retention"] == 1.0
    assert row["complaint_rate"] == pytest.approx(0.25)
    assert row["severe_violations"] == 0 and pytest.approx(row["originality_rate"]) != 0


def test_metric_sources_feed_later_metrics(monkeypatch):
    agency = OrganizationFactory(kind="agency")
    signed(agency)

    def originality(*, window_start, as_of, agency_ids):
        assert (window_start, as_of) == (START, AS_OF)
        return pd.DataFrame({"originality_rate": [0.9]}, index=[agency.pk])

    monkeypatch.setattr(metrics, "METRIC_SOURCES", [originality])
    row = metrics.window_metrics(as_of=AS_OF, window_days=90, agency_ids=[agency.pk]).agencies
    assert row.loc[agency.pk, "originality_rate"] == 0.9


# --- runs ------------------------------------------------------------------------------------


def world():
    big, mid, small = (OrganizationFactory(kind="agency") for _ in range(3))
    signed(big, creators=22, views=200_000, gmv="9000")
    signed(mid, creators=11, views=50_000, gmv="2000")
    signed(small, creators=3, views=5_000, gmv="100")
    empty = OrganizationFactory(kind="agency")
    return big, mid, small, empty


def test_a_cycle_grades_every_agency_and_an_agency_without_data_gets_no_tier():
    big, mid, small, empty = world()
    run = run_cycle()
    assert run.status == "succeeded" and run.agencies == 4
    assert assessment(run, big).tier == "S"
    assert assessment(run, empty).tier == "" and assessment(run, empty).score is None
    assert sum(run.tier_counts.values()) == 4 and run.tier_counts["none"] >= 1
    # The way up is stored for every agency below S.
    assert assessment(run, big).next_tier is None
    assert assessment(run, small).next_tier["tier"] in ("A", "B")


def test_the_same_cycle_again_changes_nothing():
    world()
    run = run_cycle()
    rows = list(AgencyAssessment.objects.unscoped().order_by("pk").values())
    again = run_cycle()
    assert again.pk == run.pk and again.finished_at == run.finished_at
    assert list(AgencyAssessment.objects.unscoped().order_by("pk").values()) == rows
    assert CertificationRun.objects.unscoped().count() == 1


def test_a_failing_cycle_writes_no_assessment_and_may_be_asked_for_again(monkeypatch):
    world()

    def broken(**kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(certification, "window_metrics", broken)
    with pytest.raises(RuntimeError):
        run_cycle()
    failed = CertificationRun.objects.unscoped().get()
    assert failed.status == "failed" and "database gone" in failed.error
    assert not AgencyAssessment.objects.unscoped().exists()
    monkeypatch.undo()
    assert run_cycle().status == "succeeded"


def test_a_tier_change_is_announced_to_the_agency(operator, settings):
    settings.OLIVE_WEBHOOKS_ALLOW_PRIVATE = True
    big, mid, small, empty = world()
    with acting_as(org_actor(big)):
        webhook_endpoint_create(
            actor=org_actor(big), url="http://127.0.0.1:9/hook", events=["agency.tier_changed"]
        )
    first = run_cycle()
    announced = WebhookDelivery.objects.unscoped().filter(event="agency.tier_changed")
    assert announced.count() == 1 and announced.get().payload["data"]["tier"] == "S"
    assert assessment(first, big).change == "new"
    later = run_cycle(AS_OF + datetime.timedelta(days=1))
    assert assessment(later, big).change == "same" and announced.count() == 1
    assert assessment(later, big).previous_tier == "S"


def test_only_the_operator_runs_cycles_and_not_in_the_future():
    agency = OrganizationFactory(kind="agency")
    with pytest.raises(PermissionDenied):
        certification_run_create(actor=org_actor(agency), as_of=AS_OF)
    with pytest.raises(ValidationError):
        certification_run_create(actor=SYSTEM, as_of=datetime.date(2999, 1, 1))
    assert not CertificationRun.objects.unscoped().exists()


def test_the_monthly_cycle_is_last_months_and_runs_once(monkeypatch):
    world()
    monkeypatch.setattr(certification, "contract_today", lambda: datetime.date(2026, 7, 15))
    with acting_as(SYSTEM):
        first = certification_cycle_monthly(actor=SYSTEM)
        assert certification_cycle_monthly(actor=SYSTEM) == first
    run = CertificationRun.objects.unscoped().get()
    assert run.as_of == AS_OF and run.status == "succeeded"


def test_the_public_tier_is_the_latest_cycles(operator):
    big, *_ = world()
    run_cycle()
    with acting_as(org_actor(OrganizationFactory(kind="brand"))) as brand:
        tiers = dict(agencies_directory(actor=brand).values_list("pk", "tier"))
    assert tiers[big.pk] == "S"


# --- policy and benefits ---------------------------------------------------------------------


def test_publishing_a_policy_makes_a_new_active_version_and_audits_it(operator):
    weights = {**DEFAULT_POLICY["weights"], "gmv": 40}
    new = tier_policy_publish(
        actor=operator, weights=weights, thresholds=DEFAULT_POLICY["thresholds"],
        gates=DEFAULT_POLICY["gates"], window_days=60, note="more GMV",
    )  # fmt: skip
    assert new.version == 2 and new.active
    assert list(TierPolicy.objects.unscoped().filter(active=True)) == [new]
    event = AuditEvent.objects.unscoped().get(action="mcn.tier_policy_published")
    assert event.data["previous"] == 1 and event.data["weights"]["gmv"] == 40


@pytest.mark.parametrize(
    "change",
    [
        {"weights": {"nonsense": 1}},
        {"weights": {"gmv": -1}},
        {"thresholds": {"S": 40, "A": 60, "B": 30}},
        {"thresholds": {"S": 140, "A": 60, "B": 30}},
        {"gates": {"S": [{"name": "x", "metric": "complaint_rate", "bound": 1, "at_least": True}]}},
        {"gates": {"S": [{"metric": "gmv"}]}},
        {"window_days": 3},
    ],
)
def test_a_bad_policy_is_refused_and_nothing_changes(operator, change):
    terms = {**DEFAULT_POLICY, **change}
    with pytest.raises(ValidationError):
        tier_policy_publish(actor=operator, **terms)
    assert TierPolicy.objects.unscoped().get(active=True).version == 1


def test_benefits_are_set_by_the_operator_only(operator):
    tier_benefit_set(actor=operator, tier="S", monthly_impressions=7, brand_priority=9)
    assert TierBenefit.objects.unscoped().get(tier="S").monthly_impressions == 7
    with pytest.raises(ValidationError):
        tier_benefit_set(actor=operator, tier="X", monthly_impressions=7, brand_priority=9)
    with pytest.raises(PermissionDenied):
        agency = org_actor(OrganizationFactory(kind="agency"))
        tier_benefit_set(actor=agency, tier="S", monthly_impressions=8, brand_priority=9)
    assert TierBenefit.objects.unscoped().get(tier="S").monthly_impressions == 7


# --- appeals ---------------------------------------------------------------------------------


@pytest.fixture
def graded():
    big, mid, small, empty = world()
    return run_cycle(), mid


def test_an_agency_appeals_and_the_operator_accepts_with_a_reason(graded, operator):
    run, mid = graded
    own = assessment(run, mid)
    appeal = appeal_file(actor=org_actor(mid), assessment=own, text="Our GMV is understated")
    with pytest.raises(ValidationError):
        appeal_file(actor=org_actor(mid), assessment=own, text="again")
    with pytest.raises(ValidationError):  # an override without a reason
        appeal_decide(actor=operator, appeal=appeal, accept=True, reason=" ", new_tier="S")
    with pytest.raises(ValidationError):
        appeal_decide(actor=operator, appeal=appeal, accept=True, reason="ok", new_tier="Z")
    assert Appeal.objects.unscoped().get().status == "open"
    appeal_decide(actor=operator, appeal=appeal, accept=True, reason="GMV corrected", new_tier="S")
    own.refresh_from_db()
    assert own.effective_tier == "S" and own.override_reason == "GMV corrected"
    actions = AuditEvent.objects.unscoped().filter(action="mcn.appeal_accepted")
    assert {e.organization_id for e in actions} == {operator.organization_id, mid.pk}
    with pytest.raises(ValidationError):
        appeal_decide(actor=operator, appeal=appeal, accept=False, reason="changed my mind")
    with acting_as(SYSTEM):
        tiers = dict(agencies_directory(actor=org_actor(mid)).values_list("pk", "tier"))
    assert tiers[mid.pk] == "S"


def test_a_rejected_appeal_changes_no_tier(graded, operator):
    run, mid = graded
    own = assessment(run, mid)
    appeal = appeal_file(actor=org_actor(mid), assessment=own, text="please")
    appeal_decide(actor=operator, appeal=appeal, accept=False, reason="metrics are right")
    own.refresh_from_db()
    assert own.override_tier == "" and Appeal.objects.unscoped().get().status == "rejected"


def test_only_the_agency_appeals_its_own_and_only_the_operator_decides(graded, operator):
    run, mid = graded
    other = org_actor(OrganizationFactory(kind="agency"))
    own = assessment(run, mid)
    with pytest.raises(PermissionDenied):
        appeal_file(actor=other, assessment=own, text="not mine")
    with pytest.raises(PermissionDenied):
        appeal_file(actor=org_actor(mid, role="viewer"), assessment=own, text="read only")
    with pytest.raises(ValidationError):
        appeal_file(actor=org_actor(mid), assessment=own, text="   ")
    appeal = appeal_file(actor=org_actor(mid), assessment=own, text="fine")
    with pytest.raises(PermissionDenied):
        appeal_decide(actor=org_actor(mid), appeal=appeal, accept=True, reason="me", new_tier="S")


def test_assessments_are_private_to_the_agency_the_operator_and_partners(graded, operator):
    run, mid = graded
    other = org_actor(OrganizationFactory(kind="agency"))
    partner = org_actor(OrganizationFactory(kind="partner"))
    with acting_as(other):
        assert not assessments_of(actor=other, agency=mid).exists()
    for actor in (org_actor(mid), operator, partner):
        with acting_as(actor):
            assert assessments_of(actor=actor, agency=mid).count() == 1


# --- what-if ---------------------------------------------------------------------------------


def test_the_way_up_applied_in_a_what_if_reaches_the_next_tier(graded):
    run, _ = graded
    for row in AgencyAssessment.objects.unscoped().filter(run=run).exclude(next_tier=None):
        if row.score is None:
            continue
        changes = {c["metric"]: c["to"] for c in row.next_tier["changes"]}
        result = assessment_what_if(assessment=row, metrics=changes)
        order = ["S", "A", "B", None]
        assert order.index(result["tier"]) <= order.index(row.next_tier["tier"])


def test_a_what_if_with_bad_values_says_which_and_writes_nothing(graded):
    run, mid = graded
    row = assessment(run, mid)
    for bad in ({"nonsense": 1}, {"gmv": "lots"}, {"retention": 2}, {"gmv": float("inf")}):
        with pytest.raises(ValidationError) as error:
            assessment_what_if(assessment=row, metrics=bad)
        assert set(error.value.message_dict) == set(bad)
    before = row.metrics
    row.refresh_from_db()
    assert row.metrics == before
