"""Reads of the creators app. Public fields go to every signed-in tenant; private ones (income:
tipping, GMV; contracts) only to the creator, its agency and the operator."""

from __future__ import annotations

import datetime

from django.db.models import Count, F, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

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


#: The directory's sortable columns: the API's ``?ordering=`` fields (creators.api uses this
#: tuple), each ascending or with ``-`` descending. The page's default is the API's.
DIRECTORY_ORDERING_FIELDS = ("followers", "joined", "handle")
DIRECTORY_DEFAULT_ORDERING = "-followers"
#: The directory's engagement rate and average views cover the snapshots of the trailing 28 days
#: up to today (traffic's merit window is as long).
DIRECTORY_WINDOW_DAYS = 28


def creators_directory(*, actor: Actor) -> QuerySet[Creator]:
    """Every creator, public fields only, for any signed-in party (the filters narrow it)."""
    return Creator.objects.for_actor(actor).only(*PUBLIC_FIELDS).order_by("-followers", "id")


def directory_ordering(value: str | None) -> str:
    """``value`` when it names a sortable column (``handle``, ``-joined``, …), else the default:
    an unknown ordering is ignored, as the API's ordering filter ignores it."""
    if value and value.removeprefix("-") in DIRECTORY_ORDERING_FIELDS:
        return value
    return DIRECTORY_DEFAULT_ORDERING


def directory_page_rows(creators: QuerySet[Creator], ordering: str) -> QuerySet[Creator]:
    """The directory's rows in ``ordering`` (made total by the id), with the joined date."""
    return creators.only(*PUBLIC_FIELDS, "joined").order_by(ordering, "id")


def directory_figures(
    *, actor: Actor, creator_ids, as_of: datetime.date | None = None
) -> dict[int, dict]:
    """Per creator id ``actor`` may list: ``avg_views`` (per snapshot) and ``engagement_rate``
    (Σ likes + comments + shares ÷ Σ views) over the window ending ``as_of`` (today), in one
    aggregate query.

    Public reach only, so other parties' rows are read across the private manager on purpose,
    for the creators of ``actor``'s directory only (an id it cannot list answers nothing).
    A creator without snapshots in the window is absent (the page shows a dash).
    """
    as_of = as_of or timezone.localdate()
    start = as_of - datetime.timedelta(days=DIRECTORY_WINDOW_DAYS - 1)
    listed = creators_directory(actor=actor).filter(pk__in=list(creator_ids)).values("pk")
    rows = (
        MetricSnapshot.objects.unscoped()
        .filter(creator_id__in=listed, date__gte=start, date__lte=as_of)
        .order_by()
        .values("creator_id")
        .annotate(
            snapshots=Count("id"),
            views=Sum("views"),
            engagement=Sum(F("likes") + F("comments") + F("shares")),
        )
    )
    return {
        row["creator_id"]: {
            # float(): PostgreSQL sums bigints as numeric (Decimal), SQLite as int.
            "avg_views": float(row["views"]) / row["snapshots"],
            "engagement_rate": float(row["engagement"]) / float(row["views"])
            if row["views"]
            else None,
        }
        for row in rows
    }


#: Directory columns an app to the right adds for some kinds of viewer (brands: a brand's own
#: fees and GMV with each creator), so creators names no app to its right. Each entry is
#: ``(kinds, columns, figures)``: ``columns`` ``[(key, label)]``, and ``figures(*, actor,
#: creator_ids) -> {creator_id: {key: value}}`` answers a whole page in a bounded number of queries.
DIRECTORY_COLUMNS: list[tuple[frozenset[str], tuple, object]] = []


def register_directory_columns(*, kinds, columns, figures) -> None:
    if all(entry[2] is not figures for entry in DIRECTORY_COLUMNS):
        DIRECTORY_COLUMNS.append((frozenset(kinds), tuple(columns), figures))


def directory_extra_columns(*, actor: Actor, creator_ids) -> tuple[list, dict[int, list]]:
    """The registered columns ``actor`` sees: ``([label, ...], {creator_id: [value, ...]})``."""
    labels, values = [], {creator_id: [] for creator_id in creator_ids}
    for kinds, columns, figures in DIRECTORY_COLUMNS:
        if actor.kind not in kinds:
            continue
        found = figures(actor=actor, creator_ids=list(values))
        labels += [label for _key, label in columns]
        for creator_id, cells in values.items():
            mine = found.get(creator_id, {})
            cells += [mine.get(key) for key, _label in columns]
    return labels, values


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


def creator_in_directory(*, actor: Actor, creator_id: int) -> Creator:
    """One creator of ``actor``'s directory by id (a link's ``?creator=``); else 404."""
    found = creators_directory(actor=actor).filter(pk=creator_id).first()
    if found is None:
        raise Http404
    return found


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
