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
#: The creator columns every signed-in tenant may read.
PUBLIC_FIELDS = (
    "id",
    "handle",
    "display_name",
    "vertical",
    "region",
    "city_tier",
    "followers",
    "status",
)


def creator_of_portal(*, actor: Actor) -> Creator:
    """The creator a portal user acts as; anyone else has no portal (404)."""
    if not actor.is_creator:
        raise Http404
    return Creator.objects.select_related("audience", "agency").get(pk=actor.creator_id)


def creators_directory(*, actor: Actor) -> QuerySet[Creator]:
    """Every creator, public fields only, for any tenant (the filters narrow it down)."""
    if actor.organization_id is None and not actor.is_creator:
        return Creator.objects.none()
    return Creator.objects.only(*PUBLIC_FIELDS).order_by("-followers", "id")


def _with_audience(creators: QuerySet[Creator]) -> QuerySet[Creator]:
    # only() must name the reverse relation it joins, or Django refuses to select_related it;
    # `agency` rides along so can_see_private() costs no extra query.
    return creators.select_related("audience").only(*PUBLIC_FIELDS, "agency", "audience")


def _one_by_handle(creators: QuerySet[Creator], handle: str) -> Creator:
    found = _with_audience(creators).filter(handle=handle).first()
    if found is None:
        raise Http404
    return found


def creator_by_handle(*, actor: Actor, handle: str) -> Creator:
    return _one_by_handle(creators_directory(actor=actor), handle)


def can_see_private(*, actor: Actor, creator: Creator) -> bool:
    if actor.is_operator:
        return True
    if actor.is_creator:
        return actor.creator_id == creator.pk
    return actor.organization_id is not None and actor.organization_id == creator.agency_id


def creator_profile(*, actor: Actor, handle: str) -> Creator:
    """One creator's page: public fields, audience, and the agency id that decides privacy.

    A portal creator sees only its own page: creators do not browse each other (the directory
    is for tenants), and an unknown handle and someone else's both answer 404.
    """
    creators = creators_directory(actor=actor)
    if actor.is_creator:
        creators = creators.filter(pk=actor.creator_id)
    return _one_by_handle(creators, handle)


def metric_trend(
    *,
    actor: Actor,
    creator: Creator,
    since: datetime.date | None = None,
    last: int | None = None,
) -> list:
    """Weekly figures, oldest first; private columns only for those allowed to see them.

    ``last`` keeps the most recent N snapshots (pages show the last 26 weeks of data, which
    for an inactive creator or the demo world is not the 26 weeks before today).
    """
    fields = PUBLIC_METRICS + (
        PRIVATE_METRICS if can_see_private(actor=actor, creator=creator) else ()
    )
    rows = MetricSnapshot.objects.filter(creator=creator)
    if since:
        rows = rows.filter(date__gte=since)
    if last is not None:
        recent = rows.order_by("-date").values("date", *fields)[:last]
        return list(reversed(recent))
    return list(rows.order_by("date").values("date", *fields))
