"""Reads of the creators app. Public fields go to every signed-in tenant; private ones (income:
tipping, GMV; contracts) only to the creator, its agency and the operator."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.http import Http404

from tenancy.scoping import Actor

from .models import Creator, MetricSnapshot

PUBLIC_METRICS = ("followers", "views", "likes", "comments", "shares", "live_minutes")
PRIVATE_METRICS = ("tipping_revenue", "gmv", "orders")


def creator_of_portal(*, actor: Actor) -> Creator:
    """The creator a portal user acts as; anyone else has no portal (404)."""
    if not actor.is_creator:
        raise Http404
    return Creator.objects.select_related("audience", "agency").get(pk=actor.creator_id)


def creators_directory(*, actor: Actor) -> QuerySet[Creator]:
    """Every creator, public fields only, for any tenant (the filters narrow it down)."""
    if actor.organization_id is None and not actor.is_creator:
        return Creator.objects.none()
    return Creator.objects.only(
        "id", "handle", "display_name", "vertical", "region", "city_tier", "followers", "status"
    ).order_by("-followers", "id")


def creator_by_handle(*, actor: Actor, handle: str) -> Creator:
    creator = creators_directory(actor=actor).select_related("audience").filter(handle=handle)
    found = creator.first()
    if found is None:
        raise Http404
    return found


def can_see_private(*, actor: Actor, creator: Creator) -> bool:
    if actor.is_operator:
        return True
    if actor.is_creator:
        return actor.creator_id == creator.pk
    return actor.organization_id is not None and actor.organization_id == creator.agency_id


def metric_trend(*, actor: Actor, creator: Creator, since: datetime.date | None = None) -> list:
    """Weekly figures, oldest first; private columns only for those allowed to see them."""
    fields = PUBLIC_METRICS + (
        PRIVATE_METRICS if can_see_private(actor=actor, creator=creator) else ()
    )
    rows = MetricSnapshot.objects.filter(creator=creator)
    if since:
        rows = rows.filter(date__gte=since)
    return list(rows.order_by("date").values("date", *fields))
