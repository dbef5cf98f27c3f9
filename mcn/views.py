"""Agency pages: the 星火计划 tier page and the creator roster (sign and end contracts).

Reads go through ``mcn.selectors``; signing and ending go through ``mcn.services``, which check
the role again and write the audit record. The list helpers come from ``brands.views`` (an app
to our left) until they move to a shared home.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView

from creators.filters import translated_choices
from tenancy.views_base import TenantView, tenant_view
from ui.pages import found, paginate, render_list

from .filters import ContractFilter
from .forms import ContractEndForm, ContractSignForm
from .selectors import contract_of_agency, contracts_of_agency, creator_id_for_handle
from .services import contract_end, contract_sign


class TierView(TenantView, TemplateView):
    """Agency home: the 星火计划 tier page. Certification arrives with its issue."""

    tenant_kinds = ["agency"]
    template_name = "mcn/tier.html"


def add_service_error(form, error: ValidationError, renamed: dict[str, str]) -> None:
    """Show a service's refusal on the form, on the field it names when the form has it."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        name = renamed.get(field, field)
        form.add_error(name if name in form.fields else None, errors)


def with_vertical_labels(contracts):
    labels = dict(translated_choices("vertical"))
    contracts = list(contracts)
    for contract in contracts:
        contract.vertical_label = labels.get(contract.creator.vertical, contract.creator.vertical)
    return contracts


def blank_end_form() -> ContractEndForm:
    return ContractEndForm(auto_id=False, initial={"end": timezone.localdate()})


@tenant_view(["agency"])
def roster(request, *, actor):
    """GET lists the contracts; POST signs a creator (a viewer's POST is 403 before this)."""
    form = ContractSignForm(request.POST or None)
    if request.method == "POST" and sign(actor, form):
        handle = form.cleaned_data["handle"]
        messages.success(request, _("Signed @%(handle)s.") % {"handle": handle})
        return redirect("mcn:roster")
    return roster_page(request, actor, form)


def sign(actor, form: ContractSignForm) -> bool:
    if not form.is_valid():
        return False
    data = form.cleaned_data
    creator_id = creator_id_for_handle(actor=actor, handle=data["handle"])
    if creator_id is None:
        form.add_error("handle", _("No creator has this handle."))
        return False
    try:
        contract_sign(
            actor=actor,
            creator_id=creator_id,
            start=data["start"],
            revenue_share_pct=data["revenue_share_pct"],
        )
    except ValidationError as error:
        add_service_error(form, error, {"creator": "handle"})
        return False
    return True


def roster_page(request, actor, sign_form: ContractSignForm):
    rows = contracts_of_agency(actor=actor, status=None).order_by("-start", "-id")
    filters = ContractFilter(request.GET, queryset=rows)
    page = paginate(request, filters.qs)
    page.object_list = with_vertical_labels(page.object_list)
    context = {
        "filter": filters,
        "page": page,
        "sign_form": sign_form,
        "end_form": blank_end_form(),
        "can_write": actor.can_write(),
        "showing_ended": filters.form.cleaned_data.get("status") == "ended",
    }
    return render_list(request, "mcn/roster.html", "mcn/_roster_table.html", context)


@require_POST
@tenant_view(["agency"])
def contract_end_view(request, pk: int, *, actor):
    """htmx gets the row back (ended, or with the errors; 200 so htmx swaps it); a plain post
    is redirected to the roster, or shown its errors with status 400."""
    contract = found(contract_of_agency, actor=actor, contract_id=pk)
    form = ContractEndForm(request.POST, auto_id=False)
    ended = end(actor, contract, form)
    context = {
        "contract": with_vertical_labels([ended or contract])[0],
        "end_form": blank_end_form() if ended else form,
        "can_write": True,
    }
    if request.htmx:
        return render(request, "mcn/_contract_row.html", context)
    if ended:
        handle = ended.creator.handle
        messages.success(request, _("Contract with @%(handle)s ended.") % {"handle": handle})
        return redirect("mcn:roster")
    return render(request, "mcn/contract_end.html", context, status=400)


def end(actor, contract, form: ContractEndForm):
    """The ended contract, or None with the reasons on ``form``; nothing changes then."""
    if not form.is_valid():
        return None
    try:
        return contract_end(
            actor=actor,
            contract=contract,
            end=form.cleaned_data["end"],
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as error:
        add_service_error(form, error, {})
        return None
