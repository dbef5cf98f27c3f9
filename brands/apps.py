from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


def add_sqlite_median(sender, connection, **kwargs) -> None:
    """SQLite has no median: give each connection the one ``brands.selectors.Median`` calls."""
    if connection.vendor == "sqlite":
        from .selectors import SQLiteMedian

        connection.connection.create_aggregate("MEDIAN", 1, SQLiteMedian)


class BrandsConfig(AppConfig):
    name = "brands"

    def ready(self):
        from creators.selectors import register_directory_columns
        from tenancy import roles
        from tenancy.homes import register_home
        from tenancy.scopes import register_scope
        from webhooks import events

        from .selectors import directory_annotations_of_brand

        connection_created.connect(add_sqlite_median, dispatch_uid="brands.sqlite_median")
        register_home("brand", "brands:dashboard")
        # A brand sees, in the creator directory, its own fees and GMV with each creator only.
        register_directory_columns(
            kinds=[roles.BRAND],
            columns=[("median_fee", _("Median fee (yours)")), ("gmv", _("GMV with you"))],
            annotations=directory_annotations_of_brand,
        )
        register_scope("orders:write", _("Push orders, refunds and complaints"))
        register_scope("campaigns:read", _("Read campaigns and collaborations"))
        register_scope("campaigns:write", _("Create and change campaigns and collaborations"))
        events.register(
            "collaboration.status_changed",
            _("A collaboration moved to a new status (accepted, live, completed, …)."),
        )
