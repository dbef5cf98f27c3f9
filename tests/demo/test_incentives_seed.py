"""seed_demo leaves an incentive plan (光合计划) with its milestones, evaluated for the world's
end date: the pages and the API have awards, the ledger adds up, a second seed changes nothing."""

import datetime

import pytest
from django.db.models import Sum

from creators.models import Award, IncentivePlan, IncentiveRun, Milestone
from demo.services import DEMO_MILESTONES, DEMO_PLAN, demo_incentives_seed

from .conftest import seeded_world

END = datetime.date(2026, 6, 30)
seeded = seeded_world(creators=400, weeks=30, seed=3, end_date=END)
pytestmark = pytest.mark.django_db


def test_the_demo_has_a_plan_with_its_milestones_and_awards(seeded):
    plan = IncentivePlan.objects.unscoped().get(name=DEMO_PLAN)
    assert Milestone.objects.unscoped().filter(plan=plan).count() == len(DEMO_MILESTONES)
    run = IncentiveRun.objects.unscoped().get(as_of=END)
    assert run.status == "succeeded" and run.awarded > 0
    awards = Award.objects.unscoped().filter(plan=plan)
    assert awards.count() == run.awarded
    paid = awards.filter(status="granted").aggregate(total=Sum("amount"))["total"]
    assert plan.spent == paid == run.awarded_amount and plan.spent <= plan.budget
    days = set(awards.values_list("achieved_on", flat=True))
    assert plan.starts_on <= min(days) and max(days) <= END


def test_seeding_again_adds_no_milestone_and_no_award(seeded):
    before = (Milestone.objects.unscoped().count(), Award.objects.unscoped().count())
    demo_incentives_seed(end_date=END)
    assert (Milestone.objects.unscoped().count(), Award.objects.unscoped().count()) == before
