"""Every API error, 500 included, is ``{"error": {"code", "message", "fields"}}`` with a code from
``api.errors.CODES``: stable snake_case, the same for the same failure wherever it happens, and
listed in the README's API section."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import pytest
from django.http import Http404
from django.test import Client
from rest_framework import exceptions
from rest_framework.response import Response

import api.tenancy
from api.errors import CODES
from tests.factories import MembershipFactory, OrganizationFactory
from tests.tenancy_helpers import api_key_client

pytestmark = pytest.mark.django_db
README = Path(__file__).resolve().parents[2] / "README.md"
#: snake_case, or ``<entity>.<rule>`` for a business rule's refusal (``campaign.budget_exceeded``).
SNAKE = re.compile(r"^([a-z]+\.)?[a-z]+(_[a-z]+)*$")


def error_of(response) -> dict:
    assert response["Content-Type"] == "application/json", response.content[:300]
    body = json.loads(response.content)
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}, body
    assert body["error"]["message"], body
    return body["error"]


# --- The catalogue --------------------------------------------------------------------------


def api_exception_classes() -> list[type[exceptions.APIException]]:
    """DRF's exceptions and every one the project defines (loaded with the URL conf)."""
    import config.urls  # noqa: F401  (imports every app's api module)

    found, todo = [], [exceptions.APIException]
    while todo:
        cls = todo.pop()
        todo += cls.__subclasses__()
        top = cls.__module__.split(".")[0]
        if top in ("rest_framework", "api", "tenancy", "creators", "brands", "mcn", "traffic"):
            found.append(cls)
    return found


def test_the_codes_are_snake_case_and_every_exception_has_one():
    assert all(SNAKE.match(code) for code in CODES), [c for c in CODES if not SNAKE.match(c)]
    strays = {
        f"{cls.__module__}.{cls.__name__}": cls.default_code
        for cls in api_exception_classes()
        if cls.default_code not in CODES and cls is not exceptions.APIException
    }
    assert strays == {}, "exception codes missing from api.errors.CODES (and the README)"


@pytest.mark.parametrize(
    "exc_class",
    [c for c in api_exception_classes() if c is not exceptions.APIException],
    ids=lambda c: c.__name__,
)
def test_each_exception_answers_its_code_and_status(exc_class, monkeypatch):
    """Raised from a view, each exception class answers its catalogued code and status."""
    raised = exc_class(wait=3) if exc_class is exceptions.Throttled else _instance(exc_class)

    def explode(self, request):
        raise raised

    monkeypatch.setattr(api.tenancy.MeView, "get", explode)
    _key, client = api_key_client(OrganizationFactory(kind="partner"), [])
    response = client.get("/api/v1/me/")
    invalid = issubclass(exc_class, exceptions.ValidationError)
    want = "invalid" if invalid else exc_class.default_code
    assert error_of(response)["code"] == want
    assert response.status_code == CODES[want][0] == raised.status_code


def _instance(exc_class):
    if issubclass(exc_class, exceptions.MethodNotAllowed):
        return exc_class("GET")
    if issubclass(exc_class, exceptions.UnsupportedMediaType):
        return exc_class("text/plain")
    return exc_class()


def test_a_custom_code_raised_with_the_detail_does_not_leak_into_the_code(monkeypatch):
    def refuse(self, request):
        raise exceptions.PermissionDenied("No.", code="some_internal_reason")

    monkeypatch.setattr(api.tenancy.MeView, "get", refuse)
    _key, client = api_key_client(OrganizationFactory(kind="partner"), [])
    assert error_of(client.get("/api/v1/me/"))["code"] == "permission_denied"


def readme_codes() -> dict[str, int]:
    section = README.read_text(encoding="utf-8").split("\n## API\n", 1)[1].split("\n## ", 1)[0]
    lines = re.findall(r"^  - `([a-z_.]+)` \((\d{3})\): .+$", section, flags=re.MULTILINE)
    return {code: int(status) for code, status in lines}


def test_the_readme_lists_exactly_the_codes():
    assert readme_codes() == {code: status for code, (status, _text) in CODES.items()}


