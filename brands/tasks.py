"""Celery tasks of the brands app: thin beat jobs around ``brands.services``, run as the system."""

from tenancy.scoping import Actor
from tenancy.tasking import periodic_task

from . import services, services_orders


@periodic_task("brands.collaborations_expire", runs=services.collaborations_expire)
def collaborations_expire(*, actor: Actor) -> int:
    """Beat job: invitations nobody answered by their response deadline expire."""
    return services.collaborations_expire(actor=actor)


@periodic_task("brands.refunds_escalate_due", runs=services_orders.refunds_escalate_due)
def refunds_escalate_due(*, actor: Actor) -> int:
    """Beat job: pending refunds the brand did not decide by their deadline go to the operator."""
    return services_orders.refunds_escalate_due(actor=actor)
