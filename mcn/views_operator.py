"""The operator's certification pages (星火计划): the cycles and their tier distribution, one
run's assessments, the appeals queue, the rubric's versions and the tier benefits, and market
concentration by quarter. Platform operator staff only: anyone else gets 404.

Reads go through ``mcn.selectors``; cycles, decisions, policy versions and benefits are written
by ``mcn.certification`` (which checks the role again and audits). A cycle is executed by the
Celery task, enqueued after commit.
"""

import logging

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tenancy import roles
from tenancy.tasking import enqueue
from tenancy.views_base import tenant_view
from ui.forms import add_service_error
from ui.pages import found, paginate

from . import tasks
from .certification import (
    appeal_decide,
    certification_run_create,
    tier_benefit_set,
    tier_policy_publish,
)
from .forms import (
    METRIC_LABELS,
    AppealDecisionForm,
    CertificationRunForm,
    TierBenefitForm,
    TierPolicyForm,
)
from .models import CertificationRun
from .selectors import (
    appeal_get,
    appeals_queue,
    certification_run_get,
    certification_runs_list,
    market_concentration,
    open_appeals_count,
    run_assessments,
    tier_benefits,
    tier_distribution,
    tier_policies,
)
from .services import contract_today

logger = logging.getLogger(__name__)
OPERATOR = [roles.OPERATOR]
TIER_ROWS = ("S", "A", "B", "none")


def _distribution(actor) -> dict:
    """The tier counts of the latest succeeded runs, as chart series and table rows."""
    runs = tier_distribution(actor=actor)
    labels = [run.as_of.isoformat() for run in runs]
    series = [
        (_("No tier") if tier == "none" else tier, [run.tier_counts.get(tier, 0) for run in runs])
        for tier in TIER_ROWS
    ]
    return {"labels": labels, "series": series, "runs": runs}


def _runs_page(request, actor, form, status=200):
    page = paginate(request, certification_runs_list(actor=actor))
    for run in page:
        run.counts = [run.tier_counts.get(tier, 0) for tier in TIER_ROWS]
    context = {
        "page": page,
        "form": form,
        "distribution": _distribution(actor),
        "open_appeals": open_appeals_count(actor=actor),
        "tiers": TIER_ROWS,
    }
    return render(request, "mcn/operator_runs.html", context, status=status)


@tenant_view(OPERATOR)
def certification_runs(request, *, actor):
    """The cycles (paginated), the tier distribution over them, and "run a cycle now"."""
    if request.method != "POST":
        return _runs_page(request, actor, CertificationRunForm(initial={"as_of": contract_today()}))
    form = CertificationRunForm(request.POST)
    if form.is_valid():
        try:
            run, created = certification_run_create(actor=actor, as_of=form.cleaned_data["as_of"])
        except ValidationError as error:
            add_service_error(form, error, {})
        else:
            if created:
                _start(actor, run)
            _say(request, run, created=created)
            return redirect("mcn:certification_run", pk=run.pk)
    return _runs_page(request, actor, form, status=400)


def _start(actor, run: CertificationRun) -> None:
    """Enqueue the run's execution once the row is committed. Embedded (eager Celery) it has
    run by now: a crash has been recorded on the run, which the message then tells."""
    try:
        enqueue(tasks.certification_run_execute, actor=actor, run_id=run.pk)
    except Exception:  # eager only
        logger.exception("certification run %s crashed", run.pk)


def _say(request, run: CertificationRun, *, created: bool) -> None:
    run.refresh_from_db()
    values = {"id": run.pk, "as_of": run.as_of.isoformat(), "status": run.get_status_display()}
    if not created:
        text = _(
            "The cycle ending %(as_of)s has already been run under this policy: run %(id)s "
            "(%(status)s)."
        )
        messages.info(request, text % values)
    elif run.status == CertificationRun.Status.SUCCEEDED:
        messages.success(request, _("Run %(id)s assessed every agency.") % values)
    elif run.status == CertificationRun.Status.FAILED:
        messages.error(request, _("Run %(id)s failed: %(error)s") % {**values, "error": run.error})
    else:
        messages.info(request, _("Run %(id)s is queued; reload to see its results.") % values)


@tenant_view(OPERATOR)
def certification_run(request, pk: int, *, actor):
    run = found(certification_run_get, actor=actor, run_id=pk)
    context = {
        "run": run,
        "assessments": run_assessments(actor=actor, run=run),
        "tier_counts": [(tier, run.tier_counts.get(tier, 0)) for tier in TIER_ROWS],
    }
    return render(request, "mcn/operator_run.html", context)


