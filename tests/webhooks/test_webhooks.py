"""Webhooks end to end, against a real HTTP receiver on 127.0.0.1 that checks signatures.

Celery runs eagerly here and the test transaction never commits, so nothing is sent until a
test runs the on-commit callbacks (``django_capture_on_commit_callbacks(execute=True)``) or
calls ``webhook_delivery_attempt`` itself, one attempt at a time, without sleeping.
"""

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from tenancy.models import AuditEvent
from tenancy.scopes import SCOPES
from tenancy.scoping import SYSTEM, Actor, acting_as
from tests.tenancy_helpers import assert_outsider_gets_404
from webhooks.addresses import webhook_url_check
from webhooks.events import EVENTS
from webhooks.models import WebhookDelivery, WebhookEndpoint
from webhooks.services import (
    _post,
    webhook_deliveries_resume,
    webhook_delivery_attempt,
    webhook_emit,
    webhook_endpoint_create,
)
from webhooks.signing import sign, verify

pytestmark = pytest.mark.django_db
HOOKS = "/api/v1/webhooks/"
EVENT = "collaboration.status_changed"
S = WebhookDelivery.Status


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes
    signature_valid: bool


@dataclass
class Receiver:
    url: str = ""
    status: int = 200
    secret: str = ""
    requests: list[Received] = field(default_factory=list)


@pytest.fixture
def receiver():
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            valid = verify(state.secret, self.headers["Olive-Signature"], body)
            state.requests.append(Received(self.path, dict(self.headers), body, valid))
            self.send_response(state.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):  # keep the test output clean
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_port}/hooks?source=olive"
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def allow_private(settings):
    settings.OLIVE_WEBHOOKS_ALLOW_PRIVATE = True


def _owner(organization) -> Actor:
    return Actor(user_id=None, organization_id=organization.pk, role="owner")


def _endpoint(organization, receiver, events=(EVENT,)) -> WebhookEndpoint:
    endpoint, secret = webhook_endpoint_create(
        actor=_owner(organization), url=receiver.url, events=list(events)
    )
    receiver.secret = secret
    return endpoint


def _attempt(delivery, attempt):
    actor = Actor(user_id=None, organization_id=delivery.organization_id, role="system")
    with acting_as(actor):
        return webhook_delivery_attempt(actor=actor, delivery_id=delivery.pk, attempt=attempt)


