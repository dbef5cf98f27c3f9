from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "matching"

    def ready(self):
        from creators.views import register_creator_section
        from tenancy import roles
        from tenancy.homes import register_nav
        from tenancy.scopes import register_scope

        from .views import lookalike_section

        register_nav("matching:selection", _("Product selection"), kinds=[roles.BRAND])
        register_nav("matching:portal_products", _("Products for my fans"), kinds=[roles.CREATOR])
        register_creator_section(lookalike_section)
        register_scope(
            "matching:read",
            _(
                "Read the product-selection centre: creators ranked for the brand's own "
                "products, products that fit a creator, lookalike creators"
            ),
        )
