"""Calls that authenticate as nobody are throttled per client address
(api.edge.AnonymousApiThrottleMiddleware): DRF refuses them (401) before it throttles."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tests.tenancy_helpers import api_key_client

pytestmark = pytest.mark.django_db
ME = "/api/v1/me/"
HERE, ELSEWHERE = "198.51.100.1", "198.51.100.2"


@pytest.fixture(autouse=True)
def _three_a_minute(settings):
    settings.OLIVE_API_ANON_RATE = "3/min"


def _codes(client, count, **extra):
    return [client.get(ME, REMOTE_ADDR=HERE, **extra).status_code for _ in range(count)]


def test_calls_without_credentials_are_throttled_per_address():
    client = APIClient()
    assert _codes(client, 3) == [401, 401, 401]
    refused = client.get(ME, REMOTE_ADDR=HERE)
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert refused.json()["error"]["code"] == "throttled"
    assert client.get(ME, REMOTE_ADDR=ELSEWHERE).status_code == 401
    assert client.get("/api/schema/", REMOTE_ADDR=HERE).status_code == 429


def test_guessing_keys_is_throttled_and_then_even_a_good_key_waits(personas):
    guesser = APIClient()
    guesser.credentials(HTTP_AUTHORIZATION="Api-Key abcdefgh.wrong")
    assert _codes(guesser, 3) == [401, 401, 401]
    assert guesser.get(ME, REMOTE_ADDR=HERE).status_code == 429
    _key, client = api_key_client(personas.tenant, ["creators:read"])
    assert client.get(ME, REMOTE_ADDR=HERE).status_code == 429
    assert client.get(ME, REMOTE_ADDR=ELSEWHERE).status_code == 200


def test_good_keys_and_sessions_do_not_count(personas):
    _key, client = api_key_client(personas.tenant, ["creators:read"])
    assert _codes(client, 6) == [200] * 6
    assert _codes(personas.api_client(personas.member), 6) == [200] * 6
    assert APIClient().get(ME, REMOTE_ADDR=HERE).status_code == 401  # the budget is intact


def test_pages_are_not_counted(client):
    for _ in range(5):
        assert client.get(reverse("tenancy:login"), REMOTE_ADDR=HERE).status_code == 200
    assert APIClient().get(ME, REMOTE_ADDR=HERE).status_code == 401
