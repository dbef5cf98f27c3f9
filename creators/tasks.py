"""Celery tasks of the creators app: thin wrappers around its services."""

from tenancy.scoping import Actor
from tenancy.tasking import periodic_task

from . import incentive_runs


@periodic_task("creators.incentive_awards_due", runs=incentive_runs.incentive_awards_due)
def incentive_awards_due(*, actor: Actor) -> int:
    """Beat job (daily): evaluate the incentive plans for yesterday; the awards it made."""
    return incentive_runs.incentive_awards_due(actor=actor)
