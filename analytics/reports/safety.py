"""Consumer protection and content safety, as ``compliance`` counts them.

* **complaint rate**: complaints ÷ orders over the 30 days up to ``as_of``, platform-wide, with
  what counts said once by ``compliance.selectors.complaint_counts`` (orders placed in the window,
  complaints filed in it about them, the unfounded ones left out), and the subjects whose stored
  daily rate (``ComplaintRateDaily``, latest day on or before ``as_of``) alerts, per kind.
* **violations handled**: ``compliance.selectors.violations_per_quarter_everywhere``: confirmed
  violations (cases decided as a violation) and accounts concerned per quarter, year-on-year on
  the accounts; ``violations_by_year`` adds the quarters up, with its own year-on-year.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Count, Max

from compliance.engine.complaint_rates import WINDOW_DAYS, rate
from compliance.models import ComplaintRateDaily
from compliance.selectors import complaint_counts, violations_per_quarter_everywhere

from . import Figures
from . import missing as m
from .missing import line


def _stored_alerts(as_of: date) -> dict:
    stored = ComplaintRateDaily.objects.unscoped().filter(date__lte=as_of)
    day = stored.aggregate(day=Max("date"))["day"]
    if day is None:
        return {"date": None, "alerts": {}}
    alerts = (
        stored.filter(date=day, alert=True)
        .order_by()
        .values("subject_kind")
        .annotate(n=Count("id"))
        .values_list("subject_kind", "n")
    )
    return {"date": day.isoformat(), "alerts": dict(alerts)}


def complaint_rate(*, as_of: date) -> Figures:
    counts = complaint_counts(window_start=as_of - timedelta(days=WINDOW_DAYS - 1), as_of=as_of)
    orders, complaints = int(counts["orders"].sum()), int(counts["complaints"].sum())
    value = rate([complaints], [orders]).iloc[0]
    stored = _stored_alerts(as_of)
    missing = []
    if not orders:
        missing.append(line("complaint_rate", m.NO_ORDERS, days=WINDOW_DAYS))
    if stored["date"] is None:
        missing.append(line("complaint_rate.alerts", m.NO_STORED_RATES))
    return Figures(
        {
            "complaint_rate": None if orders == 0 else float(value),
            "complaints": {
                "window_days": WINDOW_DAYS,
                "orders": orders,
                "complaints": complaints,
                "stored": stored,
            },
        },
        missing,
    )


def _change(now: int, before: int | None) -> float | None:
    return (now - before) / before if before else None


def violations_handled(*, as_of: date) -> Figures:
    quarters = violations_per_quarter_everywhere(until=as_of)
    years: dict[str, int] = {}
    for row in quarters:
        year = row["quarter"][:4]
        years[year] = years.get(year, 0) + row["cases"]
    by_year = {
        year: {"cases": cases, "yoy": _change(cases, years.get(str(int(year) - 1)))}
        for year, cases in years.items()
    }
    missing = [] if quarters else [line("violations", m.NO_VIOLATIONS, date=as_of)]
    return Figures({"violations_by_quarter": quarters, "violations_by_year": by_year}, missing)
