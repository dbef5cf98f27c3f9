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
    return {
        "actor": request_actor(request),
        "switchable_memberships": memberships_of_user(user=user),
    }
