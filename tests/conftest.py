import datetime
import os

import pytest
from django.conf import settings as django_settings
from django.db import connection
from hypothesis import settings as hypothesis_settings

from tests.tenancy_helpers import make_personas

# BLAS and OpenMP pools of one thread: on CI's two cores, shared with the live server's threads,
# Chromium and the workers, the pools' threads spin against each other (training a compliance
# model took 2-3 times as long, a matcher property test 10 times and more). Results do not depend
# on the pool size (see matching.engine's ``one_thread``). The variables reach the worker and
# gunicorn subprocesses; ``pytest_configure`` limits the libraries already loaded here.
for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

#: In CI, a test that needs a service must run: a skip there would hide a gap.
REQUIRE_SERVICES = os.environ.get("OLIVE_REQUIRE_SERVICES") == "1"

# CI replays the same examples every run (a landing must not hinge on a lucky draw); local runs
# keep exploring new ones, which is where property tests find bugs.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI") or REQUIRE_SERVICES:
    hypothesis_settings.load_profile("ci")


#: ``OLIVE_FROZEN_CLOCK=2026-12-31T23:30:00+00:00`` runs the whole suite with the clock stopped
#: there (CI does, a second time): late UTC is already tomorrow in Asia/Shanghai, and the last
#: evening of a year is next year there, so a test that mixes the two zones fails at once.
FROZEN_CLOCK = os.environ.get("OLIVE_FROZEN_CLOCK")
_traveller = None
_thread_limit = None


def pytest_configure(config):
    global _traveller, _thread_limit
    import sklearn.ensemble  # noqa: F401  (loads its OpenMP runtime, so the limit reaches it)
    from threadpoolctl import threadpool_limits

    _thread_limit = threadpool_limits(limits=1)
    if FROZEN_CLOCK:
        import time_machine

        _traveller = time_machine.travel(datetime.datetime.fromisoformat(FROZEN_CLOCK), tick=False)
        _traveller.start()


def pytest_unconfigure(config):
    if _traveller is not None:
        _traveller.stop()
    if _thread_limit is not None:
        _thread_limit.restore_original_limits()


def pytest_report_header(config):
    return f"clock frozen at {FROZEN_CLOCK}" if FROZEN_CLOCK else None


def _missing_service(marker_name: str) -> str | None:
    if marker_name == "fuzz" and not (REQUIRE_SERVICES or os.environ.get("OLIVE_RUN_FUZZ")):
        return "API fuzzing takes minutes: set OLIVE_RUN_FUZZ=1 (CI runs it)"
    if marker_name == "postgres" and connection.vendor != "postgresql":
        return "needs PostgreSQL: set DATABASE_URL=postgres://... (CI does)"
    if marker_name == "live_worker" and not django_settings.REDIS_URL:
        return "needs Redis for a live Celery worker: set REDIS_URL=redis://... (CI does)"
    return None


def pytest_runtest_setup(item):
    for name in ("postgres", "live_worker", "fuzz"):
        if item.get_closest_marker(name) and (reason := _missing_service(name)):
            if REQUIRE_SERVICES:
                pytest.fail(f"OLIVE_REQUIRE_SERVICES=1 but this test {reason}")
            pytest.skip(reason)


@pytest.fixture(autouse=True)
def _eager_celery_unless_live_worker(request):
    """Tasks run in-process in tests, except in tests that start a real worker."""
    from config.celery import app

    eager = request.node.get_closest_marker("live_worker") is None
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = eager
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _match_index_dir(settings, tmp_path):
    """Each test's match index versions in its own directory (never the checkout's var/)."""
    settings.MATCH_INDEX_DIR = tmp_path / "match_index"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _english(settings):
    """Assertions read English messages; the Chinese default has its own tests."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def personas(db):
    return make_personas("brand")


_CALL_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.stash[_CALL_FAILED] = report.failed
    return report


@pytest.fixture(autouse=True)
def response_hash_guard(request, monkeypatch):
    """Every response the test client or APIClient hands a test is searched for stored key
    hashes (see ``tests/response_guard.py``); a hit fails the test."""
    from django.db.models.signals import post_save
    from django.test.client import AsyncClientHandler, ClientHandler

    from tenancy.models import ApiKey
    from tests.response_guard import ResponseHashGuard, request_label

    guard = ResponseHashGuard()
    sync_call, async_call = ClientHandler.__call__, AsyncClientHandler.__call__

    def checked_call(handler, environ):
        response = sync_call(handler, environ)
        guard.inspect(response, request_label(environ))
        return response

    async def checked_async_call(handler, scope):
        response = await async_call(handler, scope)
        guard.inspect(response, request_label(scope))
        return response

    def remember(sender, instance, **kwargs):
        guard.remember_key(instance.hashed_key)

    monkeypatch.setattr(ClientHandler, "__call__", checked_call)
    monkeypatch.setattr(AsyncClientHandler, "__call__", checked_async_call)
    post_save.connect(remember, sender=ApiKey, weak=False, dispatch_uid="response_hash_guard")
    try:
        yield guard
    finally:
        post_save.disconnect(sender=ApiKey, dispatch_uid="response_hash_guard")
    if guard.unexpected and not request.node.stash.get(_CALL_FAILED, False):
        pytest.fail("\n".join(guard.unexpected), pytrace=False)
