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
        from creators.views import register_creator_link
        from tenancy import roles
        from tenancy.homes import register_home, register_nav, register_nav_badge
        from tenancy.scopes import register_scope
        from webhooks import events

        from .selectors import (
            directory_annotations_of_brand,
            open_offers_count,
            operator_refunds_count,
            pending_refunds_count,
        )
        from .views_offers import invite_link

        connection_created.connect(add_sqlite_median, dispatch_uid="brands.sqlite_median")
        register_home("brand", "brands:dashboard")
        # A creator's offers inbox, with the count of offers waiting for an answer as its badge.
        register_nav("brands:offers", _("Offers"), kinds=[roles.CREATOR])
        register_nav_badge("brands:offers", open_offers_count)
        register_creator_link(invite_link)
        register_nav("brands:campaigns", _("Campaigns"), kinds=[roles.BRAND])
        register_nav("brands:products", _("Products"), kinds=[roles.BRAND])
        register_nav("brands:reviews", _("Content review"), kinds=[roles.BRAND])
        register_nav("brands:refunds", _("Refund decisions"), kinds=[roles.BRAND])
        register_nav_badge("brands:refunds", pending_refunds_count)
        register_nav("brands:refund_disputes", _("Refund disputes"), kinds=[roles.OPERATOR])
        register_nav_badge("brands:refund_disputes", operator_refunds_count)
        register_nav("brands:my_refunds", _("My refunds and complaints"), kinds=[roles.CREATOR])
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
            "refund.status_changed",
            _("A refund was requested, approved, rejected, disputed or escalated."),
        )
        events.register(
            "collaboration.status_changed",
            _("A collaboration moved to a new status (accepted, live, completed, …)."),
        )
