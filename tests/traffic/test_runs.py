import datetime

import numpy as np
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from creators.models import Creator, MetricSnapshot
from tenancy.models import AuditEvent
from tenancy.scoping import SYSTEM, Actor, acting_as
from tests.factories import (
    CreatorFactory,
    MetricSnapshotFactory,
    OrganizationFactory,
)
from traffic import services, tasks
from traffic.models import Allocation, AllocationRun
from traffic.services import (
    allocation_run_create,
    allocation_run_execute,
    allocation_run_publish,
    merit_of_creators,
)
from webhooks.models import WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db
AS_OF = datetime.date(2026, 3, 28)
POOL = 1_000_000


def operator_actor() -> Actor:
    org = OrganizationFactory(kind="operator")
    return Actor(user_id=None, organization_id=org.pk, organization_kind="operator", role="owner")


@pytest.fixture
def world():
    """50 creators with four weekly snapshots each; a few restricted, two suspended."""
    rng = np.random.default_rng(7)
    creators = []
    for i in range(50):
        status = "suspended" if i in (3, 17) else "restricted" if i in (5, 29) else "active"
        followers = int(rng.integers(1_000, 2_000_000))
        creator = CreatorFactory(followers=followers, status=status)
        views = int(rng.lognormal(11, 1.2))
        for week in range(4):
            MetricSnapshotFactory(
                creator=creator,
                date=AS_OF - datetime.timedelta(days=7 * (3 - week)),
                followers=followers + 500 * week * (i % 4),
                views=views,
                likes=views // (10 + i % 7),
                comments=views // 200,
                shares=views // 300,
            )
        creators.append(creator)
    return creators


def run_once(actor=SYSTEM, **params) -> AllocationRun:
    params = {"pool": POOL, "target_gini": 0.4, **params}
    with acting_as(actor):
        run = allocation_run_create(actor=actor, as_of=AS_OF, **params)
        return allocation_run_execute(actor=actor, run_id=run.pk)


def impressions_of(run) -> dict[int, int]:
    return dict(
        Allocation.objects.unscoped().filter(run=run).values_list("creator_id", "impressions")
    )


def test_merit_follows_the_documented_formula(world):
    ids, merit, eligible, followers = merit_of_creators(as_of=AS_OF)
    assert list(ids) == sorted(c.pk for c in world)
    creator = world[1]  # active, growth from i % 4 == 1
    snaps = list(MetricSnapshot.objects.unscoped().filter(creator=creator).order_by("date"))
    views = sum(s.views for s in snaps)
    rate = sum(s.likes + s.comments + s.shares for s in snaps) / views
    growth = (snaps[-1].followers - snaps[0].followers) / snaps[0].followers
    expected = views * (1 + services.ENGAGEMENT_WEIGHT * rate) * (1 + growth)
    position = list(ids).index(creator.pk)
    assert merit[position] == pytest.approx(expected)
    assert followers[position] == creator.followers
    suspended = [list(ids).index(world[i].pk) for i in (3, 17)]
    assert not eligible[suspended].any() and eligible.sum() == 48


def test_restricted_merit_is_halved_and_adjustment_hooks_apply(world, monkeypatch):
    restricted = world[5]
    _, before, _, _ = merit_of_creators(as_of=AS_OF)
    Creator.objects.unscoped().filter(pk=restricted.pk).update(status="active")
    ids, after, _, _ = merit_of_creators(as_of=AS_OF)
    position = list(ids).index(restricted.pk)
    assert before[position] == pytest.approx(after[position] / 2)

    def exclude_first(*, as_of, creator_ids, merit, eligible):
        eligible = eligible.copy()
        eligible[0] = False
        return merit, eligible

    monkeypatch.setattr(services, "MERIT_ADJUSTMENTS", [exclude_first])
    _, _, eligible, _ = merit_of_creators(as_of=AS_OF)
    assert not eligible[0]


