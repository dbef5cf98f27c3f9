from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "matching"

    def ready(self):
        from tenancy.scopes import register_scope

        register_scope(
            "matching:read",
            _(
                "Read the product-selection centre: creators ranked for the brand's own "
                "products, products that fit a creator, lookalike creators"
            ),
        )
