"""Refund pages: the brand's decisions queue (deadlines, overdue highlighted), the operator's
queue of disputed and escalated refunds (the final decision), and the creator's read-only list
of refunds and complaints on orders through its collaborations (in the portal).

Reads go through ``brands.selectors`` (another tenant's refund is a 404); every decision goes
through ``brands.services``, which checks the role and the status again and audits. A refused
decision re-renders the queue with the form's errors and a 400.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tenancy import roles
from tenancy.views_base import tenant_view
from ui.forms import add_service_error
from ui.pages import PAGE_SIZE, found, paginate, render_list

from . import refund_rules
from .forms import RefundDecisionForm, RefundQueueFilter
from .selectors import (
    complaints_visible,
    refund_counts_of_brand,
    refund_for_operator,
    refund_of_brand,
    refund_queue_of_brand,
    refund_queue_of_operator,
    refunds_visible,
)
from .services_orders import refund_decide, refund_final_decide


def _decided_message(decision: str, refund) -> str:
    if decision == "approve":
        text = _("Refund %(id)s of order %(order)s approved.")
    else:
        text = _("Refund %(id)s of order %(order)s rejected.")
    return text % {"id": refund.pk, "order": refund.order.external_id}


def _with_forms(rows, refused: dict, now) -> list:
    rows = list(rows)
    for refund in rows:
        refund.form = refused.get(refund.pk) or RefundDecisionForm(auto_id=f"refund-{refund.pk}-%s")
        refund.overdue = refund_rules.is_overdue(
            status=refund.status, deadline=refund.decision_deadline, now=now
        )
    return rows


# --- The brand's queue ---------------------------------------------------------------------------


def _brand_queue(request, actor, refused=None, status=200, errors=None):
    now = timezone.now()
    form = RefundQueueFilter(request.GET or None)
    chosen = form.chosen()
    page = paginate(request, refund_queue_of_brand(actor=actor, status=chosen))
    page.object_list = _with_forms(page.object_list, refused or {}, now)
    context = {
        "page": page,
        "form": form,
        "chosen": chosen or refund_rules.PENDING,
        "counts": refund_counts_of_brand(actor=actor, now=now),
        "can_write": actor.can_write(),
        "deadline_hours": int(refund_rules.BRAND_DECISION_WINDOW.total_seconds() // 3600),
        "errors": errors,
    }
    response = render_list(request, "brands/refunds.html", "brands/_refund_table.html", context)
    response.status_code = status
    return response


@tenant_view([roles.BRAND])
def refunds(request, *, actor):
    """The brand's refunds awaiting its decision, nearest deadline first (or another status)."""
    return _brand_queue(request, actor)


def _decide(request, actor, refund, service, **kwargs):
    """The decision applied, or the form with the refusal (None)."""
    form = RefundDecisionForm(request.POST, auto_id=f"refund-{refund.pk}-%s")
    if form.is_valid():
        try:
            service(
                actor=actor,
                refund=refund,
                decision=form.cleaned_data["decision"],
                note=form.cleaned_data["note"],
                **kwargs,
            )
        except ValidationError as error:
            add_service_error(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error) or _("You cannot do this."))
        else:
            messages.success(request, _decided_message(form.cleaned_data["decision"], refund))
            return None
    return form


@require_POST
@tenant_view([roles.BRAND])
def refund_decision(request, pk: int, *, actor):
    refund = found(refund_of_brand, actor=actor, refund_id=pk)
    form = _decide(request, actor, refund, refund_decide)
    if form is None:
        return redirect("brands:refunds")
    return _brand_queue(request, actor, {refund.pk: form}, 400, form.non_field_errors())


# --- The operator's queue ------------------------------------------------------------------------


def _operator_queue(request, actor, refused=None, status=200, errors=None):
    page = paginate(request, refund_queue_of_operator(actor=actor))
    page.object_list = _with_forms(page.object_list, refused or {}, timezone.now())
    context = {"page": page, "can_write": actor.can_write(), "errors": errors}
    response = render_list(
        request, "brands/refund_disputes.html", "brands/_refund_disputes_table.html", context
    )
    response.status_code = status
    return response


@tenant_view([roles.OPERATOR])
def refund_disputes(request, *, actor):
    """Refunds a buyer disputed after the brand's rejection, or the brand left past its
    deadline, the longest waiting first: the operator decides them finally."""
    return _operator_queue(request, actor)


@require_POST
@tenant_view([roles.OPERATOR])
def refund_final_decision(request, pk: int, *, actor):
    refund = found(refund_for_operator, actor=actor, refund_id=pk)
    form = _decide(request, actor, refund, refund_final_decide)
    if form is None:
        return redirect("brands:refund_disputes")
    return _operator_queue(request, actor, {refund.pk: form}, 400, form.non_field_errors())


# --- The creator's portal ------------------------------------------------------------------------


@tenant_view([roles.CREATOR])
def my_refunds(request, *, actor):
    """Refunds and complaints on orders through the creator's collaborations (read-only)."""
    refunds_page = Paginator(
        refunds_visible(actor=actor).order_by("-requested_at", "-id"), PAGE_SIZE
    ).get_page(request.GET.get("refunds_page"))
    complaints_page = Paginator(
        complaints_visible(actor=actor).order_by("-filed_at", "-id"), PAGE_SIZE
    ).get_page(request.GET.get("complaints_page"))
    context = {"refunds_page": refunds_page, "complaints_page": complaints_page}
    return render(request, "brands/my_refunds.html", context)
