"""Every periodic service runs: it has a beat task, the schedule names that task, Celery knows
it, and it runs as the system (jobs written but never scheduled were how offers never expired)."""

import datetime
import importlib
import inspect
import re

import pytest
from django.apps import apps
from django.conf import settings
from django.utils import timezone

from config.celery import app as celery_app
from tenancy.scoping import SYSTEM, Actor
from tenancy.tasking import PERIODIC
from tests.factories import CollaborationFactory

#: A periodic service is a public ``<app>.services`` function named for a sweep.
PERIODIC_NAME = re.compile(r"^[a-z][a-z_]*_(expire|resume|due)$")


def periodic_services() -> set:
    found = set()
    for config in apps.get_app_configs():
        try:
            module = importlib.import_module(f"{config.name}.services")
        except ModuleNotFoundError:
            continue
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if fn.__module__ == module.__name__ and PERIODIC_NAME.match(name):
                found.add(fn)
    return found


def beat_tasks() -> dict[str, dict]:
    celery_app.loader.import_default_modules()  # autodiscovery, as the worker and beat do
    return {entry["task"]: entry for entry in settings.CELERY_BEAT_SCHEDULE.values()}


def test_the_convention_finds_the_known_sweeps():
    names = {f"{fn.__module__}.{fn.__name__}" for fn in periodic_services()}
    assert {
        "tenancy.services.api_keys_expire",
        "webhooks.services.webhook_deliveries_resume",
        "traffic.services.allocation_runs_resume",
        "brands.services.collaborations_expire",
        "mcn.services.contracts_start_due",
        "mcn.services.contracts_expire",
    } <= names


def test_every_periodic_service_has_a_beat_task():
    beat_tasks()
    missing = periodic_services() - set(PERIODIC.values())
    assert not missing, f"periodic services without a periodic_task: {missing}"


def test_the_schedule_names_every_beat_task_and_runs_it_as_the_system():
    scheduled = beat_tasks()
    for name in PERIODIC:
        assert name in scheduled, f"{name} is not in CELERY_BEAT_SCHEDULE"
        assert name in celery_app.tasks, f"{name} is not registered in the Celery app"
        actor = scheduled[name]["kwargs"]["actor"]
        assert Actor.from_dict(actor) == SYSTEM, f"{name} does not run as the system"


def test_the_schedule_names_only_registered_tasks():
    for name in beat_tasks():
        assert name in celery_app.tasks, f"the schedule names unknown task {name}"


def test_settings_define_the_schedule_once():
    source = (settings.BASE_DIR / "config" / "settings.py").read_text()
    assert source.count("CELERY_BEAT_SCHEDULE") == 1


@pytest.mark.django_db
def test_the_expire_task_expires_a_late_offer():
    now = timezone.now()
    late = CollaborationFactory(response_deadline=now - datetime.timedelta(hours=1))
    open_offer = CollaborationFactory(response_deadline=now + datetime.timedelta(days=1))
    entry = beat_tasks()["brands.collaborations_expire"]
    assert celery_app.tasks[entry["task"]].apply(kwargs=entry["kwargs"]).get() == 1
    late.refresh_from_db()
    open_offer.refresh_from_db()
    assert late.status == "expired"
    assert open_offer.status == "offered"


# --- Beat runs wherever the README says to deploy --------------------------------------------


def test_lost_work_is_looked_for_every_minute():
    """A killed worker's run restarts within its lease and one tick (issue 10: the 5 min tick
    and 31 min lease made it 31-36 minutes)."""
    from traffic.services import RUN_LEASE

    every = beat_tasks()["traffic.allocation_runs_resume"]["schedule"]
    assert every <= 60 and RUN_LEASE.total_seconds() + every < 3 * 60
    assert beat_tasks()["webhooks.deliveries_resume"]["schedule"] <= 60


def test_every_documented_deployment_runs_beat():
    import yaml

    root = settings.BASE_DIR
    compose = yaml.safe_load((root / "docker-compose.yml").read_text())
    commands = [service.get("command") for service in compose["services"].values()]
    assert commands.count("beat") == 1 and "worker" in commands
    entrypoint = (root / "platform" / "entrypoint.sh").read_text()
    assert re.search(r"^\s*beat\)\n\s*exec celery -A config beat\b", entrypoint, re.M)
    assert 'OLIVE_WORKER_BEAT:-0}" = "1"' in entrypoint and "-B --schedule=" in entrypoint
    # `make worker` embeds beat unless told not to; `make beat` is the separate one.
    makefile = (root / "Makefile").read_text()
    assert re.search(r"^WORKER_BEAT \?= -B\b", makefile, re.M)
    assert re.search(r"^worker:.*\n\t.*celery -A config worker .*\$\(WORKER_BEAT\)", makefile, re.M)
    assert re.search(r"^beat:.*\n\t.*celery -A config beat\b", makefile, re.M)
