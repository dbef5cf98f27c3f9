"""The Celery app of the worker subprocesses that ``tests/test_worker_crash.py`` kills.

Started as ``python -m celery -A tests.crash_worker_app worker --pool=solo -Q <queue> …``. It is
``config.celery.app`` itself (same tasks, same settings: acks_late, reject_on_worker_lost,
prefetch 1, the same database and broker), with test-only knobs read from the environment so a
crash-and-recover cycle that takes minutes in production (a 90 s run lease and beat every
minute, a 2 min delivery lease, Redis's 1 h visibility timeout) takes seconds. No product code
reads them:

``OLIVE_CRASH_QUEUE``
    The test's own queue: consumed with ``-Q``, and where the tasks this worker sends itself
    go (a webhook retry, a run's retry, what a resume job re-enqueues).
``OLIVE_CRASH_RUN_LEASE_S``
    ``traffic.services.RUN_LEASE``: a running run whose heartbeat is older may be claimed
    again (the heartbeat thread beats six times per lease).
``OLIVE_CRASH_RESUME_EVERY_S``
    For a worker started with ``-B`` (embedded beat): its schedule is the one job
    ``resume-lost-allocation-runs`` of ``CELERY_BEAT_SCHEDULE``, every this many seconds.
``OLIVE_CRASH_WEBHOOK_LEASE_S``
    ``webhooks.services.LEASE_S``: how long a claimed attempt holds its delivery.
``OLIVE_CRASH_VISIBILITY_S``
    The Redis transport's visibility timeout, after which a consumer puts an unacknowledged
    message back on its queue (the redelivery of a task whose worker died), with a restore
    sweep every second instead of every 100 s.
``OLIVE_CRASH_SLOW_WRITE_S``
    Sleep this long after an allocation run's ``Allocation`` rows are COPYed, inside the
    transaction and before its commit, so the test can kill the worker with the write in
    flight; only on the run's first claim, so the worker that takes it over goes straight on.
"""

import os
import time
from datetime import timedelta

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from bulkload import frames  # noqa: E402
from config.celery import app  # noqa: E402
from traffic import services as traffic_services  # noqa: E402
from traffic.models import Allocation, AllocationRun  # noqa: E402
from webhooks import services as webhook_services  # noqa: E402

__all__ = ["app"]


def _knob(name: str) -> float | None:
    value = os.environ.get(name)
    return float(value) if value else None


if queue := os.environ.get("OLIVE_CRASH_QUEUE"):
    app.conf.task_default_queue = queue
# Nobody broadcasts to these workers; no pidbox keys left behind by a killed one.
app.conf.worker_enable_remote_control = False

if (lease := _knob("OLIVE_CRASH_RUN_LEASE_S")) is not None:
    traffic_services.RUN_LEASE = timedelta(seconds=lease)
if (every := _knob("OLIVE_CRASH_RESUME_EVERY_S")) is not None:
    app.conf.beat_schedule = {
        "resume-lost-allocation-runs": {
            **app.conf.beat_schedule["resume-lost-allocation-runs"],
            "schedule": every,
        }
    }
if (lease := _knob("OLIVE_CRASH_WEBHOOK_LEASE_S")) is not None:
    webhook_services.LEASE_S = lease
if (visibility := _knob("OLIVE_CRASH_VISIBILITY_S")) is not None:
    app.conf.broker_transport_options = {
        "visibility_timeout": visibility,
        "unacked_restore_interval": 1,
        "unacked_restore_throttle": 1,
    }
if slow := _knob("OLIVE_CRASH_SLOW_WRITE_S"):
    _load_frame = frames.load_frame

    def _slow_load_frame(model, frame, **options):
        # Read before the COPY: the test spots the write in flight by its last statement.
        first_claim = model is Allocation and (
            AllocationRun.objects.unscoped().get(pk=int(frame["run_id"].iloc[0])).claims == 1
        )
        loaded = _load_frame(model, frame, **options)
        if first_claim:
            time.sleep(slow)
        return loaded

    frames.load_frame = _slow_load_frame
