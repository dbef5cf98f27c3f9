"""The daily evaluation of the incentive plans: every active plan over every creator.

:func:`incentive_run_execute` claims the day's :class:`~creators.models.IncentiveRun` with a
conditional update (pending or failed → running, ``== 1``), so two beats of one day (or a
redelivered task) evaluate it once; a failed day may be run again. For each active plan that has
started, the milestones' facts are read in bulk from their sources
(``creators.milestone_sources``), the engine says who reached what and when, and every pair
reached within the plan's dates (``starts_on`` ≤ day ≤ ``ends_on``, and ≤ the run's day) that
has no award yet is paid through the ledger, oldest achievement first (then creator, then
milestone), while the plan's lock is held. A pair the remaining budget cannot pay is counted as
refused and tried again the next day (a top-up pays it then, with its own achievement day).

Not evaluated: suspended creators (a sanction stops their awards); milestones whose kind has no
source registered, or whose threshold cannot be known (a track without published courses). A
run left "running" by a dead worker stays so; the next day's run reads everything again, so
nothing reached is lost.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field
from decimal import Decimal

import pandas as pd
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from tenancy.scoping import Actor

from . import milestones as engine
from .milestone_sources import MILESTONE_SOURCES
from .models import Award, Creator, IncentivePlan, IncentiveRun, Milestone
from .services_incentives import AlreadyAwarded, _grant, require_incentives_operator

logger = logging.getLogger(__name__)
RS = IncentiveRun.Status


def rules_of(milestones: list[Milestone]) -> list[engine.Rule]:
    """The engine's rules for ``milestones``: those whose kind has a source and whose
    threshold is known (the milestone's own, or the source's, e.g. a track's course count)."""
    by_kind: dict[str, list[Milestone]] = {}
    for milestone in milestones:
        by_kind.setdefault(milestone.kind, []).append(milestone)
    rules = []
    for kind, group in by_kind.items():
        source = MILESTONE_SOURCES.get(kind)
        if source is None:
            logger.warning("no milestone source for %r: %d milestone(s) skipped", kind, len(group))
            continue
        known = source.thresholds(group) if source.thresholds else {}
        for milestone in group:
            threshold = known.get(milestone.pk, milestone.threshold)
            if threshold:
                rules.append(engine.Rule(milestone.pk, kind, int(threshold), key=milestone.track))
    return rules


def facts_for(
    rules: list[engine.Rule], *, as_of: datetime.date, creator_ids=None, floors: bool = True
) -> pd.DataFrame:
    """The facts every kind of ``rules`` needs, one bulk read per kind. ``floors``: leave out
    observations below each kind's lowest threshold (evaluation; progress wants them all)."""
    frames = []
    for kind in sorted({rule.kind for rule in rules}):
        floor = min(rule.threshold for rule in rules if rule.kind == kind) if floors else None
        facts = MILESTONE_SOURCES[kind].facts(as_of=as_of, creator_ids=creator_ids, floor=floor)
        frames.append(facts)
    frames = [frame for frame in frames if not frame.empty]
    return pd.concat(frames, ignore_index=True) if frames else engine.empty_facts()


@dataclass
class Tally:
    awarded: int = 0
    amount: Decimal = Decimal("0")
    refused: int = 0
    already: int = 0
    by_plan: dict = field(default_factory=dict)


def _due(
    plan: IncentivePlan, reached: pd.DataFrame, as_of: datetime.date, eligible
) -> pd.DataFrame:
    """The pairs ``plan`` owes: reached within its dates by an eligible creator, not awarded."""
    end = min(plan.ends_on, as_of) if plan.ends_on else as_of
    due = reached[
        (reached["achieved_on"] >= plan.starts_on)
        & (reached["achieved_on"] <= end)
        & reached["creator_id"].isin(eligible)
    ]
    paid = set(Award.objects.unscoped().filter(plan=plan).values_list("milestone_id", "creator_id"))
    if paid:
        pairs = list(zip(due["milestone_id"], due["creator_id"], strict=True))
        due = due[[pair not in paid for pair in pairs]]
    return due


def _pay(plan: IncentivePlan, due: pd.DataFrame, milestones: dict, agencies: dict, tally: Tally):
    """Pay ``due`` (sorted) from ``plan`` under one lock of its row."""
    with transaction.atomic():
        plan = IncentivePlan.objects.unscoped().select_for_update().get(pk=plan.pk)
        for row in due.itertuples(index=False):
            milestone = milestones[row.milestone_id]
            evidence = {"kind": milestone.kind, "value": int(row.value), "track": milestone.track}
            try:
                _grant(
                    plan,
                    milestone,
                    int(row.creator_id),
                    row.achieved_on,
                    evidence,
                    agency_id=agencies.get(int(row.creator_id)),
                )
            except ValidationError:
                tally.refused += 1
            except AlreadyAwarded:
                tally.already += 1
            else:
                tally.awarded += 1
                tally.amount += milestone.amount


def incentive_plans_evaluate(*, as_of: datetime.date) -> Tally:
    """Evaluate every active plan started by ``as_of`` (see the module docstring)."""
    tally = Tally()
    plans = list(
        IncentivePlan.objects.unscoped()
        .filter(active=True, starts_on__lte=as_of)
        .order_by("starts_on", "pk")
    )
    if not plans:
        return tally
    creators = Creator.objects.unscoped().filter(~Q(status=Creator.Status.SUSPENDED))
    agencies = dict(creators.values_list("pk", "agency_id"))
    eligible = set(agencies)
    for plan in plans:
        milestones = {m.pk: m for m in Milestone.objects.unscoped().filter(plan=plan)}
        rules = rules_of(list(milestones.values()))
        if not rules:
            continue
        reached = engine.reached(facts_for(rules, as_of=as_of), rules, as_of=as_of)
        before = (tally.awarded, tally.refused)
        _pay(plan, _due(plan, reached, as_of, eligible), milestones, agencies, tally)
        tally.by_plan[plan.pk] = {
            "awarded": tally.awarded - before[0],
            "refused": tally.refused - before[1],
        }
    return tally


def _claim(as_of: datetime.date) -> IncentiveRun | None:
    run, _created = IncentiveRun.objects.unscoped().get_or_create(as_of=as_of)
    claimed = (
        IncentiveRun.objects.unscoped()
        .filter(pk=run.pk, status__in=[RS.PENDING, RS.FAILED])
        .update(status=RS.RUNNING, started_at=timezone.now(), finished_at=None, error="")
    )
    return run if claimed == 1 else None


def incentive_run_execute(*, actor: Actor, as_of: datetime.date) -> IncentiveRun:
    """Evaluate the plans for ``as_of`` once: the day's run, succeeded with its counts (or
    failed with the error, which propagates); a day already run or running is left as it is."""
    require_incentives_operator(actor)
    run = _claim(as_of)
    if run is None:
        return IncentiveRun.objects.unscoped().get(as_of=as_of)
    try:
        tally = incentive_plans_evaluate(as_of=as_of)
    except Exception as error:
        IncentiveRun.objects.unscoped().filter(pk=run.pk).update(
            status=RS.FAILED, error=f"{type(error).__name__}: {error}"[:10_000],
            finished_at=timezone.now(),
        )  # fmt: skip
        raise
    IncentiveRun.objects.unscoped().filter(pk=run.pk).update(
        status=RS.SUCCEEDED,
        awarded=tally.awarded,
        awarded_amount=tally.amount,
        refused=tally.refused,
        finished_at=timezone.now(),
    )
    run.refresh_from_db()
    return run


def incentive_awards_due(*, actor: Actor) -> int:
    """Beat job (daily): evaluate yesterday, the last full day of data; the awards made."""
    as_of = timezone.localdate() - datetime.timedelta(days=1)
    return incentive_run_execute(actor=actor, as_of=as_of).awarded
