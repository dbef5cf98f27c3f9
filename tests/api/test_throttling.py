"""The API throttles hold under concurrency (api/throttling.py): exactly N calls get through."""

import threading
import time
from types import SimpleNamespace

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache

from api.throttling import ApiKeyRateThrottle, SessionUserRateThrottle, rate_hit, rate_peek
from tenancy.models import ApiKey

#: A fixed instant in the middle of a minute, so no test crosses a window by accident.
NOW = 1_800_000_030.0


class SlowCache:
    """The real cache with a network's latency on every call: widens every race."""

    def __init__(self, inner, delay=0.002):
        self._inner, self._delay = inner, delay

    def __getattr__(self, name):
        method = getattr(self._inner, name)

        def slow(*args, **kwargs):
            time.sleep(self._delay)
            return method(*args, **kwargs)

        return slow


def _key_request(prefix="pfx"):
    return SimpleNamespace(auth=ApiKey(prefix=prefix), user=AnonymousUser(), META={})


def _hammer(make_throttle, request, threads=8, calls_each=25) -> int:
    """Calls from ``threads`` threads at once; how many the throttle let through."""
    allowed, lock, start = [], threading.Lock(), threading.Barrier(threads)

    def worker():
        start.wait()
        for _ in range(calls_each):
            ok = make_throttle().allow_request(request, view=None)
            with lock:
                allowed.append(ok)

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return sum(allowed)


def _throttle_factory(cls, rate, monkeypatch, backend):
    monkeypatch.setattr(cls, "rate", rate, raising=False)
    monkeypatch.setattr(cls, "cache", SlowCache(backend))
    monkeypatch.setattr(cls, "timer", staticmethod(lambda: NOW))
    return cls


def test_concurrent_calls_on_one_key_get_exactly_the_limit_through(monkeypatch):
    throttle = _throttle_factory(ApiKeyRateThrottle, "50/min", monkeypatch, cache)
    assert _hammer(throttle, _key_request()) == 50  # of 200 calls from 8 threads


def test_concurrent_calls_of_one_user_get_exactly_the_limit_through(monkeypatch):
    throttle = _throttle_factory(SessionUserRateThrottle, "30/min", monkeypatch, cache)
    user = SimpleNamespace(is_authenticated=True, pk=7)
    request = SimpleNamespace(auth=None, user=user, META={})
    assert _hammer(throttle, request) == 30


@pytest.mark.skipif(
    not django_settings.REDIS_URL,
    reason="needs Redis: set REDIS_URL and REDIS_CACHE_URL (CI does)",
)
def test_the_limit_holds_on_real_redis(monkeypatch, settings):
    assert settings.CACHES["default"]["BACKEND"].endswith("RedisCache")
    throttle = _throttle_factory(ApiKeyRateThrottle, "40/min", monkeypatch, cache)
    assert _hammer(throttle, _key_request("redis"), threads=8, calls_each=20) == 40
    assert _hammer(throttle, _key_request("other"), threads=4, calls_each=5) == 20  # per key


def test_keys_are_counted_apart_and_a_refusal_says_when_to_come_back():
    for _ in range(3):
        assert rate_hit("k1", 3, 60, NOW).allowed
    refused = rate_hit("k1", 3, 60, NOW)
    assert not refused.allowed
    # The window began 30 s ago; in the next one this window's 3 calls slide out: at 20 s in,
    # a third of them is left (floor 2), room for one. 30 + 20 = 50 s from now.
    assert refused.retry_after == pytest.approx(50)
    assert rate_hit("k2", 3, 60, NOW).allowed
    assert not rate_hit("k1", 3, 60, NOW + 49).allowed
    assert rate_hit("k1", 3, 60, NOW + 50).allowed


def test_refused_calls_do_not_count():
    for _ in range(3):
        rate_hit("k", 3, 60, NOW)
    for _ in range(50):
        assert not rate_hit("k", 3, 60, NOW + 1).allowed
    assert rate_hit("k", 3, 60, NOW + 50).allowed


def test_the_window_slides_no_double_burst_at_its_boundary():
    window_end = (NOW // 60 + 1) * 60
    for _ in range(10):
        assert rate_hit("b", 10, 60, window_end - 1).allowed
    # A fixed window would allow 10 more one second later.
    assert not rate_hit("b", 10, 60, window_end + 1).allowed
    # 54 s in, a tenth of the previous window is left (1 call): room for 9.
    allowed = [rate_hit("b", 10, 60, window_end + 54).allowed for _ in range(12)]
    assert allowed.count(True) == 9


def test_peek_does_not_count():
    for _ in range(5):
        assert rate_peek("p", 2, 60, NOW).allowed
    rate_hit("p", 2, 60, NOW)
    rate_hit("p", 2, 60, NOW)
    verdict = rate_peek("p", 2, 60, NOW)
    assert not verdict.allowed and verdict.retry_after > 0
