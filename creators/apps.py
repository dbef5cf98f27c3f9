from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CreatorsConfig(AppConfig):
    name = "creators"

    def ready(self):
        from tenancy import roles
        from tenancy.homes import register_home, register_nav
        from tenancy.scopes import register_scope
        from webhooks import events

        from .milestone_sources import register_own_sources
        from .views import DIRECTORY_KINDS

        register_home("creator", "creators:portal")
        register_nav("creators:directory", _("Creators"), kinds=DIRECTORY_KINDS)
        register_nav("creators:portal", _("My creator portal"), kinds=[roles.CREATOR])
        register_nav("creators:academy", _("Academy"), kinds=[roles.CREATOR])
        register_nav("creators:academy_manage", _("Academy"), kinds=[roles.OPERATOR])
        register_nav("creators:academy_agency", _("Creators' training"), kinds=[roles.AGENCY])
        register_nav(
            "creators:growth_effect", _("Growth programmes — effect"), kinds=[roles.OPERATOR]
        )
        register_scope("creators:read", _("Read creators, audience portraits and metrics"))
        register_scope("metrics:write", _("Push metric snapshots"))
        register_scope("content:write", _("Push content items"))
        register_scope(
            "academy:read", _("Read academy courses and lessons, and enrolments one may see")
        )
        # The incentive plan (光合计划): its pages, its API scope, its events, its facts.
        register_own_sources()
        register_nav("creators:incentive_plans", _("Incentive plans"), kinds=[roles.OPERATOR])
        register_nav("creators:my_awards", _("My awards"), kinds=[roles.CREATOR])
        register_nav("creators:agency_awards", _("Creators' awards"), kinds=[roles.AGENCY])
        register_scope("incentives:read", _("Read incentive plans, milestones and awards"))
        events.register(
            "incentives.award_granted", _("A creator signed with you earned an incentive award.")
        )
        events.register(
            "incentives.award_revoked",
            _("An incentive award of a creator signed with you was revoked."),
        )
