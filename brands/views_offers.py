"""The offer composer: a brand invites a creator into one of its campaigns.

The page only gathers the terms; ``brands.services.collaboration_offer`` decides, as it does for
``POST /api/v1/collaborations/``, so a refusal reads the same on both and writes nothing.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from creators.models import Creator
from creators.selectors import creator_by_handle, creator_in_directory
from tenancy import roles
from tenancy.views_base import tenant_view
from ui.forms import add_service_error
from ui.pages import found

from .forms import OfferForm, remaining_budget
from .selectors import campaign_of_brand, campaigns_taking_offers, products_taking_offers
from .services import collaboration_offer

INVITE_LABEL = gettext_lazy("Invite to campaign")


def invite_link(*, actor, creator) -> tuple[str, str] | None:
    """The directory's and the creator page's "Invite to campaign", for a brand's writers and
    a creator who takes offers (``creators.views.register_creator_link`` shows it)."""
    if actor.kind != roles.BRAND or not actor.can_write():
        return None
    if creator.status != Creator.Status.ACTIVE:  # the service would refuse the offer
        return None
    return INVITE_LABEL, f"{reverse('brands:offer_new')}?creator={creator.pk}"


def preset_id(request, name: str) -> int | None:
    """``?campaign=`` / ``?creator=`` as an id; anything else is no such object (404)."""
    value = request.GET.get(name)
    if value is None:
        return None
    if not value.isdigit() or len(value) > 18:
        raise Http404
    return int(value)


def presets(request, actor) -> dict:
    """The form's initial campaign and creator from the link that opened it: another brand's
    campaign, or a creator outside the directory, answers 404 before anything is shown."""
    initial = {}
    campaign_id, creator_id = preset_id(request, "campaign"), preset_id(request, "creator")
    if campaign_id is not None:
        initial["campaign"] = found(campaign_of_brand, actor=actor, campaign_id=campaign_id).pk
    if creator_id is not None:
        creator = creator_in_directory(actor=actor, creator_id=creator_id)
        initial["creator"] = creator.handle
    return initial


def offer_form(request, actor, initial: dict) -> OfferForm:
    def resolve_creator(handle: str):
        try:
            return creator_by_handle(actor=actor, handle=handle)
        except Http404:
            return None

    return OfferForm(
        request.POST or None,
        initial=initial,
        campaigns=campaigns_taking_offers(actor=actor),
        products=products_taking_offers(actor=actor),
        resolve_creator=resolve_creator,
    )


def offer_sent(actor, form: OfferForm):
    """The new collaboration, or None with the service's refusal on ``form`` (nothing written)."""
    if not form.is_valid():
        return None
    try:
        return collaboration_offer(actor=actor, **form.cleaned_data)
    except ValidationError as error:
        add_service_error(form, error)
        return None


def chosen_remaining(form: OfferForm, campaigns: list):
    """The remaining budget of the campaign the form shows chosen (posted or preset)."""
    chosen = form["campaign"].value()
    for campaign in campaigns:
        if str(campaign.pk) == str(chosen):
            return remaining_budget(campaign)
    return None


@tenant_view([roles.BRAND])
def offer_new(request, *, actor):
    """GET shows the composer (a viewer is refused it: 403); POST offers, or shows why not (400)."""
    actor.require(write=True)
    form = offer_form(request, actor, presets(request, actor))
    if request.method == "POST":
        offer = offer_sent(actor, form)
        if offer is not None:
            text = _("Offer sent to @%(handle)s.") % {"handle": offer.creator.handle}
            messages.success(request, text)
            return redirect("brands:campaign", offer.campaign_id)
    campaigns = list(form.fields["campaign"].queryset)
    context = {"form": form, "remaining": chosen_remaining(form, campaigns)}
    return render(request, "brands/offer_form.html", context, status=400 if form.is_bound else 200)
