"""Agency pages (the 星火计划 tier page; the creator roster: offer, withdraw and end contracts)
and the creator's contract offers in its portal (accept or decline).

Reads go through ``mcn.selectors``; every change goes through ``mcn.services``, which check the
role (and that only the creator answers its offers) again and write the audit record.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from creators.filters import translated_choices
from tenancy import roles
from tenancy.views_base import tenant_view
from ui.forms import add_service_error
from ui.pages import found, paginate, render_list

from .certification import appeal_file
from .engine import TIERS
from .filters import ContractFilter
from .forms import AppealForm, ContractEndForm, ContractOfferForm, WhatIfForm
from .labels import change_rows, component_rows, gate_rows, what_if_result_rows
from .models import Contract
from .selectors import (
    appeals_of_agency,
    assessment_what_if,
    contract_of_agency,
    contract_of_creator,
    contracts_of_agency,
    contracts_of_creator,
    creator_id_for_handle,
    latest_own_assessment,
    own_assessments,
    package_use_of,
    roster_contributions,
    tier_benefit_of,
)
from .services import (
    contract_accept,
    contract_decline,
    contract_end,
    contract_offer,
    contract_today,
    contract_withdraw,
)


@tenant_view([roles.AGENCY])
def tier(request, *, actor):
    """Agency home: the 星火计划 tier page (the history pages itself with htmx)."""
    context = tier_context(actor, latest_own_assessment(actor=actor))
    context["history"] = paginate(request, own_assessments(actor=actor))
    return render_list(request, "mcn/tier.html", "mcn/_tier_history.html", context)


def tier_context(actor, assessment, *, what_if_form=None, appeal_form=None) -> dict:
    """What the tier page shows of the agency's latest assessment (None: not certified yet)."""
    context = {
        "assessment": assessment,
        "can_write": actor.can_write(),
        "appeals": appeals_of_agency(actor=actor),
        "appeal_form": appeal_form or AppealForm(),
    }
    if assessment is None:
        return context
    run, policy = assessment.run, assessment.run.policy
    rows = component_rows(assessment)
    thresholds = [(t, policy.thresholds[t]) for t in TIERS]
    next_tier = assessment.next_tier
    context.update(
        run=run,
        policy=policy,
        components=rows,
        thresholds=thresholds,
        score_bars=[(_("Score"), assessment.score or 0.0)]
        + [(_("Tier %(tier)s threshold") % {"tier": t}, v) for t, v in thresholds],
        contribution_bars=[(row["label"], row["contribution"]) for row in rows],
        next_threshold=policy.thresholds[next_tier["tier"]] if next_tier else None,
        gates=gate_rows(assessment.gates, assessment.metrics, policy.gates),
        changes=change_rows((next_tier or {}).get("changes")),
        alternatives=change_rows((next_tier or {}).get("alternatives")),
        benefit=tier_benefit_of(actor=actor, tier=assessment.effective_tier),
        package_use=package_use_of(actor=actor),
        what_if_form=what_if_form or WhatIfForm(assessment=assessment, auto_id="what-if-%s"),
    )
    return context


@tenant_view([roles.AGENCY])
def tier_what_if(request, *, actor):
    """GET: the what-if form, prefilled; POST: the tier, score and gates the latest assessment
    would have with the values given, saving nothing (bad values: the form again, status 400).
    htmx gets the partial, a plain post the whole page."""
    assessment = latest_own_assessment(actor=actor)
    data = request.POST if request.method == "POST" else None
    if assessment is None:
        status = 400 if data is not None else 200
        return render(request, "mcn/_tier_what_if.html", {"assessment": None}, status=status)
    form = WhatIfForm(data, assessment=assessment, auto_id="what-if-%s")
    context = {"assessment": assessment, "what_if_form": form, "can_write": actor.can_write()}
    status = 200
    if form.is_bound:
        result = what_if(assessment, form)
        if result is None:
            status = 400
        else:
            values = {**assessment.metrics, **form.metrics()}
            context["result"] = what_if_result_rows(result, assessment.run.policy.gates, values)
    if request.htmx:
        return render(request, "mcn/_tier_what_if.html", context, status=status)
    page = tier_context(actor, assessment, what_if_form=form)
    page.update(
        result=context.get("result"), history=paginate(request, own_assessments(actor=actor))
    )
    return render(request, "mcn/tier.html", page, status=status)


