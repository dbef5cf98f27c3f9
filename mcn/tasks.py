"""Celery tasks of the mcn app: thin beat jobs around ``mcn.services``, run as the system."""

from tenancy.scoping import Actor
from tenancy.tasking import periodic_task

from . import services


@periodic_task("mcn.contracts_start_due", runs=services.contracts_start_due)
def contracts_start_due(*, actor: Actor) -> int:
    """Beat job: agencies get their rights over creators whose contract starts today."""
    return services.contracts_start_due(actor=actor)


@periodic_task("mcn.contracts_expire", runs=services.contracts_expire)
def contracts_expire(*, actor: Actor) -> int:
    """Beat job: offers nobody answered in time expire."""
    return services.contracts_expire(actor=actor)
