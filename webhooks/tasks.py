from tenancy.tasking import periodic_task, tenant_task

from .services import webhook_deliveries_resume, webhook_delivery_attempt


@tenant_task("webhooks.deliver", ignore_result=True, soft_time_limit=30, time_limit=60)
def webhook_deliver_task(*, actor, delivery_id: int, attempt: int = 1) -> str | None:
    """One attempt of one delivery; the service claims it, records it, schedules the next."""
    delivery = webhook_delivery_attempt(actor=actor, delivery_id=delivery_id, attempt=attempt)
    return delivery.status if delivery is not None else None


@periodic_task("webhooks.deliveries_resume", runs=webhook_deliveries_resume)
def webhook_deliveries_resume_task(*, actor) -> int:
    """Beat job: re-enqueue deliveries whose task was lost or whose worker died mid-attempt."""
    return webhook_deliveries_resume(actor=actor)
