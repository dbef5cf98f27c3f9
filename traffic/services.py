"""Writes of the traffic app: merit, allocation runs, publishing.

Runs belong to the platform operator. The flow is ``allocation_run_create`` (pending row; the
caller enqueues ``traffic.tasks.allocation_run_execute`` after commit), then
``allocation_run_execute`` (claims, computes, writes every row in one transaction), then
``allocation_run_publish`` (makes the run the active one and tells the partners).

Merit
-----
From the ``MetricSnapshot`` rows of the ``MERIT_WINDOW_DAYS`` days up to and including ``as_of``,
per creator:

* ``views`` V = Σ views, ``engagement`` E = Σ (likes + comments + shares)
* engagement rate ``er = E / max(V, 1)``
* growth ``g = (followers_last − followers_first) / max(followers_first, 1)`` (first and last
  snapshot in the window), clipped to [GROWTH_MIN, GROWTH_MAX]
* ``merit = V · (1 + ENGAGEMENT_WEIGHT · er) · (1 + GROWTH_WEIGHT · g)``

That is, views weighted up by engagement quality and audience growth. Merit is never negative
(g ≥ −0.5 with weight 1). A creator without snapshots in the window has merit 0 (the engine may
still give it the floor). Suspended creators are ineligible (0 impressions); restricted ones
are eligible with their merit halved. Then every callable in ``MERIT_ADJUSTMENTS`` runs in order.
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
from tenancy import roles
from tenancy.models import Organization
from tenancy.scoping import Actor
from tenancy.services import audit_event_record
from tenancy.tasking import enqueue
from webhooks.services import webhook_emit

from . import engine
from .models import Allocation, AllocationRun

MERIT_WINDOW_DAYS = 28
ENGAGEMENT_WEIGHT = 5.0
GROWTH_WEIGHT = 1.0
GROWTH_MIN, GROWTH_MAX = -0.5, 1.0
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
    """Per creator with snapshots in the 28-day window: views, engagement, engagement ``rate``,
    ``growth`` (clipped) and ``merit`` before status and hooks; indexed by creator id.

    ``creator_ids`` narrows the read (the creator portal explains one creator's line).
    """
    start = as_of - timedelta(days=MERIT_WINDOW_DAYS - 1)
    rows = MetricSnapshot.objects.unscoped().filter(date__gte=start, date__lte=as_of)
    if creator_ids is not None:
        rows = rows.filter(creator_id__in=list(creator_ids))
    columns = ["creator_id", "date", "followers", "views", "likes", "comments", "shares"]
    snaps = pd.DataFrame(list(rows.values_list(*columns)), columns=columns)
    if snaps.empty:
        return pd.DataFrame(columns=["views", "engagement", "rate", "growth", "merit"])
    snaps = snaps.sort_values(["creator_id", "date"], kind="stable")
    snaps["engagement"] = snaps["likes"] + snaps["comments"] + snaps["shares"]
    grouped = snaps.groupby("creator_id", sort=True)
    per = pd.DataFrame(
        {
            "views": grouped["views"].sum().astype(np.float64),
            "engagement": grouped["engagement"].sum().astype(np.float64),
        }
    )
    first = grouped["followers"].first().astype(np.float64)
    last = grouped["followers"].last().astype(np.float64)
    per["rate"] = per["engagement"] / np.maximum(per["views"], 1.0)
    per["growth"] = ((last - first) / np.maximum(first, 1.0)).clip(GROWTH_MIN, GROWTH_MAX)
    per["merit"] = (
        per["views"] * (1 + ENGAGEMENT_WEIGHT * per["rate"]) * (1 + GROWTH_WEIGHT * per["growth"])
    )
    return per


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
    status = creators["status"].to_numpy()
    eligible = status != Creator.Status.SUSPENDED
    merit = np.where(status == Creator.Status.RESTRICTED, merit * RESTRICTED_FACTOR, merit)
    for adjust in MERIT_ADJUSTMENTS:
        merit, eligible = adjust(as_of=as_of, creator_ids=ids, merit=merit, eligible=eligible)
        merit = np.asarray(merit, dtype=np.float64)
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


def _execute(run: AllocationRun, heartbeat: _Heartbeat) -> None:
    ids, merit, eligible, followers = merit_of_creators(as_of=run.as_of)
    heartbeat.check()
    run.params_hash = params_hash(run, ids, merit, eligible, followers)
    _progress(run, PROGRESS_MERIT, Step.ALLOCATING, params_hash=run.params_hash)
    try:
        if ids.size == 0:
            raise engine.InfeasibleAllocation("no creators to allocate to")
        result = engine.allocate(
            merit, run.pool, run.target_gini, floor=run.floor, cap=run.cap, eligible=eligible
        )
    except ValueError as error:  # InfeasibleAllocation is a ValueError
        heartbeat.check()
        allocation_run_fail(run_id=run.pk, error=str(error), claim=run.claims)
        return
    heartbeat.check()
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
    results = {
        "gini_before": result.proportional_gini,
        "gini_after": result.gini,
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
