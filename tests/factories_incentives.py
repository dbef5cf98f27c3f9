"""Factories of the incentive plan (光合计划): plans, milestones, awards (kept apart from
``tests.factories`` so the growth-programme branches do not edit one file)."""

import datetime
from decimal import Decimal

import factory

from tests.factories import CreatorFactory, UnscopedFactory


class IncentivePlanFactory(UnscopedFactory):
    class Meta:
        model = "creators.IncentivePlan"

    name = factory.Sequence(lambda n: f"光合计划 {n}")
    budget = Decimal("10000.00")
    starts_on = datetime.date(2025, 1, 1)


class MilestoneFactory(UnscopedFactory):
    class Meta:
        model = "creators.Milestone"

    plan = factory.SubFactory(IncentivePlanFactory)
    kind = "followers"
    threshold = factory.Sequence(lambda n: 1_000 * (n + 1))
    amount = Decimal("100.00")
    title = factory.LazyAttribute(lambda m: f"{m.threshold} followers")


class AwardFactory(UnscopedFactory):
    class Meta:
        model = "creators.Award"

    milestone = factory.SubFactory(MilestoneFactory)
    plan = factory.LazyAttribute(lambda a: a.milestone.plan)
    creator = factory.SubFactory(CreatorFactory)
    amount = factory.LazyAttribute(lambda a: a.milestone.amount)
    achieved_on = datetime.date(2025, 3, 3)
