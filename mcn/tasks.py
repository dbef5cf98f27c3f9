"""Celery tasks of the mcn app: thin beat jobs around ``mcn.services``, run as the system."""

from tenancy.scoping import Actor
from tenancy.tasking import periodic_task, tenant_task

from . import certification, services


@periodic_task("mcn.contracts_start_due", runs=services.contracts_start_due)
def contracts_start_due(*, actor: Actor) -> int:
    """Beat job: agencies get their rights over creators whose contract starts today."""
    return services.contracts_start_due(actor=actor)


@periodic_task("mcn.contracts_expire", runs=services.contracts_expire)
def contracts_expire(*, actor: Actor) -> int:
    """Beat job: offers nobody answered in time expire."""
    return services.contracts_expire(actor=actor)


@tenant_task("mcn.certification_run_execute", time_limit=30 * 60, soft_time_limit=25 * 60)
def certification_run_execute(*, actor: Actor, run_id: int) -> str:
    """Execute one certification run (on demand, from the operator's page) and say how it ended."""
    return certification.certification_run_execute(actor=actor, run_id=run_id).status


@periodic_task("mcn.certification_cycle_monthly", runs=certification.certification_cycle_monthly)
def certification_cycle_monthly(*, actor: Actor) -> int | None:
    """Beat job: last month's certification cycle, once."""
    return certification.certification_cycle_monthly(actor=actor)
