"""New creators reaching 10k followers within 3 months, trained against untrained.

:func:`reach_10k_in_3_months` is the adapter the report calls: until the growth selector of
``creators`` (the academy's measurement) is wired in, it measures minimally from rows:

* the **cohort** is every creator who joined in the :data:`COHORT_DAYS` ending
  :data:`HORIZON_DAYS` before ``as_of`` (so each has had its full 3 months by ``as_of``);
* a creator **reached** 10k when a snapshot dated within :data:`HORIZON_DAYS` of joining shows at
  least :data:`THRESHOLD` followers;
* a creator is **trained** when it completed an academy course (``Enrolment.completed_at``)
  within those 3 months, the academy's rule that a creator counts as trained from its first
  completed course.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
from django.db.models import Min
from django.utils import timezone

from creators.models import Creator, Enrolment, MetricSnapshot

from .. import engine
from . import Figures
from .market import end_of

THRESHOLD = 10_000
HORIZON_DAYS = 91  # three months
COHORT_DAYS = 365


def _cohort(as_of: date):
    last_join = as_of - timedelta(days=HORIZON_DAYS)
    return Creator.objects.unscoped().filter(
        joined__gt=last_join - timedelta(days=COHORT_DAYS), joined__lte=last_join
    )


def _first_day(rows, moment: str, cohort) -> pd.Series:
    """Per creator of ``cohort``: the earliest ``moment`` of ``rows`` (a Series of days)."""
    firsts = (
        rows.filter(creator_id__in=cohort.values("pk"))
        .order_by()
        .values("creator_id")
        .annotate(first=Min(moment))
        .values_list("creator_id", "first")
    )
    series = pd.Series(dict(firsts), dtype="object")
    if rows.model._meta.get_field(moment).get_internal_type() == "DateField":
        return pd.to_datetime(series)
    local = str(timezone.get_current_timezone())  # the platform's day of an instant
    return pd.to_datetime(series, utc=True).dt.tz_convert(local).dt.tz_localize(None).dt.normalize()


def reach_10k_in_3_months(as_of: date) -> dict:
    """``{"trained", "untrained"}`` shares (``None`` for an empty group) with each group's size."""
    cohort = _cohort(as_of)
    joined = pd.Series(dict(cohort.order_by().values_list("pk", "joined")), dtype="object")
    horizon = pd.to_datetime(joined) + pd.Timedelta(days=HORIZON_DAYS)
    big = MetricSnapshot.objects.unscoped().filter(followers__gte=THRESHOLD, date__lte=as_of)
    reached_on = _first_day(big, "date", cohort).reindex(joined.index)
    done = Enrolment.objects.unscoped().filter(
        completed_at__isnull=False, completed_at__lt=end_of(as_of)
    )
    trained_on = _first_day(done, "completed_at", cohort).reindex(joined.index)
    frame = pd.DataFrame({"reached": reached_on <= horizon, "trained": trained_on <= horizon})
    return engine.reach_shares(frame)


def reach_10k_report(*, as_of: date) -> Figures:
    shares = reach_10k_in_3_months(as_of)
    missing = []
    if not shares["trained_creators"] + shares["untrained_creators"]:
        missing.append("reach_10k_in_3_months: no creator joined in the cohort window")
    elif not shares["trained_creators"]:
        missing.append("reach_10k_in_3_months.trained: no new creator completed an academy course")
    return Figures({"reach_10k_in_3_months": shares}, missing)
