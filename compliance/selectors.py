"""The reads of compliance: the queue, a case, creators' notices, agencies' violations, the
operator's quarterly figures, complaint rates, and the inputs that traffic and certification
read.

Pages and the API read through the actor (the models' querysets say who sees which row). The
engine inputs (:func:`sanction_merit_adjustment`, :func:`confirmed_violations`,
:func:`complaint_counts`, :func:`complaint_rate_merit_adjustment`) are the operator's jobs'
reads, across every creator on purpose.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import numpy as np
import pandas as pd
from django.db.models import Count, Max, Q, QuerySet, Subquery
from django.db.models.functions import TruncDate, TruncQuarter
from django.utils import timezone

from brands.models import Complaint, Order
from creators.models import Creator
from tenancy.models import Organization
from tenancy.scoping import Actor

from .default_policy import RESTRICTION_FACTOR
from .models import (
    Appeal,
    Case,
    Category,
    ComplaintRateDaily,
    ModelVersion,
    Policy,
    RetrainRun,
    Sanction,
    SubjectKind,
)

#: Categories whose confirmed violation counts as severe for certification gates.
SEVERE_CATEGORIES = frozenset({Category.COUNTERFEIT, Category.OFF_PLATFORM})


def case_queue(*, actor: Actor, status: str = "open", category: str = "") -> QuerySet[Case]:
    """The cases the actor sees; ``open`` (open, claimed, escalated) oldest first, or one
    status, newest decided first."""
    rows = Case.objects.for_actor(actor).select_related("creator", "claimed_by", "decided_by")
    if category:
        rows = rows.filter(category=category)
    if status == "open":
        return rows.filter(status__in=Case.OPEN_STATUSES).order_by("opened_at", "id")
    return rows.filter(status=status).order_by("-decided_at", "-id")


def case_get(*, actor: Actor, case_id: int) -> Case:
    return Case.objects.for_actor(actor).select_related("creator").get(pk=case_id)


def queue_counts(*, actor: Actor) -> dict[str, int]:
    rows = Case.objects.for_actor(actor).filter(status__in=Case.OPEN_STATUSES)
    counts = dict(rows.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    return {status: counts.get(status, 0) for status in Case.OPEN_STATUSES}


def sla_age_hours(case: Case, *, now: datetime | None = None) -> float:
    """How long the case has waited for a decision (until now, or until it was decided)."""
    end = case.decided_at or now or timezone.now()
    return max((end - case.opened_at).total_seconds() / 3600.0, 0.0)


def highlighted(case: Case) -> list[tuple[str, dict | None]]:
    """The case text cut into ``(piece, rule reason or None)`` for highlighting its spans."""
    spans = sorted(
        (r for r in case.reasons if r.get("kind") == "rule" and r.get("start") is not None),
        key=lambda r: r["start"],
    )
    pieces, at = [], 0
    for reason in spans:
        start, end = reason["start"], reason["end"]
        if start < at or end > len(case.text):
            continue  # a span from a different text (never expected): do not mis-highlight
        pieces.append((case.text[at:start], None))
        pieces.append((case.text[start:end], reason))
        at = end
    pieces.append((case.text[at:], None))
    return [(text, reason) for text, reason in pieces if text]


def sanctions_of(*, actor: Actor, creator_id: int | None = None) -> QuerySet[Sanction]:
    rows = Sanction.objects.for_actor(actor).select_related("case", "creator")
    return rows.filter(creator_id=creator_id) if creator_id else rows


def sanction_get(*, actor: Actor, sanction_id: int) -> Sanction:
    return sanctions_of(actor=actor).get(pk=sanction_id)


def open_appeals(*, actor: Actor) -> QuerySet[Appeal]:
    rows = Appeal.objects.for_actor(actor).select_related("sanction", "sanction__case", "creator")
    return rows.filter(status=Appeal.Status.OPEN).order_by("created_at", "id")


def appeal_get(*, actor: Actor, appeal_id: int) -> Appeal:
    return Appeal.objects.for_actor(actor).select_related("sanction").get(pk=appeal_id)


def violations_of_agency(*, actor: Actor) -> QuerySet[Case]:
    """Confirmed violations of the creators the acting agency manages now."""
    return case_queue(actor=actor, status=Case.Status.REJECTED)


def policies(*, actor: Actor) -> QuerySet[Policy]:
    return Policy.objects.for_actor(actor)


def policy_get(*, actor: Actor, category: str) -> Policy:
    return policies(actor=actor).get(category=category)


def model_versions(*, actor: Actor) -> QuerySet[ModelVersion]:
    return ModelVersion.objects.for_actor(actor).defer("blob")


def retrain_runs(*, actor: Actor) -> QuerySet[RetrainRun]:
    return RetrainRun.objects.for_actor(actor).select_related("candidate")


def retrain_run_get(*, actor: Actor, run_id: int) -> RetrainRun:
    return retrain_runs(actor=actor).get(pk=run_id)


# --- The operator's figures ----------------------------------------------------------------------


def violations_per_quarter(*, actor: Actor, until: date | None = None) -> list[dict]:
    """Per quarter (oldest first): confirmed violations, accounts sanctioned, and the
    year-on-year change of accounts against the same quarter a year before (None without it);
    decided up to the end of ``until`` (platform time) when given."""
    return _per_quarter(Case.objects.for_actor(actor), until)


def violations_per_quarter_everywhere(*, until: date | None = None) -> list[dict]:
    """:func:`violations_per_quarter` over every tenant's cases: the ecosystem reports' read."""
    return _per_quarter(Case.objects.unscoped(), until)


def _per_quarter(cases: QuerySet[Case], until: date | None) -> list[dict]:
    if until is not None:
        cases = cases.filter(decided_at__lt=_local_range(until, until)[1])
    rows = (
        cases.filter(status=Case.Status.REJECTED)
        .annotate(quarter=TruncQuarter("decided_at"))
        .values("quarter")
        .annotate(cases=Count("id"), accounts=Count("creator", distinct=True))
        .order_by("quarter")
    )
    by_quarter = {_quarter_key(r["quarter"]): r for r in rows}
    figures = []
    for (year, q), row in by_quarter.items():
        before = by_quarter.get((year - 1, q))
        change = None
        if before and before["accounts"]:
            change = (row["accounts"] - before["accounts"]) / before["accounts"]
        figures.append(
            {
                "quarter": f"{year} Q{q}",
                "cases": row["cases"],
                "accounts": row["accounts"],
                "yoy": change,
            }
        )
    return figures


def _quarter_key(moment) -> tuple[int, int]:
    day = moment.date() if isinstance(moment, datetime) else moment
    return day.year, (day.month - 1) // 3 + 1


# --- Inputs of traffic and certification ---------------------------------------------------------


def _in_force_on(as_of: date) -> Q:
    return (
        Q(starts_on__lte=as_of)
        & (Q(ends_on__isnull=True) | Q(ends_on__gte=as_of))
        & ~Q(status=Sanction.Status.OVERTURNED)
    )


def sanction_merit_adjustment(*, as_of: date, creator_ids, merit, eligible):
    """Traffic's ``MERIT_ADJUSTMENTS`` hook: merit × ``RESTRICTION_FACTOR`` while a traffic
    restriction is in force on ``as_of``; ineligible while a suspension is. A sanction under
    appeal stays in force; an overturned one never counted."""
    rows = (
        Sanction.objects.unscoped()
        .filter(
            _in_force_on(as_of), level__in=[Sanction.Level.RESTRICTION, Sanction.Level.SUSPENSION]
        )
        .values_list("creator_id", "level")
    )
    restricted = {c for c, level in rows if level == Sanction.Level.RESTRICTION}
    suspended = {c for c, level in rows if level == Sanction.Level.SUSPENSION}
    ids = np.asarray(creator_ids)
    merit = np.where(np.isin(ids, list(restricted)), merit * RESTRICTION_FACTOR, merit)
    eligible = np.asarray(eligible, dtype=bool) & ~np.isin(ids, list(suspended))
    return merit, eligible


def confirmed_violations(*, window_start: date, as_of: date) -> pd.DataFrame:
    """Confirmed violations decided in the window (not overturned on appeal): one row each,
    columns ``creator``, ``date`` (datetime64), ``severe`` (bool)."""
    start = timezone.make_aware(datetime.combine(window_start, time.min))
    end = timezone.make_aware(datetime.combine(as_of, time.max))
    rows = (
        Case.objects.unscoped()
        .filter(status=Case.Status.REJECTED, decided_at__range=(start, end), creator__isnull=False)
        .exclude(sanctions__status=Sanction.Status.OVERTURNED)
        .values_list("creator_id", "decided_at", "violation_type")
    )
    frame = pd.DataFrame(list(rows), columns=["creator", "date", "violation_type"])
    frame["date"] = pd.to_datetime(frame["date"], utc=True).dt.tz_localize(None).dt.normalize()
    frame["date"] = frame["date"].astype("datetime64[ns]")
    frame["severe"] = frame["violation_type"].isin(SEVERE_CATEGORIES)
    return frame.drop(columns=["violation_type"])


# --- Consumer protection: complaint rates --------------------------------------------------------


def _local_range(window_start: date, as_of: date) -> tuple[datetime, datetime]:
    """``[window_start 00:00, as_of + 1 day 00:00)`` in the platform's time zone."""
    start = timezone.make_aware(datetime.combine(window_start, time.min))
    end = timezone.make_aware(datetime.combine(as_of + timedelta(days=1), time.min))
    return start, end


