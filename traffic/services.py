"""Writes of the traffic app: merit, allocation runs, publishing.

Runs belong to the platform operator. The flow is ``allocation_run_create`` (pending row; the
caller enqueues ``traffic.tasks.allocation_run_execute`` after commit), then
``allocation_run_execute`` (claims, computes, writes every row in one transaction), then
``allocation_run_publish`` (makes the run the active one and tells the partners).

Traffic packages
----------------
Before the Gini step a run reserves each certified agency's traffic package (星火计划: the
``TierBenefit.monthly_impressions`` of its effective tier in the latest succeeded certification
cycle whose window ended on or before the run's ``as_of``), for agencies with at least one
eligible signed creator (``Creator.agency``). ``traffic.packages`` caps them together at
``PACKAGE_SHARE_MAX`` (half) of the pool, scaling every one down by the same factor beyond it,
and never takes so much that the floors no longer fit. The engine splits ``pool − packages``
over every eligible creator (the agency's creators included) with the run's target, floor and
cap; each package is then spread over its agency's eligible creators by merit and added on top.
So the floor and the cap bound the Gini step's share, not the package on top of it.
``Allocation.impressions`` is the total and ``package_impressions`` the package's part of it;
the run records the total, its share of the pool and the breakdown by tier and agency.
``gini_after`` and ``band_shares`` describe the final impressions (packages included);
``gini_without_packages``, ``distance`` and ``merit_retained`` are the Gini step's own
figures on the rest of the pool. The packages (agencies, tiers, sizes) and each creator's
agency are part of ``params_hash``.

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
import threading
from collections.abc import Callable
from datetime import date, timedelta

import numpy as np
import pandas as pd
from celery import current_app
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connections, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from bulkload import frames as bulk
from creators.models import Creator, MetricSnapshot
from mcn import selectors as mcn_selectors
from tenancy import roles
from tenancy.models import Organization
from tenancy.scoping import Actor
from tenancy.services import audit_event_record
from tenancy.tasking import enqueue
from webhooks.services import webhook_emit

from . import engine, packages
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
        message=_("Only the platform operator's staff can run and publish traffic allocation."),
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


def params_hash(
    run: AllocationRun, ids, merit, eligible, followers, *, plan: PackagePlan | None = None
) -> str:
    """sha256 of the run's parameters and a fingerprint of its input arrays, the traffic
    packages asked for (agency, tier, size) and each creator's packaged agency included."""
    digest = hashlib.sha256()
    params = {
        "pool": run.pool,
        "target_gini": run.target_gini,
        "floor": run.floor,
        "cap": run.cap,
        "as_of": run.as_of.isoformat(),
        "packages": plan.fingerprint if plan is not None else [],
    }
    digest.update(json.dumps(params, sort_keys=True).encode())
    groups = plan.groups if plan is not None else np.full(len(ids), -1)
    for array, dtype in (
        (ids, np.int64),
        (merit, np.float64),
        (eligible, bool),
        (followers, np.int64),
        (groups, np.int64),
    ):
        digest.update(np.ascontiguousarray(array, dtype=dtype).tobytes())
    return digest.hexdigest()


#: The lease of a running run. The worker executing it renews ``heartbeat_at`` at each step
#: and, from a thread of its own, every ``RUN_LEASE / HEARTBEATS_PER_LEASE`` while a long step
#: runs; a run "running" with an older heartbeat lost its worker (killed, machine gone) and
#: may be claimed again, by the redelivered task or by what the beat job enqueues. Its rows
#: were never committed (one transaction), so starting over is safe and, with the same data,
#: gives the same allocation. With beat every minute a lost run restarts within
#: RUN_LEASE + 60 s (README, "Operator jobs"); the task's own time limits stay as they are.
RUN_LEASE = timedelta(seconds=90)
#: Heartbeats per lease: the run is taken for lost only after this many in a row are missed
#: (a slow query, a busy database), not after one.
HEARTBEATS_PER_LEASE = 6
#: A run that lost its worker this many times is failed rather than claimed again: whatever
#: killed its workers (memory, an input that crashes the engine) would kill the next one too.
RUN_MAX_CLAIMS = 3
RUNNING = AllocationRun.Status.RUNNING
logger = logging.getLogger(__name__)


class LeaseLost(Exception):
    """This worker's claim on a run is gone (another worker took it over after its heartbeat
    went stale): stop, and write nothing."""


def _held(run_id: int, claim: int):
    """The run, while claim number ``claim`` still holds it (the fencing token of a claim)."""
    return AllocationRun.objects.unscoped().filter(pk=run_id, status=RUNNING, claims=claim)