def test_a_run_succeeds_and_meets_the_target(world):
    run = run_once()
    assert run.status == "succeeded" and run.progress == 100 and run.error == ""
    assert run.creators == 50 and len(run.params_hash) == 64
    impressions = impressions_of(run)
    assert sum(impressions.values()) == POOL
    tolerance = 48 / (2 * POOL)
    assert run.gini_after <= 0.4 + tolerance
    assert run.gini_before > run.gini_after
    assert 0 < run.distance < 1 and 0 < run.merit_retained <= 1
    assert impressions[world[3].pk] == impressions[world[17].pk] == 0
    assert set(run.band_shares) == {"<10k", "10k-100k", "100k-1M", ">=1M"}
    assert sum(run.band_shares.values()) == pytest.approx(1)
    assert AuditEvent.objects.unscoped().filter(action="traffic.run_created").count() == 1


def test_same_params_and_data_give_identical_allocations(world):
    first, second = run_once(floor=100), run_once(floor=100)
    assert first.pk != second.pk and first.params_hash == second.params_hash
    assert impressions_of(first) == impressions_of(second)
    assert first.gini_after == second.gini_after
    third = run_once(floor=101)
    assert third.params_hash != first.params_hash


@pytest.mark.parametrize("status", ["running", "succeeded", "failed"])
def test_a_redelivered_execute_does_nothing(world, status):
    with acting_as(SYSTEM):
        run = allocation_run_create(actor=SYSTEM, pool=POOL, target_gini=0.4, as_of=AS_OF)
    AllocationRun.objects.unscoped().filter(pk=run.pk).update(status=status, progress=33)
    with acting_as(SYSTEM):
        again = allocation_run_execute(actor=SYSTEM, run_id=run.pk)
    assert again.status == status and again.progress == 33
    assert not Allocation.objects.unscoped().exists()


def test_executing_twice_writes_once(world):
    run = run_once()
    with acting_as(SYSTEM):
        allocation_run_execute(actor=SYSTEM, run_id=run.pk)
    assert Allocation.objects.unscoped().filter(run=run).count() == 50


def became_infeasible() -> AllocationRun:
    """A run created feasible (48 eligible × 20,000 ≤ POOL) whose floors no longer fit when it
    executes, because three creators joined in between: the engine fails it."""
    with acting_as(SYSTEM):
        run = allocation_run_create(actor=SYSTEM, pool=POOL, target_gini=0.4, floor=20_000)
    CreatorFactory.create_batch(3)
    with acting_as(SYSTEM):
        return allocation_run_execute(actor=SYSTEM, run_id=run.pk)


def test_an_infeasible_request_is_refused_before_anything_is_written(world):
    with acting_as(SYSTEM), pytest.raises(ValidationError, match="floors exceed the pool"):
        allocation_run_create(actor=SYSTEM, pool=POOL, target_gini=0.4, floor=POOL)
    assert not AllocationRun.objects.unscoped().exists()


def test_a_run_infeasible_by_execution_fails_with_the_message_and_writes_nothing(world):
    run = became_infeasible()
    assert run.status == "failed"
    assert "floors exceed the pool" in run.error
    assert run.gini_after is None and not Allocation.objects.unscoped().exists()


def test_a_crash_mid_write_rolls_back_and_a_rerun_works(world, monkeypatch):
    real = services.bulk.load_frame

    def crash(model, frame, **kwargs):
        real(model, frame.iloc[:10], **kwargs)  # half written, then the worker dies
        raise RuntimeError("disk full")

    monkeypatch.setattr(services.bulk, "load_frame", crash)
    with acting_as(SYSTEM):
        run = allocation_run_create(actor=SYSTEM, pool=POOL, target_gini=0.4, as_of=AS_OF)
    with pytest.raises(RuntimeError, match="disk full"):
        tasks.allocation_run_execute.delay(actor=SYSTEM.to_dict(), run_id=run.pk)
    run.refresh_from_db()
    assert run.status == "failed" and "disk full" in run.error
    assert run.gini_after is None and not Allocation.objects.unscoped().exists()

    monkeypatch.setattr(services.bulk, "load_frame", real)
    rerun = run_once()
    assert rerun.status == "succeeded" and sum(impressions_of(rerun).values()) == POOL


