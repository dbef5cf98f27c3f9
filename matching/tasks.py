"""Celery tasks of the matching app: thin wrappers around ``matching.services``."""

from tenancy.scoping import Actor
from tenancy.tasking import periodic_task, tenant_task

from . import services


@tenant_task("matching.index_build_execute", time_limit=30 * 60, soft_time_limit=25 * 60)
def index_build_execute(*, actor: Actor, build_id: int) -> str:
    """Execute one index build (asked for by the operator) and say how it ended."""
    return services.index_build_execute(actor=actor, build_id=build_id).status


@periodic_task(
    "matching.match_index_refresh",
    runs=services.match_index_refresh,
    time_limit=30 * 60,
    soft_time_limit=25 * 60,
)
def match_index_refresh(*, actor: Actor) -> int | None:
    """Beat job: a new index version when portraits, figures or collaborations changed."""
    return services.match_index_refresh(actor=actor)