def _renew(run: AllocationRun, **fields) -> None:
    """Renew the lease of ``run`` (writing ``fields`` with it); raise :class:`LeaseLost` when
    this worker no longer holds the run."""
    run.heartbeat_at = timezone.now()
    if _held(run.pk, run.claims).update(heartbeat_at=run.heartbeat_at, **fields) != 1:
        raise LeaseLost


def _progress(run: AllocationRun, value: int, step: str, **fields) -> None:
    """Record that ``run`` is ``value``% done and now at ``step`` (committed at once, so a
    page polling the run sees it while the run goes on), renewing its lease."""
    run.progress, run.step = value, step
    _renew(run, progress=value, step=step, **fields)


class _Heartbeat:
    """Renews the lease of claim ``claim`` from a daemon thread while a step runs long (the
    engine is pure numpy and holds no database connection; on a large pool it may take
    minutes). Django gives the thread a connection of its own, which it closes when it stops;
    :meth:`check` tells the worker, between steps, that the run was taken from it."""

    def __init__(self, run_id: int, claim: int):
        self.run_id, self.claim = run_id, claim
        self.lost, self._stop = threading.Event(), threading.Event()
        self._thread = threading.Thread(
            target=self._beat, name=f"allocation-run-{run_id}-heartbeat", daemon=True
        )

    def _beat(self) -> None:
        every = RUN_LEASE.total_seconds() / HEARTBEATS_PER_LEASE
        try:
            while not self._stop.wait(every):
                try:
                    if not _held(self.run_id, self.claim).update(heartbeat_at=timezone.now()):
                        self.lost.set()  # taken over, or finished: nothing left to renew
                        return
                except DatabaseError:  # a missed beat; the lease allows a few
                    logger.warning("heartbeat of run %s failed", self.run_id, exc_info=True)
                    connections.close_all()  # reconnect at the next beat
        finally:
            connections.close_all()  # this thread's connections only

    def check(self) -> None:
        if self.lost.is_set():
            raise LeaseLost

    def __enter__(self) -> _Heartbeat:
        # Inside a transaction (a test's, a caller's) no other connection sees the claim, so
        # the thread would find nothing to renew; nobody else could see the run either.
        if not transaction.get_connection().in_atomic_block:
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread.is_alive():
            # Bounded: a beat stuck on an unreachable database must not hold the task.
            self._thread.join(timeout=10)


def allocation_run_fail(*, run_id: int, error: str, claim: int | None = None) -> None:
    """Mark a run that has not finished as failed; with ``claim``, only while that claim still
    holds it (a worker that lost its lease fails nothing)."""
    runs = AllocationRun.objects.unscoped().filter(pk=run_id)
    runs = runs.filter(status__in=[AllocationRun.Status.PENDING, RUNNING])
    if claim is not None:
        runs = runs.filter(status=RUNNING, claims=claim)
    runs.update(
        status=AllocationRun.Status.FAILED, error=error[:10_000], finished_at=timezone.now()
    )


def _stale():
    """Running runs whose worker stopped renewing their lease."""
    stale = timezone.now() - RUN_LEASE
    return AllocationRun.objects.unscoped().filter(status=RUNNING, heartbeat_at__lt=stale)


def _claim(run_id: int) -> int | None:
    """Claim a pending run, or take over one whose lease ran out; the claim's number, or None
    when the run is not there to take (another worker holds or finished it).

    One conditional update on the stale heartbeat: of two takers, the second waits for the
    first's row lock, then finds the heartbeat fresh and updates nothing (PostgreSQL re-checks
    the condition on the row it waited for; SQLite writes one at a time)."""
    now = timezone.now()
    runs = AllocationRun.objects.unscoped().filter(pk=run_id)
    pending = Q(status=AllocationRun.Status.PENDING)
    stale = Q(status=RUNNING, heartbeat_at__lt=now - RUN_LEASE)
    claimed = runs.filter(pending | stale, claims__lt=RUN_MAX_CLAIMS).update(
        status=RUNNING,
        claims=F("claims") + 1,
        started_at=now,
        heartbeat_at=now,
        progress=PROGRESS_CLAIMED,
        step=Step.MERIT,
    )
    if claimed == 1:
        # Nobody else can claim it within a lease, so this reads this claim's number.
        return runs.values_list("claims", flat=True).get()
    runs.filter(stale, claims__gte=RUN_MAX_CLAIMS).update(
        status=AllocationRun.Status.FAILED,
        error=f"The run lost its worker {RUN_MAX_CLAIMS} times (killed or out of memory); "
        "it is not tried again.",
        finished_at=now,
    )
    return None