def _assert_error(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["code"] == code, body
    return body["error"]


# --- Signing -----------------------------------------------------------------------------------


def test_sign_and_verify_round_trip_and_refuse_tampering():
    now = int(time.time())
    header = sign("whsec_x", now, b'{"a":1}')
    assert header.startswith(f"t={now},v1=") and verify("whsec_x", header, b'{"a":1}')
    assert not verify("whsec_x", header, b'{"a":2}')
    assert not verify("whsec_other", header, b'{"a":1}')
    assert not verify("whsec_x", sign("whsec_x", now - 301, b"{}"), b"{}")
    assert verify("whsec_x", f"{header},v1=deadbeef", b'{"a":1}')  # rotation: any v1 may match
    for broken in ["", "t=abc,v1=00", f"v1={header[-64:]}", "t=1,t=2", "t=1,v1=é"]:
        assert not verify("whsec_x", broken, b"{}")


# --- Emitting and delivering -------------------------------------------------------------------


def test_emit_delivers_once_with_a_valid_signature(
    personas, receiver, allow_private, django_capture_on_commit_callbacks
):
    endpoint = _endpoint(personas.tenant, receiver)
    with django_capture_on_commit_callbacks(execute=True):
        [delivery] = webhook_emit(
            event=EVENT, organization_ids=[personas.tenant.pk], data={"creator": "橄榄", "id": 7}
        )
    [request] = receiver.requests
    assert request.signature_valid and request.path == "/hooks?source=olive"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Olive-Event"] == EVENT
    assert request.headers["Olive-Delivery"] == str(delivery.event_id)
    body = json.loads(request.body)
    assert body == {**delivery.payload, "data": {"creator": "橄榄", "id": 7}}
    assert body["id"] == str(delivery.event_id) and body["event"] == EVENT
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (S.SUCCEEDED, 1, 200)
    assert delivery.delivered_at and delivery.endpoint_id == endpoint.pk
    # A redelivered task (same attempt) or a later one sends nothing again.
    assert _attempt(delivery, 1) is None and _attempt(delivery, 2) is None
    assert len(receiver.requests) == 1


def test_emit_reaches_only_active_subscribed_endpoints_of_the_named_organizations(
    personas, receiver, allow_private
):
    wanted = _endpoint(personas.tenant, receiver)
    _endpoint(personas.tenant, receiver, events=["agency.tier_changed"])
    inactive = _endpoint(personas.tenant, receiver)
    WebhookEndpoint.objects.unscoped().filter(pk=inactive.pk).update(is_active=False)
    _endpoint(personas.other_tenant, receiver)
    deliveries = webhook_emit(event=EVENT, organization_ids=[personas.tenant.pk], data={})
    assert [d.endpoint_id for d in deliveries] == [wanted.pk]
    with pytest.raises(ValueError, match="Unknown webhook event"):
        webhook_emit(event="nope.nothing", organization_ids=[personas.tenant.pk], data={})


def test_emit_inside_a_rolled_back_transaction_sends_nothing(
    personas, receiver, allow_private, django_capture_on_commit_callbacks
):
    _endpoint(personas.tenant, receiver)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        webhook_emit(event=EVENT, organization_ids=[personas.tenant.pk], data={})
        raise RuntimeError("the change failed")
    assert callbacks == [] and receiver.requests == []
    assert not WebhookDelivery.objects.unscoped().exists()


def test_failing_receiver_is_retried_with_growing_backoff_then_abandoned(
    personas, receiver, allow_private, settings, django_capture_on_commit_callbacks
):
    settings.OLIVE_WEBHOOK_MAX_ATTEMPTS = 4
    receiver.status = 500
    _endpoint(personas.tenant, receiver)
    with django_capture_on_commit_callbacks() as first:  # queued, not sent
        [delivery] = webhook_emit(event=EVENT, organization_ids=[personas.tenant.pk], data={})
    assert len(first) == 1
    waits, countdowns = [], []
    for attempt in range(1, 5):
        with django_capture_on_commit_callbacks() as scheduled:
            started = time.time()
            result = _attempt(delivery, attempt)
        assert (result.attempts, result.last_status_code, result.last_error) == (
            attempt,
            500,
            "The endpoint answered HTTP 500.",
        )
        stored = (result.last_error_code, result.last_error_params)
        assert stored == ("http_status", {"status": 500})
        if attempt < 4:
            assert result.status == S.FAILED
            waits.append(round(result.next_attempt_at.timestamp() - started))
            countdowns += [callback.keywords["countdown"] for callback in scheduled]
    assert waits == [30, 60, 120] and countdowns == [30, 60, 120]
    assert (result.status, result.next_attempt_at, result.delivered_at) == (S.ABANDONED, None, None)
    assert scheduled == []  # nothing after the last attempt
    assert len(receiver.requests) == 4 and all(r.signature_valid for r in receiver.requests)
    assert {r.headers["Olive-Delivery"] for r in receiver.requests} == {str(delivery.event_id)}


def test_eager_retries_terminate_at_the_attempt_cap(
    personas, receiver, allow_private, settings, django_capture_on_commit_callbacks
):
    settings.OLIVE_WEBHOOK_MAX_ATTEMPTS = 3
    receiver.status = 503
    _endpoint(personas.tenant, receiver)
    with django_capture_on_commit_callbacks(execute=True):
        [delivery] = webhook_emit(event=EVENT, organization_ids=[personas.tenant.pk], data={})
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, len(receiver.requests)) == (S.ABANDONED, 3, 3)


