"""Webhooks: how every engine tells an organization's own systems that something happened.

An engine calls :func:`webhook_emit` with an event its app registered (``events.register``)
and the organizations entitled to hear about it; each of their active endpoints subscribed to
the event gets one :class:`~webhooks.models.WebhookDelivery`, sent by a Celery task after the
transaction commits.

Receiving a webhook
-------------------
Olive POSTs the event as JSON::

    Content-Type: application/json
    Olive-Event: collaboration.status_changed
    Olive-Delivery: 0b6f8a2e-…       the event id; retries reuse it, so deduplicate on it
    Olive-Signature: t=1767225600,v1=5d41402abc4b2a76b9719d911017c592…

    {"id": "0b6f8a2e-…", "event": "collaboration.status_changed",
     "created_at": "2026-01-01T00:00:00+00:00", "data": {…}}

``t`` is the unix time of sending and ``v1`` the hex HMAC-SHA256, keyed with the endpoint's
secret (shown once, when the endpoint is created), of ``f"{t}.{raw_body}"``. To verify: take
``t`` and the ``v1`` values from the header, compute the HMAC over the raw body exactly as received
(before parsing the JSON), compare in constant time, and refuse a ``t`` more than five minutes
from your clock, which stops replays. :func:`verify` does exactly this.

Answer with any 2xx within 5 seconds. Anything else (a redirect too: redirects are not followed)
is a failure, retried with exponential backoff (30 s, 1 min, 2 min, …) until
``OLIVE_WEBHOOK_MAX_ATTEMPTS`` attempts have failed; the delivery is then abandoned. After
``OLIVE_WEBHOOK_DISABLE_AFTER`` abandoned deliveries in a row the endpoint is disabled.

Safety
------
A URL must be http(s) and resolve to public addresses only (no private, loopback, link-local,
multicast, reserved or unspecified ones), checked when the endpoint is registered and again
before every attempt. The request then goes to the very address that was checked, so a DNS
answer that changes in between (rebinding) cannot point it inside our network.
``OLIVE_WEBHOOKS_ALLOW_PRIVATE`` lifts the check, for local development and tests only.
"""

from __future__ import annotations

import functools
import json
import secrets
import time
import uuid
from collections.abc import Iterable
from datetime import timedelta
from http.client import HTTPConnection, HTTPException, HTTPSConnection
from urllib.parse import urlsplit

from celery import current_app
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from tenancy import roles
from tenancy.roles import ADMIN_ROLES
from tenancy.scoping import Actor
from tenancy.services import audit_event_record

from .addresses import connect_to, webhook_url_check
from .events import EVENTS, PING
from .models import WebhookDelivery, WebhookEndpoint
from .signing import sign

S = WebhookDelivery.Status
E = WebhookDelivery.Error
#: An attempt's failure: the error code and the parameters its message names.
Failure = tuple[str, dict]
OPEN = (S.PENDING, S.FAILED)
TIMEOUT_S = 5
BACKOFF_BASE_S = 30
#: Kept under Redis's default visibility timeout (1 h), past which the broker redelivers a
#: scheduled task; the claim would make that harmless, but not free.
BACKOFF_CAP_S = 30 * 60
#: How long a claimed attempt may take before the sweeper assumes its worker died.
LEASE_S = 2 * 60
SECRET_PREFIX = "whsec_"
USER_AGENT = "Olive-Webhooks/1.0"
DELIVER_TASK = "webhooks.deliver"


# --- Endpoints (writes) ------------------------------------------------------------------------


def _require_webhook_admin(actor: Actor, endpoint: WebhookEndpoint | None = None) -> None:
    """Endpoints send the organization's data out: its owners and admins manage them, or a key
    (which the API lets in only with the ``webhooks:manage`` scope)."""
    message = _("Only an owner or admin of the organization can manage webhooks.")
    actor.require(roles={*ADMIN_ROLES, roles.API_KEY}, message=message)
    if actor.organization_id is None or (
        endpoint is not None and endpoint.organization_id != actor.organization_id
    ):
        raise PermissionDenied(message)


