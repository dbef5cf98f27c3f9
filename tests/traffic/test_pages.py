"""Operator traffic pages (runs, results, status, CSV, publish) and the creator's traffic panel."""

import csv
import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from creators.models import MetricSnapshot
from tenancy.models import AuditEvent, Membership
from tenancy.scoping import SYSTEM, acting_as
from tests.factories import (
    CreatorFactory,
    MembershipFactory,
    OrganizationFactory,
    UserFactory,
)
from tests.ui.charts import figures
from traffic.models import Allocation, AllocationRun
from traffic.services import allocation_run_create, allocation_run_execute, allocation_run_publish

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
TODAY = timezone.localdate()
FORM = {"pool": "1000000", "target_gini": "0.3", "floor": "100", "cap": ""}


def new_run(user) -> AllocationRun:
    return AllocationRun.objects.unscoped().create(
        pool=10, target_gini=0.3, as_of=TODAY, created_by=user
    )


def client_of(kind: str, role: str = "owner") -> Client:
    user = MembershipFactory(organization=OrganizationFactory(kind=kind), role=role).user
    client = Client()
    client.force_login(user)
    return client


def creator_client(creator) -> Client:
    user = UserFactory()
    creator.user = user
    creator.save(update_fields=["user"])
    client = Client()
    client.force_login(user)
    return client


def start_run(client, django_capture_on_commit_callbacks, data=FORM):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/operator/traffic/", data)
    return response


def run_directly(**params) -> AllocationRun:
    params = {"pool": 1_000_000, "target_gini": 0.3, "floor": 100, **params}
    with acting_as(SYSTEM):
        run = allocation_run_create(actor=SYSTEM, **params)
        return allocation_run_execute(actor=SYSTEM, run_id=run.pk)


def test_operator_starts_a_run_through_the_form(
    operator, world, django_capture_on_commit_callbacks
):
    response = start_run(operator, django_capture_on_commit_callbacks)
    run = AllocationRun.objects.unscoped().get()
    assert response.status_code == 302 and response["Location"] == f"/operator/traffic/{run.pk}/"
    assert run.status == "succeeded" and run.creators == len(world)
    assert run.floor == 100 and run.cap is None and run.pool == 1_000_000
    page = operator.get(response["Location"]).content.decode()
    for figure in ("gini_before", "gini_after", "distance", "merit_retained"):
        assert f'data-figure="{figure}"' in page
    assert f"{run.gini_after:.3f}" in page and f"{run.gini_before:.3f}" in page
    (lorenz,) = [f for f in figures(page) if f["data"][0].get("name") == "Equality"]
    assert "Lorenz curves" in page and len(lorenz["data"]) == 3  # equality, before, after
    assert lorenz["data"][2]["x"][0] == 0.0 and lorenz["data"][2]["y"][-1] == 100.0
    assert 'id="lorenz-points"' in page
    assert "Head (≥1M followers)" in page and "Tail (&lt;10k)" in page
    assert 'id="gainers"' in page and 'id="losers"' in page
    assert f"/operator/traffic/{run.pk}/allocations.csv" in page
    assert "Publish this run" in page
    assert "hx-trigger" not in page  # finished: nothing polls
    listing = operator.get("/operator/traffic/").content.decode()
    assert f"/operator/traffic/{run.pk}/" in listing


@pytest.mark.parametrize(
    "bad",
    [
        {"pool": "0"},
        {"pool": "abc"},
        {"target_gini": "1.5"},
        {"floor": "-1"},
        {"floor": "500", "cap": "100"},
    ],
)
def test_bad_form_input_creates_nothing(operator, world, bad, django_capture_on_commit_callbacks):
    response = start_run(operator, django_capture_on_commit_callbacks, {**FORM, **bad})
    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()
    assert (
        not AllocationRun.objects.unscoped().exists() and not Allocation.objects.unscoped().exists()
    )


def test_status_partial_polls_until_finished(operator, world):
    with acting_as(SYSTEM):
        run = allocation_run_create(actor=SYSTEM, pool=1000, target_gini=0.3)
    page = operator.get(f"/operator/traffic/{run.pk}/").content.decode()
    assert f'hx-get="/operator/traffic/{run.pk}/status/"' in page and "every 1s" in page
    partial = operator.get(f"/operator/traffic/{run.pk}/status/", **HTMX)
    assert partial.status_code == 200 and "every 1s" in partial.content.decode()
    assert "HX-Refresh" not in partial
    with acting_as(SYSTEM):
        allocation_run_execute(actor=SYSTEM, run_id=run.pk)
    done = operator.get(f"/operator/traffic/{run.pk}/status/", **HTMX)
    assert "hx-trigger" not in done.content.decode() and done["HX-Refresh"] == "true"


