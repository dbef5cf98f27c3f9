from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplianceConfig(AppConfig):
    name = "compliance"

    def ready(self):
        from tenancy.scopes import register_scope
        from webhooks import events

        register_scope("compliance:check", _("Pre-check ad copy against the compliance rules"))
        events.register("compliance.case_decided", _("A compliance review case was decided."))
