"""Where each kind of actor lands after signing in.

Each app registers the page it owns for a kind from its ``AppConfig.ready``, so tenancy names
no app to its right, not even in a URL name.
"""

from __future__ import annotations

#: actor kind ("operator", "brand", "agency", "partner" or "creator") → URL name of its home.
HOMES: dict[str, str] = {}


def register_home(kind: str, url_name: str) -> None:
    if HOMES.get(kind, url_name) != url_name:
        raise ValueError(f"{kind!r} already lands on {HOMES[kind]!r}.")
    HOMES[kind] = url_name


def home_of(kind: str | None) -> str | None:
    return HOMES.get(kind) if kind else None
