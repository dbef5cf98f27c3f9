"""Compliance pages: the operator's review queue, a case, appeals, policy, the risk model and
the quarterly figures; the creator's notices (cases, sanctions, appeals); an agency's view of
its creators' violations.

Reads go through ``compliance.selectors`` (the models' querysets say who sees which row: another
tenant's case is a 404); every write goes through ``compliance.services`` or ``training``, which
check the role again and audit. The queue's writes are the reviewers' (``roles.REVIEW_ROLES``),
although a reviewer is read-only everywhere else; policy and retraining are the owners' and
admins'. A refused write re-renders its form with 400, or says why in a message.
"""

import logging

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_POST

from tenancy import roles
from tenancy.tasking import enqueue
from tenancy.views_base import tenant_view
from ui.forms import add_service_error
from ui.pages import PAGE_SIZE, found, paginate, render_list

from . import tasks, training
from .engine.complaint_rates import ALERT_MIN_ORDERS, COMPLAINT_RATE_ALERT, WINDOW_DAYS
from .forms import (
    AppealDecisionForm,
    ComplaintRateFilterForm,
    DecisionForm,
    PolicyForm,
    QueueFilterForm,
    SanctionAppealForm,
)
from .models import (
    Case,
    Category,
    RetrainRun,
    Sanction,
    SubjectKind,
)
from .selectors import (
    COMPLAINT_MERIT_FACTOR,
    appeal_get,
    case_get,
    case_queue,
    complaint_rate_latest_date,
    complaint_rate_leaders,
    complaint_rate_trend,
    highlighted,
    model_versions,
    open_appeals,
    policies,
    policy_get,
    queue_counts,
    retrain_run_get,
    retrain_runs,
    sanction_get,
    sanctions_of,
    sla_age_hours,
    subject_names,
    violations_of_agency,
    violations_per_quarter,
)
from .services import (
    appeal_decide,
    appeal_file,
    case_claim,
    case_decide,
    policy_update,
)

logger = logging.getLogger(__name__)
OPERATOR = [roles.OPERATOR]
#: Who opens a case: the operator, and the parties it is about (its brand, creator, agency).
CASE_KINDS = [roles.OPERATOR, roles.BRAND, roles.AGENCY, roles.CREATOR]
#: A case waiting longer than this is past the review SLA and highlighted in the queue.
SLA_HOURS = 24
RUN_FINISHED = {RetrainRun.Status.SUCCEEDED, RetrainRun.Status.FAILED}
#: A retraining's statuses in its own words (the catalogue's "Succeeded" is a delivery's).
RUN_LABELS = {
    RetrainRun.Status.PENDING: pgettext_lazy("retraining", "Pending"),
    RetrainRun.Status.RUNNING: pgettext_lazy("retraining", "Running"),
    RetrainRun.Status.SUCCEEDED: pgettext_lazy("retraining", "Succeeded"),
    RetrainRun.Status.FAILED: pgettext_lazy("retraining", "Failed"),
}
#: The platform-wide reference the operator's figures are read against (the brief's figure).
REFERENCE = {"quarter": "2023 Q2", "accounts": 123_000, "yoy": "−65%"}  # accounts: ~123k


def refusal(error) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or _("You cannot do this.")


def with_age(cases, now=None) -> list:
    """Attach the SLA age in hours and whether an open case is past the SLA."""
    now = now or timezone.now()
    cases = list(cases)
    for case in cases:
        case.age_hours = sla_age_hours(case, now=now)
        case.overdue = case.is_open and case.age_hours > SLA_HOURS
    return cases


# --- The operator's queue ------------------------------------------------------------------------


@tenant_view(OPERATOR)
def queue(request, *, actor):
    """Open cases oldest first (or the approved / rejected ones), by category, paginated."""
    form = QueueFilterForm(request.GET)
    filters = form.filters()
    page = paginate(request, case_queue(actor=actor, **filters))
    page.object_list = with_age(page.object_list)
    context = {
        "page": page,
        "form": form,
        "filters": filters,
        "counts": queue_counts(actor=actor),
        "sla_hours": SLA_HOURS,
    }
    return render_list(request, "compliance/queue.html", "compliance/_case_table.html", context)


# --- One case ------------------------------------------------------------------------------------


def _labelled(reason: dict) -> dict:
    category = reason.get("category") or ""
    return {**reason, "label": dict(Category.choices).get(category, category)}