def _events_check(events: Iterable[str]) -> list[str]:
    events = sorted(set(events))
    unknown = [event for event in events if event not in EVENTS]
    if unknown:
        raise ValidationError(
            {"events": _("Unknown event(s): %(events)s.") % {"events": ", ".join(unknown)}}
        )
    if not events:
        raise ValidationError({"events": _("Subscribe to at least one event.")})
    return events


def webhook_endpoint_create(
    *, actor: Actor, url: str, events: Iterable[str]
) -> tuple[WebhookEndpoint, str]:
    """Register an endpoint; returns it with its signing secret, which the API shows only now."""
    _require_webhook_admin(actor)
    events = _events_check(events)
    webhook_url_check(url)  # before the transaction: DNS may be slow, a transaction must not be
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    endpoint = WebhookEndpoint(
        organization_id=actor.organization_id, url=url, events=events, secret=secret
    )
    with transaction.atomic():
        endpoint.save()
        audit_event_record(
            actor=actor,
            action="webhook_endpoint.created",
            target=endpoint,
            data={"url": url, "events": events},
        )
    return endpoint, secret


@transaction.atomic
def webhook_endpoint_delete(*, actor: Actor, endpoint: WebhookEndpoint) -> None:
    """Delete an endpoint and its delivery history; queued attempts then find nothing to send."""
    _require_webhook_admin(actor, endpoint)
    audit_event_record(
        actor=actor, action="webhook_endpoint.deleted", target=endpoint, data={"url": endpoint.url}
    )
    endpoint.delete()


