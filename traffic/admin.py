"""Admin for the operator: runs and allocations are read-only here; they are made by
``traffic.services`` (``manage.py allocate_traffic`` or the task)."""

from django.contrib import admin

from tenancy.admin import ReadOnlyAdmin

from .models import Allocation, AllocationRun


@admin.register(AllocationRun)
class AllocationRunAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "status",
        "progress",
        "pool",
        "target_gini",
        "gini_before",
        "gini_after",
        "distance",
        "merit_retained",
        "creators",
        "published",
        "created_at",
    ]
    list_filter = ["status", "published", "created_at"]
    search_fields = ["params_hash", "error"]


@admin.register(Allocation)
class AllocationAdmin(ReadOnlyAdmin):
    list_display = ["run", "creator", "merit", "impressions", "eligible"]
    list_filter = ["eligible", "run__status", "run__published"]
    search_fields = ["creator__handle"]
    list_select_related = ["run", "creator"]