def complaint_counts(
    *, window_start: date, as_of: date, creator_ids=None, by_day: bool = False
) -> pd.DataFrame:
    """What counts towards a complaint rate over ``[window_start, as_of]`` (local days), the one
    definition every reader uses (the stored daily rates, certification):

    * orders **placed** in the window (``placed_at`` from ``window_start`` 00:00 to the end of
      ``as_of``, platform time);
    * complaints **filed** in the window **on those orders**, except the ones the brand or the
      operator rejected as unfounded (a complaint still open counts: consumers are not made to
      wait for the brand's verdict). So a complaint filed today about an order placed before the
      window does not count, and the rate compares like with like: the orders of the window and
      what their buyers said about them in it.

    Aggregated by the database: one row per ``(creator, brand)`` (and ``date``, the local day the
    order was placed, if ``by_day``), columns ``creator`` (NaN for the brand's self-broadcast
    orders), ``brand``, ``orders``, ``complaints``. ``creator_ids`` narrows to those creators
    (and drops self-broadcasts). Across every tenant: the operator's jobs' read."""
    start, end = _local_range(window_start, as_of)
    orders = Order.objects.unscoped().filter(placed_at__gte=start, placed_at__lt=end)
    complaints = (
        Complaint.objects.unscoped()
        .filter(filed_at__gte=start, filed_at__lt=end)
        .filter(order__placed_at__gte=start, order__placed_at__lt=end)
        .exclude(status=Complaint.Status.REJECTED)
    )
    if creator_ids is not None:
        orders = orders.filter(collaboration__creator_id__in=list(creator_ids))
        complaints = complaints.filter(order__collaboration__creator_id__in=list(creator_ids))
    keys = ["creator", "brand", "date"] if by_day else ["creator", "brand"]
    counted = _grouped(orders, "", by_day, "orders").merge(
        _grouped(complaints, "order__", by_day, "complaints"), on=keys, how="left"
    )
    counted["complaints"] = counted["complaints"].fillna(0).astype(np.int64)
    return counted.sort_values(keys, kind="stable", ignore_index=True)


