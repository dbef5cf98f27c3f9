from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CreatorsConfig(AppConfig):
    name = "creators"

    def ready(self):
        from tenancy.homes import register_home
        from tenancy.scopes import register_scope

        register_home("creator", "creators:portal")
        register_scope("creators:read", _("Read creators, audience portraits and metrics"))
        register_scope("metrics:write", _("Push metric snapshots"))
        register_scope("content:write", _("Push content items"))