def test_the_task_runs_a_pending_run(world):
    with acting_as(SYSTEM):
        run = allocation_run_create(actor=SYSTEM, pool=POOL, target_gini=0.3, as_of=AS_OF)
    tasks.allocation_run_execute.delay(actor=SYSTEM.to_dict(), run_id=run.pk)
    run.refresh_from_db()
    assert run.status == "succeeded" and run.gini_after <= 0.3 + 48 / (2 * POOL)


def test_an_operator_may_run_and_a_tenant_may_not(world):
    assert run_once(actor=operator_actor()).status == "succeeded"
    brand = OrganizationFactory(kind="brand")
    outsider = Actor(
        user_id=None, organization_id=brand.pk, organization_kind="brand", role="owner"
    )
    with acting_as(outsider), pytest.raises(PermissionDenied):
        allocation_run_create(actor=outsider, pool=POOL, target_gini=0.4)
    with acting_as(outsider), pytest.raises(PermissionDenied):
        allocation_run_execute(actor=outsider, run_id=AllocationRun.objects.unscoped().get().pk)
    assert AllocationRun.objects.unscoped().count() == 1


@pytest.mark.parametrize(
    "params, field",
    [
        ({"pool": 0}, "pool"),
        ({"pool": True}, "pool"),
        ({"target_gini": 1.5}, "target_gini"),
        ({"floor": -1}, "floor"),
        ({"floor": 10, "cap": 5}, "cap"),
    ],
)
def test_bad_parameters_are_refused(params, field):
    with acting_as(SYSTEM), pytest.raises(ValidationError) as caught:
        allocation_run_create(actor=SYSTEM, **{"pool": POOL, "target_gini": 0.4, **params})
    assert field in caught.value.message_dict
    assert not AllocationRun.objects.unscoped().exists()


def test_publish_emits_and_unpublishes_the_previous(world, monkeypatch):
    partner, brand = OrganizationFactory(kind="partner"), OrganizationFactory(kind="brand")
    emitted = []
    monkeypatch.setattr(services, "webhook_emit", lambda **kwargs: emitted.append(kwargs))
    first, second = run_once(), run_once(target_gini=0.3)
    with acting_as(SYSTEM):
        allocation_run_publish(actor=SYSTEM, run=first)
        allocation_run_publish(actor=SYSTEM, run=second)
    first.refresh_from_db(), second.refresh_from_db()
    assert not first.published and second.published and second.published_at
    assert [e["event"] for e in emitted] == ["traffic.run_published"] * 2
    assert (
        emitted[-1]["organization_ids"] == [partner.pk]
        and brand.pk not in emitted[-1]["organization_ids"]
    )
    assert emitted[-1]["data"]["run_id"] == second.pk
    assert AuditEvent.objects.unscoped().filter(action="traffic.run_published").count() == 2


def test_publish_queues_a_delivery_for_subscribed_partners_only(world):
    partner, brand = OrganizationFactory(kind="partner"), OrganizationFactory(kind="brand")
    for org in (partner, brand):
        WebhookEndpoint.objects.unscoped().create(
            organization=org,
            url="https://hooks.example.com/olive",
            events=["traffic.run_published"],
            secret="s" * 32,
        )
    run = run_once()
    with acting_as(SYSTEM):
        allocation_run_publish(actor=SYSTEM, run=run)
    delivery = WebhookDelivery.objects.unscoped().get()
    assert delivery.organization_id == partner.pk and delivery.event == "traffic.run_published"


def test_only_a_succeeded_run_can_be_published(world):
    failed = became_infeasible()
    with acting_as(SYSTEM), pytest.raises(ValidationError, match="succeeded"):
        allocation_run_publish(actor=SYSTEM, run=failed)
    failed.refresh_from_db()
    assert not failed.published
    assert not WebhookDelivery.objects.unscoped().exists()


