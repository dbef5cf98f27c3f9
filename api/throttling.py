"""Rate limits that hold under concurrency: per API key, per signed-in user, per client address.

DRF's ``SimpleRateThrottle`` reads a request history from the cache, appends to it and writes it
back; two workers that read at once both see room, and eight connections got 844 calls through a
600/min limit in 30 s. Here the same history (a sliding log: the time of every allowed call in
the last ``duration`` seconds) is read, pruned, judged and appended to in one atomic step, so of
any number of simultaneous calls exactly the first N are allowed, and no ``duration`` seconds
ever hold more than N allowed calls (counters over fixed windows, even weighted ones, let up to
2N through when the calls bunch at a window's edge).

* With Redis (``REDIS_CACHE_URL``) the log is a sorted set and the step one Lua script: atomic
  across every web process and machine.
* With any other cache (embedded mode's local memory) the step runs under a lock of this
  process; each process then counts alone, as its cache is its own.

A refused call is not logged, so a client that keeps retrying does not lengthen its wait.
DRF answers a refusal with 429 and ``Retry-After`` (:meth:`AtomicRateThrottle.wait`): the
seconds until the oldest logged call slides out.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass

from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache import cache as default_cache
from django.core.cache.backends.redis import RedisCache
from rest_framework.throttling import SimpleRateThrottle

from tenancy.models import ApiKey


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: float = 0.0  # seconds until one more call would be allowed


# KEYS[1] the log; ARGV now, duration, limit, member to add ("" = only look). Returns
# {allowed (1/0), seconds until the oldest entry slides out (as a string: Lua numbers are
# truncated to integers on the way back)}.
_REDIS_STEP = """
local now, duration, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - duration)
if redis.call('ZCARD', KEYS[1]) < limit then
  if ARGV[4] ~= '' then
    redis.call('ZADD', KEYS[1], now, ARGV[4])
    redis.call('EXPIRE', KEYS[1], math.ceil(duration))
  end
  return {1, '0'}
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {0, tostring(tonumber(oldest[2]) + duration - now)}
"""

_local_lock = threading.Lock()


def _redis_step(cache: RedisCache, ident, limit, duration, now, record) -> Verdict:
    key = cache.make_and_validate_key(f"ratelog:{ident}")
    client = cache._cache.get_client(key, write=True)
    member = f"{now!r}:{uuid.uuid4().hex}" if record else ""
    allowed, wait = client.eval(_REDIS_STEP, 1, key, repr(now), duration, limit, member)
    return Verdict(bool(allowed), max(0.0, float(wait)))


def _local_step(cache, ident, limit, duration, now, record) -> Verdict:
    key = f"ratelog:{ident}"
    with _local_lock:
        log = [t for t in cache.get(key, []) if t > now - duration]
        if len(log) < limit:
            if record:
                cache.set(key, [*log, now], duration)
            return Verdict(True)
    return Verdict(False, max(0.0, min(log) + duration - now))


def _step(ident: str, limit: int, duration: int, now: float, cache, record: bool) -> Verdict:
    if cache is default_cache:  # a proxy: the backend behind it decides how to step
        cache = caches[DEFAULT_CACHE_ALIAS]
    step = _redis_step if isinstance(cache, RedisCache) else _local_step
    verdict = step(cache, ident, limit, duration, now, record)
    if verdict.allowed:
        return verdict
    return Verdict(False, max(1.0, verdict.retry_after))


def rate_hit(ident: str, limit: int, duration: int, now: float, cache=default_cache) -> Verdict:
    """Count one call of ``ident``: allowed while fewer than ``limit`` allowed calls fall in
    the ``duration`` seconds before ``now``."""
    return _step(ident, limit, duration, now, cache, record=True)


def rate_peek(ident: str, limit: int, duration: int, now: float, cache=default_cache) -> Verdict:
    """Whether one more call of ``ident`` would be allowed, without counting it."""
    return _step(ident, limit, duration, now, cache, record=False)


def parse_rate(rate: str) -> tuple[int, int]:
    """``"600/min"`` → ``(600, 60)``, as DRF reads its throttle rates."""
    return SimpleRateThrottle.parse_rate(None, rate)


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
