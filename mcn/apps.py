from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class McnConfig(AppConfig):
    name = "mcn"

    def ready(self):
        from tenancy.homes import register_home
        from tenancy.scopes import register_scope
        from webhooks import events

        register_home("agency", "mcn:tier")
        register_scope(
            "agencies:read", _("Read agencies and their tiers; an agency also its own contracts")
        )
        register_scope("contracts:write", _("Sign and end the agency's contracts with creators"))
        events.register(
            "agency.tier_changed", _("An MCN agency's S/A/B certification tier changed.")
        )
