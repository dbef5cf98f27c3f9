"""A real Celery worker (a thread in this process) consumes tasks from Redis.

The broker round trip is the point: eager mode would hide serialisation of the actor, the
task registry, acks_late and the database connection the worker thread opens itself.
"""

from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.utils import timezone

from config.celery import app
from tenancy.models import ApiKey, AuditEvent
from tenancy.scoping import SYSTEM
from tenancy.services import api_key_create
from tenancy.tasks import api_keys_expire_task
from tests.factories import OrganizationFactory

pytestmark = [pytest.mark.live_worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def live_worker():
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as worker:
        yield worker


def test_worker_expires_keys_through_the_broker(live_worker):
    assert app.conf.broker_url.startswith("redis://")
    org = OrganizationFactory()
    stale, _ = api_key_create(
        actor=SYSTEM, organization=org, name="stale", scopes=[], expires_in_days=1
    )
    fresh, _ = api_key_create(
        actor=SYSTEM, organization=org, name="fresh", scopes=[], expires_in_days=30
    )
    ApiKey.objects.filter(pk=stale.pk).update(expiry_date=timezone.now() - timedelta(hours=1))

    result = api_keys_expire_task.delay(actor=SYSTEM.to_dict())
    assert result.get(timeout=30) == 1
    assert ApiKey.objects.get(pk=stale.pk).revoked and not ApiKey.objects.get(pk=fresh.pk).revoked
    expired = AuditEvent.objects.unscoped().filter(action="api_key.expired")
    assert list(expired.values_list("target_id", flat=True)) == [stale.prefix]
    # Redelivery (or a second beat tick) is harmless.
    assert api_keys_expire_task.delay(actor=SYSTEM.to_dict()).get(timeout=30) == 0
