"""The suite-wide search for stored key hashes (``tests/response_guard.py``) really finds them.

These views leak on purpose; each test collects the guard's findings with ``expect_leaks`` so
the leak is asserted instead of failing the test.
"""

import json

import pytest
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse, StreamingHttpResponse
from django.urls import path
from rest_framework.test import APIClient

from tenancy.models import ApiKey
from tenancy.scoping import SYSTEM
from tenancy.services import api_key_create
from tests.factories import OrganizationFactory
from tests.response_guard import KeyHashLeak, ResponseHashGuard

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.test_response_guard")]

STORED = "sha512$$" + "ab" * 64  # the shape djangorestframework-api-key stores


def _body(request):
    return HttpResponse(f"<td>key {STORED}</td>")


def _header(request):
    response = HttpResponse("fine")
    response["X-Key"] = f"A2uCwc0l.{STORED}"
    return response


def _cookie(request):
    response = HttpResponse("fine")
    response.set_cookie("key", STORED)
    return response


def _split_stream(request):
    # The marker is cut between two chunks: a chunk-by-chunk search would miss it.
    return StreamingHttpResponse(iter([b"id,key\n1,sha5", b"12$$" + b"cd" * 64 + b"\n"]))


def _redirect(request):
    return HttpResponseRedirect(f"/clean/?k={STORED}")


def _key_digest(request):
    # Only the hex digest of a real key, without the hasher's marker.
    key = ApiKey.objects.get(prefix=request.GET["prefix"])
    return JsonResponse({"fingerprint": key.hashed_key.split("$$")[1]})


def _clean(request):
    return JsonResponse({"prefix": "A2uCwc0l", "note": "sha512 is a hash; $ is a currency"})


urlpatterns = [
    path("body/", _body),
    path("header/", _header),
    path("cookie/", _cookie),
    path("stream/", _split_stream),
    path("redirect/", _redirect),
    path("digest/", _key_digest),
    path("clean/", _clean),
]


@pytest.mark.parametrize("url", ["/body/", "/header/", "/cookie/"])
def test_a_hash_in_the_body_headers_or_cookies_is_caught(response_hash_guard, client, url):
    with response_hash_guard.expect_leaks() as leaks:
        assert client.get(url).status_code == 200
    assert len(leaks) == 1 and leaks[0].startswith(f"GET {url} ")


def test_a_hash_split_across_streamed_chunks_is_caught(response_hash_guard, client):
    with response_hash_guard.expect_leaks() as leaks:
        response = client.get("/stream/")
        assert leaks == []  # nothing read yet
        body = b"".join(response.streaming_content)
    assert body.startswith(b"id,key\n1,sha512$$")
    assert leaks == ["GET /stream/ (streamed body) carries a stored API-key hash (sha512$)"]


def test_every_hop_of_a_followed_redirect_is_searched(response_hash_guard, client):
    with response_hash_guard.expect_leaks() as leaks:
        response = client.get("/redirect/", follow=True)
    assert response.status_code == 200 and response.redirect_chain
    assert [leak.split(" (")[0] for leak in leaks] == ["GET /redirect/"]


def test_the_digest_of_a_key_saved_in_the_test_is_caught_without_its_marker(response_hash_guard):
    key, _secret = api_key_create(
        actor=SYSTEM, organization=OrganizationFactory(), name="k", scopes=[]
    )
    with response_hash_guard.expect_leaks() as leaks:
        response = APIClient().get("/digest/", {"prefix": key.prefix})
    assert "sha512" not in response.content.decode()
    assert json.loads(response.content)["fingerprint"] in key.hashed_key
    assert len(leaks) == 1 and leaks[0].startswith("GET /digest/ (body)")


def test_a_clean_response_passes(response_hash_guard, client):
    with response_hash_guard.expect_leaks() as leaks:
        assert client.get("/clean/").json()["prefix"] == "A2uCwc0l"
    assert leaks == []


def test_outside_expect_leaks_a_hit_raises_and_is_kept_for_the_teardown(client):
    guard = ResponseHashGuard()  # a private guard: the suite's own must stay clean here
    response = client.get("/clean/")
    guard.inspect(response, "GET /clean/")
    response.content = f'{{"target_id": "A2uCwc0l.{STORED}"}}'.encode()
    with pytest.raises(KeyHashLeak, match=r"GET /clean/ \(body\) carries a stored API-key hash"):
        guard.inspect(response, "GET /clean/")
    assert len(guard.unexpected) == 1
