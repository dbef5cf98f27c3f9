"""Concurrent awards cannot overdraw a plan (PostgreSQL: real row locks and the check
constraint), each award in a thread of its own with its own connection."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F

from creators.incentive_runs import incentive_run_execute
from creators.models import Award, IncentivePlan
from creators.services_incentives import award
from tenancy.scoping import SYSTEM, acting_as
from tests.concurrency import race
from tests.creators.incentive_helpers import (
    AS_OF,
    START,
    growing_creator,
    operator_actor,
    plan_with,
)
from tests.factories import CreatorFactory
from tests.factories_incentives import IncentivePlanFactory, MilestoneFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def awarding(actor, milestone, creator):
    def call():
        with acting_as(actor):
            award(actor=actor, milestone=milestone, creator=creator, achieved_on=START)

    return call


def stored(plan) -> IncentivePlan:
    return IncentivePlan.objects.unscoped().get(pk=plan.pk)


def test_two_concurrent_awards_cannot_exceed_the_budget():
    plan = IncentivePlanFactory(budget=Decimal("500.00"))
    milestone = MilestoneFactory(plan=plan, amount=Decimal("500.00"))
    actor = operator_actor()
    outcomes = race(
        awarding(actor, milestone, CreatorFactory()), awarding(actor, milestone, CreatorFactory())
    )
    assert outcomes == ["refused", "won"]
    assert Award.objects.unscoped().count() == 1
    assert stored(plan).spent == stored(plan).budget == Decimal("500.00")


def test_the_refused_award_says_the_budget_is_short():
    plan = IncentivePlanFactory(name="光合计划", budget=Decimal("500.00"))
    milestone = MilestoneFactory(plan=plan, amount=Decimal("500.00"))
    actor = operator_actor()
    messages = []

    def call(creator):
        def run():
            try:
                awarding(actor, milestone, creator)()
            except ValidationError as error:
                messages.extend(error.message_dict["amount"])
                raise

        return run

    assert race(call(CreatorFactory()), call(CreatorFactory())) == ["refused", "won"]
    assert messages == [
        "“光合计划” has ¥0.00 left, less than this award of ¥500.00: nothing was awarded. "
        "Top up the plan's budget first."
    ]


def test_many_concurrent_awards_stop_exactly_at_the_budget():
    plan = IncentivePlanFactory(budget=Decimal("300.00"))
    milestone = MilestoneFactory(plan=plan, amount=Decimal("100.00"))
    actor = operator_actor()
    outcomes = race(*[awarding(actor, milestone, CreatorFactory()) for _ in range(6)])
    assert outcomes.count("won") == 3 and outcomes.count("refused") == 3
    held = sum(a.amount for a in Award.objects.unscoped().filter(plan=plan))
    assert held == stored(plan).spent == Decimal("300.00")


def test_the_check_constraint_holds_even_without_the_row_lock():
    """Two writers that skip the lock still cannot overdraw: the second increment waits on the
    row, then fails ``plan_spent_within_budget``."""
    from django.db import IntegrityError

    plan = IncentivePlanFactory(budget=Decimal("500.00"))
    barrier, outcomes = threading.Barrier(2), []

    def unlocked():
        try:
            with transaction.atomic():
                barrier.wait()
                IncentivePlan.objects.unscoped().filter(pk=plan.pk).update(
                    spent=F("spent") + Decimal("500.00")
                )
            outcomes.append("won")
        except IntegrityError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=unlocked) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["refused", "won"]
    assert stored(plan).spent == Decimal("500.00")


def test_two_evaluations_of_one_day_at_once_award_once():
    plan = plan_with()
    for _ in range(3):
        growing_creator([500, 1_500, 12_000])

    def evaluate():
        with acting_as(SYSTEM):
            incentive_run_execute(actor=SYSTEM, as_of=AS_OF)

    assert race(evaluate, evaluate) == ["won", "won"]
    assert Award.objects.unscoped().count() == 6
    assert stored(plan).spent == Decimal("1800.00")