@transaction.atomic
def webhook_endpoint_ping(*, actor: Actor, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """Queue a ``ping`` to ``endpoint``: one attempt, sent even to a disabled endpoint (to check a
    fixed receiver), and counted neither for nor against the endpoint's health."""
    _require_webhook_admin(actor, endpoint)
    now = timezone.now()
    delivery = _new_delivery(endpoint, PING, {"endpoint_id": endpoint.pk}, now)
    delivery.save()
    _enqueue(delivery, attempt=1)
    return delivery


# --- Emitting ----------------------------------------------------------------------------------


def webhook_emit(
    *, event: str, organization_ids: Iterable[int], data: dict
) -> list[WebhookDelivery]:
    """Queue ``event`` for every active endpoint of ``organization_ids`` subscribed to it.

    The caller decides who is entitled to hear of the event (the brand, the creator's agency …),
    so this reads those organizations' endpoints across tenants on purpose. Sending waits for
    the surrounding transaction to commit: a change that rolls back announces nothing.
    """
    if event not in EVENTS:
        raise ValueError(
            f"Unknown webhook event {event!r}: register it in its app's AppConfig.ready."
        )
    now = timezone.now()
    rows = [_new_delivery(e, event, data, now) for e in _subscribed(event, organization_ids)]
    with transaction.atomic():
        deliveries = WebhookDelivery.objects.unscoped().bulk_create(rows)
        for delivery in deliveries:
            _enqueue(delivery, attempt=1)
    return deliveries


def _subscribed(event: str, organization_ids: Iterable[int]) -> list[WebhookEndpoint]:
    # Subscriptions are matched in Python: JSON containment does not work on SQLite, and an
    # organization has a handful of endpoints.
    active = WebhookEndpoint.objects.unscoped().filter(
        organization_id__in=set(organization_ids), is_active=True
    )
    return [
        endpoint
        for endpoint in active.only("organization_id", "events")
        if event in endpoint.events
    ]


def _new_delivery(endpoint: WebhookEndpoint, event: str, data: dict, now) -> WebhookDelivery:
    event_id = uuid.uuid4()
    payload = {"id": str(event_id), "event": event, "created_at": now.isoformat(), "data": data}
    return WebhookDelivery(
        organization_id=endpoint.organization_id,
        endpoint_id=endpoint.pk,
        event=event,
        event_id=event_id,
        payload=payload,
        next_attempt_at=now,  # due now: the sweeper finds it if its task is lost
    )


def _delivery_actor(organization_id: int) -> Actor:
    """Attempts run as the system inside the endpoint's organization, so the scoped managers
    show them that organization's rows only."""
    return Actor(user_id=None, organization_id=organization_id, role=roles.SYSTEM_ROLE)


def _deliver_task():
    # Found by name: ``tasks`` imports this module, and importing it back would make a cycle.
    return current_app.tasks[DELIVER_TASK]


def _enqueue(delivery: WebhookDelivery, *, attempt: int, countdown: float = 0) -> None:
    """Send attempt ``attempt`` of ``delivery`` once the current transaction commits.

    ``robust``: the rows are committed by then, so a broker hiccup must not fail the caller's
    request; :func:`webhook_deliveries_resume` picks up a delivery whose task never left.
    """
    kwargs = {
        "actor": _delivery_actor(delivery.organization_id).to_dict(),
        "delivery_id": delivery.pk,
        "attempt": attempt,
    }
    send = functools.partial(_deliver_task().apply_async, kwargs=kwargs, countdown=countdown)
    transaction.on_commit(send, robust=True)


# --- Delivering --------------------------------------------------------------------------------


def webhook_delivery_attempt(
    *, actor: Actor, delivery_id: int, attempt: int
) -> WebhookDelivery | None:
    """Make attempt number ``attempt`` (from 1) of a delivery and record how it went.

    Returns None, sending nothing, when that attempt is not due: the delivery succeeded or was
    abandoned, or another copy of the task (a redelivery, the sweeper) claimed the attempt.
    A failure schedules the next attempt after commit.
    """
    if not _claim(delivery_id, attempt):
        return None
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
    if not delivery.endpoint.is_active and delivery.event != PING:
        disabled = (E.ENDPOINT_DISABLED, {})
        _record(delivery, status_code=None, error=disabled, final=True)
        return delivery
    status_code, error = _send(delivery)
    with transaction.atomic():
        _record(delivery, status_code=status_code, error=error)
        _endpoint_health(actor, delivery)
    return delivery


def _claim(delivery_id: int, attempt: int) -> bool:
    # The attempt number is part of the claim, so each attempt happens once whoever runs it.
    # The lease moves next_attempt_at ahead: if this worker dies, the sweeper retries later.
    lease = timezone.now() + timedelta(seconds=LEASE_S)
    claimed = WebhookDelivery.objects.filter(pk=delivery_id, status__in=OPEN, attempts=attempt - 1)
    return claimed.update(attempts=attempt, next_attempt_at=lease) == 1


def _send(delivery: WebhookDelivery) -> tuple[int | None, Failure | None]:
    """POST the delivery once: (HTTP status or None, what went wrong or None)."""
    endpoint = delivery.endpoint
    try:
        address = webhook_url_check(endpoint.url)  # again: DNS may have changed since
    except ValidationError:
        # The check's own sentence is in the language active now; the reader's may differ.
        return None, (E.REFUSED, {"host": urlsplit(endpoint.url).hostname or ""})
    body = json.dumps(
        delivery.payload, cls=DjangoJSONEncoder, separators=(",", ":"), ensure_ascii=False
    ).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Olive-Event": delivery.event,
        "Olive-Delivery": str(delivery.event_id),
        "Olive-Signature": sign(endpoint.secret, int(time.time()), body),
    }
    try:
        status_code = _post(endpoint.url, address, body, headers)
    except (OSError, HTTPException) as exc:  # timeouts, refused connections, TLS, bad replies
        # The OS's and the TLS library's own words, kept as they are (a parameter, not ours).
        return None, (E.CONNECTION, {"error": f"{type(exc).__name__}: {exc}"[:200]})
    if 200 <= status_code < 300:
        return status_code, None
    return status_code, (E.HTTP_STATUS, {"status": status_code})


def _post(url: str, address: str | None, body: bytes, headers: dict[str, str]) -> int:
    """POST with http.client, which follows no redirect: one could lead past the address check."""
    parts = urlsplit(url)
    connection_class = HTTPSConnection if parts.scheme == "https" else HTTPConnection
    connection = connection_class(parts.hostname, parts.port, timeout=TIMEOUT_S)
    if address is not None:
        # Connect to the checked address rather than to what DNS answers next; the Host header
        # and the TLS certificate check still use the hostname.
        connection._create_connection = functools.partial(connect_to, address)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("POST", path, body=body, headers=headers)
        return connection.getresponse().status
    finally:
        connection.close()


