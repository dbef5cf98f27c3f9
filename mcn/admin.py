"""Admin for the operator. Contracts are read-only here: signing and ending go through
``mcn.services`` so that ``Creator.agency`` stays in step and the audit trail is written."""

from django.contrib import admin

from tenancy.admin import ReadOnlyAdmin

from .models import AgencyProfile, Contract


@admin.register(AgencyProfile)
class AgencyProfileAdmin(admin.ModelAdmin):
    list_display = ["organization", "headquarters", "founded"]
    search_fields = ["organization__name", "headquarters"]


@admin.register(Contract)
class ContractAdmin(ReadOnlyAdmin):
    list_display = ["creator", "organization", "status", "start", "end", "revenue_share_pct"]
    list_filter = ["status", "organization"]
    search_fields = ["creator__handle", "organization__name"]
    list_select_related = ["creator", "organization"]
