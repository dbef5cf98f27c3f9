"""Where the milestone engine's facts come from: one registered source per milestone kind.

A source reads every creator at once (a few bulk queries, never one per creator): the daily
evaluation reads the whole platform. :data:`MILESTONE_SOURCES` maps a kind to its
:class:`MilestoneSource`; creators registers its own three kinds here, an app to the right
registers its kind from its ``AppConfig.ready`` (compliance: ``original_streak``). A kind without
a source is not evaluated (its milestones are skipped, and the pages show no progress for it).

Each ``facts(*, as_of, creator_ids, floor)`` answers the engine's fact frame
(``creators.milestones.FACT_COLUMNS``) for the creators of ``creator_ids`` (None: all) up to
``as_of``. ``floor`` is the lowest threshold the caller will test (None: the caller wants the
current figures too, for progress): a source may leave out observations below it, which cannot
reach any milestone, to keep the daily read small.

The kinds of this app:

* ``followers``: ``MetricSnapshot.followers`` of each (weekly) snapshot;
* ``first_sale``: 1 on the first snapshot with ``orders > 0`` (one row per creator, by an
  aggregate); no row before it, so the current figure is 0 until then;
* ``track_completed`` (key: the track): at each completed enrolment in a *published* course of
  the track, how many of the track's published courses the creator has completed so far; the
  threshold is the number of published courses of the track (:func:`track_course_counts`), so
  a track is completed when every published course of it is. A track without a published
  course cannot be completed (its milestones are skipped).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from django.db.models import Count, Min
from django.db.models.functions import TruncDate
from django.utils.translation import gettext_lazy as _

from .milestones import FACT_COLUMNS, empty_facts
from .models import Course, Enrolment, MetricSnapshot, MilestoneKind


@dataclass(frozen=True)
class MilestoneSource:
    """How one kind of milestone is observed: ``facts`` as above, ``unit`` the label of its
    figure on the progress bars, and ``thresholds(milestones) -> {milestone id: threshold}``
    for kinds whose milestones carry no count of their own (None: ``Milestone.threshold``)."""

    facts: Callable[..., pd.DataFrame]
    unit: object
    thresholds: Callable[[list], dict[int, int]] | None = None


MILESTONE_SOURCES: dict[str, MilestoneSource] = {}


def register_milestone_source(kind: str, source: MilestoneSource) -> None:
    """Register ``source`` for ``kind``; registering the same kind twice keeps the first."""
    if kind not in MilestoneKind.values:
        raise ValueError(f"Unknown milestone kind {kind!r}.")
    MILESTONE_SOURCES.setdefault(kind, source)


def as_facts(frame: pd.DataFrame, *, kind: str) -> pd.DataFrame:
    """``frame`` (creator_id, date, value, and optionally key and seq) as the engine's facts."""
    if frame.empty:
        return empty_facts()
    frame = frame.assign(kind=kind)
    if "key" not in frame:
        frame["key"] = ""
    if "seq" not in frame:
        frame["seq"] = 0
    return frame[FACT_COLUMNS].reset_index(drop=True)


def _snapshots(creator_ids, as_of: datetime.date):
    rows = MetricSnapshot.objects.unscoped().filter(date__lte=as_of)
    if creator_ids is not None:
        rows = rows.filter(creator_id__in=list(creator_ids))
    return rows


def followers_facts(*, as_of, creator_ids=None, floor=None) -> pd.DataFrame:
    rows = _snapshots(creator_ids, as_of)
    if floor is not None:
        rows = rows.filter(followers__gte=floor)
    frame = pd.DataFrame(
        list(rows.values_list("creator_id", "date", "followers")),
        columns=["creator_id", "date", "value"],
    )
    return as_facts(frame, kind=MilestoneKind.FOLLOWERS)


def first_sale_facts(*, as_of, creator_ids=None, floor=None) -> pd.DataFrame:
    rows = (
        _snapshots(creator_ids, as_of)
        .filter(orders__gt=0)
        .values("creator_id")
        .annotate(first=Min("date"))
        .values_list("creator_id", "first")
    )
    frame = pd.DataFrame(list(rows), columns=["creator_id", "date"]).assign(value=1)
    return as_facts(frame, kind=MilestoneKind.FIRST_SALE)


def one_each(milestones) -> dict[int, int]:
    """A first sale: the one observation of 1 reaches it."""
    return {m.pk: 1 for m in milestones}


def track_course_counts() -> dict[str, int]:
    """Published courses per track (the tracks without one are absent)."""
    rows = Course.objects.unscoped().filter(published=True).values("track").annotate(n=Count("pk"))
    return {row["track"]: row["n"] for row in rows}


def track_thresholds(milestones) -> dict[int, int]:
    counts = track_course_counts()
    return {m.pk: counts[m.track] for m in milestones if counts.get(m.track)}


def track_facts(*, as_of, creator_ids=None, floor=None) -> pd.DataFrame:
    # The local day of each completion (TruncDate uses the current time zone).
    rows = Enrolment.objects.unscoped().filter(completed_at__isnull=False, course__published=True)
    if creator_ids is not None:
        rows = rows.filter(creator_id__in=list(creator_ids))
    rows = rows.annotate(day=TruncDate("completed_at")).filter(day__lte=as_of)
    frame = pd.DataFrame(
        list(rows.values_list("creator_id", "course__track", "day", "completed_at", "pk")),
        columns=["creator_id", "key", "date", "moment", "pk"],
    )
    if frame.empty:
        return empty_facts()
    frame = frame.sort_values(["creator_id", "key", "moment", "pk"], kind="stable")
    frame["value"] = frame.groupby(["creator_id", "key"]).cumcount().astype(np.int64) + 1
    frame["seq"] = frame.groupby(["creator_id", "key", "date"]).cumcount()
    return as_facts(frame, kind=MilestoneKind.TRACK_COMPLETED)


def register_own_sources() -> None:
    """The kinds creators observes itself (called from ``CreatorsConfig.ready``)."""
    register_milestone_source(
        MilestoneKind.FOLLOWERS, MilestoneSource(followers_facts, unit=_("followers"))
    )
    register_milestone_source(
        MilestoneKind.FIRST_SALE,
        MilestoneSource(first_sale_facts, unit=_("sale"), thresholds=one_each),
    )
    register_milestone_source(
        MilestoneKind.TRACK_COMPLETED,
        MilestoneSource(track_facts, unit=_("courses"), thresholds=track_thresholds),
    )
