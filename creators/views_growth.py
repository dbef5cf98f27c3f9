"""The operator's "Growth programmes — effect" page: new creators' reach to 10k followers,
trained against not, raw and matched, with the Kaplan–Meier curves of time to 10k.

Thin: ``creators.selectors_growth`` builds the report from rows (and refuses anyone but the
operator: 404); this shapes it for the template and the chart tag.
"""

from __future__ import annotations

import math

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from tenancy import roles
from tenancy.views_base import tenant_view
from ui.pages import paginate

from .selectors_growth import growth_effect_report

#: Join months a page of the cohort table shows (newest first).
COHORTS_PER_PAGE = 12
#: The survival chart's horizon and step: weekly, like the snapshots, for a year.
CURVE_STEP_DAYS, CURVE_DAYS = 7, 364


def curve_points(report) -> tuple[list[int], list[tuple[str, list]]]:
    """Weekly day labels, up to the longest anyone was watched (a year at most), and each
    group's share still below 10k on those days; None past the longest any creator of the group
    was watched, and everywhere for a group without creators (the curve says nothing there)."""
    longest = max(curve.horizon for curve in report.curves.values())
    last = min(CURVE_DAYS, math.ceil(longest / CURVE_STEP_DAYS) * CURVE_STEP_DAYS)
    days = list(range(0, last + 1, CURVE_STEP_DAYS))
    series = []
    groups = (("trained", pgettext("growth", "Trained")), ("untrained", _("Not trained")))
    for name, label in groups:
        curve = report.curves[name]
        values = [
            round(float(value), 4) if curve.n and day <= curve.horizon else None
            for day, value in zip(days, curve.at(days), strict=True)
        ]
        series.append((f"{label} (n={curve.n})", values))
    return days, series


@tenant_view([roles.OPERATOR])
def growth_effect(request, *, actor):
    report = growth_effect_report(actor=actor)
    cohorts = paginate(request, report.cohorts[::-1], per_page=COHORTS_PER_PAGE)
    days, series = curve_points(report) if report.creators else ([], [])
    context = {"report": report, "page": cohorts, "curve_days": days, "curve_series": series}
    return render(request, "creators/growth_effect.html", context)
