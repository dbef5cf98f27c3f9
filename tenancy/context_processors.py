from functools import partial

from django.utils.translation import gettext_lazy as _

from . import roles
from .homes import nav_with_badges
from .models import Membership
from .scoping import current_actor
from .selectors import memberships_of_user
from .views_base import request_actor


def actor(request):
    """The acting context and the contexts the user may switch to, for the page header."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    if user.pk is None:
        # No person: an API key's principal (the browsable API renders inside its actor). It
        # has no memberships, and no session to switch in.
        return {"actor": current_actor(), "switchable_memberships": []}
    acting = request_actor(request)
    return {
        "actor": acting,
        "switchable_memberships": memberships_of_user(user=user),
        # Called by the template when it draws the header, so a fragment (htmx) costs no badge
        # query: Django calls a callable context value on use.
        "nav_links": partial(nav_with_badges, acting),
        "role_label": _role_label(getattr(acting, "role", None)),
    }


def _role_label(role: str | None):
    """The role as people read it ("Owner", "所有者"), not its stored value ("owner")."""
    labels = {**dict(Membership.Role.choices), roles.CREATOR_ROLE: _("Creator")}
    return labels.get(role, role) if role else None
