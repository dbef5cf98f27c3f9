"""Admin for the operator's staff: compliance rows are read here and changed by
``compliance.services`` (the queue, sanctions, appeals, policy) and ``compliance.training``."""

from django.contrib import admin

from tenancy.admin import ReadOnlyAdmin

from .models import (
    Appeal,
    Case,
    ComplaintRateDaily,
    Label,
    ModelVersion,
    Policy,
    RetrainRun,
    Sanction,
)


@admin.register(Policy)
class PolicyAdmin(ReadOnlyAdmin):
    list_display = [
        "category",
        "review_threshold",
        "block_threshold",
        "restrict_after",
        "suspend_after",
        "updated_at",
    ]


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ["id", "source", "track", "status", "category", "risk", "opened_at"]
    list_filter = ["status", "track", "source", "category"]
    search_fields = ["text"]


@admin.register(Label)
class LabelAdmin(ReadOnlyAdmin):
    list_display = ["id", "label", "created_at"]
    list_filter = ["label"]


@admin.register(Sanction)
class SanctionAdmin(ReadOnlyAdmin):
    list_display = ["id", "creator", "level", "status", "starts_on", "ends_on"]
    list_filter = ["level", "status"]


@admin.register(Appeal)
class AppealAdmin(ReadOnlyAdmin):
    list_display = ["id", "sanction", "status", "created_at", "decided_at"]
    list_filter = ["status"]


@admin.register(ModelVersion)
class ModelVersionAdmin(ReadOnlyAdmin):
    list_display = ["version", "status", "labels_used", "created_at", "promoted_at"]
    exclude = ["blob"]


@admin.register(RetrainRun)
class RetrainRunAdmin(ReadOnlyAdmin):
    list_display = ["id", "status", "promoted", "created_at", "finished_at"]


@admin.register(ComplaintRateDaily)
class ComplaintRateDailyAdmin(ReadOnlyAdmin):
    list_display = ["date", "subject_kind", "subject_id", "orders", "complaints", "rate", "alert"]
    list_filter = ["subject_kind", "alert", "date"]
    search_fields = ["subject_id"]
