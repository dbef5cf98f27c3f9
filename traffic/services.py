"""Writes of the traffic app: merit, allocation runs, publishing.

Runs belong to the platform operator. The flow is ``allocation_run_create`` (pending row; the
caller enqueues ``traffic.tasks.allocation_run_execute`` after commit), then
``allocation_run_execute`` (claims, computes, writes every row in one transaction), then
``allocation_run_publish`` (makes the run the active one and tells the partners).

Merit
-----
From the ``MetricSnapshot`` rows of the ``MERIT_WINDOW_DAYS`` days up to and including ``as_of``,
per creator (every sum in float64: counts are bounded at ingestion, but a sum of int64 would wrap
where a float only rounds):

* ``views`` V = Σ counted weekly views (below), ``engagement`` E = Σ (likes + comments + shares)
* engagement rate ``er = E / max(reported views, 1)``, clipped to [0, ENGAGEMENT_RATE_MAX]
* growth ``g = (followers_last − followers_first) / max(followers_first, 1)`` (first and last
  snapshot in the window), clipped to [GROWTH_MIN, GROWTH_MAX]
* ``merit = V · (1 + ENGAGEMENT_WEIGHT · er) · (1 + GROWTH_WEIGHT · g)``

That is, views weighted up by engagement quality and audience growth. Merit is never negative
(g ≥ −0.5 with weight 1). A creator without snapshots in the window has merit 0 (the engine may
still give it the floor). Suspended creators are ineligible (0 impressions); restricted ones
are eligible with their merit halved. Then every callable in ``MERIT_ADJUSTMENTS`` runs in order.
A merit that is not finite or negative after all that (a hook's bug) counts as 0 for that
creator, with a warning in the log: one creator's line never fails the run for everyone.

Counted views: growth over a creator's own recent history counts up to ``VIEWS_GROWTH_MAX`` (3×).
The window is cut into four 7-day weeks ending on ``as_of``; the ``REFERENCE_WEEKS`` (4) weeks
before it are read as the creator's reference, its best week there being the reference level
(without snapshots there, the first window week with snapshots is the reference and counts as
reported). Each window week's views count up to ``VIEWS_GROWTH_MAX × max(reference level,
VIEWS_GROWTH_BASE)``. So a steady or noisy creator counts what it reports (on the calibrated demo
world 2–4% of creators have a week above the cap, 0.3–1.5% of all views), a real rise counts in
full once its weeks are the reference, and a push of huge but in-bounds figures on top of a
creator's history raises its merit by a bounded factor: counted views at most 4 × 3 = 12 times
its reference level, times at most (1 + ENGAGEMENT_WEIGHT · ENGAGEMENT_RATE_MAX) and
(1 + GROWTH_WEIGHT · GROWTH_MAX) for the engagement and growth a push can claim. Everyone else's
share shrinks by no more than that one creator's bounded gain
(``tests/traffic/test_merit_bounds.py`` measures it). What this does not catch is a partner
rewriting a creator's reference weeks too, or pushing for a creator without history: the first
week with data counts as reported (within the ingestion bounds of ``creators.ingest.BOUNDS``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
from collections.abc import Callable
from datetime import date, timedelta

import numpy as np
import pandas as pd
from celery import current_app
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from bulkload import frames as bulk
from creators.models import Creator, MetricSnapshot
from tenancy import roles
from tenancy.models import Organization
from tenancy.scoping import Actor
from tenancy.services import audit_event_record
from tenancy.tasking import enqueue
from webhooks.services import webhook_emit

from . import engine
from .models import Allocation, AllocationRun

logger = logging.getLogger(__name__)

MERIT_WINDOW_DAYS = 28
ENGAGEMENT_WEIGHT = 5.0
#: Likes + comments + shares per view that still counts (the demo world has 0.02–0.07): a push
#: claiming more raises merit at most by (1 + 5 · 0.25) / (1 + 5 · er) instead of without end.
ENGAGEMENT_RATE_MAX = 0.25
GROWTH_WEIGHT = 1.0
GROWTH_MIN, GROWTH_MAX = -0.5, 1.0
#: How many times its reference level a week's views may count, the level any creator may grow
#: from (so one back from weeks of 0 views counts again), and the weeks before the window that
#: make the reference. See the docstring.
VIEWS_GROWTH_MAX = 3.0
VIEWS_GROWTH_BASE = 1_000.0
REFERENCE_WEEKS = 4
#: The window's weeks are numbered 1..WINDOW_WEEKS (as_of's week last), the reference's ≤ 0.
WEEK_DAYS, WINDOW_WEEKS = 7, MERIT_WINDOW_DAYS // 7
RESTRICTED_FACTOR = 0.5
FOLLOWER_BAND_EDGES = [10_000, 100_000, 1_000_000]

#: Hooks that later apps (compliance, originality) append to. Each is called as
#: ``fn(*, as_of, creator_ids, merit, eligible) -> (merit, eligible)`` with numpy arrays aligned
#: on ``creator_ids`` (ascending ids); it must return arrays of the same shape, merit finite and
#: non-negative, and be deterministic (same inputs, same outputs) so reruns stay identical.
#: Keep it empty here.
MERIT_ADJUSTMENTS: list[Callable[..., tuple[np.ndarray, np.ndarray]]] = []

# Progress checkpoints written while a run executes: the step it starts and how far it is.
Step = AllocationRun.Step
PROGRESS_CLAIMED, PROGRESS_MERIT, PROGRESS_ALLOCATED, PROGRESS_DONE = 10, 50, 80, 100


# --- Merit ---------------------------------------------------------------------------------------


def merit_components(*, as_of: date, creator_ids=None) -> pd.DataFrame:
    """Per creator with snapshots in the 28-day window: counted ``views``, ``reported_views``,
    ``engagement``, engagement ``rate`` and ``growth`` (clipped) and ``merit`` before status
    and hooks; indexed by creator id.

    ``creator_ids`` narrows the read (the creator portal explains one creator's line).
    """
    reference_start = as_of - timedelta(days=MERIT_WINDOW_DAYS + REFERENCE_WEEKS * WEEK_DAYS - 1)
    rows = MetricSnapshot.objects.unscoped().filter(date__gte=reference_start, date__lte=as_of)
    if creator_ids is not None:
        rows = rows.filter(creator_id__in=list(creator_ids))
    counts = ["followers", "views", "likes", "comments", "shares"]
    snaps = pd.DataFrame(list(rows.values_list("creator_id", "date", *counts)))
    columns = ["views", "reported_views", "engagement", "rate", "growth", "merit"]
    if snaps.empty:
        return pd.DataFrame(columns=columns)
    snaps.columns = ["creator_id", "date", *counts]
    # Floats before any arithmetic: int64 sums of big (legacy) values wrap and turn negative.
    snaps[counts] = snaps[counts].astype(np.float64)
    days_back = (pd.Timestamp(as_of) - pd.to_datetime(snaps["date"])).dt.days
    snaps["week"] = WINDOW_WEEKS - days_back // WEEK_DAYS
    counted = _counted_weekly_views(snaps)
    window = snaps[snaps["week"] > 0].sort_values(["creator_id", "date"], kind="stable")
    if window.empty:
        return pd.DataFrame(columns=columns)
    grouped = window.groupby("creator_id", sort=True)
    per = pd.DataFrame(
        {
            "views": counted.reindex(grouped.size().index),
            "reported_views": grouped["views"].sum(),
            "engagement": grouped[["likes", "comments", "shares"]].sum().sum(axis=1),
        }
    )
    first = grouped["followers"].first()
    last = grouped["followers"].last()
    rate = per["engagement"] / np.maximum(per["reported_views"], 1.0)
    per["rate"] = rate.clip(0.0, ENGAGEMENT_RATE_MAX)
    per["growth"] = ((last - first) / np.maximum(first, 1.0)).clip(GROWTH_MIN, GROWTH_MAX)
    per["merit"] = (
        per["views"] * (1 + ENGAGEMENT_WEIGHT * per["rate"]) * (1 + GROWTH_WEIGHT * per["growth"])
    )
    return per[columns]


def _counted_weekly_views(snaps: pd.DataFrame) -> pd.Series:
    """Σ over the window's weeks of the views that count (the growth cap of the docstring),
    per creator id with snapshots in the window; vectorised over creators."""
    weekly = snaps.groupby(["creator_id", "week"])["views"].sum().unstack("week")
    weekly = weekly.reindex(columns=range(1 - REFERENCE_WEEKS, WINDOW_WEEKS + 1))
    reported = weekly.to_numpy(dtype=np.float64)  # NaN: no snapshot that week
    history, window = reported[:, :REFERENCE_WEEKS], reported[:, REFERENCE_WEEKS:]
    has_history = ~np.isnan(history).all(axis=1)
    level = np.max(np.nan_to_num(history, nan=-np.inf), axis=1)
    first = np.argmax(~np.isnan(window), axis=1)  # the first window week with snapshots
    level = np.where(has_history, level, window[np.arange(len(window)), first])
    limit = VIEWS_GROWTH_MAX * np.maximum(np.nan_to_num(level, nan=0.0), VIEWS_GROWTH_BASE)
    counted = np.minimum(window, limit[:, None])
    total = pd.Series(np.nansum(counted, axis=1), index=weekly.index)
    return total[~np.isnan(window).all(axis=1)]


def _sane(merit: np.ndarray, ids: np.ndarray, *, where: str) -> np.ndarray:
    """``merit`` with every value that is not finite or is negative set to 0 (and logged)."""
    merit = np.asarray(merit, dtype=np.float64)
    broken = ~np.isfinite(merit) | (merit < 0)
    if broken.any():
        logger.warning(
            "merit %s: %d creator(s) with a merit that is not finite or negative counted as 0: %s",
            where,
            int(broken.sum()),
            ids[broken][:20].tolist(),
        )
        merit = np.where(broken, 0.0, merit)
    return merit


def merit_of_creators(*, as_of: date) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(creator_ids, merit, eligible, followers)`` for every creator, ascending by id.

    See the module docstring for the formula. Vectorised: two ``values_list`` reads, pandas.
    """
    creators = pd.DataFrame(
        list(Creator.objects.unscoped().order_by("pk").values_list("pk", "status", "followers")),
        columns=["creator_id", "status", "followers"],
    )
    ids = creators["creator_id"].to_numpy(dtype=np.int64)
    per = merit_components(as_of=as_of)
    merit = per["merit"].reindex(ids, fill_value=0.0).to_numpy(dtype=np.float64)
    merit = _sane(merit, ids, where="from snapshots")
    status = creators["status"].to_numpy()
    eligible = status != Creator.Status.SUSPENDED
    merit = np.where(status == Creator.Status.RESTRICTED, merit * RESTRICTED_FACTOR, merit)
    for adjust in MERIT_ADJUSTMENTS:
        merit, eligible = adjust(as_of=as_of, creator_ids=ids, merit=merit, eligible=eligible)
        merit = _sane(merit, ids, where=f"after {getattr(adjust, '__name__', adjust)!s}")
        eligible = np.asarray(eligible, dtype=bool)
    followers = creators["followers"].to_numpy(dtype=np.int64)
    return ids, merit, eligible, followers


# --- Runs ----------------------------------------------------------------------------------------


def _require_operator(actor: Actor) -> None:
    """Runs replace what every creator sees: the operator's writers only (not its viewers, nor
    its compliance reviewers)."""
    actor.require(
        kinds=[roles.OPERATOR],
        write=True,
        message="Only the platform operator's staff can run and publish traffic allocation.",
    )


#: The largest pool (and floor or cap) a run takes: the engine works in float64, which counts
#: whole impressions exactly only up to 2**53 (about 9·10**15). Anything larger is a typo, and
#: would otherwise overflow the database column (a 500) or round silently.
POOL_MAX = 10**15


def _number(value) -> str:
    return number_format(value, force_grouping=True)


def _validated(pool, target_gini, floor, cap) -> tuple[int, float, float, float | None]:
    errors = {}
    whole = isinstance(pool, int | np.integer) and not isinstance(pool, bool)
    if not (whole and 1 <= pool <= POOL_MAX):
        errors["pool"] = _("The pool must be a whole number of impressions from 1 to %(max)s.") % {
            "max": _number(POOL_MAX)
        }
    try:
        target = float(target_gini)
        if not 0.0 <= target <= 1.0:
            raise ValueError
    except (TypeError, ValueError):
        errors["target_gini"] = f"target_gini must be within [0, 1], got {target_gini!r}"
    try:
        floor = float(floor)
        if not (math.isfinite(floor) and 0 <= floor <= POOL_MAX):
            raise ValueError
    except (TypeError, ValueError):
        errors["floor"] = _("The floor must be a number from 0 to %(max)s.") % {
            "max": _number(POOL_MAX)
        }
    if cap is not None:
        try:
            cap = float(cap)
            if not (math.isfinite(cap) and 0 <= cap <= POOL_MAX):
                raise ValueError
        except (TypeError, ValueError):
            errors["cap"] = _("The cap must be empty or a number from 0 to %(max)s.") % {
                "max": _number(POOL_MAX)
            }
    if not errors and cap is not None and cap < floor:
        errors["cap"] = f"cap {cap:g} is below floor {floor:g}"
    if errors:
        raise ValidationError(errors)
    return int(pool), target, floor, cap


def _eligible_count(as_of: date) -> int:
    """How many creators a run on ``as_of`` would allocate to: every one not suspended, unless
    merit hooks (which may narrow eligibility) are registered; then exactly what the run sees."""
    if MERIT_ADJUSTMENTS:
        return int(merit_of_creators(as_of=as_of)[2].sum())
    return Creator.objects.unscoped().exclude(status=Creator.Status.SUSPENDED).count()


def _require_feasible(pool: int, floor: float, cap: float | None, as_of: date) -> None:
    """Refuse, before anything is written, a run the engine could only fail (its bounds as the
    engine rounds them: the floor up, the cap down); the message says what would work."""
    eligible = _eligible_count(as_of)
    low, high = math.ceil(floor), None if cap is None else math.floor(cap)
    args = {"n": _number(eligible), "floor": _number(low), "pool": _number(pool)}
    if eligible == 0:
        message = _("No creator is eligible for traffic: there is nobody to allocate to.")
        raise ValidationError({"pool": message})
    if low * eligible > pool:
        args["least"] = _number(low * eligible)
        message = _(
            "The floors exceed the pool: with %(n)s eligible creators a floor of %(floor)s needs"
            " a pool of at least %(least)s."
        )
        raise ValidationError({"floor": message % args})
    if high is not None and high * eligible < pool:
        args.update(cap=_number(high), most=_number(high * eligible))
        args["least"] = _number(-(-pool // eligible))
        message = _(
            "The caps cannot absorb the pool: with %(n)s eligible creators a cap of %(cap)s"
            " places at most %(most)s impressions; raise the cap to at least %(least)s or lower"
            " the pool."
        )
        raise ValidationError({"cap": message % args})


def allocation_run_create(
    *,
    actor: Actor,
    pool: int,
    target_gini: float,
    floor: float = 0,
    cap: float | None = None,
    as_of: date | None = None,
) -> AllocationRun:
    """A pending run (operator only). The caller enqueues its execution after commit."""
    _require_operator(actor)
    pool, target, floor, cap = _validated(pool, target_gini, floor, cap)
    as_of = as_of or timezone.localdate()
    _require_feasible(pool, floor, cap, as_of)
    with transaction.atomic():
        run = AllocationRun.objects.unscoped().create(
            pool=pool,
            target_gini=target,
            floor=floor,
            cap=cap,
            as_of=as_of,
            created_by_id=actor.user_id,
        )
        audit_event_record(
            actor=actor,
            action="traffic.run_created",
            target=run,
            data={"pool": pool, "target_gini": target, "floor": floor, "cap": cap},
        )
    return run


def params_hash(run: AllocationRun, ids, merit, eligible, followers) -> str:
    """sha256 of the run's parameters and a fingerprint of its input arrays."""
    digest = hashlib.sha256()
    params = {
        "pool": run.pool,
        "target_gini": run.target_gini,
        "floor": run.floor,
        "cap": run.cap,
        "as_of": run.as_of.isoformat(),
    }
    digest.update(json.dumps(params, sort_keys=True).encode())
    for array, dtype in (
        (ids, np.int64),
        (merit, np.float64),
        (eligible, bool),
        (followers, np.int64),
    ):
        digest.update(np.ascontiguousarray(array, dtype=dtype).tobytes())
    return digest.hexdigest()


def _progress(run: AllocationRun, value: int, step: str) -> None:
    """Record that ``run`` is ``value``% done and now at ``step`` (committed at once, so a
    page polling the run sees it while the run goes on)."""
    run.progress, run.step = value, step
    AllocationRun.objects.unscoped().filter(pk=run.pk).update(progress=value, step=step)


def allocation_run_fail(*, run_id: int, error: str) -> None:
    """Mark a run that has not succeeded as failed (used by the task on a crash)."""
    AllocationRun.objects.unscoped().filter(pk=run_id).exclude(
        status=AllocationRun.Status.SUCCEEDED
    ).update(status=AllocationRun.Status.FAILED, error=error[:10_000], finished_at=timezone.now())


#: After the task's hard time limit no worker can still hold a run: a run "running" for longer
#: lost its worker (killed, machine gone) and may be claimed again. Its rows were never
#: committed, so starting over is safe and, with the same data, gives the same allocation.
RUN_LEASE = timedelta(minutes=31)


def _claimable():
    stale = timezone.now() - RUN_LEASE
    return AllocationRun.objects.unscoped().filter(
        Q(status=AllocationRun.Status.PENDING)
        | Q(status=AllocationRun.Status.RUNNING, started_at__lt=stale)
    )


def stale_runs() -> list[int]:
    """Runs whose worker was lost: the beat job re-enqueues them."""
    return list(
        _claimable().filter(status=AllocationRun.Status.RUNNING).values_list("pk", flat=True)
    )


#: The task that executes a run, found by name: ``tasks`` imports this module (no cycle).
EXECUTE_TASK = "traffic.allocation_run_execute"


def allocation_runs_resume(*, actor: Actor) -> int:
    """Re-enqueue runs whose worker was lost (a beat job, as the system); how many."""
    stale = stale_runs()
    for run_id in stale:
        enqueue(current_app.tasks[EXECUTE_TASK], actor=actor, run_id=run_id)
    return len(stale)


def allocation_run_execute(*, actor: Actor, run_id: int) -> AllocationRun:
    """Claim a pending run, allocate, and write its rows and figures in one transaction.

    A run that is not pending (a redelivered task) is returned untouched. An infeasible or
    malformed request fails the run with the engine's message and writes nothing else. Any
    other exception propagates (the task marks the run failed); the rows roll back with it.
    """
    _require_operator(actor)
    claimed = (
        _claimable()
        .filter(pk=run_id)
        .update(
            status=AllocationRun.Status.RUNNING,
            started_at=timezone.now(),
            progress=PROGRESS_CLAIMED,
            step=Step.MERIT,
        )
    )
    run = AllocationRun.objects.unscoped().get(pk=run_id)
    if claimed != 1:
        return run

    ids, merit, eligible, followers = merit_of_creators(as_of=run.as_of)
    run.params_hash = params_hash(run, ids, merit, eligible, followers)
    AllocationRun.objects.unscoped().filter(pk=run.pk).update(params_hash=run.params_hash)
    _progress(run, PROGRESS_MERIT, Step.ALLOCATING)
    try:
        if ids.size == 0:
            raise engine.InfeasibleAllocation("no creators to allocate to")
        result = engine.allocate(
            merit, run.pool, run.target_gini, floor=run.floor, cap=run.cap, eligible=eligible
        )
    except ValueError as error:  # InfeasibleAllocation is a ValueError
        allocation_run_fail(run_id=run.pk, error=str(error))
        run.refresh_from_db()
        return run
    _progress(run, PROGRESS_ALLOCATED, Step.WRITING)

    frame = pd.DataFrame(
        {
            "run_id": np.full(ids.size, run.pk, dtype=np.int64),
            "creator_id": ids,
            "merit": merit,
            "impressions": np.asarray(result.impressions, dtype=np.int64),
            "eligible": eligible,
        }
    )
    shares = engine.band_shares(result.impressions, followers, FOLLOWER_BAND_EDGES)
    with transaction.atomic():
        bulk.load_frame(Allocation, frame)
        run.gini_before = result.proportional_gini
        run.gini_after = result.gini
        run.distance = result.distance
        run.merit_retained = result.merit_retained
        run.low_level = result.low_level
        run.high_level = result.high_level
        run.band_shares = shares
        run.creators = int(ids.size)
        run.status = AllocationRun.Status.SUCCEEDED
        run.progress = PROGRESS_DONE
        run.step = Step.DONE
        run.error = ""
        run.finished_at = timezone.now()
        run.save()
    return run


def allocation_run_publish(*, actor: Actor, run: AllocationRun) -> AllocationRun:
    """Make a succeeded run the published one (unpublishing the previous) and tell partners."""
    _require_operator(actor)
    with transaction.atomic():
        run = AllocationRun.objects.unscoped().select_for_update().get(pk=run.pk)
        if run.status != AllocationRun.Status.SUCCEEDED:
            raise ValidationError(
                f"Only a succeeded run can be published (this one is {run.status})."
            )
        if run.published:
            return run
        previous = list(
            AllocationRun.objects.unscoped().filter(published=True).values_list("pk", flat=True)
        )
        AllocationRun.objects.unscoped().filter(published=True).update(published=False)
        run.published = True
        run.published_at = timezone.now()
        run.save(update_fields=["published", "published_at"])
        audit_event_record(
            actor=actor,
            action="traffic.run_published",
            target=run,
            data={"unpublished": previous},
        )
        partners = Organization.objects.filter(kind=Organization.Kind.PARTNER).values_list(
            "pk", flat=True
        )
        webhook_emit(
            event="traffic.run_published",
            organization_ids=list(partners),
            data={
                "run_id": run.pk,
                "pool": run.pool,
                "target_gini": run.target_gini,
                "gini_after": run.gini_after,
                "creators": run.creators,
                "published_at": run.published_at.isoformat(),
            },
        )
    return run
