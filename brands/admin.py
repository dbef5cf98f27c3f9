"""Admin for the operator. Collaboration status is read-only here: it changes only through
``brands.services.collaboration_transition``, which checks the life cycle and audits."""

from django.contrib import admin

from .models import (
    BrandProfile,
    Campaign,
    Collaboration,
    Complaint,
    ContentSubmission,
    Order,
    Product,
    Refund,
)


@admin.register(BrandProfile)
class BrandProfileAdmin(admin.ModelAdmin):
    list_display = ["organization", "industry"]
    search_fields = ["organization__name", "industry"]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "category", "price"]
    list_filter = ["category", "organization"]
    search_fields = ["name", "description"]
    list_select_related = ["organization"]


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "mode", "status", "start", "end", "budget"]
    list_filter = ["status", "mode", "organization"]
    search_fields = ["name", "objective"]
    date_hierarchy = "start"
    list_select_related = ["organization"]


@admin.register(Collaboration)
class CollaborationAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "campaign",
        "product",
        "creator",
        "offer_type",
        "status",
        "fee",
        "commission_pct",
        "offered_at",
    ]
    list_filter = ["status", "offer_type", "organization"]
    search_fields = ["creator__handle", "campaign__name", "product__name"]
    raw_id_fields = ["campaign", "product", "creator"]
    readonly_fields = ["status", "status_changed_at"]
    list_select_related = ["campaign", "product", "creator"]


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = [
        "external_id",
        "organization",
        "collaboration",
        "amount",
        "placed_at",
        "delivered_at",
        "refunded_total",
    ]
    readonly_fields = ["refunded_total"]  # kept by brands.services under the order's lock
    list_filter = ["organization"]
    search_fields = ["external_id"]
    raw_id_fields = ["collaboration"]
    date_hierarchy = "placed_at"
    list_select_related = ["organization"]


@admin.register(Refund)
class RefundAdmin(admin.ModelAdmin):
    """The lifecycle's fields are read-only here: a refund moves only through
    ``brands.services`` (which locks the order, keeps its refunded total and audits)."""

    list_display = ["order", "external_id", "amount", "reason", "status", "requested_at"]
    list_filter = ["status", "reason"]
    search_fields = ["order__external_id", "external_id"]
    readonly_fields = [
        "status",
        "auto_approved",
        "decision_deadline",
        "decided_at",
        "decided_by",
        "decision_note",
        "disputed_at",
        "dispute_note",
        "escalated_at",
        "final_decided_at",
        "final_decided_by",
        "final_note",
    ]
    raw_id_fields = ["order"]
    list_select_related = ["order"]


@admin.register(Complaint)
class ComplaintAdmin(admin.ModelAdmin):
    list_display = ["order", "external_id", "category", "status", "filed_at"]
    list_filter = ["category", "status"]
    search_fields = ["order__external_id", "external_id"]
    raw_id_fields = ["order"]
    list_select_related = ["order"]


@admin.register(ContentSubmission)
class ContentSubmissionAdmin(admin.ModelAdmin):
    """Read-only: submissions and reviews change only through ``brands.review``."""

    list_display = ["id", "collaboration", "status", "submitted_at", "reviewed_at"]
    list_filter = ["status", "organization"]
    search_fields = ["collaboration__creator__handle", "link", "caption"]
    readonly_fields = [f.name for f in ContentSubmission._meta.fields]
    list_select_related = ["collaboration"]
