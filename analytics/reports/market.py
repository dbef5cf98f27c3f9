"""The market: agencies' concentration, creators' income and the price of cooperation.

* **concentration** (CR5, CR10, HHI by calendar quarter): ``mcn.metrics.agency_gmv_by_quarter``,
  the definition the agency pages and ``tests/demo/test_concentration.py`` use: an agency's GMV
  in a quarter is Σ snapshot GMV of the creators under contract with it on each snapshot's day;
  CR5 / CR10 are the top agencies' share of the whole market (independent creators included),
  the HHI is over the agencies' shares of the agency market. ``cr5``, ``cr10`` and ``hhi`` at the
  top are the latest quarter's (the one holding ``as_of``, possibly partial).
* **average monthly income** by year: tipping per active creator per month (a month's Σ
  ``tipping_revenue`` of its snapshots ÷ the creators with a snapshot in it), averaged over the
  year's complete months (``analytics.engine.monthly_income_by_year``).
* **unit price of commercial cooperation** by year: the mean fee of collaborations with a fee
  that went ahead (``brands.selectors.PAST_COLLABORATION_STATUSES``: accepted, content submitted,
  live, completed), by the year they were offered; ``ratio`` is the last year's over the first's.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pandas as pd
from django.db.models import Avg, Count, Min, Sum
from django.db.models.functions import ExtractYear, TruncMonth
from django.utils import timezone

from brands.models import Collaboration
from brands.selectors import PAST_COLLABORATION_STATUSES
from creators.models import MetricSnapshot
from mcn.metrics import agency_gmv_by_quarter

from .. import engine
from . import Figures
from . import missing as m
from .missing import line


def agency_concentration(*, as_of: date) -> Figures:
    quarters = [
        {
            "quarter": quarter,
            "cr5": c.cr5,
            "cr10": c.cr10,
            "hhi": c.hhi,
            "agencies": c.agencies,
            "market_gmv": market,
        }
        for quarter, c, market in agency_gmv_by_quarter(until=as_of)
    ]
    latest = quarters[-1] if quarters else {}
    values = {key: latest.get(key) for key in ("cr5", "cr10", "hhi")}
    values.update(concentration_quarter=latest.get("quarter"), concentration_by_quarter=quarters)
    missing = []
    if not quarters:
        missing.append(line("concentration", m.NO_GMV, date=as_of))
    elif latest["cr5"] is None:
        missing.append(line("concentration", m.NO_AGENCY_GMV, quarter=latest["quarter"]))
    return Figures(values, missing)


def monthly_income(*, as_of: date) -> Figures:
    rows = MetricSnapshot.objects.unscoped().filter(date__lte=as_of).order_by()
    first_day = rows.aggregate(first=Min("date"))["first"]
    months = pd.DataFrame(
        list(
            rows.annotate(month=TruncMonth("date"))
            .values("month")
            .annotate(total=Sum("tipping_revenue"), active=Count("creator_id", distinct=True))
            .values_list("month", "total", "active")
        ),
        columns=["month", "total", "active"],
    )
    by_year = {} if first_day is None else engine.monthly_income_by_year(months, first_day, as_of)
    missing = (
        [] if by_year else [line("avg_monthly_income_by_year", m.NO_COMPLETE_MONTH, date=as_of)]
    )
    return Figures(
        {
            "avg_monthly_income_by_year": {str(y): v for y, v in by_year.items()},
            "avg_monthly_income_change": _change(by_year),
        },
        missing,
    )


def _change(by_year: dict[int, float]) -> dict | None:
    change = engine.first_to_last(by_year)
    if change is None:
        return None
    return {**change, "from": str(change["from"]), "to": str(change["to"])}


def end_of(day: date) -> datetime:
    """The first instant after ``day`` in the platform's time zone."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def cooperation_unit_price(*, as_of: date) -> Figures:
    rows = (
        Collaboration.objects.unscoped()
        .filter(status__in=PAST_COLLABORATION_STATUSES, fee__gt=0, offered_at__lt=end_of(as_of))
        .annotate(year=ExtractYear("offered_at"))
        .order_by()
        .values("year")
        .annotate(mean=Avg("fee"), deals=Count("id"))
        .values_list("year", "mean", "deals")
    )
    by_year = {int(year): float(mean) for year, mean, _deals in rows}
    missing = [] if by_year else [line("unit_price", m.NO_PAID_COLLABORATION, date=as_of)]
    if len(by_year) == 1:
        missing.append(line("unit_price.ratio", m.ONE_YEAR_ONLY))
    return Figures(
        {
            "unit_price_by_year": {str(y): v for y, v in sorted(by_year.items())},
            "unit_price_change": _change(by_year),
        },
        missing,
    )
