"""Admin for the operator: index builds are read-only here; ``matching.services`` makes them
(``manage.py build_match_index``, the refresh beat job)."""

from django.contrib import admin

from tenancy.admin import ReadOnlyAdmin

from .models import IndexBuild


@admin.register(IndexBuild)
class IndexBuildAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "status",
        "reason",
        "progress",
        "creators",
        "training_pairs",
        "model_r2",
        "build_seconds",
        "created_at",
        "finished_at",
    ]
    list_filter = ["status", "reason"]
    search_fields = ["fingerprint", "error"]
