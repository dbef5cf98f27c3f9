"""Brand pages (campaigns and their collaborations) and the creator's offers inbox.

Reads go through ``brands.selectors``; every status change goes through
``brands.services.collaboration_transition``, which also writes the audit record.
"""

import functools

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView

from tenancy.scoping import acting_as
from tenancy.views_base import TenantView, check_access, request_actor, tenant_view

from .filters import CampaignFilter, CollaborationFilter
from .forms import TransitionForm
from .models import Collaboration
from .selectors import (
    campaign_of_brand,
    campaigns_of_brand,
    collaboration_next_statuses,
    collaboration_visible,
    collaborations_of_campaign,
    offers_inbox,
)
from .services import collaboration_transition

PAGE_SIZE = 25
S = Collaboration.Status
#: Button label per target status; which buttons a row shows comes from the service's rules.
ACTION_LABELS = {
    S.ACCEPTED: gettext_lazy("Accept"),
    S.DECLINED: gettext_lazy("Decline"),
    S.CONTENT_SUBMITTED: gettext_lazy("Submit content"),
    S.LIVE: gettext_lazy("Mark live"),
    S.COMPLETED: gettext_lazy("Complete"),
    S.CANCELLED: gettext_lazy("Cancel"),
}


class DashboardView(TenantView, TemplateView):
    """Brand home: links to the campaign pages; GMV, ROI and selection arrive with their issues."""

    tenant_kinds = ["brand"]
    template_name = "brands/dashboard.html"


def paginate(request, rows) -> Page:
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def render_list(request, template: str, partial: str, context: dict):
    """The full page, or just the list partial when htmx asks (filter change, page link)."""
    chosen = partial if request.htmx and not request.htmx.boosted else template
    filtered = any(value for key, value in request.GET.items() if key != "page")
    response = render(request, chosen, {"filtered": filtered, **context})
    patch_vary_headers(response, ["HX-Request"])  # caches must not serve one for the other
    return response


def found(selector, **kwargs):
    """A selector's ``DoesNotExist`` (another tenant's row, or none) becomes a plain 404."""
    try:
        return selector(**kwargs)
    except ObjectDoesNotExist:
        raise Http404 from None


def with_actions(actor, rows):
    """Attach to each collaboration the (status, label) buttons its viewer may press now, and
    whether its response deadline has passed (the reason an open offer has no buttons)."""
    rows = list(rows)
    now = timezone.now()
    for row in rows:
        allowed = collaboration_next_statuses(actor=actor, collaboration=row, now=now)
        row.actions = [(status, ACTION_LABELS[status]) for status in allowed]
        row.deadline_passed = bool(row.response_deadline and row.response_deadline < now)
    return rows


def paged_with_actions(request, actor, rows) -> Page:
    page = paginate(request, rows)
    page.object_list = with_actions(actor, page.object_list)
    return page


@tenant_view(["brand"])
def campaign_list(request, *, actor):
    filters = CampaignFilter(request.GET, queryset=campaigns_of_brand(actor=actor))
    context = {"filter": filters, "page": paginate(request, filters.qs)}
    return render_list(request, "brands/campaigns.html", "brands/_campaign_table.html", context)


@tenant_view(["brand"])
def campaign_detail(request, pk: int, *, actor):
    campaign = found(campaign_of_brand, actor=actor, campaign_id=pk)
    rows = collaborations_of_campaign(actor=actor, campaign=campaign)
    filters = CollaborationFilter(request.GET, queryset=rows)
    page = paged_with_actions(request, actor, filters.qs)
    context = {"campaign": campaign, "filter": filters, "page": page}
    partial = "brands/_collaboration_table.html"
    return render_list(request, "brands/campaign.html", partial, context)


@require_POST
@tenant_view(["brand"])
def collaboration_transition_view(request, pk: int, *, actor):
    collaboration = found(collaboration_visible, actor=actor, collaboration_id=pk)
    back = reverse("brands:campaign", args=[collaboration.campaign_id])
    row = "brands/_collaboration_row.html"
    return transition_response(request, actor, collaboration, row, back)


@tenant_view(["creator"])
def offers(request, *, actor):
    """Full page, or the ``_offers.html`` fragment the creator portal loads with htmx."""
    filters = CollaborationFilter(request.GET, queryset=offers_inbox(actor=actor))
    context = {"filter": filters, "page": paged_with_actions(request, actor, filters.qs)}
    return render_list(request, "brands/offers.html", "brands/_offers.html", context)


def creator_answer_view(view):
    """``tenant_view(["creator"])`` for a creator's own POSTs.

    ``check_access`` treats every role outside ``WRITE_ROLES`` as read-only, and the portal
    actor's role "creator" is not in it, so ``tenant_view`` would answer every creator POST
    with 403. Until tenancy lets creators write, the page checks the kind here and leaves the
    write check to the service, which lets only the collaboration's own creator answer.
    """

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        actor = check_access(request_actor(request), ["creator"], write=False)
        with acting_as(actor):
            return view(request, *args, actor=actor, **kwargs)

    return wrapped


@require_POST
@creator_answer_view
def offer_respond(request, pk: int, *, actor):
    collaboration = found(collaboration_visible, actor=actor, collaboration_id=pk)
    back = reverse("brands:offers")
    return transition_response(request, actor, collaboration, "brands/_offer_row.html", back)


def apply_transition(actor, collaboration, form) -> tuple[str | None, int]:
    """Run the service; a refusal comes back as (message, status code), nothing changed."""
    if not form.is_valid():
        return _("Unknown status."), 400
    try:
        collaboration_transition(
            actor=actor, collaboration=collaboration, to=form.cleaned_data["to"]
        )
    except ValidationError as error:
        return " ".join(error.messages), 400
    except PermissionDenied as error:
        return str(error) or _("You cannot do this."), 403
    return None, 200


def transition_response(request, actor, collaboration, row_template: str, back: str):
    """htmx gets the re-rendered row (200 even when refused: htmx swaps only 2xx answers);
    a plain form post gets a redirect, or a page with the refusal and its 400/403 status."""
    error, status = apply_transition(actor, collaboration, TransitionForm(request.POST))
    if error:  # show the row as it now stands, should a concurrent change have moved it
        collaboration = collaboration_visible(actor=actor, collaboration_id=collaboration.pk)
    context = {"c": with_actions(actor, [collaboration])[0], "error": error, "back": back}
    if request.htmx:
        return render(request, row_template, context)
    if error is None:
        label = collaboration.get_status_display()
        messages.success(request, _("Collaboration is now “%(status)s”.") % {"status": label})
        return redirect(back)
    context["row_template"] = row_template
    return render(request, "brands/transition_refused.html", context, status=status)
