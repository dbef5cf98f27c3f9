"""Reads of the traffic app. Runs are the operator's: other actors get nothing."""

from django.db.models import QuerySet

from tenancy.scoping import Actor

from .models import Allocation, AllocationRun


def _is_operator(actor: Actor) -> bool:
    return actor.is_operator or actor.role == "system"


def allocation_runs_list(*, actor: Actor) -> QuerySet[AllocationRun]:
    if not _is_operator(actor):
        return AllocationRun.objects.none()
    return AllocationRun.objects.all()


def allocation_run_get(*, actor: Actor, run_id: int) -> AllocationRun:
    """The run, or ``AllocationRun.DoesNotExist`` (404) for anyone but the operator."""
    return allocation_runs_list(actor=actor).get(pk=run_id)


def allocations_of_run(*, actor: Actor, run: AllocationRun) -> QuerySet[Allocation]:
    if not _is_operator(actor):
        return Allocation.objects.none()
    return (
        Allocation.objects.filter(run_id=run.pk)
        .select_related("creator")
        .order_by("-impressions", "creator_id")
    )


def published_run(*, actor: Actor) -> AllocationRun | None:
    return allocation_runs_list(actor=actor).filter(published=True).first()
