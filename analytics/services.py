"""Writes of the analytics app: compute every ecosystem report and cache the result.

:func:`ecosystem_report_compute` runs each report of ``analytics.reports`` (timing each) and
assembles one JSON-ready payload; :func:`ecosystem_report_store` replaces the day's cached row in
one transaction; :func:`ecosystem_reports_due` is the beat job (yesterday's report, the last
complete day, so a second beat the same day writes the same figures unless late rows arrived).
"""

from __future__ import annotations

import time
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from tenancy import roles
from tenancy.scoping import Actor

from .models import EcosystemReport
from .reports import merged, reports


def ecosystem_report_compute(*, as_of: date) -> tuple[dict, dict[str, float]]:
    """``(payload, seconds per report)`` for ``as_of``; nothing is saved."""
    payload: dict = {"as_of": as_of.isoformat(), "missing": []}
    durations: dict[str, float] = {}
    for name, report in reports().items():
        started = time.perf_counter()
        figures = report(as_of=as_of)
        durations[name] = round(time.perf_counter() - started, 4)
        merged(payload, figures.values)
        payload["missing"].extend(figures.missing)
    return payload, durations


def ecosystem_report_store(*, actor: Actor, as_of: date) -> EcosystemReport:
    """Compute ``as_of``'s figures and replace its cached row: the operator's writers or the
    system only."""
    actor.require(kinds=[roles.OPERATOR], write=True)
    payload, durations = ecosystem_report_compute(as_of=as_of)
    with transaction.atomic():
        report, _created = EcosystemReport.objects.unscoped().update_or_create(
            as_of=as_of,
            defaults={"payload": payload, "durations": durations, "computed_at": timezone.now()},
        )
    return report


def ecosystem_reports_due(*, actor: Actor, today: date | None = None) -> int:
    """Beat job: cache yesterday's report (the last complete local day); returns its id."""
    today = today or timezone.localdate()
    return ecosystem_report_store(actor=actor, as_of=today - timedelta(days=1)).pk