def _appeals_page(request, actor, forms=None, status=200):
    page = paginate(request, appeals_queue(actor=actor))
    forms = forms or {}
    for appeal in page:  # a refused form stays with its appeal, decided meanwhile or not
        appeal.form = forms.get(appeal.pk)
        if appeal.status == "open" and appeal.form is None:
            appeal.form = AppealDecisionForm(auto_id=f"appeal-{appeal.pk}-%s")
    context = {"page": page, "metric_labels": METRIC_LABELS}
    return render(request, "mcn/operator_appeals.html", context, status=status)


@tenant_view(OPERATOR)
def appeals(request, *, actor):
    return _appeals_page(request, actor)


@require_POST
@tenant_view(OPERATOR)
def appeal_decision(request, pk: int, *, actor):
    """Accept (a new tier and a reason) or reject (a reason) one open appeal."""
    appeal = found(appeal_get, actor=actor, appeal_id=pk)
    form = AppealDecisionForm(request.POST, auto_id=f"appeal-{appeal.pk}-%s")
    if form.is_valid():
        data = form.cleaned_data
        try:
            appeal_decide(
                actor=actor,
                appeal=appeal,
                accept=data["decision"] == "accept",
                reason=data["reason"],
                new_tier=data["new_tier"] or None,
            )
        except ValidationError as error:
            add_service_error(form, error, {})
        else:
            text = _("Appeal %(id)s of %(agency)s: %(decision)s.")
            decided = _("accepted") if data["decision"] == "accept" else _("rejected")
            values = {"id": appeal.pk, "agency": appeal.organization.name, "decision": decided}
            messages.success(request, text % values)
            return redirect("mcn:certification_appeals")
    return _appeals_page(request, actor, {appeal.pk: form}, status=400)


def _policy_page(request, actor, policy_form=None, benefit_form=None, status=200):
    versions = tier_policies(actor=actor)
    active = next((p for p in versions if p.active), None)
    benefits = tier_benefits(actor=actor)
    context = {
        "active": active,
        "versions": versions,
        "metric_labels": METRIC_LABELS,
        "benefits": benefits,
        "policy_form": policy_form or TierPolicyForm(initial=TierPolicyForm.initial_from(active)),
        "benefit_form": benefit_form
        or TierBenefitForm(initial=TierBenefitForm.initial_from(benefits)),
    }
    return render(request, "mcn/operator_policy.html", context, status=status)


@tenant_view(OPERATOR)
def policy(request, *, actor):
    """The active rubric, its versions, and the form that publishes a new one."""
    if request.method != "POST":
        return _policy_page(request, actor)
    form = TierPolicyForm(request.POST)
    if form.is_valid():
        try:
            published = tier_policy_publish(actor=actor, **form.policy_data())
        except ValidationError as error:
            add_service_error(form, error, {"policy": "gates"})
        else:
            text = _("Policy version %(version)s is now the active one.")
            messages.success(request, text % {"version": published.version})
            return redirect("mcn:certification_policy")
    return _policy_page(request, actor, policy_form=form, status=400)


@require_POST
@tenant_view(OPERATOR)
def benefits(request, *, actor):
    form = TierBenefitForm(request.POST)
    if form.is_valid():
        try:
            with transaction.atomic():  # all three tiers, or none
                for tier, (impressions, priority) in form.per_tier().items():
                    tier_benefit_set(
                        actor=actor,
                        tier=tier,
                        monthly_impressions=impressions,
                        brand_priority=priority,
                    )
        except ValidationError as error:
            add_service_error(form, error, {})
        else:
            messages.success(request, _("The tier benefits are saved."))
            return redirect("mcn:certification_policy")
    return _policy_page(request, actor, benefit_form=form, status=400)


@tenant_view(OPERATOR)
def concentration(request, *, actor):
    """Head agencies' share of GMV (CR5, CR10) and HHI by quarter."""
    quarters = market_concentration(actor=actor)
    labels = [quarter for quarter, _c, _m in quarters]
    shares = [
        ("CR5", [c.cr5 for _q, c, _m in quarters]),
        ("CR10", [c.cr10 for _q, c, _m in quarters]),
    ]
    hhi = [(q, None if c.hhi is None else round(c.hhi * 10_000)) for q, c, _m in quarters]
    context = {"quarters": quarters, "labels": labels, "shares": shares, "hhi": hhi}
    return render(request, "mcn/operator_concentration.html", context)
