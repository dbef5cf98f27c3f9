"""Reads of the webhooks app; each takes the acting ``actor``."""

from __future__ import annotations

from django.db.models import QuerySet

from tenancy.scoping import Actor

from .models import WebhookDelivery, WebhookEndpoint


def webhook_endpoints_list(*, actor: Actor) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.for_actor(actor)


def webhook_deliveries_list(
    *, actor: Actor, endpoint: WebhookEndpoint, status: str | None = None
) -> QuerySet[WebhookDelivery]:
    deliveries = WebhookDelivery.objects.for_actor(actor).filter(endpoint=endpoint)
    return deliveries.filter(status=status) if status else deliveries