def what_if(assessment, form: WhatIfForm) -> dict | None:
    """The what-if answer, or None with the reasons on ``form``."""
    if not form.is_valid():
        return None
    try:
        return assessment_what_if(assessment=assessment, metrics=form.metrics())
    except ValidationError as error:
        add_service_error(form, error, {})
        return None


@require_POST
@tenant_view([roles.AGENCY])
def tier_appeal(request, *, actor):
    """Appeal the latest assessment (a viewer's POST is 403 before this). htmx gets the appeals
    section back; a plain post the tier page. Refusals answer 400 with the reasons."""
    assessment = latest_own_assessment(actor=actor)
    form = AppealForm(request.POST)
    filed = appeal(actor, assessment, form)
    if filed and not request.htmx:
        messages.success(request, _("Appeal filed: the platform's operators will decide it."))
        return redirect("mcn:tier")
    status = 200 if filed else 400
    if request.htmx:
        context = {
            "assessment": assessment,
            "can_write": True,
            "appeals": appeals_of_agency(actor=actor),
            "appeal_form": AppealForm() if filed else form,
            "appeal_filed": filed,
        }
        return render(request, "mcn/_tier_appeals.html", context, status=status)
    page = tier_context(actor, assessment, appeal_form=form)
    page["history"] = paginate(request, own_assessments(actor=actor))
    return render(request, "mcn/tier.html", page, status=status)


def appeal(actor, assessment, form: AppealForm) -> bool:
    if assessment is None:
        form.add_error(None, _("There is no assessment to appeal yet."))
        return False
    if not form.is_valid():
        return False
    try:
        appeal_file(actor=actor, assessment=assessment, text=form.cleaned_data["text"])
    except ValidationError as error:
        add_service_error(form, error, {})
        return False
    return True


def with_vertical_labels(contracts):
    labels = dict(translated_choices("vertical"))
    contracts = list(contracts)
    for contract in contracts:
        contract.vertical_label = labels.get(contract.creator.vertical, contract.creator.vertical)
    return contracts


def blank_end_form() -> ContractEndForm:
    return ContractEndForm(auto_id=False, initial={"end": timezone.localdate()})


def blank_offer_form(data=None) -> ContractOfferForm:
    return ContractOfferForm(data, initial={"start": contract_today()})


@tenant_view([roles.AGENCY])
def roster(request, *, actor):
    """GET lists the contracts and offers; POST offers a contract (a viewer's POST is 403
    before this). The creator is not signed until it accepts in its portal."""
    form = blank_offer_form(request.POST or None)
    if request.method == "POST" and offer(actor, form):
        handle = form.cleaned_data["handle"]
        text = _("Offer sent to @%(handle)s: the contract begins once they accept it.")
        messages.success(request, text % {"handle": handle})
        return redirect("mcn:roster")
    return roster_page(request, actor, form)


def offer(actor, form: ContractOfferForm) -> bool:
    if not form.is_valid():
        return False
    data = form.cleaned_data
    creator_id = creator_id_for_handle(actor=actor, handle=data["handle"])
    if creator_id is None:
        form.add_error("handle", _("No creator has this handle."))
        return False
    try:
        contract_offer(
            actor=actor,
            creator_id=creator_id,
            start=data["start"],
            revenue_share_pct=data["revenue_share_pct"],
            message=data["message"],
            expires_in_days=data["expires_in_days"],
        )
    except ValidationError as error:
        add_service_error(form, error, {"creator": "handle"})
        return False
    return True


def with_contributions(contracts, shares: dict):
    """Each contract's creator's share of the agency's GMV and views over the window."""
    for contract in contracts:
        contract.contribution = shares.get(contract.creator_id)
    return contracts


