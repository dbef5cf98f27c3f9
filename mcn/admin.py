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


# Certification rows are read-only here too: policies are published, cycles run and appeals
# decided through ``mcn.certification``, which keeps versions immutable and writes the audit.
@admin.register(TierPolicy)
class TierPolicyAdmin(ReadOnlyAdmin):
    list_display = ["version", "active", "window_days", "note", "created_at"]
    list_filter = ["active"]
    search_fields = ["note"]


@admin.register(TierBenefit)
class TierBenefitAdmin(ReadOnlyAdmin):
    list_display = ["tier", "monthly_impressions", "brand_priority", "updated_at"]
    search_fields = ["tier"]


@admin.register(CertificationRun)
class CertificationRunAdmin(ReadOnlyAdmin):
    list_display = ["id", "as_of", "policy", "status", "agencies", "finished_at"]
    list_filter = ["status", "as_of"]
    search_fields = ["error", "params_hash"]


@admin.register(AgencyAssessment)
class AgencyAssessmentAdmin(ReadOnlyAdmin):
    list_display = ["run", "organization", "tier", "override_tier", "score", "change"]
    list_filter = ["tier", "change", "run__as_of"]
    search_fields = ["organization__name", "override_reason"]
    list_select_related = ["run", "organization"]


@admin.register(Appeal)
class AppealAdmin(ReadOnlyAdmin):
    list_display = ["id", "organization", "assessment", "status", "filed_at", "decided_at"]
    list_filter = ["status"]
    search_fields = ["organization__name", "text", "decision_reason"]
    list_select_related = ["organization", "assessment"]
