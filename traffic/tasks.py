"""Celery tasks of the traffic app: thin wrappers around ``traffic.services``."""

from tenancy.scoping import Actor
from tenancy.tasking import periodic_task, tenant_task

from . import services
from .models import AllocationRun

FINISHED = (AllocationRun.Status.SUCCEEDED, AllocationRun.Status.FAILED)
#: Past the lease, so the retry finds the holder's heartbeat stale if it has died.
RETRY_MARGIN_S = 2


# max_retries=None: a copy retries only while another worker's heartbeat is fresh, which that
# worker's time limit bounds, and a run is claimed at most RUN_MAX_CLAIMS times.
@tenant_task(
    "traffic.allocation_run_execute", time_limit=30 * 60, soft_time_limit=25 * 60, max_retries=None
)
def allocation_run_execute(*, actor: Actor, run_id: int) -> str:
    """Execute one run and say how it ended; a crash marks it failed, then re-raises.

    The message is done only when the run is: a copy that finds the run held by another
    worker (a redelivery after the pool process was killed, a second resume) retries when that
    worker's lease would have run out, and then takes the run over or finds it finished. So a
    killed worker's run is never left "running" with its message acknowledged.
    """
    run = services.allocation_run_execute(actor=actor, run_id=run_id)
    task = allocation_run_execute
    if run.status in FINISHED or task.request.is_eager:
        # Embedded there is no broker to wait in: the caller reads the status.
        return run.status
    raise task.retry(countdown=services.lease_remaining(run) + RETRY_MARGIN_S)


@periodic_task("traffic.allocation_runs_resume", runs=services.allocation_runs_resume)
def allocation_runs_resume(*, actor: Actor) -> int:
    """Beat job: re-enqueue runs whose worker died (their heartbeat went stale)."""
    return services.allocation_runs_resume(actor=actor)
