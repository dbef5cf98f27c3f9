"""API key scopes, all ``resource:action``. A key may do only what one of its scopes names.

Each app registers the scopes of its resources from its ``AppConfig.ready``, so the catalogue
names no app to the right of tenancy; tenancy registers its own (the audit trail) here.
"""

from django.utils.translation import gettext_lazy as _

#: scope → what it lets a key do (shown on the API keys page and in the key API).
SCOPES: dict[str, str] = {}


def register_scope(scope: str, description) -> None:
    resource, sep, action = scope.partition(":")
    if not (resource and sep and action):
        raise ValueError(f"A scope is 'resource:action', not {scope!r}.")
    SCOPES[scope] = description


def scope_choices() -> list[tuple[str, str]]:
    return sorted(SCOPES.items())


def unknown_scopes(scopes) -> list[str]:
    return sorted(set(scopes) - set(SCOPES))


register_scope("audit:read", _("Read the organization's audit trail"))