def _backoff(attempt: int) -> timedelta:
    return timedelta(seconds=min(BACKOFF_BASE_S * 2 ** (attempt - 1), BACKOFF_CAP_S))


def _max_attempts(delivery: WebhookDelivery) -> int:
    # A ping answers "does my receiver work now?": retrying it later would answer nothing.
    return 1 if delivery.event == PING else settings.OLIVE_WEBHOOK_MAX_ATTEMPTS


def _record(
    delivery: WebhookDelivery,
    *,
    status_code: int | None,
    error: Failure | None,
    final: bool = False,
) -> None:
    """Save the attempt's outcome; after a failure with attempts left, schedule the next one."""
    now = timezone.now()
    if status_code is not None and 200 <= status_code < 300:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = S.SUCCEEDED, now, None
    elif final or delivery.attempts >= _max_attempts(delivery):
        delivery.status, delivery.next_attempt_at = S.ABANDONED, None
    else:
        delivery.status, delivery.next_attempt_at = S.FAILED, now + _backoff(delivery.attempts)
        countdown = _backoff(delivery.attempts).total_seconds()
        _enqueue(delivery, attempt=delivery.attempts + 1, countdown=countdown)
    delivery.last_status_code = status_code
    delivery.last_error_code, delivery.last_error_params = error or ("", {})
    fields = [
        "status",
        "delivered_at",
        "next_attempt_at",
        "last_status_code",
        "last_error_code",
        "last_error_params",
    ]
    delivery.save(update_fields=fields)


def _endpoint_health(actor: Actor, delivery: WebhookDelivery) -> None:
    """A success resets the endpoint's failure count, an abandoned delivery adds one; pings are
    tests and count for neither."""
    if delivery.event == PING:
        return
    endpoint = WebhookEndpoint.objects.filter(pk=delivery.endpoint_id)
    if delivery.status == S.SUCCEEDED:
        endpoint.filter(consecutive_failures__gt=0).update(consecutive_failures=0)
    elif delivery.status == S.ABANDONED:
        endpoint.update(consecutive_failures=F("consecutive_failures") + 1)
        _disable_if_failing(actor, delivery.endpoint_id)


def _disable_if_failing(actor: Actor, endpoint_id: int) -> None:
    # Conditional on is_active: concurrent attempts disable (and audit) the endpoint once.
    failing = WebhookEndpoint.objects.filter(
        pk=endpoint_id,
        is_active=True,
        consecutive_failures__gte=settings.OLIVE_WEBHOOK_DISABLE_AFTER,
    )
    if failing.update(is_active=False, disabled_at=timezone.now()):
        endpoint = WebhookEndpoint.objects.get(pk=endpoint_id)
        audit_event_record(
            actor=actor,
            action="webhook_endpoint.disabled",
            target=endpoint,
            organization_id=endpoint.organization_id,
            data={"url": endpoint.url, "consecutive_failures": endpoint.consecutive_failures},
        )


def webhook_deliveries_resume(*, actor: Actor, limit: int = 500) -> int:
    """Re-enqueue open deliveries whose next attempt is overdue by more than a lease: their task
    was lost (broker down at commit) or their worker died mid-attempt. A beat job reading
    across tenants on purpose; the claim makes a duplicate attempt harmless."""
    overdue = timezone.now() - timedelta(seconds=LEASE_S)
    stuck = (
        WebhookDelivery.objects.unscoped()
        .filter(status__in=OPEN, next_attempt_at__lt=overdue)
        .order_by("next_attempt_at")
        .only("organization_id", "attempts")[:limit]
    )
    rows = list(stuck)
    for delivery in rows:
        # A worker that died during the last attempt gets one more: its outcome is unknown.
        _enqueue(delivery, attempt=delivery.attempts + 1)
    return len(rows)
