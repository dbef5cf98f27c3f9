"""What a person sees of a run: the outcome when it ran inside the request (embedded), and the
real steps (loading merit, allocating, writing, done) while a worker runs it."""

import pytest
from django.contrib.messages import get_messages

from tenancy.scoping import SYSTEM, acting_as
from tests.traffic.test_pages import FORM, HTMX, new_run
from traffic import services
from traffic.models import AllocationRun

pytestmark = pytest.mark.django_db
#: Embedded, the request runs outside any transaction (no ATOMIC_REQUESTS), so the task runs
#: inside ``enqueue``: test it the same way, without the test case's wrapping transaction.
EMBEDDED = pytest.mark.django_db(transaction=True)


def post_run(client, data=FORM):
    response = client.post("/operator/traffic/", data)
    return response, [str(m) for m in get_messages(response.wsgi_request)]


@EMBEDDED
def test_embedded_run_says_it_finished(operator, world):
    response, said = post_run(operator)
    run = AllocationRun.objects.unscoped().get()
    assert run.status == "succeeded" and run.step == "done"
    expected = (
        f"Run {run.pk} finished: {len(world)} creators, "
        f"Gini {run.gini_before:.3f} → {run.gini_after:.3f}."
    )
    assert said == [expected]
    assert "started" not in operator.get(response["Location"]).content.decode()


@EMBEDDED
def test_embedded_failure_says_it_failed(operator, world, monkeypatch):
    # The form refuses what it can foresee; the engine may still find a request infeasible.
    def infeasible(*args, **kwargs):
        raise services.engine.InfeasibleAllocation("no allocation meets the target")

    monkeypatch.setattr(services.engine, "allocate", infeasible)
    _, said = post_run(operator)
    run = AllocationRun.objects.unscoped().get()
    assert run.status == "failed"
    assert said == [f"Run {run.pk} failed: {run.error}"]


@EMBEDDED
def test_embedded_crash_is_reported_not_a_500(operator, world, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("disk on fire")

    # The engine, not merit: creating a run reads merit too (merit hooks narrow eligibility).
    monkeypatch.setattr(services.engine, "allocate", boom)
    response, said = post_run(operator)
    run = AllocationRun.objects.unscoped().get()
    assert response.status_code == 302 and run.status == "failed"
    assert said == [f"Run {run.pk} failed: RuntimeError: disk on fire"]


def test_with_a_worker_the_page_follows_the_queued_run(
    operator, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):  # a worker will take it later
        response, said = post_run(operator)
    run = AllocationRun.objects.unscoped().get()
    assert run.status == "pending"
    assert said == [f"Run {run.pk} is queued; this page follows its progress."]
    page = operator.get(response["Location"]).content.decode()
    assert "every 1s" in page and "Waiting for a worker" in page


def test_the_service_writes_each_step(world, monkeypatch):
    seen = []

    def spy(name, fn):
        def wrapped(*args, **kwargs):
            row = AllocationRun.objects.unscoped().values("step", "progress").first()
            if row is not None:  # creating reads merit too (merit hooks narrow eligibility)
                seen.append((name, row["step"], row["progress"]))
            return fn(*args, **kwargs)

        return wrapped

    monkeypatch.setattr(services, "merit_of_creators", spy("merit", services.merit_of_creators))
    monkeypatch.setattr(services.engine, "allocate", spy("allocate", services.engine.allocate))
    monkeypatch.setattr(services.bulk, "load_frame", spy("write", services.bulk.load_frame))
    with acting_as(SYSTEM):
        run = services.allocation_run_create(actor=SYSTEM, pool=1_000_000, target_gini=0.3)
        assert run.step == "queued"
        run = services.allocation_run_execute(actor=SYSTEM, run_id=run.pk)
    assert seen == [
        ("merit", "merit", 10),
        ("allocate", "allocating", 50),
        ("write", "writing", 80),
    ]
    run.refresh_from_db()
    assert (run.status, run.step, run.progress) == ("succeeded", "done", 100)


def running(user, step, progress) -> AllocationRun:
    run = new_run(user)
    AllocationRun.objects.unscoped().filter(pk=run.pk).update(
        status="running", step=step, progress=progress
    )
    return run


@pytest.mark.parametrize(
    ("step", "progress", "label"),
    [
        ("merit", 10, "Loading merit"),
        ("allocating", 50, "Allocating impressions"),
        ("writing", 80, "Writing the results"),
    ],
)
def test_a_reload_shows_the_step_and_keeps_polling(operator, step, progress, label):
    run = running(None, step, progress)
    for url, extra in (
        (f"/operator/traffic/{run.pk}/", {}),
        (f"/operator/traffic/{run.pk}/status/", HTMX),
    ):
        html = operator.get(url, **extra).content.decode()
        assert f'data-step="{step}"' in html and "every 1s" in html
        assert f'<li class="step-current" aria-current="step">{label}</li>' in html
        assert f'value="{progress}"' in html


def test_a_failed_run_names_the_step_it_stopped_at(operator):
    run = running(None, "allocating", 50)
    services.allocation_run_fail(run_id=run.pk, error="no creators to allocate to")
    html = operator.get(f"/operator/traffic/{run.pk}/").content.decode()
    assert '<li class="step-failed">Allocating impressions</li>' in html
    assert "The run failed at “Allocating impressions”:" in html and "every 1s" not in html


def test_steps_in_chinese(operator, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    run = running(None, "allocating", 50)
    html = operator.get(f"/operator/traffic/{run.pk}/status/", **HTMX).content.decode()
    assert "正在分配曝光" in html and "加载贡献值" in html
