"""Reads of the creators app. Public fields go to every signed-in tenant; private ones (income:
tipping, GMV; contracts) only to the creator, its agency and the operator."""

from __future__ import annotations

import datetime

from django.db.models import Count, F, FilteredRelation, FloatField, Q, QuerySet, Sum, Value
from django.db.models.functions import Cast, NullIf
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

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
#: tuple), each ascending or with ``-`` descending. The page's default is the API's. The figure
#: fields are annotations (``directory_figure_annotations``): a creator without one (no
#: snapshots in the window) sorts last both ways, on the page and in the API's cursor.
DIRECTORY_FIGURE_FIELDS = ("engagement_rate", "avg_views")
DIRECTORY_ORDERING_FIELDS = ("followers", "joined", "handle", *DIRECTORY_FIGURE_FIELDS)
DIRECTORY_DEFAULT_ORDERING = "-followers"
#: The directory's engagement rate and average views cover the snapshots of the trailing 28 days
#: up to today (traffic's merit window is as long).
DIRECTORY_WINDOW_DAYS = 28


def creators_directory(*, actor: Actor) -> QuerySet[Creator]:
    """Every creator, public fields only, for any signed-in party (the filters narrow it)."""
    return Creator.objects.for_actor(actor).only(*PUBLIC_FIELDS).order_by("-followers", "id")


#: The alias of a creator's snapshots in the window, joined by directory_figure_annotations.
WINDOW = "window_snapshots"


def directory_figure_annotations(*, as_of: datetime.date | None = None) -> dict:
    """``avg_views`` (per snapshot) and ``engagement_rate`` (Σ likes + comments + shares ÷ Σ
    views) over the window ending ``as_of`` (today), as annotations of a creator query: the one
    definition that the shown figures and the sort both use, so a row sorts by what it shows.

    NULL without snapshots in the window (and the rate without views). Aggregates over a join
    of the window's snapshots, not subqueries: a cursor's condition on a subquery would run it
    again per reference, a HAVING reuses the group's sums (README "Performance"). Public
    reach only, joined past the private manager on purpose; the creators come from the
    caller's query, which is the actor's directory.
    """
    as_of = as_of or timezone.localdate()
    start = as_of - datetime.timedelta(days=DIRECTORY_WINDOW_DAYS - 1)
    in_window = Q(snapshots__date__gte=start, snapshots__date__lte=as_of)

    def total(column):
        # As floats before dividing: PostgreSQL sums bigints as numeric, SQLite as integers.
        return Cast(Sum(f"{WINDOW}__{column}"), FloatField())

    # Counting dates (never NULL in a snapshot) keeps to the columns the window index covers.
    views, snapshots = total("views"), Cast(Count(f"{WINDOW}__date"), FloatField())
    engagement = Cast(
        Sum(F(f"{WINDOW}__likes") + F(f"{WINDOW}__comments") + F(f"{WINDOW}__shares")),
        FloatField(),
    )
    return {
        WINDOW: FilteredRelation("snapshots", condition=in_window),
        "avg_views": views / NullIf(snapshots, Value(0.0)),
        "engagement_rate": engagement / NullIf(views, Value(0.0)),
    }


def directory_figures(
    *, actor: Actor, creator_ids, as_of: datetime.date | None = None
) -> dict[int, dict]:
    """Per creator id ``actor`` may list: its ``directory_figure_annotations``, in one query.
    An id it cannot list answers nothing; a creator without snapshots in the window is absent
    (the page shows a dash)."""
    rows = (
        creators_directory(actor=actor)
        .filter(pk__in=list(creator_ids))
        .annotate(**directory_figure_annotations(as_of=as_of))
        .filter(avg_views__isnull=False)
        .values_list("pk", *DIRECTORY_FIGURE_FIELDS)
    )
    return {pk: dict(zip(DIRECTORY_FIGURE_FIELDS, figures, strict=True)) for pk, *figures in rows}


#: Directory columns an app to the right adds for some kinds of viewer (brands: a brand's own
#: fees and GMV with each creator), so creators names no app to its right. Each entry is
#: ``(kinds, columns, annotations)``: ``columns`` ``[(key, label)]``, and ``annotations(*,
#: actor) -> {key: expression}`` a creator-query annotation per key (what a row shows and sorts
#: by; NULL for none, sorted last). Their keys are ordering values for those kinds only.
DIRECTORY_COLUMNS: list[tuple[frozenset[str], tuple, object]] = []


