"""``Idempotency-Key`` (api/idempotency.py): the claim on a key ends with its request, however
the request ends, so a retry after a failure runs again instead of waiting out the lock."""

import pytest
from rest_framework.response import Response

import api.tenancy
from tenancy.models import ApiKey

pytestmark = pytest.mark.django_db
URL = "/api/v1/api-keys/"
BODY = {"name": "erp", "scopes": ["orders:write"]}


def _post(client, key="retry-me"):
    return client.post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_a_retry_after_a_crash_runs_again(personas, monkeypatch):
    client = personas.api_client(personas.member)
    client.raise_request_exception = False

    def crash(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(api.tenancy, "api_key_create", crash)
    assert _post(client).status_code == 500
    monkeypatch.undo()
    retried = _post(client)
    assert retried.status_code == 201, retried.content  # not 409 "still being processed"
    assert "Idempotent-Replayed" not in retried
    assert ApiKey.objects.count() == 1
    replay = _post(client)
    assert replay["Idempotent-Replayed"] == "true" and ApiKey.objects.count() == 1


def test_a_returned_5xx_is_not_kept_and_frees_the_key(personas, monkeypatch):
    client = personas.api_client(personas.member)
    monkeypatch.setattr(
        api.tenancy.ApiKeyViewSet, "create", lambda self, request: Response(status=503)
    )
    assert _post(client, "k-503").status_code == 503
    monkeypatch.undo()
    assert _post(client, "k-503").status_code == 201


def test_a_4xx_answer_is_kept_and_replayed(personas):
    client = personas.api_client(personas.member)
    bad = client.post(URL, {"name": ""}, format="json", HTTP_IDEMPOTENCY_KEY="k-400")
    again = client.post(URL, {"name": ""}, format="json", HTTP_IDEMPOTENCY_KEY="k-400")
    assert bad.status_code == again.status_code == 400
    assert again["Idempotent-Replayed"] == "true"


def test_while_the_first_request_runs_the_key_is_refused(personas, monkeypatch):
    client = personas.api_client(personas.member)
    seen = {}

    def create_during_a_second_request(**kwargs):
        seen["second"] = _post(client)
        raise RuntimeError("first request fails after the second one was refused")

    client.raise_request_exception = False
    monkeypatch.setattr(api.tenancy, "api_key_create", create_during_a_second_request)
    assert _post(client).status_code == 500
    assert seen["second"].status_code == 409
    assert seen["second"].json()["error"]["code"] == "idempotency_conflict"
    monkeypatch.undo()
    assert _post(client).status_code == 201  # the first request's failure freed the key
