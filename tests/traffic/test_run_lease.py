"""The lease of a running allocation run: a heartbeat the executing worker renews, a takeover
once it is stale, and no success reported for a run a task did not finish (issue 10, finding
6: a redelivered task found the run "running", answered "succeeded" and was acknowledged, so a
killed worker stalled the run until a 31-minute lease ran out, or forever without beat)."""

import threading
import time
from datetime import timedelta

import pytest
from celery.canvas import Signature
from celery.exceptions import Retry
from django.utils import timezone

from tenancy.scoping import SYSTEM, acting_as
from tests.factories import CreatorFactory, MetricSnapshotFactory
from tests.traffic.test_runs import AS_OF, POOL, impressions_of, run_once
from traffic import services, tasks
from traffic.models import Allocation, AllocationRun

pytestmark = pytest.mark.django_db
CREATORS = 20


@pytest.fixture
def world():
    """``CREATORS`` creators with four weekly snapshots up to ``AS_OF``, one suspended."""
    for i in range(CREATORS):
        creator = CreatorFactory(
            followers=5_000 + 7_919 * i, status="suspended" if i == 3 else "active"
        )
        for week in range(4):
            MetricSnapshotFactory(
                creator=creator,
                date=AS_OF - timedelta(days=7 * (3 - week)),
                followers=creator.followers + 100 * week * (i % 3),
                views=1_000 + 337 * i,
                likes=50 + i,
            )


def new_run() -> AllocationRun:
    with acting_as(SYSTEM):
        return services.allocation_run_create(actor=SYSTEM, pool=POOL, target_gini=0.4, as_of=AS_OF)


def held(run: AllocationRun, *, heartbeat_age: timedelta, claims: int = 1) -> AllocationRun:
    """``run`` as a worker left it mid-way: running, its last heartbeat ``heartbeat_age`` ago."""
    now = timezone.now()
    AllocationRun.objects.unscoped().filter(pk=run.pk).update(
        status="running",
        step="allocating",
        progress=50,
        claims=claims,
        started_at=now - heartbeat_age - timedelta(seconds=5),
        heartbeat_at=now - heartbeat_age,
    )
    run.refresh_from_db()
    return run


def execute(run: AllocationRun) -> AllocationRun:
    with acting_as(SYSTEM):
        return services.allocation_run_execute(actor=SYSTEM, run_id=run.pk)


STALE = services.RUN_LEASE + timedelta(seconds=1)
FRESH = timedelta(seconds=1)


def test_the_lease_is_a_minute_or_two_and_beat_looks_every_minute(settings):
    """The production bound on a lost run: its lease runs out, then the next beat tick."""
    assert timedelta(minutes=1) <= services.RUN_LEASE <= timedelta(minutes=2)
    [entry] = [
        entry
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == "traffic.allocation_runs_resume"
    ]
    assert entry["schedule"] <= 60
    assert services.RUN_LEASE.total_seconds() + entry["schedule"] < 3 * 60


def test_a_run_held_with_a_fresh_heartbeat_is_left_alone(world):
    run = held(new_run(), heartbeat_age=FRESH)
    again = execute(run)
    assert (again.status, again.progress, again.claims) == ("running", 50, 1)
    assert not Allocation.objects.unscoped().exists()
    assert services.stale_runs() == []


def test_a_stale_run_is_taken_over_and_ends_identical_to_a_fresh_run(world):
    run = held(new_run(), heartbeat_age=STALE)
    taken = execute(run)
    assert (taken.status, taken.progress, taken.claims) == ("succeeded", 100, 2)
    fresh = run_once()
    assert taken.params_hash == fresh.params_hash
    assert impressions_of(taken) == impressions_of(fresh) and len(impressions_of(taken)) == CREATORS
    assert Allocation.objects.unscoped().filter(run=taken).count() == CREATORS


def test_the_beat_job_goes_by_the_heartbeat_not_the_start(
    world, django_capture_on_commit_callbacks
):
    """A long run started an hour ago with a fresh heartbeat is alive; a run whose heartbeat
    is older than the lease is lost, however recently it started."""
    alive = held(new_run(), heartbeat_age=FRESH)
    AllocationRun.objects.unscoped().filter(pk=alive.pk).update(
        started_at=timezone.now() - timedelta(hours=1)
    )
    lost = held(new_run(), heartbeat_age=STALE)
    assert services.stale_runs() == [lost.pk]
    with acting_as(SYSTEM), django_capture_on_commit_callbacks(execute=True):
        assert tasks.allocation_runs_resume(actor=SYSTEM.to_dict()) == 1
    lost.refresh_from_db()
    alive.refresh_from_db()
    assert (lost.status, lost.claims) == ("succeeded", 2)
    assert (alive.status, alive.claims) == ("running", 1)


def test_a_worker_that_lost_its_lease_writes_nothing(world, monkeypatch):
    """The first worker stalls past its lease (a pause, a partition); a second one takes the
    run over. When the first wakes up it must not write its rows nor mark the run."""
    real = services.engine.allocate

    def stalls_and_is_taken_over(*args, **kwargs):
        result = real(*args, **kwargs)
        AllocationRun.objects.unscoped().filter(pk=run.pk).update(
            heartbeat_at=timezone.now() - STALE
        )
        assert services._claim(run.pk) == 2  # what the second worker's claim does
        return result

    monkeypatch.setattr(services.engine, "allocate", stalls_and_is_taken_over)
    run = new_run()
    after = execute(run)
    assert (after.status, after.claims, after.progress) == ("running", 2, 10)
    assert not Allocation.objects.unscoped().exists()
    # Nor may it fail the run it no longer holds.
    services.allocation_run_fail(run_id=run.pk, error="late crash", claim=1)
    after.refresh_from_db()
    assert (after.status, after.error) == ("running", "")