def test_endpoint_is_disabled_after_consecutive_abandoned_deliveries(
    personas, receiver, allow_private, settings, django_capture_on_commit_callbacks
):
    settings.OLIVE_WEBHOOK_MAX_ATTEMPTS = 1
    settings.OLIVE_WEBHOOK_DISABLE_AFTER = 2
    endpoint = _endpoint(personas.tenant, receiver)

    def emit_with(status):
        receiver.status = status
        with django_capture_on_commit_callbacks(execute=True):
            webhook_emit(event=EVENT, organization_ids=[personas.tenant.pk], data={})
        endpoint.refresh_from_db()
        return endpoint.consecutive_failures

    assert [emit_with(500), emit_with(200), emit_with(500)] == [1, 0, 1]  # a success resets
    assert endpoint.is_active
    assert emit_with(500) == 2
    assert not endpoint.is_active and endpoint.disabled_at is not None
    [audit] = AuditEvent.objects.unscoped().filter(action="webhook_endpoint.disabled")
    assert audit.organization_id == personas.tenant.pk and audit.target_id == str(endpoint.pk)
    assert audit.actor_label == "system"
    sent = len(receiver.requests)
    emit_with(200)
    assert len(receiver.requests) == sent  # a disabled endpoint receives nothing more


def test_address_is_checked_again_at_delivery_time(
    personas, receiver, allow_private, settings, django_capture_on_commit_callbacks
):
    settings.OLIVE_WEBHOOK_MAX_ATTEMPTS = 2
    _endpoint(personas.tenant, receiver)
    settings.OLIVE_WEBHOOKS_ALLOW_PRIVATE = False  # as if DNS now pointed inside the network
    with django_capture_on_commit_callbacks(execute=True):
        [delivery] = webhook_emit(event=EVENT, organization_ids=[personas.tenant.pk], data={})
    delivery.refresh_from_db()
    assert receiver.requests == []
    assert delivery.status == S.ABANDONED and delivery.last_error_code == "refused"
    assert delivery.last_error_params == {"host": "127.0.0.1"}


def test_lost_tasks_are_resumed_by_the_sweeper(
    personas, receiver, allow_private, django_capture_on_commit_callbacks
):
    _endpoint(personas.tenant, receiver)
    with django_capture_on_commit_callbacks():  # the broker lost these tasks
        [lost] = webhook_emit(event=EVENT, organization_ids=[personas.tenant.pk], data={})
        [fresh] = webhook_emit(event=EVENT, organization_ids=[personas.tenant.pk], data={})
    stale = lost.next_attempt_at.replace(year=lost.next_attempt_at.year - 1)
    WebhookDelivery.objects.unscoped().filter(pk=lost.pk).update(next_attempt_at=stale)
    with django_capture_on_commit_callbacks(execute=True):
        assert webhook_deliveries_resume(actor=SYSTEM) == 1
    assert [r.headers["Olive-Delivery"] for r in receiver.requests] == [str(lost.event_id)]
    assert WebhookDelivery.objects.unscoped().get(pk=fresh.pk).status == S.PENDING


# --- URL checks --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hook",
        "http://localhost/hook",
        "http://10.1.2.3/",
        "http://192.168.0.10/",
        "http://169.254.169.254/latest/meta-data/",
        "http://100.100.100.200/latest/meta-data/",
        "http://0.0.0.0/",
        "http://224.0.0.1/",
        "http://240.0.0.1/",
        "http://[::1]/",
        "http://[fe80::1]/",
        "http://[::ffff:192.168.0.1]/",
    ],
)
def test_non_public_targets_are_refused(url):
    with pytest.raises(ValidationError) as error:
        webhook_url_check(url)
    assert "url" in error.value.message_dict


def test_public_ip_is_accepted_without_dns():
    assert webhook_url_check("https://93.184.216.34/hooks") == "93.184.216.34"