def test_failed_run_shows_its_error(operator, world):
    with acting_as(SYSTEM):  # 11 eligible × 5 ≤ 55; then a twelfth eligible creator joins
        run = allocation_run_create(actor=SYSTEM, pool=55, target_gini=0.3, floor=5)
    CreatorFactory()
    with acting_as(SYSTEM):
        run = allocation_run_execute(actor=SYSTEM, run_id=run.pk)
    assert run.status == "failed"
    page = operator.get(f"/operator/traffic/{run.pk}/").content.decode()
    assert "The run failed" in page and "hx-trigger" not in page


def test_csv_has_one_row_per_creator(operator, world):
    run = run_directly()
    response = operator.get(f"/operator/traffic/{run.pk}/allocations.csv")
    assert response.status_code == 200 and response.streaming
    body = b"".join(response.streaming_content).decode()
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0] == [
        "creator",
        "followers",
        "merit",
        "impressions",
        "proportional_impressions",
        "eligible",
        "package_impressions",
    ]
    assert sorted(r[0] for r in rows[1:]) == sorted(c.handle for c in world)
    suspended = next(r for r in rows[1:] if r[0] == world[11].handle)
    assert suspended[3] == "0" and suspended[5] == "False"
    assert sum(int(r[3]) for r in rows[1:]) == run.pool
    assert sum(float(r[4]) for r in rows[1:]) == pytest.approx(run.pool, rel=1e-6)


def test_csv_streams_every_row_inside_the_operators_actor(operator, world, monkeypatch):
    """The body is read after the view returned; a row that needs a scoped query still works.

    Each row asks a tenant-scoped manager (memberships of the acting organization), as a lazy
    selector may; outside the actor that raises NoActorError mid-stream.
    """
    from traffic import views

    real_rows, scoped_counts = views.run_csv_rows, []

    def rows_with_a_scoped_query(*, actor, run):
        for row in real_rows(actor=actor, run=run):
            scoped_counts.append(Membership.objects.count())
            yield row

    monkeypatch.setattr(views, "run_csv_rows", rows_with_a_scoped_query)
    run = run_directly()
    response = operator.get(f"/operator/traffic/{run.pk}/allocations.csv")
    assert response.status_code == 200 and response.streaming
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert sorted(r[0] for r in rows[1:]) == sorted(c.handle for c in world)
    assert scoped_counts == [1] * len(world)  # the operator organization's one membership


def test_publish_works_and_is_audited(operator, world):
    run = run_directly()
    response = operator.post(f"/operator/traffic/{run.pk}/publish/")
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.published
    actions = AuditEvent.objects.unscoped().values_list("action", flat=True)
    assert "traffic.run_published" in actions
    assert "Publish this run" not in operator.get(f"/operator/traffic/{run.pk}/").content.decode()


def test_viewer_cannot_start_or_publish(world, django_capture_on_commit_callbacks):
    viewer = client_of("operator", role="viewer")
    run = run_directly()
    assert start_run(viewer, django_capture_on_commit_callbacks).status_code == 403
    assert viewer.post(f"/operator/traffic/{run.pk}/publish/").status_code == 403
    assert (
        AllocationRun.objects.unscoped().count() == 1
        and not AllocationRun.objects.unscoped().get().published
    )


@pytest.mark.parametrize("kind", ["brand", "agency"])
def test_other_tenants_get_404_everywhere(kind, world, django_capture_on_commit_callbacks):
    run = run_directly()
    client = client_of(kind)
    base = f"/operator/traffic/{run.pk}"
    for path in ("/operator/traffic/", f"{base}/", f"{base}/status/", f"{base}/allocations.csv"):
        assert client.get(path).status_code == 404, path
    assert client.post(f"{base}/publish/").status_code == 404
    assert start_run(client, django_capture_on_commit_callbacks).status_code == 404
    assert (
        AllocationRun.objects.unscoped().count() == 1
        and not AllocationRun.objects.unscoped().get().published
    )
    assert client.get("/portal/traffic/").status_code == 404


def test_creator_cannot_open_operator_pages(world):
    run = run_directly()
    client = creator_client(world[0])
    assert client.get("/operator/traffic/").status_code == 404
    assert client.get(f"/operator/traffic/{run.pk}/allocations.csv").status_code == 404


