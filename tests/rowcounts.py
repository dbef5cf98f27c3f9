"""Row counts of whole tables (across tenants), to assert that a refused request wrote nothing."""

from django.apps import apps


def row_counts(*labels: str) -> dict[str, int]:
    """``{"app.Model": rows}`` for each label, counted ``unscoped()`` where it can be."""
    counts = {}
    for label in labels:
        manager = apps.get_model(label)._default_manager
        queryset = manager.unscoped() if hasattr(manager, "unscoped") else manager.all()
        counts[label] = queryset.count()
    return counts