# --- The same failure, the same code, wherever it happens -----------------------------------


@pytest.fixture
def brand_key():
    scopes = ["campaigns:read", "campaigns:write"]
    return api_key_client(OrganizationFactory(kind="brand"), scopes)[1]


def test_object_not_found_and_unknown_url_are_both_not_found(brand_key):
    missing = brand_key.get("/api/v1/campaigns/987654/")
    unknown = brand_key.get("/api/v1/no-such-thing/")
    assert (missing.status_code, unknown.status_code) == (404, 404)
    assert error_of(missing)["code"] == error_of(unknown)["code"] == "not_found"


def test_an_http404_raised_by_a_view_is_not_found(monkeypatch):
    def gone(self, request):
        raise Http404("This creator has no audience portrait yet.")

    monkeypatch.setattr(api.tenancy.MeView, "get", gone)
    _key, client = api_key_client(OrganizationFactory(kind="partner"), [])
    error = error_of(client.get("/api/v1/me/"))
    assert error == {
        "code": "not_found",
        "message": "This creator has no audience portrait yet.",
        "fields": {},
    }


def test_the_everyday_refusals(brand_key):
    anonymous = Client().get("/api/v1/campaigns/")
    assert (anonymous.status_code, error_of(anonymous)["code"]) == (401, "not_authenticated")
    bad_key = Client().get("/api/v1/campaigns/", HTTP_AUTHORIZATION="Api-Key nope.nope")
    assert (bad_key.status_code, error_of(bad_key)["code"]) == (401, "authentication_failed")
    _key, no_scope = api_key_client(OrganizationFactory(kind="brand"), [])
    refused = no_scope.get("/api/v1/campaigns/")
    assert (refused.status_code, error_of(refused)["code"]) == (403, "permission_denied")
    delete = brand_key.delete("/api/v1/campaigns/")
    assert (delete.status_code, error_of(delete)["code"]) == (405, "method_not_allowed")
    text = brand_key.post("/api/v1/campaigns/", "name=x", content_type="text/plain")
    assert (text.status_code, error_of(text)["code"]) == (415, "unsupported_media_type")
    broken = brand_key.post("/api/v1/campaigns/", '{"name": ', content_type="application/json")
    assert (broken.status_code, error_of(broken)["code"]) == (400, "parse_error")
    xml = brand_key.get("/api/v1/campaigns/", HTTP_ACCEPT="application/xml")
    assert (xml.status_code, error_of(xml)["code"]) == (406, "not_acceptable")
    invalid = brand_key.post("/api/v1/campaigns/", {}, format="json")
    assert (invalid.status_code, error_of(invalid)["code"]) == (400, "invalid")
    assert "name" in error_of(invalid)["fields"]


def test_a_session_users_read_only_refusal_is_permission_denied():
    viewer = MembershipFactory(organization=OrganizationFactory(kind="brand"), role="viewer").user
    client = Client()
    client.force_login(viewer)
    response = client.post("/api/v1/campaigns/", {}, content_type="application/json")
    assert (response.status_code, error_of(response)["code"]) == (403, "permission_denied")


# --- 500s -----------------------------------------------------------------------------------


class Boom(RuntimeError):
    pass


def _crashing_client(user=None) -> Client:
    client = Client(raise_request_exception=False)
    user = user or MembershipFactory(organization=OrganizationFactory(kind="partner")).user
    client.force_login(user)
    return client


@pytest.mark.parametrize("debug", [False, True], ids=["production", "debug"])
@pytest.mark.parametrize("accept", ["application/json", "text/html", "*/*"])
def test_an_exception_in_a_view_is_a_logged_json_500(debug, accept, settings, monkeypatch, caplog):
    settings.DEBUG = debug

    def explode(self, request):
        raise Boom("the database went away")

    monkeypatch.setattr(api.tenancy.MeView, "get", explode)
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = _crashing_client().get("/api/v1/me/", HTTP_ACCEPT=accept)
    assert response.status_code == 500
    assert error_of(response) == {
        "code": "server_error",
        "message": "A server error occurred.",
        "fields": {},
    }
    assert "the database went away" not in response.content.decode()
    # Reported as Django reports an uncaught exception: the signal and the traceback in the log.
    assert isinstance(response.exc_info[1], Boom)
    logged = [r for r in caplog.records if r.name == "django.request" and r.levelname == "ERROR"]
    assert len(logged) == 1 and logged[0].exc_info[0] is Boom
    assert logged[0].getMessage() == "Internal Server Error: /api/v1/me/"


