"""The growth-programme effect report, built from rows: the operator's page and analytics read it.

``growth_effect_report(actor=…, as_of=…)`` answers :class:`creators.growth_effect.GrowthEffect`;
``growth_effect_frame`` is the engine's input, one row per new creator. Operator only (the
figures cover every creator's private metrics); anyone else gets ``WrongKind`` (404).

Which rows say what
-------------------
- *New creators*: joined on or after the first snapshot date in the data (before it, nobody's
  start was recorded) and no later than ``as_of``, whose first snapshot lies within
  ``START_SLACK_DAYS`` of joining (weekly snapshots: the first is at most six days late; a creator
  whose figures begin months after joining has an unknown start and is left out).
- *Starting followers*: the followers of that first snapshot.
- *Time to 10k*: days from joining to the first snapshot with at least 10,000 followers.
- *Censoring*: the last snapshot on or before ``as_of`` is how long the creator was watched.
- *Trained*: completed an academy course (``Enrolment.completed_at``) within its first
  ``WINDOW_DAYS`` (91) days after joining, on or before ``as_of``. The outcome is "10k within the
  same 91 days", so training that comes later cannot have caused it, and counting it would hand
  the trained group the creators who kept going (who then have the time and reason to study).
  A course completed on day 60 by a creator at 10k on day 30 still counts: the report cannot
  tell the order apart from a creator who studied while growing, and says so by being an
  observational comparison. Days are counted in the platform's time zone (``TIME_ZONE``).

Cost: three aggregate queries over the new creators (per-creator Min/Max of the snapshots, the
first snapshot's followers through a correlated subquery on the (creator, date) unique index,
and the first completion per creator), however many creators there are; the rest is pandas.
"""

from __future__ import annotations

import datetime

import pandas as pd
from django.db.models import Max, Min, OuterRef, Q, Subquery
from django.utils import timezone

from tenancy import roles
from tenancy.scoping import Actor

from .growth_effect import COLUMNS, TEN_K, WINDOW_DAYS, GrowthEffect, measure
from .models import Creator, Enrolment, MetricSnapshot

START_SLACK_DAYS = 14


def _operator(actor: Actor) -> None:
    actor.require(kinds=[roles.OPERATOR], message="The growth effect is the operator's.")


def first_snapshot_date(as_of: datetime.date) -> datetime.date | None:
    """The first day any creator's figures were recorded, up to ``as_of``."""
    return (
        MetricSnapshot.objects.unscoped()
        .filter(date__lte=as_of)
        .aggregate(first=Min("date"))["first"]
    )


def _empty_frame() -> pd.DataFrame:
    return pd.DataFrame({column: [] for column in COLUMNS})


def growth_effect_frame(*, actor: Actor, as_of: datetime.date) -> pd.DataFrame:
    """The engine's input (``creators.growth_effect.COLUMNS``) for the new creators on
    ``as_of``, from creators, snapshots and enrolments (see the module docstring)."""
    _operator(actor)
    first = first_snapshot_date(as_of)
    if first is None:
        return _empty_frame()
    new = Creator.objects.unscoped().filter(joined__gte=first, joined__lte=as_of)
    snapshots = MetricSnapshot.objects.unscoped().filter(
        date__lte=as_of, creator__joined__gte=first, creator__joined__lte=as_of
    )
    spans = pd.DataFrame(
        snapshots.values("creator_id")
        .annotate(
            first=Min("date"),
            last=Max("date"),
            reached=Min("date", filter=Q(followers__gte=TEN_K)),
        )
        .values_list("creator_id", "first", "last", "reached"),
        columns=["creator_id", "first", "last", "reached"],
    )
    start = (
        MetricSnapshot.objects.unscoped()
        .filter(creator=OuterRef("pk"), date__lte=as_of)
        .order_by("date")
        .values("followers")[:1]
    )
    creators = pd.DataFrame(
        new.annotate(start_followers=Subquery(start))
        .filter(start_followers__isnull=False)
        .values_list("pk", "joined", "vertical", "start_followers"),
        columns=["creator_id", "joined", "vertical", "start_followers"],
    )
    if creators.empty:
        return _empty_frame()
    frame = creators.merge(spans, on="creator_id", how="inner")
    joined = pd.to_datetime(frame["joined"])
    days = {
        name: (pd.to_datetime(frame[name]) - joined).dt.days
        for name in ("first", "last", "reached")
    }
    trained_on = _first_completion_days(new, as_of, frame[["creator_id", "joined"]])
    frame = frame.assign(
        joined=joined,
        days_to_10k=days["reached"].astype(float),
        observed_days=days["last"].astype(float),
        trained=(trained_on <= WINDOW_DAYS).to_numpy(),
    )
    frame = frame[days["first"] <= START_SLACK_DAYS]
    return frame[list(COLUMNS)].reset_index(drop=True)


def _first_completion_days(new, as_of: datetime.date, creators: pd.DataFrame) -> pd.Series:
    """Days from joining to each creator's first completed course (NaN: none by ``as_of``), in
    the platform's time zone, aligned with ``creators``' rows."""
    zone = timezone.get_default_timezone()
    until = datetime.datetime.combine(as_of + datetime.timedelta(days=1), datetime.time(), zone)
    completions = (
        Enrolment.objects.unscoped()
        .filter(creator__in=new, completed_at__isnull=False, completed_at__lt=until)
        .values("creator_id")
        .annotate(done=Min("completed_at"))
        .values_list("creator_id", "done")
    )
    done = {pk: timezone.localtime(at, zone).date() for pk, at in completions}
    days = [
        (done[pk] - joined).days if pk in done else float("nan")
        for pk, joined in zip(creators["creator_id"], creators["joined"], strict=True)
    ]
    return pd.Series(days, index=creators.index, dtype=float)


def growth_effect_report(*, actor: Actor, as_of: datetime.date | None = None) -> GrowthEffect:
    """Cohorts, reach rates (raw and matched), Kaplan–Meier curves and the growth cycle of the
    new creators on ``as_of`` (default: today in the platform's time zone)."""
    as_of = as_of or timezone.localdate()
    return measure(growth_effect_frame(actor=actor, as_of=as_of), as_of)
