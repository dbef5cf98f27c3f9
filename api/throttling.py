"""Rate limits that hold under concurrency: per API key, per signed-in user, per client address.

DRF's ``SimpleRateThrottle`` reads a request history from the cache, appends to it and writes it
back; two workers that read at once both see room, and eight connections got 844 calls through a
600/min limit in 30 s. Here every call is one atomic increment (Redis ``INCR``; locmem's ``incr``
holds its lock) and the number it returns decides, so of any number of simultaneous calls exactly
the first N are allowed.

The window slides: the count of the current fixed window plus the previous window's count
weighted by the share of it still inside the last ``duration`` seconds (Cloudflare's sliding
window counter). A fixed window would let 2N through in the two seconds around its boundary.
A refused call is taken back out, so a client that keeps retrying does not lengthen its wait.
DRF answers a refusal with 429 and ``Retry-After`` (:meth:`AtomicRateThrottle.wait`).
"""

from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass

from django.core.cache import cache as default_cache
from rest_framework.throttling import SimpleRateThrottle

from tenancy.models import ApiKey


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: float = 0.0  # seconds until one more call would be allowed


@dataclass(frozen=True)
class _Window:
    current_key: str
    current: int  # calls counted in the current fixed window, as read
    previous: int  # calls counted in the previous fixed window
    elapsed: float  # seconds since the current fixed window began
    duration: int

    def allowance(self, limit: int) -> int:
        """How many calls the current fixed window may still hold in all."""
        weight = 1 - self.elapsed / self.duration
        return math.floor(limit - self.previous * weight)


def _window(ident: str, duration: int, now: float, cache) -> _Window:
    index = int(now // duration)
    current_key, previous_key = f"rate:{ident}:{index}", f"rate:{ident}:{index - 1}"
    counts = cache.get_many([current_key, previous_key])  # one round trip (MGET)
    return _Window(
        current_key,
        counts.get(current_key, 0),
        counts.get(previous_key, 0),
        now - index * duration,
        duration,
    )


def _increment(cache, key: str, timeout: int) -> int:
    try:
        return cache.incr(key)
    except ValueError:  # the window's first call
        if cache.add(key, 1, timeout):
            return 1
        return cache.incr(key)  # another call created it in between


def rate_hit(ident: str, limit: int, duration: int, now: float, cache=default_cache) -> Verdict:
    """Count one call of ``ident``; allowed while at most ``limit`` fall in ``duration`` s."""
    window = _window(ident, duration, now, cache)
    # A window's key outlives it by one window: the next one reads it as its previous.
    count = _increment(cache, window.current_key, 2 * duration)
    if count <= window.allowance(limit):
        return Verdict(True)
    _take_back(cache, window.current_key)
    return Verdict(False, _seconds_until_room(window, limit, count - 1))


def rate_peek(ident: str, limit: int, duration: int, now: float, cache=default_cache) -> Verdict:
    """Whether one more call of ``ident`` would be allowed, without counting it."""
    window = _window(ident, duration, now, cache)
    if window.current + 1 <= window.allowance(limit):
        return Verdict(True)
    return Verdict(False, _seconds_until_room(window, limit, window.current))


def parse_rate(rate: str) -> tuple[int, int]:
    """``"600/min"`` → ``(600, 60)``, as DRF reads its throttle rates."""
    return SimpleRateThrottle.parse_rate(None, rate)


def _take_back(cache, key: str) -> None:
    with contextlib.suppress(ValueError):  # expired meanwhile: nothing left to take back
        cache.decr(key)


def _seconds_until_room(window: _Window, limit: int, current: int) -> float:
    """When the sliding estimate leaves room for one call, if no other call comes meanwhile."""
    d, previous = window.duration, window.previous
    if current + 1 <= limit and previous:
        # Still in this window, once enough of the previous one has slid out.
        at = d * (1 - (limit - current - 1) / previous)
    else:
        # The next window, where this window's count is the one sliding out.
        at = d + d * max(0.0, 1 - (limit - 1) / max(current, 1))
    return max(1.0, at - window.elapsed)


class AtomicRateThrottle(SimpleRateThrottle):
    """``SimpleRateThrottle``'s rates and cache keys, counted with :func:`rate_hit`."""

    verdict = Verdict(True)

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        self.verdict = rate_hit(key, self.num_requests, self.duration, self.timer(), self.cache)
        return self.verdict.allowed

    def wait(self):
        return self.verdict.retry_after

    def get_ident(self, request):
        # Not DRF's: it takes X-Forwarded-For from anyone. REMOTE_ADDR is the client's address
        # (api.edge.TrustedProxyMiddleware replaces a trusted proxy's with it).
        return request.META.get("REMOTE_ADDR", "")


class ApiKeyRateThrottle(AtomicRateThrottle):
    scope = "api_key"

    def get_cache_key(self, request, view):
        if not isinstance(request.auth, ApiKey):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.prefix}


class SessionUserRateThrottle(AtomicRateThrottle):
    scope = "user"

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiKey) or not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}
