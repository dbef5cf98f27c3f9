"""Behaviour that depends on PostgreSQL itself (CI runs the whole suite on it)."""

import threading

import pytest
from django.db import connection, connections, transaction

from tenancy.models import ApiKey
from tenancy.scoping import SYSTEM
from tenancy.services import api_key_create, api_keys_expire
from tests.factories import OrganizationFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_database_is_postgresql_15_or_later():
    assert connection.vendor == "postgresql"
    assert connection.pg_version >= 150000


def test_concurrent_expiry_sweeps_revoke_and_audit_each_key_once():
    """Two workers sweeping at once: the conditional update lets exactly one claim each key."""
    from datetime import timedelta

    from django.utils import timezone

    from tenancy.models import AuditEvent

    org = OrganizationFactory()
    for n in range(5):
        api_key_create(actor=SYSTEM, organization=org, name=f"k{n}", scopes=[], expires_in_days=1)
    ApiKey.objects.update(expiry_date=timezone.now() - timedelta(minutes=1))
    barrier, counts = threading.Barrier(2), []

    def sweep():
        barrier.wait()
        with transaction.atomic():
            counts.append(api_keys_expire(actor=SYSTEM))
        connections.close_all()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(counts) == 5
    assert AuditEvent.objects.unscoped().filter(action="api_key.expired").count() == 5
