"""The agency's analytics page: its own GMV, its creators' follower growth and its tier trend
(``analytics.selectors_agency``: one agency's rows, computed on request). Other kinds: 404."""

from __future__ import annotations

from django.shortcuts import render
from django.utils.translation import gettext as _

from mcn.models import AgencyAssessment
from tenancy import roles
from tenancy.views_base import tenant_view

from .forms import AgencyPeriodForm
from .selectors_agency import agency_slice


@tenant_view([roles.AGENCY])
def agency(request, *, actor):
    form = AgencyPeriodForm(request.GET or None)
    status = 400 if form.is_bound and not form.is_valid() else 200
    data = agency_slice(actor=actor, by=form.period())
    periods = data["periods"]
    changes = dict(AgencyAssessment.Change.choices)
    tiers = [{**row, "change_label": changes.get(row["change"], "")} for row in data["tiers"]]
    context = {
        "form": form,
        "data": data,
        "gmv_points": [(row["period"], row["gmv"]) for row in periods],
        "follower_points": [(row["period"], row["followers"]) for row in periods],
        "growth_labels": [row["period"] for row in periods[1:]],
        "growth_series": [(_("Follower growth"), [row["growth"] for row in periods[1:]])],
        "score_points": [(row["as_of"].isoformat(), row["score"]) for row in tiers],
        "tiers": tiers,
        "latest_tier": tiers[-1]["tier"] if tiers else None,
    }
    return render(request, "analytics/agency.html", context, status=status)
