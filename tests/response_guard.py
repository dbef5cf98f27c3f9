"""No response of the suite may carry a stored API-key hash.

A key's primary key is ``"<prefix>.<stored hash>"`` (djangorestframework-api-key), and the stored
hash reads ``"sha512$$<hex>"``: a row that names a key by its pk (an audit record, an actor
label, a URL) shows it to whoever reads the row. ``tests/conftest.py`` installs one
:class:`ResponseHashGuard` around Django's test client handlers (``django.test.Client`` and
DRF's ``APIClient`` both go through them, as does every hop of ``follow=True``), so every status
line, header, cookie and body a test receives, streamed ones included, is searched for

- the hasher's marker (``sha512$``) in clear, URL-quoted and admin-quoted form, and
- the hex digest of every key saved while the test runs, with or without the marker.

A hit raises :class:`KeyHashLeak` at the client call, and the test's teardown fails it as well
in case the test swallowed the error.
"""

from __future__ import annotations

from contextlib import contextmanager
from urllib.parse import quote

from django.contrib.admin.utils import quote as admin_quote
from rest_framework_api_key.crypto import KeyGenerator


class KeyHashLeak(AssertionError):
    """A response carried a stored API-key hash."""


def hash_markers() -> set[bytes]:
    """What every stored hash starts with, as it would appear in a body, a URL or the admin."""
    marker = f"{KeyGenerator.preferred_hasher.algorithm}$"
    return {form.encode() for form in (marker, quote(marker, safe=""), admin_quote(marker))}


def stored_digest(hashed_key: str) -> bytes | None:
    """The secret-derived part of a stored hash (after the hasher's ``$`` separators)."""
    digest = hashed_key.rsplit("$", 1)[-1]
    return digest.encode() if len(digest) >= 32 else None


class ResponseHashGuard:
    def __init__(self):
        self.needles: set[bytes] = hash_markers()
        self.unexpected: list[str] = []
        self._expected: list[str] | None = None

    def remember_key(self, hashed_key: str) -> None:
        if digest := stored_digest(hashed_key):
            self.needles.add(digest)

    @contextmanager
    def expect_leaks(self):
        """Collect leaks into the yielded list instead of failing (for the guard's own tests)."""
        previous, self._expected = self._expected, []
        try:
            yield self._expected
        finally:
            self._expected = previous

    def _found(self, where: str, data: bytes) -> None:
        hits = sorted(needle.decode() for needle in self.needles if needle in data)
        if not hits:
            return
        message = f"{where} carries a stored API-key hash ({', '.join(h[:16] for h in hits)})"
        if self._expected is not None:
            self._expected.append(message)
            return
        self.unexpected.append(message)
        raise KeyHashLeak(message)

    def inspect(self, response, where: str) -> None:
        head = [f"{response.status_code} {response.reason_phrase}".encode()]
        head.append(response.serialize_headers())
        head.append(response.cookies.output().encode())
        self._found(f"{where} (status line, headers or cookies)", b"\n".join(head))
        if not response.streaming:
            self._found(f"{where} (body)", response.content)
        elif response.is_async:
            response.streaming_content = self._scan_async(response.streaming_content, where)
        else:
            response.streaming_content = self._scan(response.streaming_content, where)

    def _overlap(self) -> int:
        return max(len(needle) for needle in self.needles) - 1

    def _scan(self, chunks, where):
        """Search a stream as it is read, keeping a tail so a needle split over chunks is seen."""
        tail = b""
        for chunk in chunks:
            self._found(f"{where} (streamed body)", tail + chunk)
            tail = (tail + chunk)[-self._overlap() :]
            yield chunk

    async def _scan_async(self, chunks, where):
        tail = b""
        async for chunk in chunks:
            self._found(f"{where} (streamed body)", tail + chunk)
            tail = (tail + chunk)[-self._overlap() :]
            yield chunk


def request_label(environ_or_scope: dict) -> str:
    method = environ_or_scope.get("REQUEST_METHOD") or environ_or_scope.get("method", "?")
    path = environ_or_scope.get("PATH_INFO") or environ_or_scope.get("path", "?")
    return f"{method} {path}"
