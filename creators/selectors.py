"""Reads of the creators app. Public fields go to every signed-in tenant; private ones (income:
tipping, GMV; contracts) only to the creator, its agency and the operator."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.http import Http404

from tenancy.scoping import Actor

from .models import AudienceProfile, ContentItem, Creator, MetricSnapshot, sees_private_figures

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
    """Every creator, public fields only, for any signed-in party (the filters narrow it)."""
    return Creator.objects.for_actor(actor).only(*PUBLIC_FIELDS).order_by("-followers", "id")


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
    return sees_private_figures(actor, creator)


def creator_profile(*, actor: Actor, handle: str) -> Creator:
    """One creator's page: public fields, audience, and the agency id that decides privacy.

    A portal creator sees only its own page: creators do not browse each other (the directory
    is for tenants), and an unknown handle and someone else's both answer 404.
    """
    creators = creators_directory(actor=actor)
    if actor.is_creator:
        creators = creators.filter(pk=actor.creator_id)
    return _one_by_handle(creators, handle)


def metric_columns(*, actor: Actor, creator: Creator) -> tuple[str, ...]:
    """The snapshot columns ``actor`` may read of ``creator``: income only for the allowed."""
    private = can_see_private(actor=actor, creator=creator)
    return PUBLIC_METRICS + (PRIVATE_METRICS if private else ())


def metric_rows(
    *,
    actor: Actor,
    creator: Creator,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
) -> QuerySet:
    """``creator``'s snapshots as dicts of the columns ``actor`` may read, by date.

    The one place that decides which figures of a creator a party sees; pages and the API both
    read through it. Other parties' rows are public reach only, read across the private
    manager on purpose and limited to the public columns.
    """
    columns = metric_columns(actor=actor, creator=creator)
    if can_see_private(actor=actor, creator=creator):
        rows = MetricSnapshot.objects.for_actor(actor)
    else:
        rows = MetricSnapshot.objects.unscoped()
    rows = rows.filter(creator_id=creator.pk)
    if since:
        rows = rows.filter(date__gte=since)
    if until:
        rows = rows.filter(date__lte=until)
    return rows.values("date", *columns)


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
    rows = metric_rows(actor=actor, creator=creator, since=since)
    if last is not None:
        return list(reversed(rows.order_by("-date")[:last]))
    return list(rows.order_by("date"))


def creator_audience(*, actor: Actor, creator: Creator) -> AudienceProfile | None:
    return AudienceProfile.objects.for_actor(actor).filter(creator_id=creator.pk).first()


def creator_content(*, actor: Actor, creator: Creator) -> QuerySet[ContentItem]:
    return ContentItem.objects.for_actor(actor).filter(creator_id=creator.pk)