def test_the_command_prints_the_four_figures(world, capsys):
    call_command(
        "allocate_traffic",
        "--pool",
        str(POOL),
        "--target-gini",
        "0.35",
        "--as-of",
        AS_OF.isoformat(),
    )
    lines = capsys.readouterr().out.strip().splitlines()
    run = AllocationRun.objects.unscoped().get()
    assert lines[0] == f"run: {run.pk}"
    assert [line.split(":")[0] for line in lines[1:]] == [
        "gini before",
        "gini after",
        "distance from proportional",
        "merit retained",
        "traffic packages",
    ]
    assert lines[5] == "traffic packages: 0 (0.0% of the pool)"  # no certification cycle
    assert float(lines[2].split(":")[1]) == pytest.approx(run.gini_after, abs=1e-4)


@pytest.mark.parametrize(
    "args",
    [
        ["--pool", "lots", "--target-gini", "0.3"],
        ["--pool", "-5", "--target-gini", "0.3"],
        ["--pool", "1000", "--target-gini", "2"],
        ["--pool", "1000", "--target-gini", "0.3", "--floor", "10", "--cap", "1"],
    ],
)
def test_the_command_exits_2_on_bad_input(args, capsys):
    with pytest.raises(SystemExit) as exited:
        call_command("allocate_traffic", *args)
    assert exited.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error:") and len(err.splitlines()) == 1
    assert not AllocationRun.objects.unscoped().exists()


def test_the_command_exits_2_when_the_run_is_infeasible(world, capsys):
    with pytest.raises(SystemExit) as exited:
        call_command(
            "allocate_traffic",
            "--pool",
            "10",
            "--target-gini",
            "0.3",
            "--floor",
            "1",
            "--as-of",
            AS_OF.isoformat(),
        )
    assert exited.value.code == 2
    assert "floors exceed the pool" in capsys.readouterr().err


def test_a_run_whose_worker_died_is_resumed_and_matches_a_fresh_run(
    django_capture_on_commit_callbacks,
):
    """A worker killed mid-run leaves the run 'running' with no rows (the write is atomic);
    after the lease the beat job re-enqueues it and it ends identical to a fresh run."""
    from datetime import timedelta

    from django.utils import timezone

    from traffic.services import RUN_LEASE
    from traffic.tasks import allocation_runs_resume

    for day in range(3):
        MetricSnapshotFactory.create_batch(
            5, date=datetime.date.today() - datetime.timedelta(days=day * 7 + 1)
        )
    with acting_as(SYSTEM):
        lost = allocation_run_create(actor=SYSTEM, pool=50_000, target_gini=0.3)
        AllocationRun.objects.unscoped().filter(pk=lost.pk).update(
            status="running",
            claims=1,
            started_at=timezone.now() - timedelta(minutes=5),
            heartbeat_at=timezone.now() - timedelta(seconds=5),
        )
        assert allocation_runs_resume(actor=SYSTEM.to_dict()) == 0  # still within its lease
        AllocationRun.objects.unscoped().filter(pk=lost.pk).update(
            heartbeat_at=timezone.now() - RUN_LEASE - timedelta(seconds=1)
        )
        with django_capture_on_commit_callbacks(execute=True):
            assert allocation_runs_resume(actor=SYSTEM.to_dict()) == 1
        fresh = allocation_run_create(actor=SYSTEM, pool=50_000, target_gini=0.3)
        allocation_run_execute(actor=SYSTEM, run_id=fresh.pk)

    def rows(run_id):
        return list(
            Allocation.objects.unscoped()
            .filter(run_id=run_id)
            .order_by("creator_id")
            .values_list("creator_id", "impressions")
        )

    assert AllocationRun.objects.unscoped().get(pk=lost.pk).status == "succeeded"
    assert rows(lost.pk) == rows(fresh.pk) and rows(lost.pk)
