"""Who may call an endpoint: someone acting for a tenant, with the right scope or role."""

from django.utils.translation import gettext as _
from rest_framework import permissions

from tenancy.scoping import ADMIN_ROLES


class HasActor(permissions.BasePermission):
    """Signed in (session or key) and acting for someone; keys must hold the view's scope.

    A session user with a read-only role may not write.
    """

    def has_permission(self, request, view) -> bool:
        actor = getattr(view, "actor", None)
        if actor is None:
            return False
        if actor.api_key_id:
            scope = view.required_scope(request)
            if scope is not None and not request.auth.has_scope(scope):
                self.message = _("This API key lacks the scope '%(scope)s'.") % {"scope": scope}
                return False
            return True
        if request.method not in permissions.SAFE_METHODS and not actor.can_write():
            self.message = _("Your role in this organization is read-only.")
            return False
        return True


class IsOrganizationAdmin(permissions.BasePermission):
    """Session users must be an owner or admin; keys are already limited by their scope."""

    message = "Only an owner or admin of the organization can see this."

    def has_permission(self, request, view) -> bool:
        actor = getattr(view, "actor", None)
        return bool(actor and (actor.api_key_id or actor.role in ADMIN_ROLES))
