"""A bad ``?cursor=`` is the client's mistake: 400 ``invalid_cursor`` on every paginated list.

The lists are enumerated from the URL resolver (every GET route whose view or action pages with
a paginator), so a new list is covered without an entry here. Each is called with a key of the
organization kind that sees it, first without a cursor (200), then with each forged cursor.
"""

from __future__ import annotations

import base64
import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from api.pagination import CursorPage
from tests.factories import CreatorFactory, MetricSnapshotFactory, OrganizationFactory
from tests.tenancy_helpers import api_key_client
from tests.test_route_walk import KINDS, PARAMETERS, seed_world

pytestmark = pytest.mark.django_db


def _b64(text: str) -> str:
    return base64.b64encode(text.encode("latin-1")).decode("ascii")


#: label → the raw ``cursor`` query value.
FORGED = {
    "not base64": "%%%not-base64",
    "bad padding": "abc",
    "not ascii inside": base64.b64encode(b"p=\xff\xfe").decode(),
    "not ascii outside": "cD1hYmM=é",
    "position not a number": _b64("p=abc"),
    "position out of range": _b64("p=" + "9" * 40),
    "position with NUL": _b64("p=1\x00"),
    "offset not a number": _b64("o=abc"),
    "offset negative": _b64("o=-1"),
    "offset huge": _b64("o=" + "9" * 5000),
    "offset beyond the cutoff": _b64("o=1000001"),
    "reverse garbage": _b64("r=yes"),
    "reverse not a flag": _b64("r=7"),
}


def paginated_list_routes() -> list[tuple[str, type]]:
    """(namespaced URL name, paginator class) of every API GET route that pages: a viewset's
    list or a GET action."""
    found = []

    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and namespace == "api:":
                view = getattr(pattern.callback, "cls", None)
                actions = getattr(pattern.callback, "actions", None) or {}
                # ``retrieve`` shows one object; every other GET action pages unless it says
                # ``pagination_class=None``.
                if view is None or actions.get("get", "retrieve") == "retrieve":
                    continue
                initkwargs = getattr(pattern.callback, "initkwargs", {})
                paginator = initkwargs.get("pagination_class", view.pagination_class)
                if paginator is not None:
                    found.append((f"api:{pattern.name}", paginator))

    walk(get_resolver().url_patterns)
    return found


def test_every_paginated_list_pages_with_cursor_page():
    routes = paginated_list_routes()
    assert len(routes) >= 12, routes  # the walk found the lists
    others = [name for name, paginator in routes if not issubclass(paginator, CursorPage)]
    assert others == [], "lists paginated without api.pagination.CursorPage"


def _client_that_sees(path: str, world) -> object:
    for kind in KINDS:
        client = world.key_clients[kind]
        if client.get(path).status_code == 200:
            return client
    pytest.fail(f"no key of any kind lists {path}: the test cannot reach its paginator")


def test_every_forged_cursor_is_a_400_on_every_list(settings):
    settings.OLIVE_WEBHOOKS_ALLOW_PRIVATE = True  # the world's endpoint is on loopback
    world = seed_world()
    problems = []
    for name, _paginator in paginated_list_routes():
        path = reverse(name, kwargs=PARAMETERS[name](world) if name in PARAMETERS else {})
        client = _client_that_sees(path, world)
        for label, cursor in FORGED.items():
            response = client.get(path, {"cursor": cursor})
            body = response.json() if response["Content-Type"] == "application/json" else {}
            error = body.get("error", {})
            if response.status_code != 400 or error.get("code") != "invalid_cursor":
                problems.append(f"{path} {label}: {response.status_code} {body or response}")
            elif "cursor" not in error["fields"]:
                problems.append(f"{path} {label}: no field error on 'cursor': {error}")
    assert problems == [], "\n".join(problems)


def _cursor_of(link: str | None) -> str | None:
    return parse_qs(urlsplit(link).query)["cursor"][0] if link else None


def test_the_cursors_the_api_hands_out_still_page_through_everything():
    """Forward and back through a list with ties on the ordering (equal follower counts)."""
    for followers in (5, 5, 5, 3, 3, 1, 0):
        CreatorFactory(followers=followers)
    _key, client = api_key_client(OrganizationFactory(kind="partner"), ["creators:read"])
    seen, cursor, pages = [], None, []
    while True:
        params = {"page_size": 2, **({"cursor": cursor} if cursor else {})}
        response = client.get("/api/v1/creators/", params)
        assert response.status_code == 200, response.content
        pages.append(response.json())
        seen += [row["handle"] for row in response.json()["results"]]
        cursor = _cursor_of(response.json()["next"])
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 7
    previous = _cursor_of(pages[-1]["previous"])
    back = client.get("/api/v1/creators/", {"page_size": 2, "cursor": previous})
    assert back.status_code == 200
    assert [row["handle"] for row in back.json()["results"]] == seen[-3:-1]


def test_a_string_ordering_pages_with_the_cursors_it_hands_out():
    """``?ordering=handle`` pages by a text column (a signed value with NUL is refused: see
    test_keyset_pages); a DRF-style position is not a cursor of ours."""
    CreatorFactory()
    CreatorFactory()
    _key, client = api_key_client(OrganizationFactory(kind="partner"), ["creators:read"])
    first = client.get("/api/v1/creators/", {"ordering": "handle", "page_size": 1}).json()
    ok = client.get(
        "/api/v1/creators/", {"ordering": "handle", "cursor": _cursor_of(first["next"])}
    )
    assert ok.status_code == 200 and len(ok.json()["results"]) == 1
    bad = client.get("/api/v1/creators/", {"ordering": "handle", "cursor": _b64("p=abc")})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_cursor"


def _walk(client, path: str) -> list:
    rows, cursor = [], None
    while True:
        response = client.get(path, {"page_size": 1, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200, response.content
        rows += response.json()["results"]
        cursor = _cursor_of(response.json()["next"])
        if cursor is None:
            return rows


def test_date_and_time_positions_the_api_hands_out_are_accepted():
    """Positions of date (metrics) and datetime (content) orderings pass the check."""
    from django.utils import timezone

    from creators.models import ContentItem

    creator = CreatorFactory()
    for _ in range(3):
        MetricSnapshotFactory(creator=creator)
    for n in range(3):
        ContentItem.objects.unscoped().create(
            creator=creator,
            external_id=f"c-{n}",
            kind="video",
            title=f"Video {n}",
            published_at=timezone.now() - datetime.timedelta(hours=n, microseconds=n),
        )
    _key, client = api_key_client(OrganizationFactory(kind="partner"), ["creators:read"])
    assert len(_walk(client, f"/api/v1/creators/{creator.handle}/metrics/")) == 3
    assert len(_walk(client, f"/api/v1/creators/{creator.handle}/content/")) == 3
