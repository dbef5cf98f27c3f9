"""The incentive plan's services: plans and milestones, the ledger, the daily evaluation."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from creators import incentive_runs
from creators.incentive_runs import incentive_run_execute
from creators.models import Award, IncentivePlan, IncentiveRun
from creators.services_incentives import (
    AlreadyAwarded,
    award,
    award_revoke,
    incentive_plan_create,
    incentive_plan_set_active,
    incentive_plan_top_up,
    incentive_plan_update,
    milestone_create,
    milestone_delete,
    milestone_update,
)
from tenancy.models import AuditEvent
from tenancy.scoping import SYSTEM, acting_as
from tests.creators.incentive_helpers import (
    AS_OF,
    START,
    growing_creator,
    operator_actor,
    plan_with,
)
from tests.factories import CreatorFactory, OrganizationFactory
from tests.factories_incentives import AwardFactory, IncentivePlanFactory, MilestoneFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator():
    actor = operator_actor()
    with acting_as(actor):
        yield actor


def stored(plan) -> IncentivePlan:
    return IncentivePlan.objects.unscoped().get(pk=plan.pk)


def actions() -> list[str]:
    return list(AuditEvent.objects.unscoped().order_by("pk").values_list("action", flat=True))


# --- Plans and milestones ------------------------------------------------------------------------


def test_the_operator_creates_edits_tops_up_and_deactivates_a_plan(operator):
    plan = incentive_plan_create(
        actor=operator, name=" 光合计划 ", budget="5000", starts_on=START, description="新人"
    )
    assert (plan.name, plan.budget, plan.spent, plan.active) == (
        "光合计划",
        Decimal("5000"),
        0,
        True,
    )
    incentive_plan_update(actor=operator, plan=plan, ends_on=START + datetime.timedelta(days=90))
    incentive_plan_top_up(actor=operator, plan=plan, amount="2500.50")
    incentive_plan_set_active(actor=operator, plan=plan, active=False)
    plan = stored(plan)
    assert plan.budget == Decimal("7500.50") and not plan.active
    assert plan.ends_on == START + datetime.timedelta(days=90)
    assert actions() == [
        "incentives.plan_created",
        "incentives.plan_updated",
        "incentives.plan_topped_up",
        "incentives.plan_deactivated",
    ]


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"budget": "-5"}, "budget", "above zero"),
        ({"budget": "abc"}, "budget", "above zero"),
        ({"budget": "1.001"}, "budget", "two decimals"),
        ({"name": ""}, "name", "cannot be blank"),
        ({"ends_on": START - datetime.timedelta(days=1)}, "__all__", "before the start date"),
    ],
)
def test_a_bad_plan_is_refused_in_words_and_nothing_is_written(operator, fields, field, words):
    data = {"name": "Plan", "budget": "100", "starts_on": START, **fields}
    with pytest.raises(ValidationError) as caught:
        incentive_plan_create(actor=operator, **data)
    assert words in " ".join(caught.value.message_dict[field])
    assert not IncentivePlan.objects.unscoped().exists() and actions() == []


def test_a_plan_name_is_unique(operator):
    IncentivePlanFactory(name="光合计划")
    with pytest.raises(ValidationError, match="already exists"):
        incentive_plan_create(actor=operator, name="光合计划", budget="1", starts_on=START)


def test_a_top_up_must_be_positive(operator):
    plan = IncentivePlanFactory()
    with pytest.raises(ValidationError, match="above zero"):
        incentive_plan_top_up(actor=operator, plan=plan, amount="0")
    assert stored(plan).budget == plan.budget


def test_only_the_operators_writers_manage_plans():
    viewer = operator_actor(role="viewer")
    with acting_as(viewer), pytest.raises(PermissionDenied):
        incentive_plan_create(actor=viewer, name="x", budget="1", starts_on=START)


def test_milestones_take_only_the_parameter_of_their_kind(operator):
    plan = IncentivePlanFactory()
    sale = milestone_create(
        actor=operator, plan=plan, kind="first_sale", threshold=500, track="compliance",
        amount="200",
    )  # fmt: skip
    assert (sale.threshold, sale.track, sale.title) == (None, "", "First sale")
    track = milestone_create(
        actor=operator, plan=plan, kind="track_completed", track="live_selling", amount="50"
    )
    assert track.track == "live_selling"
    followers = milestone_create(
        actor=operator, plan=plan, kind="followers", threshold=10_000, amount="500"
    )
    assert followers.title == "10,000 followers"
    with pytest.raises(ValidationError, match="Give the count to reach"):
        milestone_create(actor=operator, plan=plan, kind="followers", amount="100")
    with pytest.raises(ValidationError, match="already has this milestone"):
        milestone_create(actor=operator, plan=plan, kind="first_sale", amount="1")
    with pytest.raises(ValidationError, match="above zero"):
        milestone_create(actor=operator, plan=plan, kind="original_streak", threshold=5, amount="0")


def test_a_milestone_with_awards_keeps_its_rule_but_not_its_amount(operator):
    given = AwardFactory(milestone__threshold=1_000)
    milestone = given.milestone
    with pytest.raises(ValidationError, match="cannot change"):
        milestone_update(actor=operator, milestone=milestone, threshold=2_000)
    changed = milestone_update(actor=operator, milestone=milestone, amount="150", title="1k!")
    assert (changed.amount, changed.title, changed.threshold) == (Decimal("150"), "1k!", 1_000)
    with pytest.raises(ValidationError, match="has awards"):
        milestone_delete(actor=operator, milestone=milestone)
    spare = MilestoneFactory(plan=milestone.plan, threshold=50_000)
    milestone_delete(actor=operator, milestone=spare)
    assert "incentives.milestone_deleted" in actions()


# --- The ledger ----------------------------------------------------------------------------------


def test_an_award_moves_spent_and_a_second_one_for_the_pair_is_already_awarded(operator):
    milestone = MilestoneFactory(amount=Decimal("300.00"))
    creator = CreatorFactory()
    made = award(actor=operator, milestone=milestone, creator=creator, achieved_on=START)
    assert made.amount == Decimal("300.00") and stored(milestone.plan).spent == Decimal("300.00")
    with pytest.raises(AlreadyAwarded):
        award(actor=operator, milestone=milestone, creator=creator, achieved_on=START)
    assert Award.objects.unscoped().count() == 1
    assert stored(milestone.plan).spent == Decimal("300.00")


def test_an_award_above_the_remaining_budget_is_refused_with_the_figures(operator):
    plan = IncentivePlanFactory(name="光合计划", budget=Decimal("550.00"))
    big = MilestoneFactory(plan=plan, threshold=10_000, amount=Decimal("500.00"))
    small = MilestoneFactory(plan=plan, threshold=1_000, amount=Decimal("100.00"))
    creator = CreatorFactory()
    award(actor=operator, milestone=big, creator=creator, achieved_on=START)
    with pytest.raises(ValidationError) as caught:
        award(actor=operator, milestone=small, creator=creator, achieved_on=START)
    assert caught.value.message_dict["amount"] == [
        "“光合计划” has ¥50.00 left, less than this award of ¥100.00: nothing was awarded. "
        "Top up the plan's budget first."
    ]
    assert caught.value.error_dict["amount"][0].code == "incentives.over_budget"
    assert Award.objects.unscoped().count() == 1 and stored(plan).spent == Decimal("500.00")


def test_an_inactive_plan_awards_nothing(operator):
    milestone = MilestoneFactory(plan__active=False)
    with pytest.raises(ValidationError, match="not active"):
        award(actor=operator, milestone=milestone, creator=CreatorFactory(), achieved_on=START)


def test_a_revoked_award_gives_its_amount_back_once_and_is_audited(operator):
    given = AwardFactory(amount=Decimal("100.00"))
    IncentivePlan.objects.unscoped().filter(pk=given.plan_id).update(spent=Decimal("100.00"))
    with pytest.raises(ValidationError, match="Say why"):
        award_revoke(actor=operator, award=given, reason="  ")
    revoked = award_revoke(actor=operator, award=given, reason="刷粉 fake followers")
    assert revoked.status == "revoked" and revoked.revoked_by_id == operator.user_id
    assert stored(given.plan).spent == 0
    with pytest.raises(ValidationError, match="already been revoked"):
        award_revoke(actor=operator, award=given, reason="again")
    assert stored(given.plan).spent == 0
    assert actions() == ["incentives.award_revoked"]


# --- The daily evaluation ------------------------------------------------------------------------


def test_the_evaluation_awards_what_the_data_shows_on_the_day_it_shows_it():
    plan = plan_with()
    fast = growing_creator([500, 900, 1_500, 4_000, 12_000], orders=[0, 0, 0, 3, 1])
    slow = growing_creator([100, 200, 300, 400, 500])
    run = incentive_run_execute(actor=SYSTEM, as_of=AS_OF)
    assert (run.status, run.awarded, run.awarded_amount, run.refused) == (
        "succeeded", 3, Decimal("800.00"), 0
    )  # fmt: skip
    got = {
        a.milestone.title: (a.achieved_on, a.evidence["value"])
        for a in Award.objects.unscoped().filter(creator=fast)
    }
    week = datetime.timedelta(weeks=1)
    assert got == {
        "1k": (START + 2 * week, 1_500),
        "10k": (START + 4 * week, 12_000),
        "first sale": (START + 3 * week, 1),
    }
    assert not Award.objects.unscoped().filter(creator=slow).exists()
    assert stored(plan).spent == Decimal("800.00")


def test_evaluating_the_same_day_twice_awards_nothing_new():
    plan_with()
    growing_creator([500, 1_500, 12_000])
    first = incentive_run_execute(actor=SYSTEM, as_of=AS_OF)
    second = incentive_run_execute(actor=SYSTEM, as_of=AS_OF)
    assert first.pk == second.pk and second.awarded == 2
    # Even when the day is evaluated again by hand, the unique pair makes it harmless.
    tally = incentive_runs.incentive_plans_evaluate(as_of=AS_OF)
    later = incentive_run_execute(actor=SYSTEM, as_of=AS_OF + datetime.timedelta(days=1))
    assert (tally.awarded, later.awarded) == (0, 0)
    assert Award.objects.unscoped().count() == 2


def test_a_failed_day_can_be_run_again(monkeypatch):
    plan_with()
    growing_creator([1_500])

    def broken(*, as_of):
        raise RuntimeError("source down")

    monkeypatch.setattr(incentive_runs, "incentive_plans_evaluate", broken)
    with pytest.raises(RuntimeError):
        incentive_run_execute(actor=SYSTEM, as_of=AS_OF)
    run = IncentiveRun.objects.unscoped().get(as_of=AS_OF)
    assert run.status == "failed" and "source down" in run.error
    monkeypatch.undo()
    assert incentive_run_execute(actor=SYSTEM, as_of=AS_OF).awarded == 1


def test_the_budget_pays_the_oldest_achievements_first_and_counts_the_rest_refused():
    plan = plan_with(budget="250.00")
    early = growing_creator([1_500, 1_600])
    late = growing_creator([500, 1_500])
    third = growing_creator([500, 1_500])
    run = incentive_run_execute(actor=SYSTEM, as_of=AS_OF)
    assert (run.awarded, run.refused) == (2, 1)
    paid = set(Award.objects.unscoped().values_list("creator_id", flat=True))
    assert early.pk in paid and len(paid & {late.pk, third.pk}) == 1
    assert stored(plan).spent == Decimal("200.00")
    # A top-up pays the refused one on the next day, with the day it was achieved.
    with acting_as(operator_actor()) as op:
        incentive_plan_top_up(actor=op, plan=plan, amount="100")
    again = incentive_run_execute(actor=SYSTEM, as_of=AS_OF + datetime.timedelta(days=1))
    assert again.awarded == 1
    assert Award.objects.unscoped().latest("pk").achieved_on == START + datetime.timedelta(weeks=1)


def test_only_what_is_reached_within_the_plan_s_dates_counts():
    plan_with(ends_on=START + datetime.timedelta(weeks=3))
    before = growing_creator([1_500])  # on the first day of the plan: counts
    IncentivePlan.objects.unscoped().update(starts_on=START + datetime.timedelta(days=1))
    after = growing_creator([500, 500, 500, 500, 1_500])  # after the plan's end
    within = growing_creator([500, 1_500])
    incentive_run_execute(actor=SYSTEM, as_of=AS_OF)
    paid = set(Award.objects.unscoped().values_list("creator_id", flat=True))
    assert paid == {within.pk} and before.pk not in paid and after.pk not in paid


def test_suspended_creators_and_inactive_plans_are_not_evaluated():
    plan = plan_with()
    growing_creator([1_500], status="suspended")
    assert incentive_run_execute(actor=SYSTEM, as_of=AS_OF).awarded == 0
    IncentivePlan.objects.unscoped().filter(pk=plan.pk).update(active=False)
    growing_creator([1_500])
    later = incentive_run_execute(actor=SYSTEM, as_of=AS_OF + datetime.timedelta(days=1))
    assert later.awarded == 0


def test_a_track_is_completed_when_every_published_course_of_it_is():
    from creators.models import Course, Enrolment

    plan = IncentivePlanFactory(starts_on=START)
    MilestoneFactory(plan=plan, kind="track_completed", threshold=None, track="live_selling",
                     amount=Decimal("50.00"), title="live selling")  # fmt: skip
    courses = [
        Course.objects.unscoped().create(slug=f"live-{i}", track="live_selling", title=f"Live {i}",
                              published=True)
        for i in range(2)
    ]  # fmt: skip
    Course.objects.unscoped().create(
        slug="draft", track="live_selling", title="Draft", published=False
    )
    done, half = CreatorFactory(), CreatorFactory()
    moment = datetime.datetime(2026, 1, 20, 23, 30, tzinfo=datetime.UTC)  # 21 Jan in Shanghai
    for creator, finished in ((done, courses), (half, courses[:1])):
        for course in courses:
            Enrolment.objects.unscoped().create(
                creator=creator, course=course, enrolled_at=moment - datetime.timedelta(days=3),
                completed_at=moment if course in finished else None,
            )  # fmt: skip
    incentive_run_execute(actor=SYSTEM, as_of=AS_OF)
    (paid,) = Award.objects.unscoped().all()
    assert paid.creator_id == done.pk and paid.achieved_on == datetime.date(2026, 1, 21)


def test_an_original_streak_counts_checked_items_without_a_standing_flag():
    from tests.creators.streak_helpers import publish_items

    plan = IncentivePlanFactory(starts_on=START)
    MilestoneFactory(plan=plan, kind="original_streak", threshold=3, amount=Decimal("80.00"))
    steady = CreatorFactory()
    publish_items(steady, flagged=[False, False, False])
    broken = CreatorFactory()
    publish_items(broken, flagged=[False, True, False, False])
    mended = CreatorFactory()
    publish_items(mended, flagged=[False, "overturned", False])
    incentive_run_execute(actor=SYSTEM, as_of=AS_OF)
    paid = {a.creator_id: a.achieved_on for a in Award.objects.unscoped()}
    assert set(paid) == {steady.pk, mended.pk}
    assert paid[steady.pk] == START + datetime.timedelta(days=2)


def test_an_award_tells_the_creators_agency_by_webhook(operator, settings):
    from webhooks.models import WebhookDelivery
    from webhooks.services import webhook_endpoint_create

    settings.OLIVE_WEBHOOKS_ALLOW_PRIVATE = True
    agency = OrganizationFactory(kind="agency")
    agency_actor = operator.__class__(
        user_id=None, organization_id=agency.pk, organization_kind="agency", role="owner"
    )
    with acting_as(agency_actor):
        webhook_endpoint_create(
            actor=agency_actor, url="http://127.0.0.1:9/hook",
            events=["incentives.award_granted"],
        )  # fmt: skip
    creator = CreatorFactory(agency=agency)
    award(actor=operator, milestone=MilestoneFactory(), creator=creator, achieved_on=START)
    (delivery,) = WebhookDelivery.objects.unscoped().all()
    assert delivery.event == "incentives.award_granted"
    assert delivery.payload["data"]["creator_id"] == creator.pk


def test_the_system_cannot_make_a_milestone_or_a_plan_twice():
    """The system's managers show it no row: the uniqueness checks read across all of them."""
    with acting_as(SYSTEM):
        plan = incentive_plan_create(actor=SYSTEM, name="光合计划", budget="1", starts_on=START)
        with pytest.raises(ValidationError, match="already exists"):
            incentive_plan_create(actor=SYSTEM, name="光合计划", budget="1", starts_on=START)
        milestone_create(actor=SYSTEM, plan=plan, kind="first_sale", amount="5")
        with pytest.raises(ValidationError, match="already has this milestone"):
            milestone_create(actor=SYSTEM, plan=plan, kind="first_sale", amount="6")