def _reasons(case: Case) -> tuple[list[dict], dict | None]:
    """The rule hits and the model's reason, each with its category's label."""
    reasons = [_labelled(reason) for reason in case.reasons]
    rules = [r for r in reasons if r.get("kind") == "rule"]
    model = next((r for r in reasons if r.get("kind") == "model"), None)
    return rules, model


def _case_page(request, actor, case: Case, form=None, status=200):
    mine = case.status == Case.Status.CLAIMED and case.claimed_by_id == actor.user_id
    reviewer = actor.is_operator and actor.role in roles.REVIEW_ROLES
    rules, model = _reasons(case)
    context = {
        "case": case,
        "pieces": [(text, reason and _labelled(reason)) for text, reason in highlighted(case)],
        "rule_reasons": rules,
        "model_reason": model,
        "age_hours": sla_age_hours(case),
        "sla_hours": SLA_HOURS,
        "is_operator": actor.is_operator,
        "can_claim": reviewer and case.status in (Case.Status.OPEN, Case.Status.ESCALATED),
        "form": form or (DecisionForm() if mine and reviewer else None),
        "sanctions": sanctions_of(actor=actor).filter(case_id=case.pk).prefetch_related("appeals"),
    }
    return render(request, "compliance/case.html", context, status=status)


@tenant_view(CASE_KINDS)
def case_detail(request, pk: int, *, actor):
    case = found(case_get, actor=actor, case_id=pk)
    return _case_page(request, actor, case)


@require_POST
@tenant_view(OPERATOR, writers=roles.REVIEW_ROLES)
def case_claim_view(request, pk: int, *, actor):
    case = found(case_get, actor=actor, case_id=pk)
    try:
        case_claim(actor=actor, case=case)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, refusal(error))
    else:
        messages.success(request, _("Case %(id)s is yours to decide.") % {"id": case.pk})
    return redirect("compliance:case", pk=case.pk)


