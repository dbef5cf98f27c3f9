"""Who may call an endpoint: someone acting for a tenant, with the right scope or role.

:class:`HasActor` is mandatory: the base views put it first whatever ``permission_classes`` a
view sets, and it fails closed. A key may call only views that declare the scope of the method
(``read_scope`` / ``write_scope``); a view that declares none refuses every key.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import permissions

from tenancy.roles import ADMIN_ROLES

#: ``read_scope`` / ``write_scope`` value of a view any valid key may call (``me/``).
ANY_KEY = "*"


class HasActor(permissions.BasePermission):
    """Signed in (session or key) and acting for someone; keys must hold the view's scope.

    A session user with a read-only role may not write. Both refusals come from
    ``has_permission``, which DRF runs in ``initial``, before any handler looks an object up:
    a read-only caller gets the same 403 for its own object, another tenant's and a missing id
    (a 404 for some would tell it which ids exist); tests/test_api_read_only_writes.py.
    """

    def has_permission(self, request, view) -> bool:
        actor = getattr(view, "actor", None)
        if actor is None:
            return False
        if actor.api_key_id:
            return self._key_may(request, view)
        if not self._is_read(request, view) and not actor.can_write():
            self.message = _("Your role in this organization is read-only.")
            return False
        return True

    @staticmethod
    def _is_read(request, view) -> bool:
        is_read = getattr(view, "is_read", None)  # a view's POST that only reads (a what-if)
        return is_read(request) if is_read else request.method in permissions.SAFE_METHODS

    def _key_may(self, request, view) -> bool:
        scope = view.required_scope(request)
        if scope is None:
            self.message = getattr(view, "keys_refused_message", None) or _(
                "API keys cannot call this endpoint."
            )
            return False
        if scope != ANY_KEY and not request.auth.has_scope(scope):
            self.message = _("This API key lacks the scope '%(scope)s'.") % {"scope": scope}
            return False
        return True


class IsOrganizationAdmin(permissions.BasePermission):
    """Session users must be an owner or admin; keys are already limited by their scope."""

    message = gettext_lazy("Only an owner or admin of the organization can see this.")

    def has_permission(self, request, view) -> bool:
        actor = getattr(view, "actor", None)
        return bool(actor and (actor.api_key_id or actor.role in ADMIN_ROLES))
