"""Admin for the operator's staff: compliance rows are read here and changed by
``compliance.services`` (the queue, sanctions, appeals, policy, originality contests),
``compliance.training`` and ``compliance.originality`` (the index and its flags). The index's
LSH buckets have a composite primary key, which the admin does not support: not registered."""

from django.contrib import admin

from tenancy.admin import ReadOnlyAdmin

from .models import (
    Appeal,
    Case,
    ComplaintRateDaily,
    Label,
    ModelVersion,
    OriginalityContest,
    OriginalityFlag,
    OriginalitySignature,
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


@admin.register(OriginalitySignature)
class OriginalitySignatureAdmin(ReadOnlyAdmin):
    list_display = ["content", "creator", "published_at", "shingles", "indexed_at"]
    exclude = ["signature"]


@admin.register(OriginalityFlag)
class OriginalityFlagAdmin(ReadOnlyAdmin):
    list_display = ["id", "content", "source", "similarity", "status", "flagged_at"]
    list_filter = ["status"]
    search_fields = ["content__external_id", "source__external_id"]


@admin.register(OriginalityContest)
class OriginalityContestAdmin(ReadOnlyAdmin):
    list_display = ["id", "flag", "creator", "status", "created_at", "decided_at"]
    list_filter = ["status"]
    search_fields = ["statement"]