def register_directory_columns(*, kinds, columns, annotations) -> None:
    if all(entry[2] is not annotations for entry in DIRECTORY_COLUMNS):
        DIRECTORY_COLUMNS.append((frozenset(kinds), tuple(columns), annotations))


def directory_extra_annotations(*, actor: Actor) -> dict:
    """The registered columns' annotations ``actor`` sees, by key, in registration order."""
    found = {}
    for kinds, _columns, annotate in DIRECTORY_COLUMNS:
        if actor.kind in kinds:
            found.update(annotate(actor=actor))
    return found


def directory_extra_columns(*, actor: Actor, creator_ids) -> tuple[list, dict[int, list]]:
    """The registered columns ``actor`` sees: ``([(key, label), ...], {creator_id: [value,
    ...]})``, in one query for the whole page."""
    columns = [
        column
        for kinds, registered, _annotations in DIRECTORY_COLUMNS
        if actor.kind in kinds
        for column in registered
    ]
    ids = list(creator_ids)
    if not columns:
        return [], {creator_id: [] for creator_id in ids}
    keys = [key for key, _label in columns]
    rows = (
        creators_directory(actor=actor)
        .filter(pk__in=ids)
        .annotate(**directory_extra_annotations(actor=actor))
        .values_list("pk", *keys)
    )
    found = {pk: list(values) for pk, *values in rows}
    return columns, {creator_id: found.get(creator_id, [None] * len(keys)) for creator_id in ids}


def directory_sort_fields(*, actor: Actor) -> tuple[str, ...]:
    """The ordering values ``actor`` may use: the public ones and its registered columns."""
    return (*DIRECTORY_ORDERING_FIELDS, *directory_extra_annotations(actor=actor))


def directory_nullable_sort_fields() -> frozenset[str]:
    """Every ordering value that is an annotation, for any viewer: NULL sorts last both ways."""
    registered = {key for _kinds, columns, _a in DIRECTORY_COLUMNS for key, _label in columns}
    return frozenset({*DIRECTORY_FIGURE_FIELDS, *registered})


def directory_ordering_refusal(*, actor: Actor, value: str | None) -> str | None:
    """Why ``actor`` may not sort by ``value`` (a column registered for other kinds of viewer,
    such as a brand's own GMV), else None. Unknown values are not refused but ignored."""
    name = (value or "").removeprefix("-")
    if name in directory_nullable_sort_fields() and name not in directory_sort_fields(actor=actor):
        return _("Only a brand can sort by its own figures (“%(name)s”).") % {"name": name}
    return None


def directory_ordering(value: str | None, *, actor: Actor) -> str:
    """``value`` when it names a column ``actor`` may sort by (``handle``, ``-joined``, …), else
    the default: an unknown ordering is ignored, as the API's ordering filter ignores it."""
    if value and value.removeprefix("-") in directory_sort_fields(actor=actor):
        return value
    return DIRECTORY_DEFAULT_ORDERING


def directory_sorted(creators: QuerySet[Creator], ordering: str, *, actor: Actor) -> QuerySet:
    """``creators`` with the annotation ``ordering`` sorts by (none for a plain column)."""
    name = ordering.removeprefix("-")
    if name in DIRECTORY_FIGURE_FIELDS:
        if name in creators.query.annotations:  # ordered by both figures: one join serves
            return creators
        return creators.annotate(**directory_figure_annotations())
    extra = directory_extra_annotations(actor=actor)
    return creators.annotate(**{name: extra[name]}) if name in extra else creators


def directory_page_rows(
    creators: QuerySet[Creator], ordering: str, *, actor: Actor
) -> QuerySet[Creator]:
    """The directory's rows in ``ordering`` (made total by the id; a figure's NULLs last both
    ways), with the joined date."""
    name = ordering.removeprefix("-")
    term = ordering
    if name in directory_nullable_sort_fields():
        column = F(name)
        term = (
            column.desc(nulls_last=True)
            if ordering.startswith("-")
            else column.asc(nulls_last=True)
        )
    rows = directory_sorted(creators, ordering, actor=actor)
    return rows.only(*PUBLIC_FIELDS, "joined").order_by(term, "id")


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
