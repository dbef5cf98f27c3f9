"""Hardening: security headers and the CSP, error pages, the favicon, sign-in lock-out and rate,
proxy trust, caching of private answers, body limits, gunicorn's headers."""

import json
import os
import re
import runpy
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse, HttpResponseNotAllowed
from django.templatetags.static import static
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

from api import errors
from api.edge import PrivateCacheMiddleware, TrustedProxyMiddleware
from tenancy.models import AuditEvent
from tenancy.services import LOGIN_LOCKED_OUT
from tests.factories import OrganizationFactory, UserFactory
from tests.tenancy_helpers import api_key_client

PASSWORD = "test-pass-123"  # tests.factories.UserFactory


@pytest.fixture
def production(settings):
    """What DJANGO_DEBUG=0 gives (config/settings.py, "Security")."""
    settings.DEBUG = False
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    return settings


def _csp(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {
        part.split()[0]: " ".join(part.split()[1:])
        for part in (p.strip() for p in header.split(";"))
        if part
    }


def _nonce(response) -> str:
    match = re.search(r"'nonce-([^']+)'", _csp(response)["script-src"])
    assert match, response["Content-Security-Policy"]
    return match.group(1)


def assert_nothing_inline_but_nonced(response):
    """Every <script> has a src or the response's nonce (data blocks aside), every <style> the
    nonce; no event handler or style attribute in the markup (the CSP refuses both)."""
    body = response.content.decode()
    nonce = _nonce(response)
    for tag in re.findall(r"<script\b[^>]*>", body):
        if 'type="application/json"' in tag:
            continue  # a data block: never executed
        assert "src=" in tag or f'nonce="{nonce}"' in tag, tag
    for tag in re.findall(r"<style\b[^>]*>", body):
        assert f'nonce="{nonce}"' in tag, tag
    assert not re.search(r"<[^>]+\son[a-z]+=", body), "inline event handler"
    assert not re.search(r"<[^>]+\sstyle=", body), "style attribute"


# --- headers ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_page_headers_in_production(production):
    response = Client().get(reverse("tenancy:login"), secure=True)
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    csp = _csp(response)
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    assert csp["default-src"] == "'self'"
    assert csp["frame-ancestors"] == "'none'"
    assert csp["object-src"] == "'none'"
    assert re.fullmatch(r"'self' 'nonce-[A-Za-z0-9+/=]{16,}'", csp["script-src"])
    # no third-party host anywhere in the policy
    assert not re.search(r"https?:|\*", response["Content-Security-Policy"])
    cookie = response.cookies["csrftoken"]
    assert cookie["secure"] is True
    assert_nothing_inline_but_nonced(response)


@pytest.mark.django_db
def test_plain_http_is_redirected_to_https_in_production(production):
    response = Client().get(reverse("tenancy:login"))
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


@pytest.mark.django_db
def test_session_cookie_is_secure_in_production(production):
    user = UserFactory()
    client = Client()
    response = client.post(
        reverse("tenancy:login"), {"username": user.username, "password": PASSWORD}, secure=True
    )
    assert response.status_code == 302
    assert response.cookies["sessionid"]["secure"] is True
    assert response.cookies["sessionid"]["httponly"] is True


def test_each_response_has_its_own_nonce(client, db):
    first = client.get(reverse("tenancy:login"))
    second = client.get(reverse("tenancy:login"))
    assert _nonce(first) != _nonce(second)
    assert f'nonce="{_nonce(first)}"' in first.content.decode()


def test_signed_in_pages_have_nothing_inline(personas):
    client = personas.client(personas.member)
    response = client.get(reverse("tenancy:home"), follow=True)
    assert response.status_code == 200
    assert_nothing_inline_but_nonced(response)
    body = response.content.decode()
    assert "data-autosubmit" in body  # the switcher and language select, via static/js/olive.js
    assert static("img/logo.svg") in body  # hashed when the manifest storage is on (CI)
    assert "🫒" not in body
    config = '{"includeIndicatorStyles": false, "attributesToSettle": ["class", "width", "height"]}'
    assert f"<meta name=\"htmx-config\" content='{config}'>" in body  # no style: the CSP


def test_api_keys_page_confirms_without_inline_script(personas):
    from tenancy.scoping import SYSTEM
    from tenancy.services import api_key_create

    api_key_create(actor=SYSTEM, organization=personas.tenant, name="ci", scopes=[])
    response = personas.client(personas.member).get(reverse("tenancy:api_keys"))  # an owner
    assert response.status_code == 200
    assert "data-confirm=" in response.content.decode()
    assert_nothing_inline_but_nonced(response)


def test_swagger_ui_runs_under_the_csp(client, db):
    response = client.get(reverse("api-docs"))
    assert response.status_code == 200
    assert_nothing_inline_but_nonced(response)
    body = response.content.decode()
    script = re.search(r'<script src="([^"]*\?[^"]*script[^"]*)"', body)
    assert script, body
    init = client.get(script.group(1).replace("&amp;", "&"))
    assert init.status_code == 200
    assert init["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in init.content.decode()


def test_browsable_api_scripts_are_served_files(personas):
    client = personas.client(personas.member)
    response = client.get(reverse("api:me"), HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert "text/html" in response["Content-Type"]
    body = response.content.decode()
    nonce = _nonce(response) if "'nonce-" in response["Content-Security-Policy"] else None
    for tag in re.findall(r"<script\b[^>]*>", body):
        if 'type="application/json"' in tag:
            continue
        assert "src=" in tag or (nonce and f'nonce="{nonce}"' in tag), tag
    assert "unsafe-inline" not in response["Content-Security-Policy"]


# --- favicon and logo -------------------------------------------------------------------------


def test_favicon(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an ICO file
    page = client.get(reverse("tenancy:login")).content.decode()
    assert f'rel="icon" href="{static("img/favicon.svg")}"' in page


def test_logo_and_favicon_svgs_are_served(client, db):
    from django.contrib.staticfiles import finders

    for name in ("img/logo.svg", "img/favicon.svg", "js/olive.js"):
        assert finders.find(name), name


# --- error pages ------------------------------------------------------------------------------

FACTORY = RequestFactory()

ERROR_TEXTS = {
    400: ("Bad request", "请求有误"),
    403: ("Not allowed", "无权操作"),
    404: ("Page not found", "页面不存在"),
    500: ("Something went wrong on our side", "我们这边出了问题"),
}


def _render_error(status: int, path: str = "/brand/"):
    request = FACTORY.get(path)
    if status == 400:
        return errors.bad_request(request, Exception("x"))
    if status == 403:
        return errors.permission_denied(request, Exception("x"))
    if status == 404:
        return errors.not_found(request, Exception("x"))
    return errors.server_error(request)


@pytest.mark.django_db
@pytest.mark.parametrize("status", sorted(ERROR_TEXTS))
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_error_pages_in_both_languages(status, language):
    with translation.override(language):
        response = _render_error(status)
    assert response.status_code == status
    body = response.content.decode()
    english, chinese = ERROR_TEXTS[status]
    assert (english if language == "en" else chinese) in body
    assert f'<html lang="{language}">' in body
    # Hashed when the manifest storage is on (CI); the 500 page names the unhashed file, which
    # collectstatic keeps too, so it needs no storage lookup.
    logo = "/static/img/logo.svg" if status == 500 else static("img/logo.svg")
    assert logo in body


def test_server_error_page_needs_no_database(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = errors.server_error(FACTORY.get("/brand/"))
    assert response.status_code == 500


@pytest.mark.parametrize("status", sorted(ERROR_TEXTS))
def test_api_errors_stay_json(status, db):
    response = _render_error(status, path="/api/v1/nothing/")
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    body = json.loads(response.content)
    assert set(body["error"]) == {"code", "message", "fields"}


def test_unknown_page_through_the_client(client, db):
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()
    response = client.get("/no-such-page/secret-42/")
    assert "secret-42" not in response.content.decode()  # the page does not echo the address


# --- 405 ------------------------------------------------------------------------------------


def test_get_on_a_post_only_page_says_what_to_do(personas):
    client = personas.client(personas.member)
    response = client.get(reverse("tenancy:logout"), HTTP_REFERER="http://testserver/brand/")
    assert response.status_code == 405
    assert "POST" in response["Allow"]
    body = response.content.decode()
    assert "This address only accepts a form submission" in body
    assert "use its button" in body
    assert 'href="http://testserver/brand/"' in body
    assert_nothing_inline_but_nonced(response)


def test_405_page_in_chinese_and_no_foreign_back_link(client, db):
    response = client.get(
        reverse("tenancy:logout"),
        HTTP_ACCEPT_LANGUAGE="zh-hans",
        HTTP_REFERER="https://evil.example/",
    )
    assert response.status_code == 405
    body = response.content.decode()
    assert "此地址只接受表单提交" in body
    assert "evil.example" not in body


def test_bare_405_under_api_is_json():
    middleware = errors.MethodNotAllowedMiddleware(lambda request: HttpResponseNotAllowed(["POST"]))
    response = middleware(FACTORY.get("/api/v1/something/"))
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert json.loads(response.content)["error"]["code"] == "method_not_allowed"


def test_a_405_with_a_body_is_left_alone():
    middleware = errors.MethodNotAllowedMiddleware(
        lambda request: HttpResponse("explained", status=405)
    )
    assert middleware(FACTORY.get("/x/")).content == b"explained"


# --- sign-in lock-out -------------------------------------------------------------------------


def _login(client, username, password, ip="203.0.113.7"):
    return client.post(
        reverse("tenancy:login"),
        {"username": username, "password": password},
        REMOTE_ADDR=ip,
    )


@pytest.mark.django_db
def test_five_wrong_passwords_lock_the_account_out_until_the_cool_off(settings):
    user = UserFactory()
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _login(client, user.username, "wrong").status_code == 200  # the form again
    locked = _login(client, user.username, "wrong")
    assert locked.status_code == 429
    assert "Too many sign-in attempts" in locked.content.decode()
    assert int(locked["Retry-After"]) == settings.AXES_COOLOFF_TIME.total_seconds()

    refused = _login(client, user.username, PASSWORD)  # even the right password
    assert refused.status_code == 429
    assert "_auth_user_id" not in client.session

    event = AuditEvent.objects.unscoped().get(action=LOGIN_LOCKED_OUT)
    assert event.data == {"username": user.username, "ip_address": "203.0.113.7"}
    assert event.organization_id is None

    # Another address is not locked out: the lock is on username and IP together.
    assert _login(Client(), user.username, PASSWORD, ip="198.51.100.9").status_code == 302

    with time_machine.travel(timezone.now() + settings.AXES_COOLOFF_TIME + timedelta(seconds=1)):
        fresh = Client()
        assert _login(fresh, user.username, PASSWORD).status_code == 302
        assert fresh.session["_auth_user_id"] == str(user.pk)


@pytest.mark.django_db
def test_a_good_login_resets_the_count(settings):
    user = UserFactory()
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, user.username, "wrong")
    assert _login(client, user.username, PASSWORD).status_code == 302
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _login(client, user.username, "wrong").status_code == 200
    assert _login(client, user.username, PASSWORD).status_code == 302


@pytest.mark.django_db
def test_lockout_page_in_chinese(settings):
    user = UserFactory()
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = _login(client, user.username, "wrong")
    assert response.status_code == 429
    body = response.content.decode()
    assert "登录尝试次数过多" in body
    assert "15 分钟" in body


def test_csrf_failure_has_its_own_page(db):
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="zh-hans")
    response = client.post(reverse("tenancy:login"), {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "表单已失效" in response.content.decode()


@pytest.mark.django_db
def test_attempts_during_a_lockout_add_no_audit_rows(settings):
    user = UserFactory()
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT + 3):
        _login(client, user.username, "wrong")
    assert AuditEvent.objects.unscoped().filter(action=LOGIN_LOCKED_OUT).count() == 1


def test_the_admin_sign_in_is_covered_by_axes_too(db, settings):
    user = UserFactory(is_staff=True)
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(
            reverse("admin:login"),
            {"username": user.username, "password": "wrong"},
            REMOTE_ADDR="203.0.113.8",
        )
    assert response.status_code == 429


# --- sign-in rate per address (api.edge.LoginRateLimitMiddleware) --------------------


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", ["tenancy:login", "admin:login"])
def test_an_address_spraying_usernames_is_rate_limited(settings, url_name):
    settings.OLIVE_LOGIN_RATE = "3/min"
    client = Client()

    def attempt(number, ip="203.0.113.20"):
        data = {"username": f"guess{number}", "password": "x"}
        return client.post(reverse(url_name), data, REMOTE_ADDR=ip)

    assert [attempt(n).status_code for n in range(3)] == [200, 200, 200]  # the form again
    refused = attempt(3)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert "Too many sign-in attempts from your address." in refused.content.decode()
    assert attempt(4, ip="203.0.113.21").status_code == 200  # per address
    assert client.get(reverse(url_name), REMOTE_ADDR="203.0.113.20").status_code == 200


@pytest.mark.django_db
def test_the_sign_in_rate_page_in_chinese(settings):
    settings.OLIVE_LOGIN_RATE = "1/min"
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    for _ in range(2):
        response = _login(client, "nobody", "x")
    assert response.status_code == 429
    assert "您的地址登录尝试次数过多" in response.content.decode()


# --- proxy trust (api.edge.TrustedProxyMiddleware) -----------------------------------

STRANGER, PROXY = "203.0.113.50", "10.0.0.2"


@pytest.mark.django_db
def test_a_client_cannot_claim_https_through_x_forwarded_proto(production):
    response = Client().get(
        reverse("tenancy:login"), HTTP_X_FORWARDED_PROTO="https", REMOTE_ADDR=STRANGER
    )
    assert response.status_code == 301 and response["Location"].startswith("https://")


@pytest.mark.django_db
def test_the_configured_proxy_is_believed(production):
    production.OLIVE_TRUSTED_PROXIES = [PROXY]
    response = Client().get(
        reverse("tenancy:login"), HTTP_X_FORWARDED_PROTO="https", REMOTE_ADDR=PROXY
    )
    assert response.status_code == 200
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def _seen_address(**meta) -> str:
    seen = {}

    def view(request):
        seen.update(request.META)
        return HttpResponse()

    TrustedProxyMiddleware(view)(FACTORY.get("/", **meta))
    return seen


def test_the_client_address_comes_from_a_trusted_proxy_only(settings):
    settings.OLIVE_TRUSTED_PROXIES = [PROXY, "10.1.0.0/16"]
    chain = "198.51.100.7, 192.0.2.1, 10.1.4.4"  # client, spoofed by it, a second proxy of ours
    via_proxy = _seen_address(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=chain)
    assert via_proxy["REMOTE_ADDR"] == "192.0.2.1"  # the right-most address not ours
    direct = _seen_address(REMOTE_ADDR=STRANGER, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert direct["REMOTE_ADDR"] == STRANGER and "HTTP_X_FORWARDED_FOR" not in direct
    garbage = _seen_address(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="nonsense")
    assert garbage["REMOTE_ADDR"] == PROXY


def test_loopback_is_the_default_proxy(settings):
    assert settings.OLIVE_TRUSTED_PROXIES == ["127.0.0.1", "::1"]


# --- caching, Permissions-Policy --------------------------------------------------------------


def _never_cached(response) -> bool:
    directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
    return {"no-store", "private"} <= directives


def test_signed_in_pages_and_api_answers_are_never_cached(personas):
    page = personas.client(personas.member).get(reverse("tenancy:home"), follow=True)
    assert page.status_code == 200 and _never_cached(page)
    api = personas.api_client(personas.member).get("/api/v1/me/")
    assert api.status_code == 200 and _never_cached(api)
    key_client = personas.key_client(personas.tenant, ["creators:read"])
    by_key = key_client.get("/api/v1/creators/")
    assert by_key.status_code == 200 and _never_cached(by_key)


def test_a_view_cannot_make_a_signed_in_answer_cacheable(personas, settings):
    def view(request):
        response = HttpResponse()
        response["Cache-Control"] = "public, max-age=3600"
        return response

    request = FACTORY.get("/")
    request.user = personas.member
    assert _never_cached(PrivateCacheMiddleware(view)(request))
    request.user = AnonymousUser()
    assert PrivateCacheMiddleware(view)(request)["Cache-Control"] == "public, max-age=3600"


def test_static_files_keep_their_caching(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and not _never_cached(response)


def test_permissions_policy_refuses_powerful_features(client, db):
    policy = client.get(reverse("tenancy:login"))["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in policy


# --- request bodies (api.edge.BodySizeLimitMiddleware) -------------------------------

BIG = 2 * 2**20  # over the 1 MiB cap, under the bulk routes' 16 MiB


def test_a_large_body_is_refused_before_it_is_read(personas):
    from tenancy.models import ApiKey

    client = personas.api_client(personas.member)
    body = json.dumps({"name": "x", "scopes": [], "pad": "x" * BIG})
    response = client.post("/api/v1/api-keys/", body, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"
    assert not ApiKey.objects.exists()


def test_bulk_routes_take_large_bodies(db):
    partner = OrganizationFactory(kind="partner")
    _key, client = api_key_client(partner, ["metrics:write"])
    rows = [{"creator": "nobody", "date": "2026-11-01", "views": 1}]
    body = json.dumps({"rows": rows, "pad": "x" * BIG})
    assert len(body) > BIG
    response = client.post("/api/v1/metrics/bulk/", body, content_type="application/json")
    assert response.status_code == 400  # read and judged: the handles are unknown
    assert response.json()["error"]["fields"]["rows"]


def test_a_large_form_is_a_413_page(db):
    response = Client().post(
        reverse("tenancy:login"), {"username": "x", "password": "y" * BIG}, REMOTE_ADDR=STRANGER
    )
    assert response.status_code == 413
    assert "larger than this address accepts" in response.content.decode()


# --- gunicorn (platform/gunicorn.conf.py), a real run -----------------------------------------

ROOT = Path(__file__).resolve().parent.parent


def test_gunicorn_recycles_workers_with_jitter():
    from gunicorn.http import wsgi

    original = wsgi.Response
    try:
        conf = runpy.run_path(str(ROOT / "platform" / "gunicorn.conf.py"))
    finally:
        wsgi.Response = original
    assert conf["max_requests"] >= 100 and 0 < conf["max_requests_jitter"] < conf["max_requests"]


def test_gunicorn_sends_no_server_header(tmp_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(GUNICORN_BIND=f"127.0.0.1:{port}", GUNICORN_WORKERS="1")
    command = [sys.executable, "-m", "gunicorn", "config.wsgi", "-c", "platform/gunicorn.conf.py"]
    log = (tmp_path / "gunicorn.log").open("w")
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        for _ in range(60):
            try:
                response = urllib.request.urlopen(f"http://127.0.0.1:{port}/favicon.ico")
                break
            except OSError:
                time.sleep(0.25)
        else:
            pytest.fail((tmp_path / "gunicorn.log").read_text())
        assert response.status == 200
        assert response.headers.get("Server") is None, response.headers
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
