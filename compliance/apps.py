from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplianceConfig(AppConfig):
    name = "compliance"

    def ready(self):
        from django.db.models.signals import post_save

        from brands.models import Product
        from brands.review_hooks import register_release_gate, register_submission_check
        from creators.ingest import CONTENT_INGESTED
        from creators.milestone_sources import register_milestone_source
        from creators.models import MilestoneKind
        from tenancy import roles
        from tenancy.homes import register_nav, register_nav_badge
        from tenancy.scopes import register_scope
        from webhooks import events

        from . import hooks, scoring
        from .milestone_source import SOURCE as ORIGINAL_STREAK

        register_scope("compliance:check", _("Pre-check ad copy against the compliance rules"))
        register_scope(
            "originality:check", _("Check a text against every indexed content item for duplicates")
        )
        events.register("compliance.case_decided", _("A compliance review case was decided."))
        register_milestone_source(MilestoneKind.ORIGINAL_STREAK, ORIGINAL_STREAK)
        register_submission_check(scoring.submission_check)
        register_release_gate(scoring.submission_hold)
        for hook in (hooks.content_ingested, hooks.content_ingested_originality):
            if hook not in CONTENT_INGESTED:
                CONTENT_INGESTED.append(hook)
        post_save.connect(hooks.product_saved, sender=Product, dispatch_uid="compliance.product")
        register_nav("compliance:queue", _("Compliance"), kinds=[roles.OPERATOR])
        register_nav("compliance:mine", _("Compliance notices"), kinds=[roles.CREATOR])
        register_nav("compliance:violations", _("Creators' violations"), kinds=[roles.AGENCY])
        register_nav("compliance:originality_mine", _("Originality"), kinds=[roles.CREATOR])
        register_nav(
            "compliance:originality_agency", _("Creators' originality"), kinds=[roles.AGENCY]
        )
        register_nav_badge("compliance:queue", hooks.open_cases_count)
        # Complaint rates: the operator's leaders are a tab of its compliance pages; a brand, an
        # agency and a creator get a link whose badge counts their alerts.
        register_nav(
            "compliance:complaint_rates",
            _("Complaint rate"),
            kinds=[roles.BRAND, roles.AGENCY, roles.CREATOR],
        )
        register_nav_badge("compliance:complaint_rates", hooks.complaint_rate_alerts)
