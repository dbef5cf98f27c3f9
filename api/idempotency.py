"""``Idempotency-Key`` on POST: a retried request gets the first answer instead of a second write.

The first response (status < 500) to a POST carrying the header is kept for 24 hours under the
acting organization, the key and the path, with a fingerprint of the body. The same key with the
same body replays it (header ``Idempotent-Replayed: true``); with another body it is a 422;
while the first is still running, a 409. The claim on a key ends with its request however the
request ends (``release`` runs when ``dispatch`` leaves, also after an exception that becomes a
500), so a retry after a failure runs again instead of waiting out ``LOCK_SECONDS``; the lock's
expiry only covers a worker that dies mid-request.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.core.cache import cache
from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.response import Response

HEADER = "HTTP_IDEMPOTENCY_KEY"
KEEP_SECONDS = 24 * 3600
LOCK_SECONDS = 60


class IdempotencyConflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "idempotency_conflict"
    default_detail = _("A request with this Idempotency-Key is still being processed.")


class IdempotencyMismatch(APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "idempotency_key_reused"
    default_detail = _("This Idempotency-Key was used with a different request body.")


class Replay(Exception):
    def __init__(self, stored: dict):
        self.stored = stored


def _cache_key(request, actor) -> str | None:
    key = request.META.get(HEADER, "").strip()
    if request.method != "POST" or not key or actor is None:
        return None
    raw = f"{actor.organization_id}:{actor.user_id}:{request.path}:{key[:200]}"
    return "idem:" + hashlib.sha256(raw.encode()).hexdigest()


@dataclass(frozen=True)
class Claim:
    cache_key: str
    fingerprint: str


def begin(request, actor) -> Claim | None:
    """Before the handler: replay, refuse, or claim the key for this request."""
    cache_key = _cache_key(request, actor)
    if cache_key is None:
        return None
    # Reading the body here (before DRF parses it) keeps it available to the parser.
    fingerprint = hashlib.sha256(request.body).hexdigest()
    stored = cache.get(cache_key)
    if stored is not None:
        if stored["fingerprint"] != fingerprint:
            raise IdempotencyMismatch
        raise Replay(stored)
    if not cache.add(cache_key + ":lock", 1, LOCK_SECONDS):
        raise IdempotencyConflict
    return Claim(cache_key, fingerprint)


def finish(claim: Claim | None, response) -> None:
    if claim is None:
        return
    if response.status_code < 500 and hasattr(response, "data"):
        stored = {
            "fingerprint": claim.fingerprint,
            "status": response.status_code,
            "data": response.data,
        }
        cache.set(claim.cache_key, stored, KEEP_SECONDS)
    release(claim)


def release(claim: Claim | None) -> None:
    """Free the key for the next request; harmless when already freed."""
    if claim is not None:
        cache.delete(claim.cache_key + ":lock")


def replayed(exc: Replay) -> Response:
    return Response(
        exc.stored["data"], status=exc.stored["status"], headers={"Idempotent-Replayed": "true"}
    )
