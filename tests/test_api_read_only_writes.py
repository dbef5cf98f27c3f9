"""A read-only caller is refused every write of the API with 403 before any object is looked up.

Every write route (each non-safe method the URL resolver's views accept) is called by a key
holding every read scope and no write scope, and by a viewer's session, on the tenant's own
object, another tenant's and one that does not exist: 403 each time, the same whatever the id
(a 404 for the other tenant's would tell a read-only caller which ids exist), and no row of
any table changes. The object routes come from tests/test_api_tenancy.py's ROUTES, so a new
route is covered as soon as it is registered there.

The one exception is a POST that only reads (``read_actions`` of a view, such as the agency
what-if: its body is the question): listed in ``POST_READS``, it answers a read-only caller as
a read (its own object 200, another tenant's and a missing one 404) and still changes no row.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.permissions import SAFE_METHODS
from rest_framework.test import APIClient

from tenancy.scopes import SCOPES
from tests.factories import MembershipFactory, OrganizationFactory
from tests.tenancy_helpers import api_key_client
from tests.test_api_tenancy import ROUTES, owned_object

pytestmark = pytest.mark.django_db

#: Scopes that only read: every ``…:read``, the compliance pre-check (a score, no row) and the
#: originality check (matches, no row).
CHECKS = {"compliance:check", "originality:check"}
READ_SCOPES = sorted(s for s in SCOPES if s.endswith(":read") or s in CHECKS)
KINDS = ("brand", "agency", "partner", "operator")
MISSING = "987654321"


def write_routes() -> dict[str, tuple[str, list[str], list[str]]]:
    """``{url name: (route, [kwarg names], [non-safe methods])}`` of every API route."""
    found = {}

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
                continue
            route = prefix + str(pattern.pattern)
            if not isinstance(pattern, URLPattern) or not route.startswith("api/v1/"):
                continue
            methods = _methods(pattern.callback)
            if methods and "format" not in pattern.pattern.regex.groupindex:
                found[pattern.name] = (route, list(pattern.pattern.regex.groupindex), methods)

    walk(get_resolver().url_patterns)
    return found


def _methods(callback) -> list[str]:
    actions = getattr(callback, "actions", None)  # a ViewSet route: method -> action
    if actions is not None:
        names = actions
    else:
        view = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
        names = [m for m in getattr(view, "http_method_names", []) if hasattr(view, m)]
    unsafe = [m.upper() for m in names if m.upper() not in SAFE_METHODS]
    return sorted(m for m in unsafe if m != "OPTIONS")


def post_reads() -> set[str]:
    """URL names of the POST routes whose action the view declares a read (``read_actions``)."""
    found = set()

    def walk(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns)
            elif isinstance(pattern, URLPattern):
                view = getattr(pattern.callback, "cls", None)
                action = (getattr(pattern.callback, "actions", None) or {}).get("post")
                if action and action in getattr(view, "read_actions", ()):
                    found.add(pattern.name)

    walk(get_resolver().url_patterns)
    return found


#: POSTs that only read (a read-only caller may call them) → a body that asks a question. The
#: agency what-if: the tier its latest assessment would get with some metrics changed; nothing
#: is saved (mcn/api.py).
POST_READS = {
    "agency-what-if": {"metrics": {}},
    # The compliance pre-check of ad copy: a score, nothing stored (compliance/api.py).
    "compliance-check": {"text": "全网最低价，加微信私聊下单"},
    "compliance-check-batch": {"texts": ["全网最低价", "质地清爽"]},
    # The originality check of a text against the index: matches, nothing stored.
    "originality-check": {"text": "家人们晚上好，欢迎来到直播间，今天这款保温杯真的很好用"},
}
#: POST reads of no object (their route names none): a read-only caller gets an answer.
LIST_POST_READS = {"compliance-check", "compliance-check-batch", "originality-check"}
WRITES = {name: route for name, route in write_routes().items() if name not in POST_READS}
OBJECT_WRITES = sorted(name for name, (_r, kwargs, _m) in WRITES.items() if kwargs)
LIST_WRITES = sorted(name for name, (_r, kwargs, _m) in WRITES.items() if not kwargs)


def every_row() -> dict:
    """Every row of every table (an API key's last use is bookkeeping, not a write)."""
    rows = {}
    for model in apps.get_models():
        values = model._base_manager.order_by("pk").values()
        rows[model._meta.label] = [
            {k: v for k, v in row.items() if k != "last_used_at"} for row in values
        ]
    return rows


def read_only_callers(organization) -> dict[str, APIClient]:
    session = APIClient()
    session.force_login(MembershipFactory(organization=organization, role="viewer").user)
    return {"read-only key": api_key_client(organization, READ_SCOPES)[1], "viewer": session}


def test_the_object_routes_are_those_of_the_tenancy_walk():
    assert set(OBJECT_WRITES) <= set(ROUTES), "register the route in test_api_tenancy.ROUTES"
    assert LIST_WRITES, "the list routes' creates are walked too"


def _missing_path(name: str) -> str:
    """The route's path for an object that exists nowhere."""
    _route, kwargs, _methods = WRITES[name]
    return reverse(f"api:{name}", kwargs=dict.fromkeys(kwargs, MISSING))


@pytest.mark.parametrize("name", OBJECT_WRITES)
def test_read_only_callers_get_403_on_every_object_write_whatever_the_id(name, settings):
    settings.OLIVE_WEBHOOKS_ALLOW_PRIVATE = True
    kind = ROUTES[name].kind
    tenant, other = OrganizationFactory(kind=kind), OrganizationFactory(kind=kind)
    own, _ = owned_object(name, tenant)
    theirs, _ = owned_object(name, other)
    paths = {"own": own, "another tenant's": theirs, "missing": _missing_path(name)}
    callers = read_only_callers(tenant)
    before = every_row()
    for caller, client in callers.items():
        for method in WRITES[name][2]:
            for whose, path in paths.items():
                response = getattr(client, method.lower())(path, {}, format="json")
                assert response.status_code == 403, (
                    f"{caller} {method} {path} ({whose}): {response.status_code} "
                    f"{response.content[:200]!r}"
                )
                assert response.json()["error"]["code"] == "permission_denied"
    assert every_row() == before


@pytest.mark.parametrize("name", LIST_WRITES)
@pytest.mark.parametrize("kind", KINDS)
def test_read_only_callers_get_403_on_every_create(name, kind, settings):
    settings.OLIVE_WEBHOOKS_ALLOW_PRIVATE = True
    path, methods = reverse(f"api:{name}"), WRITES[name][2]
    callers = read_only_callers(OrganizationFactory(kind=kind))
    before = every_row()
    for caller, client in callers.items():
        for method in methods:
            response = getattr(client, method.lower())(path, {}, format="json")
            assert response.status_code == 403, (
                f"{caller} {method} {path}: {response.status_code} {response.content[:200]!r}"
            )
    assert every_row() == before


def test_the_post_reads_are_those_the_views_declare():
    assert post_reads() == set(POST_READS)


@pytest.mark.parametrize("name", sorted(LIST_POST_READS))
@pytest.mark.parametrize("kind", KINDS)
def test_read_only_callers_may_post_a_read_of_no_object_and_it_changes_nothing(name, kind):
    assert not write_routes()[name][1]
    callers = read_only_callers(OrganizationFactory(kind=kind))
    before = every_row()
    for caller, client in callers.items():
        response = client.post(reverse(f"api:{name}"), POST_READS[name], format="json")
        assert response.status_code == 200, (caller, name, response.content[:200])
    assert every_row() == before


@pytest.mark.parametrize("name", sorted(set(POST_READS) - LIST_POST_READS))
def test_read_only_callers_may_post_a_read_and_it_changes_nothing(name, settings):
    settings.OLIVE_WEBHOOKS_ALLOW_PRIVATE = True
    kind = ROUTES[name].kind
    tenant, other = OrganizationFactory(kind=kind), OrganizationFactory(kind=kind)
    own, _ = owned_object(name, tenant)
    theirs, _ = owned_object(name, other)
    missing = reverse(f"api:{name}", kwargs=dict.fromkeys(write_routes()[name][1], MISSING))
    callers = read_only_callers(tenant)
    before = every_row()
    for caller, client in callers.items():
        for path, status in ((own, 200), (theirs, 404), (missing, 404)):
            response = client.post(path, POST_READS[name], format="json")
            assert response.status_code == status, (caller, path, response.content[:200])
    assert every_row() == before
