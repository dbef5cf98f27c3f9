"""Where each kind of actor lands after signing in, and the pages its navigation links to.

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


#: The header's navigation: (URL name, label, kinds that may open it), in order of registration.
NAV_LINKS: list[tuple[str, object, frozenset[str]]] = []


def register_nav(url_name: str, label, *, kinds) -> None:
    """Link ``url_name`` from every page's navigation for actors of ``kinds`` (a lazy label)."""
    if all(entry[0] != url_name for entry in NAV_LINKS):
        NAV_LINKS.append((url_name, label, frozenset(kinds)))


def nav_for(kind: str | None) -> list[tuple[str, object]]:
    """``(URL name, label)`` of the links an actor of ``kind`` sees."""
    return [(name, label) for name, label, kinds in NAV_LINKS if kind in kinds]