def test_a_run_lost_again_and_again_is_failed_not_retried_forever(world):
    run = held(new_run(), heartbeat_age=STALE, claims=services.RUN_MAX_CLAIMS)
    after = execute(run)
    assert after.status == "failed" and after.finished_at is not None
    assert f"lost its worker {services.RUN_MAX_CLAIMS} times" in after.error
    assert not Allocation.objects.unscoped().exists()


def test_the_task_does_not_report_success_for_a_run_it_did_not_finish(world, monkeypatch):
    """A redelivered copy that finds the run held must not be acknowledged as done: it retries
    once the holder's lease would have run out, and then takes over or finds it finished."""
    run = held(new_run(), heartbeat_age=timedelta(seconds=30))
    sent = []
    monkeypatch.setattr(Signature, "apply_async", lambda self, *a, **kw: sent.append(self))
    task = tasks.allocation_run_execute
    kwargs = {"actor": SYSTEM.to_dict(), "run_id": run.pk}
    # As a worker runs a message (not eagerly, not called directly).
    task.push_request(id="redelivered", called_directly=False, retries=0, kwargs=kwargs)
    try:
        with pytest.raises(Retry) as retry:
            task.run(**kwargs)
    finally:
        task.pop_request()
    remaining = (services.RUN_LEASE - timedelta(seconds=30)).total_seconds()
    assert remaining < retry.value.when <= remaining + 5
    [again] = sent
    assert again.kwargs == kwargs and again.options["task_id"] == "redelivered"
    run.refresh_from_db()
    assert (run.status, run.claims) == ("running", 1)


def test_embedded_the_task_says_the_run_is_held_without_looping(world):
    run = held(new_run(), heartbeat_age=FRESH)
    result = tasks.allocation_run_execute.delay(actor=SYSTEM.to_dict(), run_id=run.pk)
    assert result.get() == "running"


def test_a_finished_run_is_done_for_a_redelivered_task(world):
    run = run_once()
    result = tasks.allocation_run_execute.delay(actor=SYSTEM.to_dict(), run_id=run.pk)
    assert result.get() == "succeeded"
    assert Allocation.objects.unscoped().filter(run=run).count() == CREATORS


# --- With real concurrency (committed rows, a connection per thread) ---------------------------


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_thread_keeps_a_long_step_alive_and_stops(world, monkeypatch):
    """The engine is pure numpy: one step may run for minutes with no progress write. A thread
    of its own renews the heartbeat meanwhile, so the run is never taken for lost; it closes
    its own database connection and stops with the run. (Beats are counted, not timed: the
    suite also runs with the clock frozen.)"""
    monkeypatch.setattr(services, "RUN_LEASE", timedelta(seconds=0.6))  # a beat every 0.1 s
    real_allocate, real_held, real_close = (
        services.engine.allocate,
        services._held,
        services.connections.close_all,
    )
    beats, closed, seen = [], [], {}

    def held_counting(run_id, claim):
        if threading.current_thread().name.startswith("allocation-run-"):
            beats.append(run_id)
        return real_held(run_id, claim)

    def close_all_recording():
        closed.append(threading.current_thread().name)
        real_close()

    def long_step(*args, **kwargs):
        time.sleep(1.5)  # 2.5 leases without a progress write
        seen["beats"], seen["stale"] = len(beats), services.stale_runs()
        return real_allocate(*args, **kwargs)

    monkeypatch.setattr(services, "_held", held_counting)
    monkeypatch.setattr(services.connections, "close_all", close_all_recording)
    monkeypatch.setattr(services.engine, "allocate", long_step)
    before = set(threading.enumerate())
    run = run_once()
    assert run.status == "succeeded" and run.claims == 1
    assert seen["beats"] >= 5 and seen["stale"] == []
    assert set(threading.enumerate()) <= before  # the heartbeat thread has stopped
    # Only the heartbeat thread closes connections (its own). It may close them more than once:
    # a beat that met a busy database (SQLite's table lock, under load) reconnects at the next.
    assert set(closed) == {f"allocation-run-{run.pk}-heartbeat"}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_takers_of_a_stale_run_cannot_both_win(world):
    """Both see the stale heartbeat; the second's conditional update waits for the first's
    row lock, then finds the heartbeat fresh and claims nothing."""
    run = held(new_run(), heartbeat_age=STALE)
    first_claimed, results = threading.Event(), {}

    def taker(name, hold_s):
        from django.db import connections, transaction

        try:
            with transaction.atomic():
                results[name] = services._claim(run.pk)
                first_claimed.set()
                time.sleep(hold_s)  # the row stays locked until this commit
        finally:
            connections.close_all()

    one = threading.Thread(target=taker, args=("one", 0.5))
    one.start()
    assert first_claimed.wait(10)
    two = threading.Thread(target=taker, args=("two", 0))
    two.start()
    one.join(10)
    two.join(10)
    assert results == {"one": 2, "two": None}
    run.refresh_from_db()
    assert (run.status, run.claims) == ("running", 2)
