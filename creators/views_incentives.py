"""Pages of the incentive plan (光合计划): the operator's plans, milestones, ledger and runs; the
creator's "My awards"; an agency's view of its signed creators' awards.

Reads go through ``selectors_incentives`` (the ``Award`` manager decides who sees which award:
another agency's creator is simply absent); writes through ``services_incentives``, which
validate, lock and audit.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tenancy import roles
from tenancy.views_base import tenant_view
from ui.forms import add_service_error
from ui.pages import found, paginate, render_list

from . import selectors_incentives as reads
from . import services_incentives as writes
from .forms_incentives import MilestoneForm, NewPlanForm, PlanForm, RevokeForm, TopUpForm
from .models import Award
from .selectors import creator_of_portal

OPERATOR = [roles.OPERATOR]


# --- Operator: plans -----------------------------------------------------------------------------


@tenant_view(OPERATOR)
def incentive_plans(request, *, actor):
    """The plans with budget, spent and remaining, and the form that creates one."""
    form = NewPlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            plan = writes.incentive_plan_create(actor=actor, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Plan “%(name)s” created: add its milestones.") % {
                "name": plan.name})  # fmt: skip
            return redirect("creators:incentive_plan", pk=plan.pk)
    context = {"page": paginate(request, reads.incentive_plans(actor=actor)), "form": form}
    response = render(request, "creators/incentives/plans.html", context)
    response.status_code = 400 if request.method == "POST" else 200
    return response


def _plan_context(actor, plan, **forms) -> dict:
    return {
        "plan": plan,
        "milestones": reads.plan_milestones(actor=actor, plan=plan),
        "totals": reads.awards_total(reads.awards(actor=actor, plan_id=plan.pk)),
        "edit_form": forms.get("edit") or PlanForm.of(plan),
        "top_up_form": forms.get("top_up") or TopUpForm(),
        "milestone_form": forms.get("milestone") or MilestoneForm(),
    }


def _edit(actor, plan, data):
    form = PlanForm.of(plan, data)
    if form.is_valid():
        writes.incentive_plan_update(actor=actor, plan=plan, **form.cleaned_data)
        return None, _("Plan saved.")
    return form, None


def _top_up(actor, plan, data):
    form = TopUpForm(data)
    if form.is_valid():
        plan = writes.incentive_plan_top_up(actor=actor, plan=plan, **form.cleaned_data)
        return None, _("Budget topped up: %(budget)s in all.") % {
            "budget": writes.money(plan.budget)}  # fmt: skip
    return form, None


def _milestone(actor, plan, data):
    form = MilestoneForm(data)
    if form.is_valid():
        milestone = writes.milestone_create(actor=actor, plan=plan, **form.cleaned_data)
        return None, _("Milestone “%(title)s” added.") % {"title": milestone.title}
    return form, None


def _set_active(active: bool):
    def handle(actor, plan, data):
        writes.incentive_plan_set_active(actor=actor, plan=plan, active=active)
        return None, _("Plan reactivated.") if active else _("Plan deactivated: it awards nothing.")

    return handle


#: The plan page's forms, by the ``action`` they post: ``handle(actor, plan, data)`` answers
#: ``(the form with its errors, None)`` or ``(None, the success message)``.
PLAN_ACTIONS = {
    "edit": ("edit", _edit),
    "top_up": ("top_up", _top_up),
    "milestone": ("milestone", _milestone),
    "deactivate": ("", _set_active(False)),
    "activate": ("", _set_active(True)),
}


@tenant_view(OPERATOR)
def incentive_plan(request, pk: int, *, actor):
    """One plan: its figures, milestones (with their awards) and the forms that change it."""
    plan = found(reads.incentive_plan_get, actor=actor, plan_id=pk)
    if request.method != "POST":
        return render(request, "creators/incentives/plan.html", _plan_context(actor, plan))
    name, handle = PLAN_ACTIONS.get(request.POST.get("action"), ("", None))
    if handle is None:
        messages.error(request, _("Unknown action."))
        return redirect("creators:incentive_plan", pk=plan.pk)
    try:
        form, done = handle(actor, plan, request.POST)
    except ValidationError as error:
        form, done = _bound(name, plan, request.POST), None
        if form is None:
            messages.error(request, " ".join(error.messages))
            return redirect("creators:incentive_plan", pk=plan.pk)
        add_service_error(form, error)
    if done:
        messages.success(request, done)
        return redirect("creators:incentive_plan", pk=plan.pk)
    plan.refresh_from_db()
    response = render(
        request, "creators/incentives/plan.html", _plan_context(actor, plan, **{name: form})
    )
    response.status_code = 400
    return response


def _bound(name: str, plan, data):
    forms = {
        "edit": lambda: PlanForm.of(plan, data),
        "top_up": lambda: TopUpForm(data),
        "milestone": lambda: MilestoneForm(data),
    }
    form = forms[name]() if name in forms else None
    if form is not None:
        form.is_valid()
    return form


@tenant_view(OPERATOR)
def incentive_milestone(request, pk: int, *, actor):
    """Edit (or delete) one milestone; a milestone with awards keeps its rule."""
    milestone = found(reads.milestone_get, actor=actor, milestone_id=pk)
    form = MilestoneForm.of(milestone, request.POST or None)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "delete":
                writes.milestone_delete(actor=actor, milestone=milestone)
                messages.success(request, _("Milestone deleted."))
                return redirect("creators:incentive_plan", pk=milestone.plan_id)
            if form.is_valid():
                writes.milestone_update(actor=actor, milestone=milestone, **form.cleaned_data)
                messages.success(request, _("Milestone saved."))
                return redirect("creators:incentive_plan", pk=milestone.plan_id)
        except ValidationError as error:
            form.is_valid()
            add_service_error(form, error)
    context = {"milestone": milestone, "form": form, "awarded": milestone.awards.exists()}
    response = render(request, "creators/incentives/milestone.html", context)
    response.status_code = 400 if request.method == "POST" else 200
    return response


# --- Operator: ledger and runs -------------------------------------------------------------------


def _ledger(request, actor, template: str, **extra):
    """The awards ``actor`` sees, filtered by ``?plan=`` and ``?status=``, paginated."""
    plan_id = request.GET.get("plan", "")
    status = request.GET.get("status", "")
    rows = reads.awards(
        actor=actor, plan_id=int(plan_id) if plan_id.isdigit() else None, status=status
    )
    context = {
        "page": paginate(request, rows),
        "totals": reads.awards_total(rows),
        "plans": reads.incentive_plans(actor=actor),
        "statuses": Award.Status.choices,
        "chosen": {"plan": plan_id, "status": status},
        **extra,
    }
    return render_list(request, template, "creators/incentives/_awards_table.html", context)


@tenant_view(OPERATOR)
def incentive_awards(request, *, actor):
    return _ledger(request, actor, "creators/incentives/awards.html", revoke_form=RevokeForm())


@require_POST
@tenant_view(OPERATOR)
def incentive_award_revoke(request, pk: int, *, actor):
    award = found(reads.award_get, actor=actor, award_id=pk)
    form = RevokeForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors.get("reason") or _("Say why the award is revoked."))
        writes.award_revoke(actor=actor, award=award, reason=form.cleaned_data["reason"])
    except (ValidationError, PermissionDenied) as error:
        text = " ".join(getattr(error, "messages", [str(error)]))
        messages.error(request, text)
    else:
        messages.success(request, _("Award #%(id)s revoked; %(amount)s went back to “%(plan)s”.")
                         % {"id": award.pk, "amount": writes.money(award.amount),
                            "plan": award.plan.name})  # fmt: skip
    return redirect("creators:incentive_awards")


@tenant_view(OPERATOR)
def incentive_runs(request, *, actor):
    context = {"page": paginate(request, reads.incentive_runs(actor=actor))}
    return render_list(
        request, "creators/incentives/runs.html", "creators/incentives/_runs_table.html", context
    )


# --- The creator and the agency ------------------------------------------------------------------


@tenant_view([roles.CREATOR])
def my_awards(request, *, actor):
    """The creator's awards and the progress to its next milestone of each active plan."""
    creator = creator_of_portal(actor=actor)
    rows = reads.awards(actor=actor)
    context = {
        "creator": creator,
        "page": paginate(request, rows),
        "totals": reads.awards_total(rows),
        "plans": reads.creator_progress(actor=actor, creator=creator),
    }
    return render(request, "creators/incentives/my_awards.html", context)


@tenant_view([roles.AGENCY])
def agency_awards(request, *, actor):
    """The awards of the creators signed with this agency (no one else's)."""
    return _ledger(request, actor, "creators/incentives/agency_awards.html")
