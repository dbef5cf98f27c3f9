"""Admin for the operator. Admin pages read across tenants by design (operator only)."""

from django.contrib import admin
from rest_framework_api_key.admin import APIKeyModelAdmin

from .models import ApiKey, AuditEvent, Membership, Organization


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """For rows that only services may write (they check, claim and audit); admin only reads."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "kind", "region", "currency", "created_at"]
    list_filter = ["kind", "region"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "role", "created_at"]
    list_filter = ["role", "organization__kind"]
    search_fields = ["user__username", "organization__name"]
    autocomplete_fields = ["user", "organization"]


@admin.register(ApiKey)
class ApiKeyAdmin(APIKeyModelAdmin):
    """Read-only: keys are made and revoked by their organization's admins (audited). A key's
    primary key holds its stored hash, so no link, checkbox or URL of this page carries it."""

    list_display = [*APIKeyModelAdmin.list_display, "organization", "last_used_at"]
    list_filter = [*APIKeyModelAdmin.list_filter, "organization__kind"]
    search_fields = [*APIKeyModelAdmin.search_fields, "organization__name"]
    list_display_links = None
    actions = None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):  # the audit trail is append-only
    list_display = [
        "created_at",
        "organization",
        "actor_label",
        "action",
        "target_type",
        "target_id",
    ]
    list_filter = ["action", "organization__kind"]
    search_fields = ["action", "actor_label", "target_id", "organization__name"]
    date_hierarchy = "created_at"