def _grouped(rows, prefix: str, by_day: bool, name: str) -> pd.DataFrame:
    fields = {"creator": f"{prefix}collaboration__creator_id", "brand": f"{prefix}organization_id"}
    if by_day:
        rows = rows.annotate(day=TruncDate(f"{prefix}placed_at"))
        fields["date"] = "day"
    columns = list(fields.values())
    values = rows.values(*columns).annotate(n=Count("pk")).values_list(*columns, "n")
    frame = pd.DataFrame(list(values), columns=[*fields, name])
    frame["creator"] = pd.to_numeric(frame["creator"], errors="coerce").astype(np.float64)
    frame["brand"] = frame["brand"].astype(np.int64)
    frame[name] = frame[name].astype(np.int64)
    if by_day:
        frame["date"] = pd.to_datetime(frame["date"]).astype("datetime64[ns]")
    return frame


#: Traffic merit of a creator whose stored complaint rate alerts is multiplied by this: half, like
#: a traffic restriction (``RESTRICTION_FACTOR``), because selling goods that buyers complain
#: about is a consumer harm of the same order; both apply when both hold (a quarter then).
COMPLAINT_MERIT_FACTOR = 0.5
#: A stored rate older than this many days before the run's ``as_of`` no longer counts.
COMPLAINT_RATE_FRESH_DAYS = 7


