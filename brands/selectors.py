"""Reads of the brands app. A collaboration is visible to its brand, its creator and the
creator's agency; everything else only to the owning brand."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from tenancy.scoping import Actor

from .models import Campaign, Collaboration


def campaigns_of_brand(*, actor: Actor) -> QuerySet[Campaign]:
    return Campaign.objects.for_actor(actor).annotate(
        collaboration_count=Count("collaborations"),
        live_count=Count(
            "collaborations", filter=Q(collaborations__status__in=["live", "completed"])
        ),
    )


def campaign_of_brand(*, actor: Actor, campaign_id: int) -> Campaign:
    """Raises ``Campaign.DoesNotExist`` for another tenant's campaign (views turn it into 404)."""
    return campaigns_of_brand(actor=actor).get(pk=campaign_id)


def collaborations_visible(*, actor: Actor) -> QuerySet[Collaboration]:
    """The one place that decides who sees which collaboration."""
    rows = Collaboration.objects.unscoped().select_related("campaign", "product", "creator")
    if actor.is_creator:
        return rows.filter(creator_id=actor.creator_id)
    if actor.organization_kind == "brand":
        return rows.filter(organization_id=actor.organization_id)
    if actor.organization_kind == "agency":
        return rows.filter(creator__agency_id=actor.organization_id)
    if actor.is_operator:
        return rows
    return rows.none()


def collaboration_visible(*, actor: Actor, collaboration_id: int) -> Collaboration:
    return collaborations_visible(actor=actor).get(pk=collaboration_id)


def offers_inbox(*, actor: Actor) -> QuerySet[Collaboration]:
    """A creator's open offers first, then the rest, newest first."""
    return (
        collaborations_visible(actor=actor)
        .order_by("-status_changed_at", "-id")
        .select_related("campaign__organization")
    )