def lease_remaining(run: AllocationRun) -> float:
    """Seconds until the lease of running ``run`` runs out (and it may be taken over)."""
    if run.heartbeat_at is None:
        return RUN_LEASE.total_seconds()
    return max(0.0, (run.heartbeat_at + RUN_LEASE - timezone.now()).total_seconds())


def stale_runs() -> list[int]:
    """Runs whose worker was lost: the beat job re-enqueues them."""
    return list(_stale().order_by("pk").values_list("pk", flat=True))


#: The task that executes a run, found by name: ``tasks`` imports this module (no cycle).
EXECUTE_TASK = "traffic.allocation_run_execute"


def allocation_runs_resume(*, actor: Actor) -> int:
    """Re-enqueue runs whose worker was lost (a beat job, as the system); how many. A run
    still queued for a worker when the next tick comes is enqueued again: the claim lets one
    copy run it, and the others find it held or finished."""
    stale = stale_runs()
    for run_id in stale:
        enqueue(current_app.tasks[EXECUTE_TASK], actor=actor, run_id=run_id)
    return len(stale)


def allocation_run_execute(*, actor: Actor, run_id: int) -> AllocationRun:
    """Claim a run (pending, or lost by its worker), allocate, and write its rows and figures
    in one transaction.

    A run this call cannot claim (held by a live worker, finished) is returned untouched, and
    so is one taken over by another worker meanwhile (this one writes nothing then). An
    infeasible or malformed request fails the run with the engine's message and writes nothing
    else. Any other exception fails the run with it (while this worker holds it) and
    propagates; the rows roll back with it.
    """
    _require_operator(actor)
    claim = _claim(run_id)
    run = AllocationRun.objects.unscoped().get(pk=run_id)
    if claim is None:
        return run
    try:
        with _Heartbeat(run.pk, claim) as heartbeat:
            _execute(run, heartbeat)
    except LeaseLost:
        logger.warning("run %s was taken over from claim %s; it writes nothing", run.pk, claim)
    except Exception as error:
        allocation_run_fail(run_id=run.pk, error=f"{type(error).__name__}: {error}", claim=claim)
        raise
    run.refresh_from_db()
    return run


def _agencies_of(ids: np.ndarray, agencies: list[int]) -> np.ndarray:
    """Per creator of ``ids`` (ascending), its agency when that is one of ``agencies``, else −1."""
    out = np.full(ids.size, -1, dtype=np.int64)
    if not agencies or ids.size == 0:
        return out
    rows = Creator.objects.unscoped().filter(agency_id__in=agencies)
    pairs = np.array(list(rows.values_list("pk", "agency_id")), dtype=np.int64).reshape(-1, 2)
    at = np.searchsorted(ids, pairs[:, 0]).clip(max=ids.size - 1)
    known = ids[at] == pairs[:, 0]
    out[at[known]] = pairs[known, 1]
    return out


class PackagePlan:
    """The traffic packages of one run (see "Traffic packages" above), aligned on its
    creators: ``groups[i]`` indexes ``agencies`` (−1: none), ``per_creator`` the package part
    of each creator's impressions, ``record`` what the run stores."""

    def __init__(self, run: AllocationRun, ids, merit, eligible):
        cycle = mcn_selectors.certification_run_as_of(run.as_of)
        tiers = mcn_selectors.tiers_of_cycle(cycle)  # the same cycle the record names
        sizes = {t: b.monthly_impressions for t, b in mcn_selectors.benefits_by_tier().items()}
        agency_of = _agencies_of(ids, list(tiers))
        with_creators = set(agency_of[eligible & (agency_of >= 0)].tolist())
        self.agencies = sorted(
            a for a, t in tiers.items() if sizes.get(t, 0) > 0 and a in with_creators
        )
        asked = np.array([sizes[tiers[a]] for a in self.agencies], dtype=np.int64)
        packaged = np.array(self.agencies, dtype=np.int64)
        at = np.searchsorted(packaged, agency_of).clip(max=max(packaged.size - 1, 0))
        hit = packaged[at] == agency_of if packaged.size else np.zeros(ids.size, dtype=bool)
        self.groups = np.where(hit, at, -1).astype(np.int64)
        self.fingerprint = [[a, tiers[a], sizes[tiers[a]]] for a in self.agencies]
        limit = packages.reservable(
            run.pool, floor=math.ceil(run.floor), eligible=int(np.sum(eligible))
        )
        granted, scale = packages.reserve(asked, limit)
        self.per_creator = packages.spread(self.groups, merit, eligible, granted)
        self.total = int(granted.sum())
        self.record = self._record(run, cycle, tiers, asked, granted, scale, limit, eligible)

    def _record(self, run, cycle, tiers, asked, granted, scale, limit, eligible) -> dict:
        names = dict(Organization.objects.filter(pk__in=self.agencies).values_list("pk", "name"))
        counts = np.bincount(self.groups[eligible & (self.groups >= 0)], minlength=len(asked))
        agencies, by_tier = [], {}
        for i, agency in enumerate(self.agencies):
            tier = tiers[agency]
            row = {
                "id": agency,
                "name": names.get(agency, ""),
                "tier": tier,
                "asked": int(asked[i]),
                "impressions": int(granted[i]),
                "creators": int(counts[i]),
            }
            agencies.append(row)
            total = by_tier.setdefault(tier, {"agencies": 0, "creators": 0, "impressions": 0})
            total["agencies"] += 1
            total["creators"] += row["creators"]
            total["impressions"] += row["impressions"]
        return {
            "certification_run": cycle.pk if cycle else None,
            "certification_as_of": cycle.as_of.isoformat() if cycle else None,
            "asked": int(asked.sum()),
            "limit": limit,
            "scale": scale,
            "tiers": by_tier,
            "agencies": agencies,
        }

    def agency_column(self, eligible) -> pd.Series:
        """Each creator's packaged agency (eligible members only), NULL for the others."""
        ids = np.array(self.agencies + [0], dtype=np.int64)[self.groups]
        return pd.Series(ids, dtype="Int64").where((self.groups >= 0) & eligible)


