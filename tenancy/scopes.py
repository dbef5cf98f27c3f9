"""API key scopes, all ``resource:action``. A key may do only what one of its scopes names."""

from django.utils.translation import gettext_lazy as _

SCOPES = {
    "creators:read": _("Read creators, audience portraits and metrics"),
    "metrics:write": _("Push metric snapshots"),
    "content:write": _("Push content items"),
    "orders:write": _("Push orders, refunds and complaints"),
    "campaigns:read": _("Read campaigns and collaborations"),
    "campaigns:write": _("Create and change campaigns and collaborations"),
    "agencies:read": _("Read agencies and their tiers; an agency also its own contracts"),
    "contracts:write": _("Sign and end the agency's contracts with creators"),
    "traffic:read": _("Read traffic allocation runs"),
    "compliance:check": _("Pre-check ad copy against the compliance rules"),
    "audit:read": _("Read the organization's audit trail"),
    "webhooks:manage": _("Register webhook endpoints and read their deliveries"),
}


def unknown_scopes(scopes) -> list[str]:
    return sorted(set(scopes) - set(SCOPES))
