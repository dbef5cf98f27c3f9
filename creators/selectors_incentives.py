"""Reads of the incentive plan. Plans and milestones are public to every signed-in party; an
award only to its creator, the creator's agency and the operator (``Award``'s manager decides,
so pages and the API cannot disagree); runs and budget figures to the operator."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from tenancy.scoping import Actor

from . import milestones as engine
from .incentive_runs import facts_for, rules_of
from .milestone_sources import MILESTONE_SOURCES
from .models import Award, Creator, IncentivePlan, IncentiveRun, Milestone, MilestoneKind

GRANTED = Award.Status.GRANTED


def incentive_plans(*, actor: Actor, active: bool | None = None) -> QuerySet[IncentivePlan]:
    """Plans, newest start first, with ``granted`` (live awards) and ``milestone_count``."""
    plans = IncentivePlan.objects.for_actor(actor).annotate(
        granted=Count("awards", filter=Q(awards__status=GRANTED), distinct=True),
        milestone_count=Count("milestones", distinct=True),
    )
    if active is not None:
        plans = plans.filter(active=active)
    return plans.order_by("-starts_on", "name")


def incentive_plan_get(*, actor: Actor, plan_id: int) -> IncentivePlan:
    return IncentivePlan.objects.for_actor(actor).get(pk=plan_id)


def plan_milestones(*, actor: Actor, plan: IncentivePlan) -> QuerySet[Milestone]:
    """A plan's milestones by kind and threshold, with ``granted`` (live awards of each)."""
    return (
        Milestone.objects.for_actor(actor)
        .filter(plan_id=plan.pk)
        .annotate(granted=Count("awards", filter=Q(awards__status=GRANTED)))
        .order_by("kind", "threshold", "track", "pk")
    )


def milestones_list(*, actor: Actor) -> QuerySet[Milestone]:
    return Milestone.objects.for_actor(actor).select_related("plan").order_by("plan", "kind", "pk")


def milestone_get(*, actor: Actor, milestone_id: int) -> Milestone:
    return Milestone.objects.for_actor(actor).select_related("plan").get(pk=milestone_id)


def awards(
    *, actor: Actor, plan_id: int | None = None, status: str = "", creator_id: int | None = None
) -> QuerySet[Award]:
    """The awards ``actor`` may see (its own, its creators', all), newest achievement first."""
    rows = Award.objects.for_actor(actor).select_related(
        "creator", "milestone", "plan", "revoked_by"
    )
    if plan_id:
        rows = rows.filter(plan_id=plan_id)
    if status in Award.Status.values:
        rows = rows.filter(status=status)
    if creator_id:
        rows = rows.filter(creator_id=creator_id)
    return rows.order_by("-achieved_on", "-id")


def award_get(*, actor: Actor, award_id: int) -> Award:
    return awards(actor=actor).get(pk=award_id)


def awards_total(rows: QuerySet[Award]) -> dict:
    """``count`` and ``amount`` of the granted awards among ``rows``."""
    return rows.filter(status=GRANTED).aggregate(count=Count("pk"), amount=Sum("amount"))


def incentive_runs(*, actor: Actor) -> QuerySet[IncentiveRun]:
    return IncentiveRun.objects.for_actor(actor).order_by("-as_of")


# --- Progress ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    """The next milestone of one kind (and track) of a plan, and how far the creator is."""

    milestone: Milestone
    value: int
    threshold: int
    unit: object

    @property
    def percent(self) -> int:
        return min(99, int(100 * self.value / self.threshold)) if self.threshold else 0


def creator_progress(
    *, actor: Actor, creator: Creator, as_of: datetime.date | None = None
) -> list[tuple[IncentivePlan, list[Progress]]]:
    """Per active plan: the next milestone of each kind not yet reached by ``creator``, with its
    current figure (``creators.milestones.progress``), for the creator itself, its agency and
    the operator. Reads one creator's facts."""
    as_of = as_of or timezone.localdate()
    plans = list(incentive_plans(actor=actor, active=True).filter(starts_on__lte=as_of))
    rows = Milestone.objects.for_actor(actor).filter(plan__in=plans)
    by_plan: dict[int, list[Milestone]] = {}
    for milestone in rows:
        by_plan.setdefault(milestone.plan_id, []).append(milestone)
    everything = [m for group in by_plan.values() for m in group]
    all_rules = rules_of(everything)
    facts = facts_for(all_rules, as_of=as_of, creator_ids=[creator.pk], floors=False)
    result = []
    for plan in plans:
        mine = {m.pk: m for m in by_plan.get(plan.pk, [])}
        rules = [rule for rule in all_rules if rule.milestone_id in mine]
        table = engine.progress(facts, rules, as_of=as_of, creator_ids=[creator.pk])
        bars = [
            Progress(mine[row.milestone_id], int(row.value), int(row.threshold),
                     MILESTONE_SOURCES[row.kind].unit)
            for row in table.itertuples()
        ]  # fmt: skip
        bars.sort(
            key=lambda bar: (
                list(MilestoneKind.values).index(bar.milestone.kind),
                bar.milestone.track,
            )
        )
        result.append((plan, bars))
    return result
