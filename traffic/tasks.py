"""Celery tasks of the traffic app: thin wrappers around ``traffic.services``."""

from tenancy.scoping import Actor
from tenancy.tasking import periodic_task, tenant_task

from . import services


@tenant_task("traffic.allocation_run_execute", time_limit=30 * 60, soft_time_limit=25 * 60)
def allocation_run_execute(*, actor: Actor, run_id: int) -> None:
    """Execute one run; a crash marks it failed with the error, then re-raises."""
    try:
        services.allocation_run_execute(actor=actor, run_id=run_id)
    except Exception as error:
        services.allocation_run_fail(run_id=run_id, error=f"{type(error).__name__}: {error}")
        raise


@periodic_task("traffic.allocation_runs_resume", runs=services.allocation_runs_resume)
def allocation_runs_resume(*, actor: Actor) -> int:
    """Beat job: re-enqueue runs whose worker died (their lease ran out)."""
    return services.allocation_runs_resume(actor=actor)