@require_POST
@tenant_view(OPERATOR, writers=roles.REVIEW_ROLES)
def case_decision(request, pk: int, *, actor):
    """Approve, reject (with the violation type) or escalate (with a note) a claimed case."""
    case = found(case_get, actor=actor, case_id=pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            decided = case_decide(actor=actor, case=case, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        except PermissionDenied as error:
            form.add_error(None, refusal(error))
        else:
            text = _("Case %(id)s: %(status)s.")
            messages.success(
                request, text % {"id": case.pk, "status": decided.get_status_display()}
            )
            return redirect("compliance:case", pk=case.pk)
    case.refresh_from_db()
    return _case_page(request, actor, case, form=form, status=400)


# --- Appeals -------------------------------------------------------------------------------------


def _appeals_page(request, actor, forms=None, status=200, errors=()):
    page = paginate(request, open_appeals(actor=actor))
    forms = forms or {}
    for appeal in page:
        appeal.form = forms.get(appeal.pk) or AppealDecisionForm(auto_id=f"appeal-{appeal.pk}-%s")
    context = {"page": page, "errors": errors}
    return render(request, "compliance/appeals.html", context, status=status)


@tenant_view(OPERATOR)
def appeals(request, *, actor):
    """Creators' open appeals against sanctions, oldest first."""
    return _appeals_page(request, actor)


@require_POST
@tenant_view(OPERATOR, writers=roles.REVIEW_ROLES)
def appeal_decision(request, pk: int, *, actor):
    appeal = found(appeal_get, actor=actor, appeal_id=pk)
    form = AppealDecisionForm(request.POST, auto_id=f"appeal-{appeal.pk}-%s")
    if form.is_valid():
        overturn = form.cleaned_data["decision"] == "overturn"
        try:
            appeal_decide(
                actor=actor, appeal=appeal, overturn=overturn, note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            text = _("Appeal %(id)s decided: %(decision)s.")
            decision = _("sanction overturned") if overturn else _("sanction upheld")
            messages.success(request, text % {"id": appeal.pk, "decision": decision})
            return redirect("compliance:case", pk=appeal.sanction.case_id)
    errors = form.non_field_errors()
    return _appeals_page(request, actor, {appeal.pk: form}, status=400, errors=errors)


# --- Policy --------------------------------------------------------------------------------------


def _policy_page(request, actor, refused: PolicyForm | None = None, status=200):
    rows = list(policies(actor=actor))
    for policy in rows:
        chosen = refused if refused and refused.data.get("category") == policy.category else None
        policy.form = chosen or PolicyForm.of(policy)
    context = {"policies": rows, "can_edit": actor.role in roles.ADMIN_ROLES}
    return render(request, "compliance/policy.html", context, status=status)


@tenant_view(OPERATOR, writers=roles.ADMIN_ROLES)
def policy(request, *, actor):
    """The five categories' thresholds and sanction ladder; owners and admins edit one row."""
    if request.method != "POST":
        return _policy_page(request, actor)
    form = PolicyForm(request.POST, auto_id=f"policy-{request.POST.get('category', '')}-%s")
    if form.is_valid():
        row = found(policy_get, actor=actor, category=form.cleaned_data["category"])
        try:
            policy_update(actor=actor, policy=row, **form.values())
        except ValidationError as error:
            add_service_error(form, error)
        else:
            text = _("The policy for “%(category)s” is saved.")
            messages.success(request, text % {"category": row.get_category_display()})
            return redirect("compliance:policy")
    return _policy_page(request, actor, refused=form, status=400)


# --- The risk model ------------------------------------------------------------------------------


@tenant_view(OPERATOR)
def model(request, *, actor):
    """The model versions, the retraining runs (a pending or running one polls its status)."""
    runs = paginate(request, retrain_runs(actor=actor))
    for run in runs:
        run.done, run.label = run.status in RUN_FINISHED, RUN_LABELS[run.status]
    context = {
        "page": runs,
        "versions": model_versions(actor=actor)[:PAGE_SIZE],
        "can_retrain": actor.role in roles.ADMIN_ROLES,
    }
    return render(request, "compliance/model.html", context)


@require_POST
@tenant_view(OPERATOR, writers=roles.ADMIN_ROLES)
def retrain(request, *, actor):
    try:
        run = training.retrain_request(actor=actor)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, refusal(error))
        return redirect("compliance:model")
    try:
        enqueue(tasks.retrain_execute, actor=actor, run_id=run.pk)
    except Exception:  # eager only: the task has recorded the failure on the run
        logger.exception("retrain run %s crashed", run.pk)
    run.refresh_from_db()
    _say(request, run)
    return redirect("compliance:model")


def _say(request, run: RetrainRun) -> None:
    values = {"id": run.pk, "error": run.error}
    if run.status == RetrainRun.Status.SUCCEEDED and run.promoted:
        messages.success(request, _("Retraining %(id)s: the new model is in service.") % values)
    elif run.status == RetrainRun.Status.SUCCEEDED:
        text = _("Retraining %(id)s: the candidate was not better; the model in service stays.")
        messages.info(request, text % values)
    elif run.status == RetrainRun.Status.FAILED:
        messages.error(request, _("Retraining %(id)s failed: %(error)s") % values)
    else:
        messages.info(request, _("Retraining %(id)s is queued; this page follows it.") % values)


@tenant_view(OPERATOR)
def retrain_status(request, pk: int, *, actor):
    """The polled status of one run; once it has finished, the page reloads."""
    run = found(retrain_run_get, actor=actor, run_id=pk)
    finished, run.label = run.status in RUN_FINISHED, RUN_LABELS[run.status]
    response = render(request, "compliance/_retrain_status.html", {"run": run, "done": finished})
    if finished and request.htmx:
        response["HX-Refresh"] = "true"
    return response


# --- The operator's figures ----------------------------------------------------------------------


@tenant_view(OPERATOR)
def figures(request, *, actor):
    """Confirmed violations and sanctioned accounts per quarter, with the change year on year."""
    rows = violations_per_quarter(actor=actor)
    for row in rows:
        row["yoy_pct"] = None if row["yoy"] is None else row["yoy"] * 100
    return render(request, "compliance/figures.html", {"rows": rows, "reference": REFERENCE})


# --- The creator's notices -----------------------------------------------------------------------


def _in_force(sanction: Sanction, today) -> bool:
    ended = sanction.ends_on is not None and sanction.ends_on < today
    return sanction.status == Sanction.Status.ACTIVE and not ended


def _my_cases(actor):
    """Every case about the creator: open, and decided either way, newest first."""
    decided = Case.Status.APPROVED, Case.Status.REJECTED
    rows = case_queue(actor=actor)
    for status in decided:
        rows = rows | case_queue(actor=actor, status=status)
    return rows.order_by("-opened_at", "-id")


def _notices_page(request, actor, refused=None, status=200):
    refused = refused or {}
    today = timezone.localdate()
    sanctions = Paginator(sanctions_of(actor=actor), PAGE_SIZE).get_page(
        request.GET.get("sanctions_page")
    )
    for sanction in sanctions:
        sanction.in_force = _in_force(sanction, today)
        if sanction.in_force:
            sanction.form = refused.get(sanction.pk) or SanctionAppealForm(
                auto_id=f"sanction-{sanction.pk}-%s"
            )
    # A refusal about a sanction no longer in force has no form to show it on: say it above.
    shown = {sanction.pk for sanction in sanctions if sanction.in_force}
    errors = [e for pk, form in refused.items() if pk not in shown for e in form.non_field_errors()]
    cases = paginate(request, _my_cases(actor))
    context = {"page": cases, "sanctions": sanctions, "errors": errors}
    return render(request, "compliance/mine.html", context, status=status)


@tenant_view([roles.CREATOR])
def mine(request, *, actor):
    """The creator's compliance notices: its cases and sanctions, and appeals against them."""
    return _notices_page(request, actor)


@require_POST
@tenant_view([roles.CREATOR])
def sanction_appeal(request, pk: int, *, actor):
    sanction = found(sanction_get, actor=actor, sanction_id=pk)
    form = SanctionAppealForm(request.POST, auto_id=f"sanction-{sanction.pk}-%s")
    if form.is_valid():
        try:
            appeal_file(actor=actor, sanction=sanction, text=form.cleaned_data["text"])
        except ValidationError as error:
            add_service_error(form, error)
        except PermissionDenied as error:
            form.add_error(None, refusal(error))
        else:
            messages.success(request, _("Appeal filed: a reviewer will decide it."))
            return redirect("compliance:mine")
    return _notices_page(request, actor, {sanction.pk: form}, status=400)


# --- The agency's view ---------------------------------------------------------------------------


@tenant_view([roles.AGENCY])
def violations(request, *, actor):
    """Confirmed violations and sanctions of the creators the agency manages now."""
    sanctions = Paginator(sanctions_of(actor=actor), PAGE_SIZE).get_page(
        request.GET.get("sanctions_page")
    )
    context = {"page": paginate(request, violations_of_agency(actor=actor)), "sanctions": sanctions}
    return render(request, "compliance/violations.html", context)


# --- Complaint rates -----------------------------------------------------------------------------

#: Who opens the complaint-rate pages: the operator (every subject: the leaders), a brand (its
#: own), an agency (its own and its creators'), a creator (its own). The rows say who sees what.
RATE_KINDS = [roles.OPERATOR, roles.BRAND, roles.AGENCY, roles.CREATOR]
RATE_FACTS = {
    "alert_pct": COMPLAINT_RATE_ALERT * 100,
    "min_orders": ALERT_MIN_ORDERS,
    "window_days": WINDOW_DAYS,
    "merit_factor": COMPLAINT_MERIT_FACTOR,
}


def _named(rows) -> list:
    rows = list(rows)
    names = subject_names(rows)
    for row in rows:
        row.name = names.get((row.subject_kind, row.subject_id), "—")
        row.rate_pct = row.rate * 100
    return rows


@tenant_view(RATE_KINDS)
def complaint_rates(request, *, actor):
    """The last stored day's complaint rates the actor sees, highest first: the operator's
    leaders (filter by subject kind, alerts only), a party's own rows; alerts highlighted."""
    form = ComplaintRateFilterForm(request.GET)
    if not form.is_valid():
        return render(request, "compliance/complaint_rates.html", {"form": form}, status=400)
    on = complaint_rate_latest_date(actor=actor)
    rows = complaint_rate_leaders(
        actor=actor, kind=form.cleaned_data["kind"], alerted=form.cleaned_data["alerted"], on=on
    )
    page = paginate(request, rows)
    page.object_list = _named(page.object_list)
    context = {
        "page": page,
        "form": form,
        "on": on,
        "alerts": complaint_rate_leaders(actor=actor, alerted=True, on=on).count(),
        "is_operator": actor.is_operator,
        **RATE_FACTS,
    }
    return render_list(
        request, "compliance/complaint_rates.html", "compliance/_complaint_rate_table.html", context
    )


@tenant_view(RATE_KINDS)
def complaint_rate(request, kind: str, subject_id: int, *, actor):
    """One subject's stored daily rate, as a trend and the numbers behind it (404 for a subject
    the actor does not see)."""
    if kind not in SubjectKind.values:
        raise Http404
    days = found(complaint_rate_trend, actor=actor, kind=kind, subject_id=subject_id)
    latest = _named([days[-1]])[0]
    context = {
        "latest": latest,
        "kind_label": SubjectKind(kind).label,
        "points": [(day.date.isoformat(), day.rate * 100) for day in days],
        "days": [(day, day.rate * 100) for day in reversed(days)],
        "is_operator": actor.is_operator,
        **RATE_FACTS,
    }
    return render(request, "compliance/complaint_rate.html", context)
