from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BrandsConfig(AppConfig):
    name = "brands"

    def ready(self):
        from creators.selectors import register_directory_columns
        from tenancy import roles
        from tenancy.homes import register_home, register_nav
        from tenancy.scopes import register_scope
        from webhooks import events

        from .selectors import directory_figures_of_brand

        register_home("brand", "brands:dashboard")
        register_nav("brands:reviews", _("Content review"), kinds=[roles.BRAND])
        # A brand sees, in the creator directory, its own fees and GMV with each creator only.
        register_directory_columns(
            kinds=[roles.BRAND],
            columns=[("median_fee", _("Median fee (yours)")), ("gmv", _("GMV with you"))],
            figures=directory_figures_of_brand,
        )
        register_scope("orders:write", _("Push orders, refunds and complaints"))
        register_scope("campaigns:read", _("Read campaigns and collaborations"))
        register_scope("campaigns:write", _("Create and change campaigns and collaborations"))
        events.register(
            "collaboration.status_changed",
            _("A collaboration moved to a new status (accepted, live, completed, …)."),
        )
