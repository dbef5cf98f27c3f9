"""A delivery's last error is stored as a code and parameters, and read in the reader's language:
the API follows ``Accept-Language`` (the worker that recorded it had no reader to ask)."""

import importlib

import pytest
from django.utils import translation

from tenancy.scoping import Actor, acting_as
from tests.tenancy_helpers import api_key_client
from webhooks.models import WebhookDelivery
from webhooks.services import webhook_delivery_attempt, webhook_emit, webhook_endpoint_create

pytestmark = pytest.mark.django_db
E = WebhookDelivery.Error
EVENT = "collaboration.status_changed"


@pytest.fixture
def refused(personas, settings):
    settings.OLIVE_WEBHOOKS_ALLOW_PRIVATE = True
    endpoint_url = "http://127.0.0.1:9/hook"
    owner = Actor(user_id=None, organization_id=personas.tenant.pk, role="owner")
    webhook_endpoint_create(actor=owner, url=endpoint_url, events=[EVENT])
    [delivery] = webhook_emit(event=EVENT, organization_ids=[personas.tenant.pk], data={})
    settings.OLIVE_WEBHOOKS_ALLOW_PRIVATE = False  # as if DNS now pointed inside the network
    system = Actor(user_id=None, organization_id=personas.tenant.pk, role="system")
    with acting_as(system), translation.override("en"):
        return webhook_delivery_attempt(actor=system, delivery_id=delivery.pk, attempt=1)


def test_the_error_is_a_code_and_parameters(refused):
    refused.refresh_from_db()
    stored = (refused.last_error_code, refused.last_error_params)
    assert stored == (E.REFUSED, {"host": "127.0.0.1"})


def test_the_api_words_the_error_in_the_readers_language(refused, personas):
    _key, client = api_key_client(personas.tenant, ["webhooks:manage"])
    path = f"/api/v1/webhooks/{refused.endpoint_id}/deliveries/"
    english = client.get(path, HTTP_ACCEPT_LANGUAGE="en").json()["results"][0]
    chinese = client.get(path, HTTP_ACCEPT_LANGUAGE="zh-hans").json()["results"][0]
    assert english["last_error_code"] == chinese["last_error_code"] == "refused"
    assert english["last_error_params"] == {"host": "127.0.0.1"}
    assert english["last_error"] == (
        "Not sent: the address check refused 127.0.0.1 (public addresses on allowed ports only)."
    )
    assert chinese["last_error"] != english["last_error"] and "127.0.0.1" in chinese["last_error"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in chinese["last_error"]), chinese["last_error"]


@pytest.mark.parametrize(
    ("code", "params"),
    [
        (E.REFUSED, {"host": "hooks.example"}),
        (E.CONNECTION, {"error": "ConnectionRefusedError: [Errno 111] Connection refused"}),
        (E.HTTP_STATUS, {"status": 503}),
        (E.ENDPOINT_DISABLED, {}),
    ],
)
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_every_error_code_has_a_message_in_both_languages(code, params, language):
    delivery = WebhookDelivery(last_error_code=code, last_error_params=params)
    with translation.override(language):
        message = delivery.last_error
    assert all(str(value) in message for value in params.values())
    if language == "zh-hans":
        assert any("\u4e00" <= ch <= "\u9fff" for ch in message), message
    assert set(WebhookDelivery.ERROR_MESSAGES) == set(E.values)


def test_no_error_after_a_success():
    assert WebhookDelivery(last_error_code="", last_error_params={}).last_error == ""


def test_the_migration_reads_the_old_sentences_back_into_codes():
    migration = importlib.import_module("webhooks.migrations.0005_delivery_error_code_and_params")
    read = migration.sentence_to_code
    assert read("") == ("", {})
    assert read("HTTP 500") == ("http_status", {"status": 500})
    assert read("Endpoint disabled; not sent.") == ("endpoint_disabled", {})
    assert read("Refused: Webhooks go to public addresses only; …") == ("refused", {"host": ""})
    assert read("TimeoutError: timed out") == ("connection", {"error": "TimeoutError: timed out"})
