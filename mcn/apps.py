from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class McnConfig(AppConfig):
    name = "mcn"

    def ready(self):
        from compliance.selectors_originality import originality_metric_source
        from tenancy import roles
        from tenancy.homes import register_home, register_nav, register_nav_badge
        from tenancy.scopes import register_scope
        from webhooks import events

        from .metrics import METRIC_SOURCES, compliance_complaint_rate, compliance_violations
        from .selectors import open_appeals_count

        for source in (compliance_violations, compliance_complaint_rate, originality_metric_source):
            if source not in METRIC_SOURCES:
                METRIC_SOURCES.append(source)

        register_home("agency", "mcn:tier")
        # The operator's certification pages; the badge counts the appeals waiting.
        register_nav("mcn:certification_runs", _("Certification"), kinds=[roles.OPERATOR])
        register_nav_badge("mcn:certification_runs", open_appeals_count)
        register_scope(
            "agencies:read",
            _(
                "Read agencies and their tiers, and certification assessments and what-ifs (an "
                "agency its own, partners every agency's); an agency also its own contracts"
            ),
        )
        register_scope(
            "contracts:write",
            _("Offer contracts to creators, withdraw offers and end the agency's contracts"),
        )
        events.register(
            "agency.tier_changed", _("An MCN agency's S/A/B certification tier changed.")
        )
        # Contract life cycle, sent to the agency; the creator sees its offers in the portal.
        for name, meaning in CONTRACT_EVENTS.items():
            events.register(name, meaning)


CONTRACT_EVENTS = {
    "contract.offered": _("The agency offered a contract to a creator."),
    "contract.withdrawn": _("The agency withdrew a contract offer."),
    "contract.accepted": _("A creator accepted the agency's contract offer."),
    "contract.declined": _("A creator declined the agency's contract offer."),
    "contract.expired": _("A contract offer expired unanswered."),
    "contract.started": _(
        "An accepted contract reached its start date: the agency's rights begin."
    ),
    "contract.ended": _("The agency ended a contract; the creator is independent."),
}
