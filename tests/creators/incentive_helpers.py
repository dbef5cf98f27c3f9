"""Shared set-up of the incentive-plan tests: the operator actor, a plan with its milestones,
creators with weekly snapshots."""

import datetime
from decimal import Decimal

from tenancy.scoping import Actor
from tests.factories import CreatorFactory, MembershipFactory, MetricSnapshotFactory
from tests.factories_incentives import IncentivePlanFactory, MilestoneFactory

START = datetime.date(2026, 1, 5)  # a Monday; fixed: the suite runs at any date
AS_OF = START + datetime.timedelta(weeks=12)


def operator_actor(role: str = "owner") -> Actor:
    membership = MembershipFactory(organization__kind="operator", role=role)
    return Actor(
        user_id=membership.user_id,
        organization_id=membership.organization_id,
        organization_kind="operator",
        role=role,
    )


def plan_with(budget="10000.00", **plan_fields):
    """A plan from START with 1k (¥100), 10k (¥500) followers and first sale (¥200)."""
    plan = IncentivePlanFactory(budget=Decimal(budget), starts_on=START, **plan_fields)
    MilestoneFactory(plan=plan, threshold=1_000, amount=Decimal("100.00"), title="1k")
    MilestoneFactory(plan=plan, threshold=10_000, amount=Decimal("500.00"), title="10k")
    MilestoneFactory(plan=plan, kind="first_sale", threshold=None, amount=Decimal("200.00"),
                     title="first sale")  # fmt: skip
    return plan


def growing_creator(followers: list[int], orders: list[int] | None = None, **fields):
    """A creator with one snapshot a week from START (followers[i], orders[i])."""
    creator = CreatorFactory(**fields)
    orders = orders or [0] * len(followers)
    for week, (count, sold) in enumerate(zip(followers, orders, strict=True)):
        MetricSnapshotFactory(
            creator=creator,
            date=START + datetime.timedelta(weeks=week),
            followers=count,
            orders=sold,
        )
    return creator
