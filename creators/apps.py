from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CreatorsConfig(AppConfig):
    name = "creators"

    def ready(self):
        from tenancy import roles
        from tenancy.homes import register_home, register_nav
        from tenancy.scopes import register_scope

        from .views import DIRECTORY_KINDS

        register_home("creator", "creators:portal")
        register_nav("creators:directory", _("Creators"), kinds=DIRECTORY_KINDS)
        register_nav("creators:portal", _("My creator portal"), kinds=[roles.CREATOR])
        register_nav(
            "creators:growth_effect", _("Growth programmes — effect"), kinds=[roles.OPERATOR]
        )
        register_scope("creators:read", _("Read creators, audience portraits and metrics"))
        register_scope("metrics:write", _("Push metric snapshots"))
        register_scope("content:write", _("Push content items"))
