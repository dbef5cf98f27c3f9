"""Admin for the operator: cached ecosystem reports are read-only here; they are written by
``analytics.services`` (the daily beat job or ``manage.py ecosystem_report --store``)."""

from django.contrib import admin

from tenancy.admin import ReadOnlyAdmin

from .models import EcosystemReport


@admin.register(EcosystemReport)
class EcosystemReportAdmin(ReadOnlyAdmin):
    list_display = ["as_of", "computed_at"]
    list_filter = ["computed_at"]
    date_hierarchy = "as_of"
