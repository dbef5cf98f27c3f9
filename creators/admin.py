from django.contrib import admin

from .models import AudienceProfile, ContentItem, Creator, MetricSnapshot


class AudienceInline(admin.StackedInline):
    model = AudienceProfile
    extra = 0


@admin.register(Creator)
class CreatorAdmin(admin.ModelAdmin):
    list_display = [
        "handle",
        "display_name",
        "vertical",
        "region",
        "city_tier",
        "followers",
        "agency",
        "status",
    ]
    list_filter = ["status", "vertical", "city_tier", "region"]
    search_fields = ["handle", "display_name", "user__username"]
    raw_id_fields = ["user"]
    # Agency changes go through contracts (mcn.services), never through this form.
    readonly_fields = ["agency", "created_at"]
    list_select_related = ["agency"]
    inlines = [AudienceInline]


@admin.register(AudienceProfile)
class AudienceProfileAdmin(admin.ModelAdmin):
    list_display = ["creator", "updated_at"]
    search_fields = ["creator__handle", "creator__display_name"]
    raw_id_fields = ["creator"]
    list_select_related = ["creator"]


@admin.register(MetricSnapshot)
class MetricSnapshotAdmin(admin.ModelAdmin):
    list_display = ["creator", "date", "followers", "views", "tipping_revenue", "gmv", "orders"]
    list_filter = ["date"]
    search_fields = ["creator__handle"]
    raw_id_fields = ["creator"]
    date_hierarchy = "date"
    list_select_related = ["creator"]


@admin.register(ContentItem)
class ContentItemAdmin(admin.ModelAdmin):
    list_display = ["title", "creator", "kind", "published_at", "views", "engagement"]
    list_filter = ["kind"]
    search_fields = ["title", "creator__handle", "external_id"]
    raw_id_fields = ["creator"]
    list_select_related = ["creator"]
