"""Reads of originality protection: flags and contests (scoped to the actor), originality rates
per creator and per agency, the certification input, and the pages' lists and trends."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import numpy as np
import pandas as pd
from django.db.models import Case as DbCase
from django.db.models import Count, F, Prefetch, Q, QuerySet, Value, When
from django.db.models.functions import TruncMonth
from django.utils import timezone

from creators.models import Creator
from tenancy import roles
from tenancy.models import Organization
from tenancy.scoping import Actor

from .models import (
    OriginalityContest,
    OriginalityFlag,
    OriginalitySignature,
)

# --- Originality ---------------------------------------------------------------------------------


def originality_flags(
    *, actor: Actor, status: str = "", creator_id: int | None = None
) -> QuerySet[OriginalityFlag]:
    """The flags the actor sees (operator all, a creator its own, an agency its creators'),
    newest first; ``status`` one of the flag statuses, or ``counting`` (open, contested,
    upheld)."""
    rows = OriginalityFlag.objects.for_actor(actor).select_related(
        "content", "source", "creator", "source_creator"
    )
    if status == "counting":
        rows = rows.filter(status__in=OriginalityFlag.COUNTING)
    elif status:
        rows = rows.filter(status=status)
    if creator_id:
        rows = rows.filter(creator_id=creator_id)
    return rows.order_by("-flagged_at", "-id")


def originality_flag_get(*, actor: Actor, flag_id: int) -> OriginalityFlag:
    return originality_flags(actor=actor).get(pk=flag_id)


def originality_contests(*, actor: Actor, status: str = "open") -> QuerySet[OriginalityContest]:
    """Contests the actor sees: ``open`` ones oldest first (the operator's queue), a decided
    status newest decided first, ``""`` all newest first."""
    rows = OriginalityContest.objects.for_actor(actor).select_related(
        "flag", "flag__content", "flag__source", "flag__source_creator", "creator", "decided_by"
    )
    if status == OriginalityContest.Status.OPEN:
        return rows.filter(status=status).order_by("created_at", "id")
    if status:
        return rows.filter(status=status).order_by("-decided_at", "-id")
    return rows.order_by("-created_at", "-id")


def originality_contest_get(*, actor: Actor, contest_id: int) -> OriginalityContest:
    return originality_contests(actor=actor, status="").get(pk=contest_id)


def _originality_frame(*, since: datetime | None, until: datetime | None, creators: Q | None):
    """Per indexed item in the period: its creator, its creator's agency, whether a counting
    flag stands on it (the operator's read; callers narrow ``creators``)."""
    rows = OriginalitySignature.objects.unscoped()
    if since is not None:
        rows = rows.filter(published_at__gte=since)
    if until is not None:
        rows = rows.filter(published_at__lte=until)
    if creators is not None:
        rows = rows.filter(creators)
    flagged = OriginalityFlag.objects.unscoped().filter(status__in=OriginalityFlag.COUNTING)
    items = pd.DataFrame(
        list(rows.values_list("content_id", "creator_id", "creator__agency_id")),
        columns=["content", "creator", "agency"],
    )
    copies = set(
        flagged.filter(content_id__in=rows.values("content_id")).values_list(
            "content_id", flat=True
        )
    )
    items["flagged"] = items["content"].isin(copies)
    return items


def _rates(items: pd.DataFrame, by: str) -> pd.DataFrame:
    grouped = items.dropna(subset=[by]).groupby(by)
    frame = pd.DataFrame({"items": grouped.size(), "flagged": grouped["flagged"].sum()})
    frame.index = frame.index.astype(np.int64)
    frame.index.name = by
    frame = frame.astype(np.int64)
    frame["originality_rate"] = 1.0 - frame["flagged"] / frame["items"]
    return frame


def _visible_creators(actor: Actor) -> Q | None:
    if actor.is_operator:
        return None
    if actor.is_creator:
        return Q(creator_id=actor.creator_id)
    if actor.kind == roles.AGENCY:
        return Q(creator__agency_id=actor.organization_id)
    return Q(pk__in=[])


def originality_rates(
    *, actor: Actor, since: datetime | None = None, until: datetime | None = None
) -> pd.DataFrame:
    """Per creator the actor may see (operator all, a creator itself, an agency its current
    creators), over items published in ``[since, until]`` (default all): ``items`` indexed,
    ``flagged`` (open, contested or upheld flags) and ``originality_rate`` = 1 − flagged/items.
    A creator without indexed items has no row (no rate: missing, not 1)."""
    items = _originality_frame(since=since, until=until, creators=_visible_creators(actor))
    return _rates(items, "creator")


def originality_agency_rates(
    *, actor: Actor, since: datetime | None = None, until: datetime | None = None
) -> pd.DataFrame:
    """As :func:`originality_rates`, per agency of the creators' current contract
    (``Creator.agency``): the operator every agency, an agency itself."""
    creators = _visible_creators(actor)
    if actor.kind == roles.CREATOR:
        creators = Q(pk__in=[])
    items = _originality_frame(since=since, until=until, creators=creators)
    return _rates(items, "agency")


#: Traffic merit reads originality over this many days up to the run's ``as_of`` (traffic's own
#: merit window: ``traffic.services.MERIT_WINDOW_DAYS``, which this app may not import).
ORIGINALITY_MERIT_WINDOW_DAYS = 28


def originality_merit_adjustment(*, as_of: date, creator_ids, merit, eligible):
    """Traffic's ``MERIT_ADJUSTMENTS`` hook: merit × the creator's originality rate over the
    items it published in the ``ORIGINALITY_MERIT_WINDOW_DAYS`` up to ``as_of``, so the views of
    flagged copies (open, contested or upheld) earn no share of traffic, in proportion. A
    creator without indexed items in the window keeps its merit; eligibility is unchanged.
    Deterministic: it reads stored flags only."""
    start = as_of - timedelta(days=ORIGINALITY_MERIT_WINDOW_DAYS - 1)
    items = _originality_frame(
        since=timezone.make_aware(datetime.combine(start, time.min)),
        until=timezone.make_aware(datetime.combine(as_of, time.max)),
        creators=None,
    )
    rates = _rates(items, "creator")["originality_rate"]
    factor = rates.reindex(np.asarray(creator_ids)).fillna(1.0).to_numpy(dtype=np.float64)
    return np.asarray(merit, dtype=np.float64) * factor, eligible


def originality_metric_source(*, window_start: date, as_of: date, agency_ids) -> pd.DataFrame:
    """``mcn.metrics.METRIC_SOURCES`` entry: each agency's ``originality_rate`` over items its
    creators (``Creator.agency`` now) published in the window; none published: missing."""
    start = timezone.make_aware(datetime.combine(window_start, time.min))
    end = timezone.make_aware(datetime.combine(as_of, time.max))
    items = _originality_frame(
        since=start, until=end, creators=Q(creator__agency_id__in=list(agency_ids))
    )
    rates = _rates(items, "agency")["originality_rate"]
    frame = pd.DataFrame(index=pd.Index(list(agency_ids), name="agency"))
    frame["originality_rate"] = rates.reindex(frame.index).astype(np.float64)
    return frame


# --- Originality pages (lists, queue, trends) ----------------------------------------------------
# The reads of the originality pages, built on the selectors above: the filtered flag list, the
# contests queue (open first), the creators a filter may name, and the operator's trends.


def originality_flag_list(
    *,
    actor: Actor,
    status: str = "",
    creator_id: int | None = None,
    similarity_min: float | None = None,
    similarity_max: float | None = None,
) -> QuerySet[OriginalityFlag]:
    """:func:`originality_flags` narrowed by a similarity range (inclusive, 0–1), each flag with
    its contest (one at most) prefetched."""
    rows = originality_flags(actor=actor, status=status, creator_id=creator_id)
    if similarity_min is not None:
        rows = rows.filter(similarity__gte=similarity_min)
    if similarity_max is not None:
        rows = rows.filter(similarity__lte=similarity_max)
    contests = OriginalityContest.objects.for_actor(actor).select_related("decided_by")
    return rows.prefetch_related(Prefetch("contests", queryset=contests, to_attr="contest_list"))


def originality_flag_counts(*, actor: Actor) -> dict[str, int]:
    """The flags the actor sees, per status (every status present, 0 when none)."""
    rows = OriginalityFlag.objects.for_actor(actor).order_by()
    counts = dict(rows.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    return {status: counts.get(status, 0) for status in OriginalityFlag.Status.values}


def originality_flag_creators(*, actor: Actor) -> QuerySet[Creator]:
    """The creators whose flags the actor sees (what a creator filter may name): the operator
    every creator, an agency those it manages now, a creator itself, anyone else none."""
    rows = Creator.objects.for_actor(actor)
    if actor.is_operator:
        return rows
    if actor.is_creator:
        return rows.filter(pk=actor.creator_id)
    if actor.kind == roles.AGENCY:
        return rows.filter(agency_id=actor.organization_id)
    return rows.none()


def originality_contest_queue(*, actor: Actor, status: str = "") -> QuerySet[OriginalityContest]:
    """The contests queue: open contests first, oldest first (the longest waiting on top), then
    the decided ones, newest decided first; ``status`` keeps one status only."""
    rows = originality_contests(actor=actor, status="")
    if status:
        rows = rows.filter(status=status)
    is_open = Q(status=OriginalityContest.Status.OPEN)
    return rows.annotate(
        decided_rank=DbCase(When(is_open, then=Value(0)), default=Value(1)),
        open_since=DbCase(When(is_open, then=F("created_at")), default=None),
    ).order_by("decided_rank", F("open_since").asc(nulls_last=True), "-decided_at", "-id")


def originality_contest_counts(*, actor: Actor) -> dict[str, int]:
    rows = OriginalityContest.objects.for_actor(actor).order_by()
    counts = dict(rows.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    return {status: counts.get(status, 0) for status in OriginalityContest.Status.values}


def originality_monthly(*, actor: Actor, months: int = 24) -> list[dict]:
    """The operator's trend: per month of publication (the latest ``months``, oldest first),
    items indexed, items under a counting flag, and the originality rate 1 − flagged/items.
    Anyone but the operator: no rows (the index is the operator's)."""
    counting = Q(content__originality_flag__status__in=OriginalityFlag.COUNTING)
    rows = (
        OriginalitySignature.objects.for_actor(actor)
        .annotate(month=TruncMonth("published_at"))
        .values("month")
        .annotate(items=Count("content"), flagged=Count("content", filter=counting))
        .order_by("-month")[:months]
    )
    trend = [
        {
            "month": _month_label(row["month"]),
            "items": row["items"],
            "flagged": row["flagged"],
            "rate": 1.0 - row["flagged"] / row["items"] if row["items"] else None,
        }
        for row in rows
    ]
    return trend[::-1]


def _month_label(moment) -> str:
    day = moment.date() if isinstance(moment, datetime) else moment
    return f"{day.year}-{day.month:02d}"


def originality_creator_rows(*, actor: Actor, limit: int | None = None) -> list[dict]:
    """Per creator the actor sees with indexed items: handle, items, flagged and rate; the
    most flagged first (then the lowest rate, then the handle); ``limit`` the first few."""
    rates = originality_rates(actor=actor)
    if rates.empty:
        return []
    creators = dict(
        originality_flag_creators(actor=actor)
        .filter(pk__in=[int(pk) for pk in rates.index])
        .values_list("pk", "handle")
    )
    rows = [
        {
            "creator_id": int(pk),
            "handle": creators.get(int(pk), ""),
            "items": int(row["items"]),
            "flagged": int(row["flagged"]),
            "rate": float(row["originality_rate"]),
        }
        for pk, row in rates.iterrows()
        if int(pk) in creators
    ]
    rows.sort(key=lambda r: (-r["flagged"], r["rate"], r["handle"]))
    return rows[:limit] if limit else rows


def originality_agency_rows(*, actor: Actor, limit: int | None = None) -> list[dict]:
    """As :func:`originality_creator_rows`, per agency (the operator's trends; an agency gets
    its own row)."""
    rates = originality_agency_rates(actor=actor)
    if rates.empty:
        return []
    names = dict(
        Organization.objects.filter(
            kind=Organization.Kind.AGENCY, pk__in=[int(pk) for pk in rates.index]
        ).values_list("pk", "name")
    )
    rows = [
        {
            "agency_id": int(pk),
            "name": names.get(int(pk), ""),
            "items": int(row["items"]),
            "flagged": int(row["flagged"]),
            "rate": float(row["originality_rate"]),
        }
        for pk, row in rates.iterrows()
    ]
    rows.sort(key=lambda r: (-r["flagged"], r["rate"], r["name"]))
    return rows[:limit] if limit else rows