def test_requests_go_to_the_checked_address_not_to_a_fresh_dns_answer(receiver):
    # What a DNS rebinding would exploit: the name is never resolved again after the check.
    port = urlsplit(receiver.url).port
    headers = {"Olive-Signature": "", "Content-Type": "application/json"}
    assert _post(f"http://rebound.invalid:{port}/in", "127.0.0.1", b"{}", headers) == 200
    assert receiver.requests[0].headers["Host"] == f"rebound.invalid:{port}"


@pytest.mark.parametrize("url", ["ftp://example.com/x", "file:///etc/passwd", "http:///nohost"])
def test_only_http_and_https_are_accepted(url, settings):
    settings.OLIVE_WEBHOOKS_ALLOW_PRIVATE = True  # the scheme is checked whatever the setting
    with pytest.raises(ValidationError):
        webhook_url_check(url)


# --- API ---------------------------------------------------------------------------------------


def test_owner_registers_an_endpoint_and_sees_the_secret_once(personas, receiver, allow_private):
    client = personas.api_client(personas.member)
    response = client.post(HOOKS, {"url": receiver.url, "events": [EVENT]}, format="json")
    assert response.status_code == 201, response.content
    secret, endpoint = response.json()["secret"], response.json()["endpoint"]
    assert secret.startswith("whsec_") and endpoint["events"] == [EVENT]
    assert endpoint["is_active"] is True
    for path in (HOOKS, f"{HOOKS}{endpoint['id']}/"):
        shown = client.get(path)
        assert shown.status_code == 200 and secret not in shown.content.decode()
    assert client.get(HOOKS).json()["results"][0]["url"] == receiver.url
    created = AuditEvent.objects.unscoped().get(action="webhook_endpoint.created")
    assert created.organization_id == personas.tenant.pk and secret not in json.dumps(created.data)


def test_private_url_is_refused_at_registration_when_not_allowed(personas, receiver):
    client = personas.api_client(personas.member)
    response = client.post(HOOKS, {"url": receiver.url, "events": [EVENT]}, format="json")
    error = _assert_error(response, 400, "invalid")
    assert set(error["fields"]) == {"url"} and "public" in str(error["fields"]["url"])
    assert not WebhookEndpoint.objects.unscoped().exists()


def test_non_http_scheme_and_unknown_event_are_refused(personas, allow_private):
    client = personas.api_client(personas.member)
    ftp = client.post(HOOKS, {"url": "ftp://example.com/in", "events": [EVENT]}, format="json")
    assert set(_assert_error(ftp, 400, "invalid")["fields"]) == {"url"}
    unknown = client.post(
        HOOKS, {"url": "https://example.com/in", "events": ["order.created"]}, format="json"
    )
    assert set(_assert_error(unknown, 400, "invalid")["fields"]) == {"events"}
    empty = client.post(HOOKS, {"url": "https://example.com/in", "events": []}, format="json")
    assert set(_assert_error(empty, 400, "invalid")["fields"]) == {"events"}
    assert not WebhookEndpoint.objects.unscoped().exists()


def test_outsider_gets_404_on_another_organizations_endpoint(personas, receiver, allow_private):
    endpoint = _endpoint(personas.tenant, receiver)
    outsider = personas.api_client(personas.outsider)
    base = f"{HOOKS}{endpoint.pk}/"
    for path, method in [(base, "get"), (f"{base}deliveries/", "get"), (f"{base}test/", "post")]:
        assert_outsider_gets_404(outsider, path, secrets=[receiver.url], method=method)
    assert_outsider_gets_404(outsider, base, secrets=[receiver.url], method="delete")
    assert outsider.get(HOOKS).json()["results"] == []
    assert WebhookEndpoint.objects.unscoped().filter(pk=endpoint.pk, is_active=True).exists()
    assert receiver.requests == []


def test_viewer_cannot_register_or_list_endpoints(personas, allow_private):
    viewer = personas.api_client(personas.viewer)
    body = {"url": "https://example.com/in", "events": [EVENT]}
    _assert_error(viewer.post(HOOKS, body, format="json"), 403, "permission_denied")
    _assert_error(viewer.get(HOOKS), 403, "permission_denied")
    assert not WebhookEndpoint.objects.unscoped().exists()


