"""Admin for the operator. Contracts are read-only here: signing and ending go through
``mcn.services`` so that ``Creator.agency`` stays in step and the audit trail is written."""

from django.contrib import admin

from tenancy.admin import ReadOnlyAdmin

from .models import (
    AgencyAssessment,
    AgencyProfile,
    Appeal,
    CertificationRun,
    Contract,
    TierBenefit,
    TierPolicy,
)


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


# Certification: read-only here. Policy versions, cycles, benefits and appeal decisions are
# written by ``mcn.certification`` (audited) from the operator's /operator/certification/ pages.


@admin.register(TierPolicy)
class TierPolicyAdmin(ReadOnlyAdmin):
    list_display = ["version", "active", "window_days", "created_at", "note"]
    list_filter = ["active"]


@admin.register(TierBenefit)
class TierBenefitAdmin(ReadOnlyAdmin):
    list_display = ["tier", "monthly_impressions", "brand_priority", "updated_at"]


@admin.register(CertificationRun)
class CertificationRunAdmin(ReadOnlyAdmin):
    list_display = ["pk", "as_of", "policy", "status", "agencies", "finished_at"]
    list_filter = ["status"]
    list_select_related = ["policy"]


@admin.register(AgencyAssessment)
class AgencyAssessmentAdmin(ReadOnlyAdmin):
    list_display = ["organization", "run", "tier", "score", "change", "override_tier"]
    list_filter = ["tier", "change"]
    search_fields = ["organization__name"]
    list_select_related = ["organization", "run"]


@admin.register(Appeal)
class AppealAdmin(ReadOnlyAdmin):
    list_display = ["organization", "assessment", "status", "filed_at", "decided_at"]
    list_filter = ["status"]
    search_fields = ["organization__name", "text"]
    list_select_related = ["organization", "assessment"]
