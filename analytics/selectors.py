"""Reads of the analytics app: the cached ecosystem reports, the operator's only."""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet

from tenancy.scoping import Actor

from .models import EcosystemReport


def ecosystem_reports_list(*, actor: Actor) -> QuerySet[EcosystemReport]:
    """Every cached report for the operator's staff, newest first; none for anyone else."""
    return EcosystemReport.objects.for_actor(actor)


def ecosystem_report_latest(*, actor: Actor, as_of: date | None = None) -> EcosystemReport | None:
    """The newest cached report (on or before ``as_of`` when given), or ``None``."""
    rows = ecosystem_reports_list(actor=actor)
    if as_of is not None:
        rows = rows.filter(as_of__lte=as_of)
    return rows.order_by("-as_of").first()
