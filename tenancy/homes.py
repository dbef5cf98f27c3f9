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


#: URL name of a navigation link → ``count(*, actor) -> int``, the figure its badge shows
#: (brands: the offers waiting for a creator's answer). Registered like the links themselves.
NAV_BADGES: dict[str, object] = {}


def register_nav_badge(url_name: str, count) -> None:
    NAV_BADGES[url_name] = count


def nav_with_badges(actor) -> list[tuple[str, object, int]]:
    """``(URL name, label, badge)`` of ``actor``'s links: a badge is counted only for a link the
    actor sees, and is 0 where none is registered (the template shows no badge then)."""
    links = nav_for(getattr(actor, "kind", None))
    return [
        (name, label, NAV_BADGES[name](actor=actor) if name in NAV_BADGES else 0)
        for name, label in links
    ]