def test_api_key_needs_the_webhooks_scope(personas, receiver, allow_private, monkeypatch):
    monkeypatch.setitem(SCOPES, "webhooks:manage", "Manage webhook endpoints")
    body = {"url": receiver.url, "events": [EVENT]}
    without = personas.key_client(personas.tenant, ["audit:read"])
    error = _assert_error(without.post(HOOKS, body, format="json"), 403, "permission_denied")
    assert "webhooks:manage" in error["message"]
    with_scope = personas.key_client(personas.tenant, ["webhooks:manage"])
    assert with_scope.post(HOOKS, body, format="json").status_code == 201
    assert with_scope.get(HOOKS).json()["results"][0]["url"] == receiver.url


def test_test_action_pings_and_deliveries_are_listed(
    personas, receiver, allow_private, django_capture_on_commit_callbacks
):
    endpoint = _endpoint(personas.tenant, receiver, events=["agency.tier_changed"])
    client = personas.api_client(personas.member)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{HOOKS}{endpoint.pk}/test/")
    assert response.status_code == 202 and response.json()["event"] == "ping"
    [request] = receiver.requests
    assert request.signature_valid and request.headers["Olive-Event"] == "ping"
    listed = client.get(f"{HOOKS}{endpoint.pk}/deliveries/").json()
    [row] = listed["results"]
    assert (row["event"], row["status"], row["attempts"]) == ("ping", "succeeded", 1)
    assert row["event_id"] == request.headers["Olive-Delivery"]
    assert client.get(f"{HOOKS}{endpoint.pk}/deliveries/?status=failed").json()["results"] == []
    bad = client.get(f"{HOOKS}{endpoint.pk}/deliveries/?status=bogus")
    assert set(_assert_error(bad, 400, "invalid")["fields"]) == {"status"}
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 0  # pings do not count for the endpoint's health


def test_deliveries_list_costs_the_same_queries_for_more_rows(personas, receiver, allow_private):
    endpoint = _endpoint(personas.tenant, receiver)
    client = personas.api_client(personas.member)
    path = f"{HOOKS}{endpoint.pk}/deliveries/"

    def queries_after_emitting(count):
        for _ in range(count):
            webhook_emit(event=EVENT, organization_ids=[personas.tenant.pk], data={})
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200
        return len(captured)

    assert queries_after_emitting(2) == queries_after_emitting(20)


def test_owner_deletes_an_endpoint_with_an_audit_record(personas, receiver, allow_private):
    endpoint = _endpoint(personas.tenant, receiver)
    client = personas.api_client(personas.member)
    assert client.delete(f"{HOOKS}{endpoint.pk}/").status_code == 204
    assert not WebhookEndpoint.objects.unscoped().exists()
    deleted = AuditEvent.objects.unscoped().get(action="webhook_endpoint.deleted")
    assert deleted.target_id == str(endpoint.pk) and deleted.data["url"] == receiver.url


def test_event_catalogue_is_listed(personas):
    response = personas.api_client(personas.member).get(f"{HOOKS}events/")
    assert [row["name"] for row in response.json()] == sorted(EVENTS)


# --- Through a real broker and worker (CI) ------------------------------------------------------


@pytest.mark.live_worker
@pytest.mark.django_db(transaction=True)
def test_a_live_worker_delivers_after_commit(receiver, settings):
    from celery.contrib.testing.worker import start_worker

    from config.celery import app
    from tests.factories import OrganizationFactory

    settings.OLIVE_WEBHOOKS_ALLOW_PRIVATE = True
    organization = OrganizationFactory()
    _endpoint(organization, receiver)
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        with transaction.atomic():
            [delivery] = webhook_emit(event=EVENT, organization_ids=[organization.pk], data={})
        rows = WebhookDelivery.objects.unscoped().filter(pk=delivery.pk, status=S.SUCCEEDED)
        deadline = time.monotonic() + 20
        while not rows.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
    assert rows.exists() and [r.signature_valid for r in receiver.requests] == [True]
