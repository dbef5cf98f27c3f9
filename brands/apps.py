from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BrandsConfig(AppConfig):
    name = "brands"

    def ready(self):
        from tenancy.homes import register_home
        from tenancy.scopes import register_scope
        from webhooks import events

        register_home("brand", "brands:dashboard")
        register_scope("orders:write", _("Push orders, refunds and complaints"))
        register_scope("campaigns:read", _("Read campaigns and collaborations"))
        register_scope("campaigns:write", _("Create and change campaigns and collaborations"))
        events.register(
            "collaboration.status_changed",
            _("A collaboration moved to a new status (accepted, live, completed, …)."),
        )