def test_a_test_client_still_sees_the_exception(monkeypatch):
    """The default client re-raises, so a test of a crashing view fails with the real error."""

    def explode(self, request):
        raise Boom("seen")

    monkeypatch.setattr(api.tenancy.MeView, "get", explode)
    client = Client()
    client.force_login(MembershipFactory().user)
    with pytest.raises(Boom):
        client.get("/api/v1/me/")


@pytest.mark.parametrize("debug", [False, True], ids=["production", "debug"])
@pytest.mark.parametrize("accept", ["application/json", "text/html"])
def test_an_exception_while_rendering_is_a_json_500(debug, accept, settings, monkeypatch):
    settings.DEBUG = debug

    def unrenderable(self, request):
        return Response({"value": object()})  # JSON cannot encode it: fails in render()

    monkeypatch.setattr(api.tenancy.MeView, "get", unrenderable)
    response = _crashing_client().get("/api/v1/me/", HTTP_ACCEPT=accept)
    assert response.status_code == 500
    assert error_of(response)["code"] == "server_error"
    assert int(response["Content-Length"]) == len(response.content)  # the new body's length


class ExplodingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        raise Boom("in a middleware")


@pytest.mark.parametrize("debug", [False, True], ids=["production", "debug"])
def test_an_exception_in_a_middleware_is_a_json_500_under_the_api(debug, settings):
    settings.DEBUG = debug
    first, *rest = settings.MIDDLEWARE
    assert first == "api.errors.ApiErrorMiddleware"  # outermost: it sees every answer
    settings.MIDDLEWARE = [first, __name__ + ".ExplodingMiddleware", *rest]
    client = Client(raise_request_exception=False)
    response = client.get("/api/v1/me/", HTTP_ACCEPT="text/html")
    assert response.status_code == 500
    assert error_of(response)["code"] == "server_error"
    page = client.get("/brand/", HTTP_ACCEPT="text/html")  # pages keep their HTML 500
    assert page.status_code == 500 and page["Content-Type"].startswith("text/html")


def test_an_unknown_api_url_is_json_in_debug_too(settings):
    settings.DEBUG = True
    response = Client().get("/api/v1/no-such-thing/", HTTP_ACCEPT="text/html")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_the_browsable_apis_error_pages_are_left_alone(brand_key):
    response = brand_key.get("/api/v1/campaigns/987654/", HTTP_ACCEPT="text/html")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")
    assert "not_found" in response.content.decode()


def test_server_error_messages_follow_the_language(monkeypatch):
    def explode(self, request):
        raise Boom

    monkeypatch.setattr(api.tenancy.MeView, "get", explode)
    response = _crashing_client().get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert error_of(response)["message"] == "服务器出现了错误。"


@pytest.mark.parametrize(
    ("status", "code"), [(400, "bad_request"), (429, "throttled"), (502, "server_error")]
)
def test_the_middleware_gives_a_bare_api_error_the_json_body(status, code):
    from django.http import HttpResponse
    from django.test import RequestFactory

    from api.errors import ApiErrorMiddleware

    middleware = ApiErrorMiddleware(lambda request: HttpResponse("<h1>no</h1>", status=status))
    response = middleware(RequestFactory().get("/api/v1/creators/"))
    assert response.status_code == status and error_of(response)["code"] == code
    page = middleware(RequestFactory().get("/brand/"))
    assert page.content == b"<h1>no</h1>"  # pages keep their own answer
    fine = ApiErrorMiddleware(lambda request: HttpResponse("ok"))(RequestFactory().get("/api/"))
    assert fine.content == b"ok"