def test_signed_out_goes_to_login():
    for path in ("/operator/traffic/", "/operator/traffic/1/", "/portal/traffic/"):
        response = Client().get(path)
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_runs_list_query_count_is_bounded(operator):
    user = UserFactory()
    with acting_as(SYSTEM):
        for _ in range(3):
            AllocationRun.objects.unscoped().create(
                pool=10, target_gini=0.3, as_of=TODAY, created_by=user
            )
    with CaptureQueriesContext(connection) as three:
        assert operator.get("/operator/traffic/").status_code == 200
    with acting_as(SYSTEM):
        for _ in range(17):
            AllocationRun.objects.unscoped().create(
                pool=10, target_gini=0.3, as_of=TODAY, created_by=user
            )
    with CaptureQueriesContext(connection) as twenty:
        page = operator.get("/operator/traffic/").content.decode()
    assert "20 runs" in page
    assert len(twenty) == len(three)


def test_creator_sees_empty_state_without_published_run(world):
    run_directly()  # succeeded, not published
    client = creator_client(world[0])
    page = client.get("/portal/traffic/").content.decode()
    assert "No traffic allocation has been published yet." in page


def test_creator_sees_its_own_traffic_and_nobody_elses(world):
    run = run_directly()
    with acting_as(SYSTEM):
        allocation_run_publish(actor=SYSTEM, run=run)
    mine, other = world[0], world[5]
    client = creator_client(mine)
    full = client.get("/portal/traffic/")
    assert full.status_code == 200
    body = full.content.decode()
    allocation = Allocation.objects.unscoped().get(run=run, creator=mine)
    assert f"{allocation.impressions:,}" in body and "<html" in body
    assert 'data-effect="trimmed"' in body or 'data-effect="lifted"' in body
    theirs = Allocation.objects.unscoped().get(run=run, creator=other)
    assert theirs.impressions != allocation.impressions
    assert f"{theirs.impressions:,}" not in body and other.handle not in body
    fragment = client.get("/portal/traffic/", **HTMX).content.decode()
    assert "<html" not in fragment and f"{allocation.impressions:,}" in fragment


def test_small_creator_is_lifted_and_suspended_gets_nothing(world):
    run = run_directly()
    with acting_as(SYSTEM):
        allocation_run_publish(actor=SYSTEM, run=run)
    small = creator_client(world[10]).get("/portal/traffic/").content.decode()
    assert 'data-effect="lifted"' in small
    suspended = creator_client(world[11]).get("/portal/traffic/").content.decode()
    assert 'data-effect="ineligible"' in suspended and "suspended" in suspended


def test_creator_merit_components_match_the_service(world):
    run = run_directly()
    with acting_as(SYSTEM):
        allocation_run_publish(actor=SYSTEM, run=run)
    from tenancy.scoping import Actor
    from traffic.selectors import creator_traffic

    creator = world[4]
    traffic = creator_traffic(actor=Actor(user_id=None, creator_id=creator.pk, role="creator"))
    snaps = list(MetricSnapshot.objects.unscoped().filter(creator=creator).order_by("date"))
    views = sum(s.views for s in snaps)
    assert traffic["views"] == views
    rate = sum(s.likes + s.comments + s.shares for s in snaps) / views
    growth = (snaps[-1].followers - snaps[0].followers) / snaps[0].followers
    expected = views * (1 + 5.0 * rate) * (1 + growth)
    assert traffic["engagement_rate"] == pytest.approx(rate)
    assert traffic["allocation"].merit == pytest.approx(expected)


@pytest.mark.parametrize("role", ["reviewer", "viewer"])
def test_only_the_operators_writers_start_and_publish_runs(world, role):
    """Found: the compliance reviewer started and published a run that replaced the live one."""
    client = client_of("operator", role)
    assert client.post("/operator/traffic/", FORM).status_code == 403
    assert not AllocationRun.objects.unscoped().exists()
    with acting_as(SYSTEM):
        run = allocation_run_create(actor=SYSTEM, pool=1_000_000, target_gini=0.3, floor=100)
        allocation_run_execute(actor=SYSTEM, run_id=run.pk)
    assert client.post(f"/operator/traffic/{run.pk}/publish/").status_code == 403
    run.refresh_from_db()
    assert not run.published
    assert client.get(f"/operator/traffic/{run.pk}/").status_code == 200  # reading is allowed
