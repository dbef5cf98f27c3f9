"""Audit records name an API key by its public prefix, never by its pk (which embeds the hash)."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.utils import timezone

from tenancy.models import ApiKey, AuditEvent
from tenancy.scoping import SYSTEM, Actor
from tenancy.selectors import actor_for_api_key
from tenancy.services import api_keys_expire, audit_event_record
from tests.factories import MembershipFactory
from tests.tenancy_helpers import api_key_client

pytestmark = pytest.mark.django_db
AUDIT = "/api/v1/audit-events/"


def _events(client, action):
    return client.get(AUDIT, {"action": action}).json()["results"]


def _assert_no_hash(key: ApiKey, text: str) -> None:
    assert key.hashed_key not in text and key.pk not in text and "sha512$" not in text


def test_created_and_revoked_keys_are_named_by_prefix_in_the_audit_api(personas):
    client = personas.api_client(personas.member)
    created = client.post("/api/v1/api-keys/", {"name": "erp", "scopes": []}, format="json")
    prefix = created.json()["key"]["prefix"]
    assert client.post(f"/api/v1/api-keys/{prefix}/revoke/").status_code == 200
    key = ApiKey.objects.get(prefix=prefix)

    response = client.get(AUDIT)
    rows = {row["action"]: row for row in response.json()["results"]}
    for action in ("api_key.created", "api_key.revoked"):
        assert rows[action]["target_type"] == "tenancy.apikey"
        assert rows[action]["target_id"] == prefix
        assert rows[action]["actor_label"] == f"user:{personas.member.pk}"
    _assert_no_hash(key, response.content.decode())


def test_an_expired_key_is_named_by_prefix(personas):
    key, _client = api_key_client(personas.tenant, [], expires_in_days=1)
    ApiKey.objects.filter(pk=key.pk).update(expiry_date=timezone.now() - timedelta(seconds=1))
    assert api_keys_expire(actor=SYSTEM) == 1
    event = AuditEvent.objects.unscoped().get(action="api_key.expired")
    assert (event.target_type, event.target_id, event.actor_label) == (
        "tenancy.apikey",
        key.prefix,
        "system",
    )


def test_a_key_acts_under_its_prefix_and_its_actions_are_labelled_with_it(personas):
    key, client = api_key_client(personas.tenant, ["audit:read"])
    actor = actor_for_api_key(key)
    assert actor.api_key_id == key.prefix
    # The actor crosses into task payloads as a dict: no hash there either.
    _assert_no_hash(key, repr(actor.to_dict()))

    audit_event_record(actor=actor, action="thing.done")
    [row] = _events(client, "thing.done")
    assert row["actor_label"] == f"api-key:{key.prefix}"
    _assert_no_hash(key, client.get(AUDIT).content.decode())


def test_other_targets_are_still_named_by_their_pk(personas):
    membership = MembershipFactory(organization=personas.tenant)
    event = audit_event_record(actor=SYSTEM, action="x", target=membership)
    assert event.target_id == str(membership.pk)


def _migrate_forwards():
    module = importlib.import_module("tenancy.migrations.0005_audit_names_api_keys_by_prefix")
    module.name_keys_by_prefix(apps, schema_editor=None)


def test_migration_rewrites_old_records_to_the_prefix_and_leaves_the_rest(personas):
    key, _client = api_key_client(personas.tenant, [])
    AuditEvent.objects.unscoped().all().delete()
    old = AuditEvent.objects.unscoped().create(
        organization=personas.tenant,
        actor_label=f"api-key:{key.pk}",
        action="api_key.revoked",
        target_type="tenancy.apikey",
        target_id=key.pk,
    )
    # A key deleted since: its prefix is still the part before the first ".".
    gone = AuditEvent.objects.unscoped().create(
        actor_label="user:7",
        action="api_key.created",
        target_type="tenancy.apikey",
        target_id="Zz9Yy8Xx.sha512$$" + "0f" * 64,
    )
    untouched = AuditEvent.objects.unscoped().create(
        actor_label="system", action="file.named", target_type="files.file", target_id="a.b.c"
    )
    already = audit_event_record(actor=actor_for_api_key(key), action="y", target=key)

    _migrate_forwards()
    _migrate_forwards()  # running it again changes nothing

    rows = AuditEvent.objects.unscoped().in_bulk()
    assert (rows[old.pk].actor_label, rows[old.pk].target_id) == (
        f"api-key:{key.prefix}",
        key.prefix,
    )
    assert (rows[gone.pk].actor_label, rows[gone.pk].target_id) == ("user:7", "Zz9Yy8Xx")
    assert (rows[untouched.pk].actor_label, rows[untouched.pk].target_id) == ("system", "a.b.c")
    assert (rows[already.pk].actor_label, rows[already.pk].target_id) == (
        f"api-key:{key.prefix}",
        key.prefix,
    )
    stored = " ".join(f"{e.actor_label} {e.target_id}" for e in rows.values())
    assert "sha512$" not in stored and key.hashed_key not in stored


def test_labels_of_people_and_the_system_are_unchanged(personas):
    person = Actor(user_id=personas.member.pk)
    assert audit_event_record(actor=SYSTEM, action="z").actor_label == "system"
    assert audit_event_record(actor=person, action="z").actor_label == f"user:{person.user_id}"


def test_a_key_actor_serialised_before_the_change_is_still_labelled_by_prefix(personas):
    """A task enqueued before the upgrade carries the old actor, whose api_key_id is the pk."""
    key, _client = api_key_client(personas.tenant, [])
    queued = Actor.from_dict({**actor_for_api_key(key).to_dict(), "api_key_id": key.pk})
    event = audit_event_record(actor=queued, action="late.task")
    assert event.actor_label == f"api-key:{key.prefix}"
