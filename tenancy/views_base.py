"""The base of every dashboard page: sign-in, actor context, role checks, 404 for outsiders.

Pages either subclass :class:`TenantView` or decorate a function with :func:`tenant_view`. Both
set the actor context for the whole view (templates rendered inside it) and reset it in a
``finally``, so a tenant-owned query outside a page's actor cannot happen.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.views import View

from .scoping import Actor, WrongKind, acting_as
from .selectors import actor_for_user

SESSION_CONTEXT_KEY = "olive_context"
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def request_actor(request) -> Actor | None:
    """The actor of a browser session, worked out once per request."""
    if not hasattr(request, "_olive_actor"):
        request._olive_actor = actor_for_user(
            user=request.user, context=request.session.get(SESSION_CONTEXT_KEY)
        )
    return request._olive_actor


def check_access(
    actor: Actor | None,
    kinds: Iterable[str] | None,
    write: bool,
    writers: Iterable[str] | None = None,
) -> Actor:
    """Not a tenant the page is for: 404 (nothing to see here); a read-only role writing: 403.
    ``writers``: the roles whose writes this page takes instead of the writing roles (the
    compliance queue's reviewers, read-only elsewhere; the owners and admins of a policy)."""
    if actor is None or actor.is_system:  # the system never browses
        raise Http404
    try:
        if write and writers is not None:
            return actor.require(kinds=kinds, roles=writers)
        return actor.require(kinds=kinds, write=write)
    except WrongKind:
        raise Http404 from None


def _run_as(acting: Actor, view, *args, **kwargs):
    with acting_as(acting):
        response = view(*args, **kwargs)
        # Template responses render lazily; render while the actor is still set.
        if hasattr(response, "render") and not response.is_rendered:
            response.render()
        return response


class TenantView(View):
    """Subclasses set ``tenant_kinds``: organization kinds (or ``"creator"``) the page serves."""

    tenant_kinds: Iterable[str] | None = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        write = request.method not in READ_METHODS
        self.actor = check_access(request_actor(request), self.tenant_kinds, write)
        return _run_as(self.actor, super().dispatch, request, *args, **kwargs)


def tenant_view(
    kinds: Iterable[str] | None = None, *, writers: Iterable[str] | None = None
) -> Callable:
    """Function-view form of :class:`TenantView`; the view gets ``actor`` as a keyword.
    ``writers``: see :func:`check_access`."""

    def decorate(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            write = request.method not in READ_METHODS
            actor = check_access(request_actor(request), kinds, write, writers)
            return _run_as(actor, view, request, *args, actor=actor, **kwargs)

        return wrapped

    return decorate