def complaint_rate_latest_date(*, actor: Actor) -> date | None:
    """The last day with stored rates the actor sees."""
    return ComplaintRateDaily.objects.for_actor(actor).aggregate(d=Max("date"))["d"]


def complaint_rate_leaders(
    *, actor: Actor, kind: str = "", alerted: bool = False, on: date | None = None
) -> QuerySet[ComplaintRateDaily]:
    """The rows of the last stored day (or ``on``) the actor sees, highest rate first (then the
    most complaints, then kind and id, so pages are stable)."""
    on = on or complaint_rate_latest_date(actor=actor)
    rows = ComplaintRateDaily.objects.for_actor(actor).filter(date=on)
    if kind:
        rows = rows.filter(subject_kind=kind)
    if alerted:
        rows = rows.filter(alert=True)
    return rows.order_by("-rate", "-complaints", "subject_kind", "subject_id")


def complaint_rate_trend(
    *, actor: Actor, kind: str, subject_id: int, days: int = 90
) -> list[ComplaintRateDaily]:
    """One subject's stored days, oldest first, over the last ``days`` stored; a subject the
    actor does not see (or without any stored day) raises ``DoesNotExist`` (a 404)."""
    rows = ComplaintRateDaily.objects.for_actor(actor).filter(
        subject_kind=kind, subject_id=subject_id
    )
    latest = rows.aggregate(d=Max("date"))["d"]
    if latest is None:
        raise ComplaintRateDaily.DoesNotExist
    return list(rows.filter(date__gt=latest - timedelta(days=days)).order_by("date"))


def complaint_rate_alerts_count(*, actor: Actor) -> int:
    """Alerted subjects of the last stored day the actor sees (the navigation badge): one
    query on every page, the last day found by a subquery."""
    visible = ComplaintRateDaily.objects.for_actor(actor)
    last = Subquery(visible.order_by("-date").values("date")[:1])
    return visible.filter(alert=True, date=last).count()


def subject_names(rows) -> dict[tuple[str, int], str]:
    """``(kind, id) → name`` of the subjects of ``rows`` (rows the caller already sees): two
    queries, whatever the page size."""
    ids: dict[str, set[int]] = {"creator": set(), "org": set()}
    for row in rows:
        ids["creator" if row.subject_kind == SubjectKind.CREATOR else "org"].add(row.subject_id)
    creators = Creator.objects.unscoped().filter(pk__in=ids["creator"])
    orgs = Organization.objects.filter(pk__in=ids["org"])
    named = creators.values_list("pk", "display_name")
    names = {(SubjectKind.CREATOR.value, pk): name for pk, name in named}
    for pk, kind, name in orgs.values_list("pk", "kind", "name"):
        names[(kind, pk)] = name
    return names


def complaint_rate_merit_adjustment(*, as_of: date, creator_ids, merit, eligible):
    """Traffic's ``MERIT_ADJUSTMENTS`` hook: merit × ``COMPLAINT_MERIT_FACTOR`` for a creator
    whose stored complaint rate alerts (above ``COMPLAINT_RATE_ALERT`` on at least
    ``ALERT_MIN_ORDERS`` orders) on the last stored day on or before ``as_of``, if that day is at
    most ``COMPLAINT_RATE_FRESH_DAYS`` old. Eligibility is unchanged. Deterministic: it reads
    stored rows only."""
    stored = ComplaintRateDaily.objects.unscoped().filter(
        subject_kind=SubjectKind.CREATOR,
        date__lte=as_of,
        date__gt=as_of - timedelta(days=COMPLAINT_RATE_FRESH_DAYS),
    )
    on = stored.aggregate(d=Max("date"))["d"]
    alerted = stored.filter(date=on, alert=True).values_list("subject_id", flat=True)
    ids = np.asarray(creator_ids)
    merit = np.where(np.isin(ids, list(alerted)), merit * COMPLAINT_MERIT_FACTOR, merit)
    return merit, eligible
