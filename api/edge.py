"""The site's edge: whom to believe about the client, how much it may send and how often, and
what a response may leave in caches. Each class's place in ``MIDDLEWARE`` matters (settings).
"""

from __future__ import annotations

import ipaddress
import math
import time
from functools import cached_property, lru_cache

from django.conf import settings
from django.http import JsonResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from .errors import error_body, is_api_request
from .throttling import parse_rate, rate_hit, rate_peek

FORWARDED_HEADERS = (
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_X_REAL_IP",
)


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry]


def _ip(text: str):
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


class TrustedProxyMiddleware:
    """Believe ``X-Forwarded-*`` only from a proxy in ``OLIVE_TRUSTED_PROXIES``.

    From anyone else the headers are dropped before anything reads them: Django's
    ``SECURE_PROXY_SSL_HEADER`` would otherwise let any client that reaches gunicorn directly
    claim HTTPS. From a trusted proxy, ``REMOTE_ADDR`` becomes the client it forwarded for (the
    right-most ``X-Forwarded-For`` entry that is not itself a trusted proxy), so throttles and
    django-axes count the client, not the proxy. First in ``MIDDLEWARE``.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    @staticmethod
    def _is_trusted(address) -> bool:
        trusted = _networks(tuple(settings.OLIVE_TRUSTED_PROXIES))
        return address is not None and any(address in network for network in trusted)

    def __call__(self, request):
        meta = request.META
        if not self._is_trusted(_ip(meta.get("REMOTE_ADDR", ""))):
            for header in FORWARDED_HEADERS:
                meta.pop(header, None)
        elif client := self._client(meta.get("HTTP_X_FORWARDED_FOR", "")):
            meta["REMOTE_ADDR"] = client
        return self.get_response(request)

    def _client(self, forwarded_for: str) -> str | None:
        for entry in reversed(forwarded_for.split(",")):
            address = _ip(entry)
            if address is None:
                return None  # garbage in the chain: keep the proxy's own address
            if not self._is_trusted(address):
                return str(address)
        return None


def _too_many(request, retry_after: float, message: str):
    seconds = max(1, math.ceil(retry_after))
    if is_api_request(request):
        response = JsonResponse(error_body("throttled", message), status=429)
    else:
        context = {"message": message, "seconds": seconds}
        response = TemplateResponse(request, "429.html", context, status=429).render()
    response["Retry-After"] = str(seconds)
    return response


def _hit(scope: str, rate: str, ident: str, peek: bool = False):
    limit, duration = parse_rate(rate)
    counter = rate_peek if peek else rate_hit
    return counter(f"{scope}:{ident}", limit, duration, time.time())


class BodySizeLimitMiddleware:
    """Refuse a body over ``OLIVE_MAX_BODY_SIZE`` (413) before anything reads it.

    A view that takes bulk input says so with ``accepts_bulk_body = True`` and gets
    ``OLIVE_BULK_MAX_BODY_SIZE`` (Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE``, the cap for
    everything). Judged on ``Content-Length``: Django reads no more than that, and nothing without
    it. Before CsrfViewMiddleware, whose ``process_view`` reads a form's body.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length <= self._limit(view_func):
            return None
        message = _("The request body is larger than this address accepts.")
        if is_api_request(request):
            return JsonResponse(error_body("payload_too_large", message), status=413)
        return TemplateResponse(request, "413.html", {"message": message}, status=413).render()

    @staticmethod
    def _limit(view_func) -> int:
        view = getattr(view_func, "cls", None) or getattr(view_func, "view_class", view_func)
        if getattr(view, "accepts_bulk_body", False):
            return settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return settings.OLIVE_MAX_BODY_SIZE


class LoginRateLimitMiddleware:
    """At most ``OLIVE_LOGIN_RATE`` sign-in attempts (POSTs to the site's and the admin's sign-in)
    per client address; django-axes locks one username per address after failures, this bounds
    an address that tries many usernames. Answers the 429 page with ``Retry-After``."""

    def __init__(self, get_response):
        self.get_response = get_response

    @cached_property
    def paths(self) -> set[str]:
        return {reverse("tenancy:login"), reverse("admin:login")}

    def __call__(self, request):
        if request.method == "POST" and request.path in self.paths:
            verdict = _hit("login", settings.OLIVE_LOGIN_RATE, request.META.get("REMOTE_ADDR", ""))
            if not verdict.allowed:
                message = _("Too many sign-in attempts from your address.")
                return _too_many(request, verdict.retry_after, message)
        return self.get_response(request)


class AnonymousApiThrottleMiddleware:
    """``OLIVE_API_ANON_RATE`` per client address for API calls that authenticate as nobody.

    DRF checks permissions before throttles, so a call without credentials is refused (401)
    before any throttle counts it; here such calls, and calls whose credentials fail (401), are
    counted per address before a view runs. Once the address is over, a call with credentials is
    refused too (no key guessing), until the window slides. After AuthenticationMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_api_request(request) or request.user.is_authenticated:
            return self.get_response(request)
        address = request.META.get("REMOTE_ADDR", "")
        has_credentials = bool(request.META.get("HTTP_AUTHORIZATION"))
        verdict = _hit("api_anon", settings.OLIVE_API_ANON_RATE, address, peek=has_credentials)
        if not verdict.allowed:
            return _too_many(request, verdict.retry_after, _("Too many unauthenticated calls."))
        response = self.get_response(request)
        if has_credentials and response.status_code == 401:
            _hit("api_anon", settings.OLIVE_API_ANON_RATE, address)
        return response


class PrivateCacheMiddleware:
    """``Cache-Control: no-store, private`` on what Olive renders: a signed-in page or an API
    answer must stay out of shared and browser caches (a back button on a shared machine, a
    proxy). A response for nobody that sets its own caching keeps it. Static files never get here
    (WhiteNoise answers them earlier in ``MIDDLEWARE``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        personal = request.user.is_authenticated or "HTTP_AUTHORIZATION" in request.META
        if personal or not response.has_header("Cache-Control"):
            if response.has_header("Cache-Control"):
                del response["Cache-Control"]
            add_never_cache_headers(response)
        return response
