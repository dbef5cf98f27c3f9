"""The ``Olive-Signature`` header: how a receiver knows a webhook came from Olive, unaltered.

``t`` is the unix time of sending and ``v1`` the hex HMAC-SHA256, keyed with the endpoint's
secret, of ``f"{t}.{raw_body}"``; receivers refuse a ``t`` more than five minutes from their
clock, which stops replays. :func:`verify` is the receiving side, for tests and partners' code.
"""

from __future__ import annotations

import hashlib
import hmac
import time


def sign(secret: str, timestamp: int, body: bytes | str) -> str:
    """The ``Olive-Signature`` header value for ``body`` sent at ``timestamp`` (unix seconds)."""
    raw = body.encode() if isinstance(body, str) else body
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + raw, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify(secret: str, header: str, body: bytes | str, tolerance_s: int = 300) -> bool:
    """True when ``header`` is an ``Olive-Signature`` of ``body`` by ``secret``, made at most
    ``tolerance_s`` seconds from now. Several ``v1`` values are accepted (key rotation)."""
    timestamp, signatures = _signature_parts(header or "")
    if timestamp is None or abs(time.time() - timestamp) > tolerance_s:
        return False
    expected = sign(secret, timestamp, body).partition(",v1=")[2].encode()
    return any(hmac.compare_digest(expected, given.encode()) for given in signatures)


def _signature_parts(header: str) -> tuple[int | None, list[str]]:
    pairs = [part.strip().partition("=") for part in header.split(",")]
    stamps = [value for key, _sep, value in pairs if key == "t"]
    signatures = [value for key, _sep, value in pairs if key == "v1"]
    if len(stamps) != 1 or not stamps[0].isdigit():
        return None, []
    return int(stamps[0]), signatures
