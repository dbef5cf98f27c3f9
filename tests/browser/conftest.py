"""Playwright (Python) driving Debian's Chromium against pytest-django's live server.

Where no Chromium (or no ``playwright`` package) is found the browser tests skip with a message;
``OLIVE_REQUIRE_SERVICES=1`` (CI) turns that skip into a failure, as for the other services.
Playwright's sync API keeps an event loop in the main thread, which Django would take for an
async context: the live server and the ORM calls of the tests run in plain sync code, so
``DJANGO_ALLOW_ASYNC_UNSAFE`` is set only while Playwright runs (one module at a time), and the
tests that run after these see neither the loop nor the variable.
"""

import io
import os
import shutil
import threading
import urllib.parse
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.servers.basehttp import ServerHandler
from django.db import connection

from tests.conftest import REQUIRE_SERVICES

CHROMIUM = os.environ.get("OLIVE_CHROMIUM", "/usr/bin/chromium")
#: Chromium on this machine's closed network: no background traffic, no sandbox (root), GPU off.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
OUTPUT = Path(__file__).resolve().parents[2] / "test-output"
PASSWORD = "demo-pass-2026"


def _missing_browser() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "needs the playwright package: pip install -e '.[dev]'"
    if not (shutil.which(CHROMIUM) or Path(CHROMIUM).is_file()):
        return (
            f"needs Chromium at {CHROMIUM}: apt-get install chromium fonts-noto-cjk (.ci/run does)"
        )
    return None


def pytest_runtest_setup(item):
    if item.get_closest_marker("browser") and (reason := _missing_browser()):
        if REQUIRE_SERVICES:
            pytest.fail(f"OLIVE_REQUIRE_SERVICES=1 but this test {reason}")
        pytest.skip(reason)


@pytest.fixture(scope="module")
def chromium():
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        # launch() gives Chromium a fresh, empty user-data-dir of its own, removed on close.
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def demo_world(transactional_db, settings):
    """A small calibrated demo world (about two seconds) and cookies that do not hinge on the
    clock: under OLIVE_FROZEN_CLOCK the server's "now" is not Chromium's, so the cookies the
    server sets last for the browser session instead of until a date."""
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    settings.CSRF_COOKIE_AGE = None
    settings.SESSION_COOKIE_SECURE = False  # http://localhost: the live server has no TLS
    settings.CSRF_COOKIE_SECURE = False
    settings.SECURE_SSL_REDIRECT = False
    # pytest-django's live server answers /static/ itself from the finders, before WhiteNoise:
    # hashed (manifest) names, as with DEBUG off in CI, would all be 404s there.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    compliance_policy_in_place()
    call_command("seed_demo", creators=120, weeks=8, seed=1, stdout=io.StringIO())


def compliance_policy_in_place() -> None:
    """A transactional test's flush drops the rows the migrations seeded: the compliance policy
    (which scoring and the sanction ladder read) is put back as migration 0002 wrote it."""
    from compliance.default_policy import DEFAULT_POLICY
    from compliance.models import Policy
    from compliance.services import POLICY_FIELDS

    for category, values in DEFAULT_POLICY.items():
        fields = dict(zip(POLICY_FIELDS, values, strict=True))
        Policy.objects.unscoped().get_or_create(category=category, defaults=fields)


class Walk:
    """One role's walk in its own browser context: every console error, failed request, answer
    of 400 or more (except those a step expects) and request to another host is collected,
    and ``check`` fails the test on any of them. ``shot`` saves a numbered screenshot and, at
    a narrow width, asserts the page does not scroll sideways."""

    def __init__(self, browser, base_url: str, lang: str, role: str, width: int):
        self.base = urllib.parse.urlsplit(base_url)
        self.lang, self.role, self.width = lang, role, width
        self.context = browser.new_context(viewport={"width": width, "height": 900})
        self.context.set_default_timeout(15_000)
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.expected_statuses: set[int] = set()
        self.step = 0
        self.dialogs: list[str] = []  # every confirm() the walk answered, accepted
        self.folder = OUTPUT / lang / role
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True, exist_ok=True)
        page = self.page
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        page.on("requestfailed", self._failed)
        page.on("request", self._request)
        page.on("response", self._response)
        page.on("dialog", self._dialog)

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.accept()

    def _console(self, message):
        # Chromium logs every answer >= 400 as a console error; one the walk expects is no fault.
        if any(f"status of {status} " in message.text for status in self.expected_statuses):
            return
        if message.type == "error":
            self.problems.append(f"console error: {message.text} ({message.location})")

    def _failed(self, request):
        # A download the browser saves instead of rendering is reported as aborted; not a fault.
        download = urllib.parse.urlsplit(request.url).path.endswith((".csv", ".xlsx"))
        if request.failure == "net::ERR_ABORTED" and download:
            return
        # htmx aborts a request that a newer one on the same element replaces (typing in a
        # filter): by design, not a fault. The newer request's answer is still checked.
        if request.failure == "net::ERR_ABORTED" and request.headers.get("hx-request") == "true":
            return
        self.problems.append(f"request failed: {request.method} {request.url} {request.failure}")

    def _request(self, request):
        url = urllib.parse.urlsplit(request.url)
        if url.scheme in ("data", "blob", "about"):
            return
        if (url.hostname, url.port) != (self.base.hostname, self.base.port):
            self.problems.append(f"request to another host: {request.method} {request.url}")

    def _response(self, response):
        if response.status >= 400 and response.status not in self.expected_statuses:
            self.problems.append(
                f"HTTP {response.status}: {response.request.method} {response.url}"
            )

    def shot(self, name: str) -> None:
        self.page.wait_for_load_state("networkidle")
        self.step += 1
        self.page.screenshot(path=self.folder / f"{self.step:02d}-{name}.png", full_page=True)
        if self.width <= 400:
            scroll, client = self.page.evaluate(
                "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
            )
            if scroll > client + 1:
                self.problems.append(
                    f"{self.role} step {self.step:02d}-{name} ({self.page.url}) scrolls sideways "
                    f"at {self.width} px: scrollWidth {scroll} > clientWidth {client}"
                )

    def check(self) -> None:
        assert not self.problems, f"{self.lang}/{self.role}:\n" + "\n".join(self.problems)

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def one_request_at_a_time(monkeypatch):
    """On in-memory SQLite the live server's threads all share the test's one connection, and
    two requests at once on it can block each other for good (an htmx search Chromium aborted
    still running when the next page is asked for; seen in the full suite). Each request is
    then handled whole, its response written, before the next starts. PostgreSQL (CI) gives
    each thread its own connection and keeps the threads concurrent."""
    if connection.vendor != "sqlite":
        return
    lock = threading.Lock()
    run = ServerHandler.run

    def serialised(self, application):
        with lock:
            return run(self, application)

    monkeypatch.setattr(ServerHandler, "run", serialised)


@pytest.fixture
def walk(chromium, live_server, demo_world, one_request_at_a_time):
    walks = []

    def start(lang: str, role: str, width: int = 1280) -> Walk:
        walks.append(Walk(chromium, live_server.url, lang, role, width))
        return walks[-1]

    yield start
    for each in walks:
        each.close()
