"""The API throttles hold under concurrency (api/throttling.py): exactly N calls get through."""

import threading
import time
from types import SimpleNamespace

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache, caches

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
    monkeypatch.setattr(cls, "cache", backend)
    monkeypatch.setattr(cls, "timer", staticmethod(lambda: NOW))
    return cls


def test_concurrent_calls_on_one_key_get_exactly_the_limit_through(monkeypatch):
    throttle = _throttle_factory(ApiKeyRateThrottle, "50/min", monkeypatch, SlowCache(cache))
    assert _hammer(throttle, _key_request()) == 50  # of 200 calls from 8 threads


def test_concurrent_calls_of_one_user_get_exactly_the_limit_through(monkeypatch):
    throttle = _throttle_factory(SessionUserRateThrottle, "30/min", monkeypatch, SlowCache(cache))
    user = SimpleNamespace(is_authenticated=True, pk=7)
    request = SimpleNamespace(auth=None, user=user, META={})
    assert _hammer(throttle, request) == 30


@pytest.mark.skipif(
    not django_settings.REDIS_URL,
    reason="needs Redis: set REDIS_URL and REDIS_CACHE_URL (CI does)",
)
def test_the_limit_holds_on_real_redis(monkeypatch, settings):
    assert settings.CACHES["default"]["BACKEND"].endswith("RedisCache")
    # The Lua step itself is what must be atomic: the real backend, no wrapper.
    throttle = _throttle_factory(ApiKeyRateThrottle, "40/min", monkeypatch, caches["default"])
    assert _hammer(throttle, _key_request("redis"), threads=8, calls_each=20) == 40
    assert _hammer(throttle, _key_request("other"), threads=4, calls_each=5) == 20  # per key


def test_keys_are_counted_apart_and_a_refusal_says_when_to_come_back():
    for _ in range(3):
        assert rate_hit("k1", 3, 60, NOW).allowed
    refused = rate_hit("k1", 3, 60, NOW)
    assert not refused.allowed
    # The three calls slide out of the last minute 60 s after they were made.
    assert refused.retry_after == pytest.approx(60)
    assert rate_hit("k2", 3, 60, NOW).allowed
    assert not rate_hit("k1", 3, 60, NOW + 59.5).allowed
    assert rate_hit("k1", 3, 60, NOW + 60).allowed


def test_refused_calls_do_not_count():
    for _ in range(3):
        rate_hit("k", 3, 60, NOW)
    for _ in range(50):
        assert not rate_hit("k", 3, 60, NOW + 1).allowed
    assert rate_hit("k", 3, 60, NOW + 60).allowed


def test_the_window_slides_no_double_burst_at_a_minute_boundary():
    minute_end = (NOW // 60 + 1) * 60
    for _ in range(10):
        assert rate_hit("b", 10, 60, minute_end - 1).allowed
    # A counter per fixed minute would allow 10 more one second later, and a weighted one
    # (previous minute's count × the share of it still inside) 9 more 54 s later.
    assert not rate_hit("b", 10, 60, minute_end + 1).allowed
    assert not rate_hit("b", 10, 60, minute_end + 58.5).allowed
    allowed = [rate_hit("b", 10, 60, minute_end + 59).allowed for _ in range(12)]
    assert allowed.count(True) == 10


def _no_minute_holds_more_than(limit, times, cache_backend, ident):
    allowed = [t for t in times if rate_hit(ident, limit, 60, t, cache_backend).allowed]
    assert allowed, "nothing was allowed"
    for start in allowed:  # every minute that begins at an allowed call
        assert sum(start <= t < start + 60 for t in allowed) <= limit
    return allowed


@pytest.mark.parametrize("seed", range(5))
def test_no_sixty_seconds_ever_hold_more_than_the_limit(seed):
    """Bursts at random moments over five minutes: whatever their shape, at most the limit in
    any 60 s, and a steady client still gets the limit through each minute."""
    import random

    rng = random.Random(seed)
    bursts = [NOW + rng.uniform(0, 300) for _ in range(40)]
    times = sorted(t + rng.uniform(0, 2) for t in bursts for _ in range(rng.randint(1, 30)))
    _no_minute_holds_more_than(25, times, cache, f"random{seed}")
    steady = [NOW + 1000 + i * 0.5 for i in range(240)]  # 2 calls a second for two minutes
    allowed = _no_minute_holds_more_than(25, steady, cache, f"steady{seed}")
    assert len(allowed) == 50


@pytest.mark.skipif(
    not django_settings.REDIS_URL,
    reason="needs Redis: set REDIS_URL and REDIS_CACHE_URL (CI does)",
)
def test_no_sixty_seconds_hold_more_than_the_limit_on_real_redis():
    rng_times = [NOW + 2000 + i * 0.37 for i in range(400)]
    allowed = _no_minute_holds_more_than(20, rng_times, caches["default"], "redis-window")
    assert len(allowed) == 60  # 148 s of calls: three full minutes' worth, no more


def test_peek_does_not_count():
    for _ in range(5):
        assert rate_peek("p", 2, 60, NOW).allowed
    rate_hit("p", 2, 60, NOW)
    rate_hit("p", 2, 60, NOW)
    verdict = rate_peek("p", 2, 60, NOW)
    assert not verdict.allowed and verdict.retry_after > 0
