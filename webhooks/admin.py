from django.contrib import admin

from tenancy.admin import ReadOnlyAdmin

from .models import WebhookDelivery, WebhookEndpoint


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ReadOnlyAdmin):
    list_display = [
        "url",
        "organization",
        "is_active",
        "consecutive_failures",
        "disabled_at",
        "created_at",
    ]
    list_filter = ["is_active", "organization__kind"]
    search_fields = ["url", "organization__name"]
    date_hierarchy = "created_at"
    exclude = ["secret"]  # a shared secret: shown once to the organization, to nobody else


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "event",
        "endpoint",
        "organization",
        "status",
        "attempts",
        "last_status_code",
        "last_error",
        "next_attempt_at",
    ]
    list_filter = ["status", "event", "last_error_code", "organization__kind"]
    search_fields = ["event", "endpoint__url", "organization__name"]
    date_hierarchy = "created_at"
    list_select_related = ["endpoint", "organization"]
