from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrafficConfig(AppConfig):
    name = "traffic"

    def ready(self):
        from compliance.selectors import (
            complaint_rate_merit_adjustment,
            sanction_merit_adjustment,
        )
        from compliance.selectors_originality import originality_merit_adjustment
        from mcn.selectors import PACKAGE_USE_READERS
        from tenancy.scopes import register_scope
        from webhooks import events

        from .selectors import package_use_of_agency
        from .services import MERIT_ADJUSTMENTS

        PACKAGE_USE_READERS.append(package_use_of_agency)
        # Compliance sanctions: restricted creators' merit is reduced, suspended ones ineligible.
        # Consumer protection: a creator whose complaint rate alerts has its merit reduced.
        # Originality: merit × the creator's originality rate (flagged copies earn no share).
        for adjustment in (
            sanction_merit_adjustment,
            complaint_rate_merit_adjustment,
            originality_merit_adjustment,
        ):
            if adjustment not in MERIT_ADJUSTMENTS:
                MERIT_ADJUSTMENTS.append(adjustment)

        register_scope("traffic:read", _("Read traffic allocation runs"))
        events.register(
            "traffic.run_published",
            _("A traffic allocation run finished and its results are active."),
        )
