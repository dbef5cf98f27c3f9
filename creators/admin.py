from django.contrib import admin

from .models import (
    AudienceProfile,
    Award,
    ContentItem,
    Course,
    Creator,
    Enrolment,
    IncentivePlan,
    IncentiveRun,
    Lesson,
    LessonCompletion,
    MetricSnapshot,
    Milestone,
)


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


class LessonInline(admin.TabularInline):
    model = Lesson
    extra = 0


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["title", "track", "published", "updated_at"]
    list_filter = ["track", "published"]
    search_fields = ["title", "slug"]
    inlines = [LessonInline]


@admin.register(Lesson)
class LessonAdmin(admin.ModelAdmin):
    list_display = ["title", "course", "position", "minutes"]
    search_fields = ["title", "course__title"]
    list_select_related = ["course"]


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    list_display = ["creator", "course", "enrolled_at", "completed_at"]
    list_filter = ["course"]
    search_fields = ["creator__handle"]
    raw_id_fields = ["creator"]
    list_select_related = ["creator", "course"]


@admin.register(LessonCompletion)
class LessonCompletionAdmin(admin.ModelAdmin):
    list_display = ["enrolment", "lesson", "completed_at"]
    raw_id_fields = ["enrolment", "lesson"]


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0


@admin.register(IncentivePlan)
class IncentivePlanAdmin(admin.ModelAdmin):
    list_display = ["name", "budget", "spent", "starts_on", "ends_on", "active"]
    list_filter = ["active"]
    # The ledger moves only through creators.services_incentives.
    readonly_fields = ["spent"]
    inlines = [MilestoneInline]


@admin.register(Milestone)
class MilestoneAdmin(admin.ModelAdmin):
    list_display = ["title", "plan", "kind", "threshold", "track", "amount"]
    list_filter = ["kind"]
    list_select_related = ["plan"]


@admin.register(Award)
class AwardAdmin(admin.ModelAdmin):
    list_display = ["creator", "milestone", "amount", "achieved_on", "status"]
    list_filter = ["status", "plan"]
    search_fields = ["creator__handle"]
    raw_id_fields = ["creator", "milestone", "revoked_by"]
    list_select_related = ["creator", "milestone"]

    # Awards are written by the ledger only: the admin reads them.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(IncentiveRun)
class IncentiveRunAdmin(admin.ModelAdmin):
    list_display = ["as_of", "status", "awarded", "awarded_amount", "refused", "finished_at"]
    list_filter = ["status"]