def _execute(run: AllocationRun, heartbeat: _Heartbeat) -> None:
    ids, merit, eligible, followers = merit_of_creators(as_of=run.as_of)
    plan = PackagePlan(run, ids, merit, eligible)
    heartbeat.check()
    run.params_hash = params_hash(run, ids, merit, eligible, followers, plan=plan)
    _progress(run, PROGRESS_MERIT, Step.ALLOCATING, params_hash=run.params_hash)
    try:
        if ids.size == 0:
            raise engine.InfeasibleAllocation("no creators to allocate to")
        result = engine.allocate(
            merit,
            run.pool - plan.total,
            run.target_gini,
            floor=run.floor,
            cap=run.cap,
            eligible=eligible,
        )
    except ValueError as error:  # InfeasibleAllocation is a ValueError
        heartbeat.check()
        allocation_run_fail(run_id=run.pk, error=str(error), claim=run.claims)
        return
    heartbeat.check()
    _progress(run, PROGRESS_ALLOCATED, Step.WRITING)

    final = np.asarray(result.impressions, dtype=np.int64) + plan.per_creator
    frame = pd.DataFrame(
        {
            "run_id": np.full(ids.size, run.pk, dtype=np.int64),
            "creator_id": ids,
            "merit": merit,
            "impressions": final,
            "eligible": eligible,
            "package_impressions": plan.per_creator,
            "package_agency_id": plan.agency_column(eligible),
        }
    )
    shares = engine.band_shares(final, followers, FOLLOWER_BAND_EDGES)
    gini_after = engine.gini(final[eligible]) if plan.total else result.gini
    results = {
        "gini_before": result.proportional_gini,
        "gini_after": gini_after,
        "gini_without_packages": result.gini,
        "package_impressions": plan.total,
        "package_share": plan.total / run.pool,
        "packages": plan.record,
        "distance": result.distance,
        "merit_retained": result.merit_retained,
        "low_level": result.low_level,
        "high_level": result.high_level,
        "band_shares": shares,
        "creators": int(ids.size),
        "status": AllocationRun.Status.SUCCEEDED,
        "progress": PROGRESS_DONE,
        "step": Step.DONE,
        "error": "",
        "finished_at": timezone.now(),
    }
    with transaction.atomic():
        bulk.load_frame(Allocation, frame)
        # Last, and only while this claim holds the run: taken over meanwhile, the rows roll
        # back; if not, the run's row stays locked until the commit, and a taker's claim waits
        # for it and finds the run finished. (The COPY locks the row only against key
        # changes, so the heartbeat goes on during a long write.)
        _renew(run, **results)


def allocation_run_publish(*, actor: Actor, run: AllocationRun) -> AllocationRun:
    """Make a succeeded run the published one (unpublishing the previous) and tell partners."""
    _require_operator(actor)
    with transaction.atomic():
        run = AllocationRun.objects.unscoped().select_for_update().get(pk=run.pk)
        if run.status != AllocationRun.Status.SUCCEEDED:
            raise ValidationError(
                _("Only a succeeded run can be published (this one is %(status)s).")
                % {"status": str(AllocationRun.Status(run.status).label).lower()}
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