def roster_row(actor, contract):
    """One roster row as the list shows it (an htmx answer swaps it in place)."""
    _days, shares = roster_contributions(actor=actor)
    return with_contributions(with_vertical_labels([contract]), shares)[0]


def roster_page(request, actor, offer_form: ContractOfferForm):
    rows = contracts_of_agency(actor=actor, status=None).order_by("-start", "-id")
    filters = ContractFilter(request.GET, queryset=rows)
    page = paginate(request, filters.qs)
    days, shares = roster_contributions(actor=actor)
    page.object_list = with_contributions(with_vertical_labels(page.object_list), shares)
    shown = filters.form.cleaned_data.get("status") or Contract.Status.ACTIVE
    context = {
        "filter": filters,
        "page": page,
        "offer_form": offer_form,
        "end_form": blank_end_form(),
        "can_write": actor.can_write(),
        "shown_status": shown,
        "statuses": Contract.Status.choices,
        "open_offers": rows.filter(status=Contract.Status.OFFERED).count(),
        "window_days": days,
    }
    return render_list(request, "mcn/roster.html", "mcn/_roster_table.html", context)


@require_POST
@tenant_view([roles.AGENCY])
def contract_withdraw_view(request, pk: int, *, actor):
    """Withdraw an open offer: htmx gets the row back, a plain post the roster (or the reason
    with status 400)."""
    contract = found(contract_of_agency, actor=actor, contract_id=pk)
    error = None
    try:
        contract = contract_withdraw(actor=actor, contract=contract)
    except ValidationError as refusal:
        error = " ".join(refusal.messages)
        contract = contract_of_agency(actor=actor, contract_id=pk)
    context = {
        "contract": roster_row(actor, contract),
        "end_form": blank_end_form(),
        "can_write": True,
        "row_error": error,
    }
    if request.htmx:
        return render(request, "mcn/_contract_row.html", context)
    if error is None:
        text = _("Offer to @%(handle)s withdrawn.") % {"handle": contract.creator.handle}
        messages.success(request, text)
        return redirect(f"{reverse('mcn:roster')}?status=offered")
    return render(request, "mcn/contract_end.html", context, status=400)


@require_POST
@tenant_view([roles.AGENCY])
def contract_end_view(request, pk: int, *, actor):
    """htmx gets the row back (ended, or with the errors; 200 so htmx swaps it); a plain post
    is redirected to the roster, or shown its errors with status 400."""
    contract = found(contract_of_agency, actor=actor, contract_id=pk)
    form = ContractEndForm(request.POST, auto_id=False)
    ended = end(actor, contract, form)
    context = {
        "contract": roster_row(actor, ended or contract),
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


# --- the creator's side: its contract offers in the portal ---------------------------------


@tenant_view([roles.CREATOR])
def portal_contracts(request, *, actor):
    """Full page, or the ``_portal_contracts.html`` fragment the creator portal loads."""
    page = paginate(request, contracts_of_creator(actor=actor))
    context = {"page": page, "now": timezone.now()}
    partial = "mcn/_portal_contracts.html"
    return render_list(request, "mcn/portal_contracts.html", partial, context)


ANSWERS = {"accept": contract_accept, "decline": contract_decline}


@require_POST
@tenant_view([roles.CREATOR])
def portal_contract_answer(request, pk: int, answer: str, *, actor):
    """The creator accepts or declines one of its offers; someone else's offer is a 404."""
    contract = found(contract_of_creator, actor=actor, contract_id=pk)
    error = None
    try:
        contract = ANSWERS[answer](actor=actor, contract=contract)
    except ValidationError as refusal:
        error = " ".join(refusal.messages)
    contract = contract_of_creator(actor=actor, contract_id=pk)  # as it now stands
    context = {"contract": contract, "row_error": error, "now": timezone.now()}
    if request.htmx:
        return render(request, "mcn/_portal_contract_row.html", context)
    if error is None:
        done = {"accept": _("Contract accepted."), "decline": _("Offer declined.")}[answer]
        messages.success(request, done)
        return redirect("mcn:portal_contracts")
    return render(request, "mcn/portal_contract_refused.html", context, status=400)
