"""Celery tasks of the analytics app: thin, each calls a service."""

from tenancy.scoping import Actor
from tenancy.tasking import periodic_task

from . import services


@periodic_task(
    "analytics.ecosystem_reports_due",
    runs=services.ecosystem_reports_due,
    time_limit=30 * 60,
    soft_time_limit=29 * 60,
)
def ecosystem_reports_due(*, actor: Actor) -> int:
    """Beat job: compute and cache yesterday's ecosystem report."""
    return services.ecosystem_reports_due(actor=actor)
