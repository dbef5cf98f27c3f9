"""Reads of the operator's analytics page: which cached report a date range selects, the
cached days in the range, and whether a report asked for has arrived. Never a computation:
the page reads what ``analytics.services`` cached."""

from __future__ import annotations

from datetime import date, datetime

from tenancy.scoping import Actor

from .models import EcosystemReport
from .selectors import ecosystem_report_latest, ecosystem_reports_list

LISTED = 30  # cached days listed under the range


def report_in_range(
    *, actor: Actor, start: date | None = None, end: date | None = None
) -> EcosystemReport | None:
    """The newest cached report as of ``end`` (or today's newest), unless it is older than
    ``start``: then none (the range holds no cached report)."""
    report = ecosystem_report_latest(actor=actor, as_of=end)
    if report is not None and start is not None and report.as_of < start:
        return None
    return report


def cached_days(
    *, actor: Actor, start: date | None = None, end: date | None = None, limit: int = LISTED
) -> list[tuple[date, datetime]]:
    """``(as_of, computed_at)`` of the cached reports in the range, newest first (no payload
    read)."""
    rows = ecosystem_reports_list(actor=actor)
    if start is not None:
        rows = rows.filter(as_of__gte=start)
    if end is not None:
        rows = rows.filter(as_of__lte=end)
    return list(rows.order_by("-as_of").values_list("as_of", "computed_at")[:limit])


def report_arrived(*, actor: Actor, as_of: date, since: datetime) -> bool:
    """Whether ``as_of``'s report has been (re)computed at or after ``since``."""
    rows = ecosystem_reports_list(actor=actor).filter(as_of=as_of, computed_at__gte=since)
    return rows.exists()
