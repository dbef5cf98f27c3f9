"""Brand pages (campaigns and their collaborations) and the creator's offers inbox.

Reads go through ``brands.selectors``; every status change goes through
``brands.services.collaboration_transition``, which also writes the audit record.
"""

import csv

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tenancy import roles
from tenancy.views_base import tenant_view
from ui.forms import add_service_error
from ui.pages import found, paginate, render_list

from .dashboard import (
    CREATOR_DISTRIBUTION,
    SELF_BROADCAST,
    brand_dashboard,
    campaign_figures,
)
from .dashboard import TABLES as DASHBOARD_TABLES
from .filters import CampaignFilter, CollaborationFilter
from .forms import (
    CampaignForm,
    ContentForm,
    ProductForm,
    ReviewForm,
    TransitionForm,
    remaining_budget,
)
from .models import Campaign, Collaboration, ContentSubmission
from .review import NOTHING_PENDING, content_review, content_submit
from .selectors import (
    campaign_of_brand,
    campaigns_of_brand,
    collaboration_next_statuses,
    collaboration_visible,
    collaborations_of_campaign,
    content_party,
    latest_submissions,
    offers_inbox,
    product_of_brand,
    products_of_brand,
    submission_pending,
    submissions_awaiting_review,
)
from .services import (
    CAMPAIGN_MOVES,
    EDITABLE,
    OFFER_CAMPAIGN_STATUSES,
    campaign_create,
    campaign_move,
    campaign_update,
    collaboration_transition,
    product_archive,
    product_create,
    product_update,
)

S = Collaboration.Status
#: Button label per target status; which buttons a row shows comes from the service's rules.
ACTION_LABELS = {
    S.ACCEPTED: gettext_lazy("Accept"),
    S.DECLINED: gettext_lazy("Decline"),
    S.COMPLETED: gettext_lazy("Complete"),
    S.CANCELLED: gettext_lazy("Cancel"),
}


@tenant_view([roles.BRAND])
def dashboard(request, *, actor):
    """Brand home: spend, GMV and ROI by period and channel, per campaign, the weekly trend,
    top creators, and what waits for the brand (``brands.dashboard`` computes all of it)."""
    figures = brand_dashboard(actor=actor)
    context = {"d": figures, "charts": dashboard_charts(figures)}
    return render(request, "brands/dashboard.html", context)


CHANNEL_NAMES = {
    SELF_BROADCAST: Campaign.Mode.SELF_BROADCAST.label,
    CREATOR_DISTRIBUTION: Campaign.Mode.CREATOR_DISTRIBUTION.label,
}


def dashboard_charts(figures) -> dict:
    """The (label, value) series the chart tags draw, labels translated here."""
    by_channel = {
        days: [(CHANNEL_NAMES[c], channels[c].gmv) for c in CHANNEL_NAMES]
        for days, channels in figures.totals.items()
    }
    trend = {
        channel: [(row["week"].strftime("%m-%d"), row[channel]) for row in figures.trend]
        for channel in CHANNEL_NAMES
    }
    return {
        "gmv_30": by_channel[30],
        "gmv_90": by_channel[90],
        "trend_self": trend[SELF_BROADCAST],
        "trend_creators": trend[CREATOR_DISTRIBUTION],
        "top_gmv": [("@" + row.handle, row.gmv) for row in figures.top["gmv"]],
        "top_roi": [("@" + row.handle, row.roi) for row in figures.top["roi"]],
    }


def csv_cell(value) -> str:
    """Decimals as computed (no rounding), no value as an empty cell."""
    return "" if value is None else str(value)


@tenant_view([roles.BRAND])
def dashboard_csv(request, table: str, *, actor):
    """One of the dashboard's tables as CSV, UTF-8 with a BOM so that Excel reads it as such."""
    if table not in DASHBOARD_TABLES:
        raise Http404
    header, rows = DASHBOARD_TABLES[table](actor, timezone.now())
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(header)
    writer.writerows([csv_cell(value) for value in row] for row in rows)
    response["Content-Disposition"] = f'attachment; filename="brand-{table}.csv"'
    return response


def with_actions(actor, rows):
    """Attach to each collaboration the (status, label) buttons its viewer may press now,
    whether its response deadline has passed (the reason an open offer has no buttons), the
    content move it may make (``content``: "submit", "review" or None) and its latest
    submitted content (``submission``: what awaits review, or why changes were asked)."""
    rows = list(rows)
    now = timezone.now()
    latest = latest_submissions(actor=actor, collaborations=rows)
    for row in rows:
        allowed = collaboration_next_statuses(actor=actor, collaboration=row, now=now)
        row.actions = [(status, ACTION_LABELS[status]) for status in allowed]
        row.deadline_passed = bool(row.response_deadline and row.response_deadline < now)
        row.content = content_party(actor=actor, collaboration=row)
        row.submission = latest.get(row.pk)
    return rows


def paged_with_actions(request, actor, rows) -> Page:
    page = paginate(request, rows)
    page.object_list = with_actions(actor, page.object_list)
    return page


@tenant_view([roles.BRAND])
def campaign_list(request, *, actor):
    filters = CampaignFilter(request.GET, queryset=campaigns_of_brand(actor=actor))
    page = paginate(request, filters.qs)
    context = {"filter": filters, "page": page, "can_write": actor.can_write()}
    return render_list(request, "brands/campaigns.html", "brands/_campaign_table.html", context)


#: The page's buttons for each campaign move, and whether to ask before (it cannot be undone).
MOVE_BUTTONS = {
    "pause": (gettext_lazy("Pause"), True),
    "resume": (gettext_lazy("Activate / resume"), False),
    "close": (gettext_lazy("Close campaign"), True),
}


def campaign_buttons(actor, campaign) -> list[tuple[str, str, bool]]:
    """(action, label, confirm) for each move the campaign's status allows its writers."""
    if not actor.can_write():
        return []
    return [
        (name, *MOVE_BUTTONS[name])
        for name, (sources, _to) in CAMPAIGN_MOVES.items()
        if campaign.status in sources
    ]


@tenant_view([roles.BRAND])
def campaign_detail(request, pk: int, *, actor):
    campaign = found(campaign_of_brand, actor=actor, campaign_id=pk)
    rows = collaborations_of_campaign(actor=actor, campaign=campaign)
    filters = CollaborationFilter(request.GET, queryset=rows)
    page = paged_with_actions(request, actor, filters.qs)
    context = {
        "campaign": campaign,
        "figures": campaign_figures(actor=actor, campaign=campaign),
        "filter": filters,
        "page": page,
        "remaining": remaining_budget(campaign),
        "buttons": campaign_buttons(actor, campaign),
        "can_edit": actor.can_write() and bool(EDITABLE.get(campaign.status)),
        "can_offer": actor.can_write() and campaign.status in OFFER_CAMPAIGN_STATUSES,
    }
    partial = "brands/_collaboration_table.html"
    return render_list(request, "brands/campaign.html", partial, context)


@tenant_view([roles.BRAND])
def product_list(request, *, actor):
    rows = products_of_brand(actor=actor).order_by("archived_at", "name", "id")
    context = {"page": paginate(request, rows), "can_write": actor.can_write()}
    return render_list(request, "brands/products.html", "brands/_product_table.html", context)


def saved_product(actor, form: ProductForm, product=None):
    """The created or changed product, or None with the reasons on ``form`` (nothing written)."""
    if not form.is_valid():
        return None
    try:
        if product is None:
            return product_create(actor=actor, **form.product_fields())
        return product_update(actor=actor, product=product, **form.product_fields())
    except ValidationError as error:
        add_service_error(form, error)
        return None


def product_form_page(request, actor, product=None):
    """GET shows the form (a viewer is refused it: 403); POST saves, or shows why not (400)."""
    actor.require(write=True)
    form = ProductForm(request.POST or None, product=product)
    if request.method == "POST":
        saved = saved_product(actor, form, product)
        if saved is not None:
            messages.success(request, _("Product “%(name)s” saved.") % {"name": saved.name})
            return redirect("brands:products")
    context = {"form": form, "product": product}
    status = 400 if form.is_bound else 200
    return render(request, "brands/product_form.html", context, status=status)


@tenant_view([roles.BRAND])
def product_new(request, *, actor):
    return product_form_page(request, actor)


@tenant_view([roles.BRAND])
def product_edit(request, pk: int, *, actor):
    product = found(product_of_brand, actor=actor, product_id=pk)
    return product_form_page(request, actor, product)


@require_POST
@tenant_view([roles.BRAND])
def product_archive_view(request, pk: int, *, actor, archived: bool):
    product = found(product_of_brand, actor=actor, product_id=pk)
    product_archive(actor=actor, product=product, archived=archived)
    text = _("Product “%(name)s” archived.") if archived else _("Product “%(name)s” restored.")
    messages.success(request, text % {"name": product.name})
    return redirect("brands:products")


def saved_campaign(actor, form: CampaignForm, campaign=None):
    """The created or changed campaign, or None with the reasons on ``form``."""
    if not form.is_valid():
        return None
    try:
        if campaign is None:
            return campaign_create(actor=actor, **form.cleaned_data)
        return campaign_update(actor=actor, campaign=campaign, **form.changed_fields())
    except ValidationError as error:
        add_service_error(form, error)
        return None


def campaign_form_page(request, actor, campaign=None):
    actor.require(write=True)
    editable = EDITABLE.get(campaign.status, frozenset()) if campaign else None
    if campaign is not None and not editable:
        messages.error(request, _("A closed campaign cannot be changed."))
        return redirect("brands:campaign", campaign.pk)
    form = CampaignForm(request.POST or None, campaign=campaign, editable=editable)
    if request.method == "POST":
        saved = saved_campaign(actor, form, campaign)
        if saved is not None:
            messages.success(request, _("Campaign “%(name)s” saved.") % {"name": saved.name})
            return redirect("brands:campaign", saved.pk)
    context = {"form": form, "campaign": campaign}
    status = 400 if form.is_bound else 200
    return render(request, "brands/campaign_form.html", context, status=status)


@tenant_view([roles.BRAND])
def campaign_new(request, *, actor):
    return campaign_form_page(request, actor)


@tenant_view([roles.BRAND])
def campaign_edit(request, pk: int, *, actor):
    campaign = found(campaign_of_brand, actor=actor, campaign_id=pk)
    return campaign_form_page(request, actor, campaign)


@require_POST
@tenant_view([roles.BRAND])
def campaign_move_view(request, pk: int, *, actor, action: str):
    """Pause, resume or close: back to the campaign page, or the refusal with status 400."""
    campaign = found(campaign_of_brand, actor=actor, campaign_id=pk)
    try:
        campaign_move(actor=actor, campaign=campaign, action=action)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("brands:campaign", pk)
    label = campaign.get_status_display()
    messages.success(request, _("Campaign is now “%(status)s”.") % {"status": label})
    return redirect("brands:campaign", pk)


@require_POST
@tenant_view([roles.BRAND])
def collaboration_transition_view(request, pk: int, *, actor):
    collaboration = found(collaboration_visible, actor=actor, collaboration_id=pk)
    back = reverse("brands:campaign", args=[collaboration.campaign_id])
    row = "brands/_collaboration_row.html"
    return transition_response(request, actor, collaboration, row, back)


@tenant_view([roles.CREATOR])
def offers(request, *, actor):
    """Full page, or the ``_offers.html`` fragment the creator portal loads with htmx."""
    filters = CollaborationFilter(request.GET, queryset=offers_inbox(actor=actor))
    context = {"filter": filters, "page": paged_with_actions(request, actor, filters.qs)}
    return render_list(request, "brands/offers.html", "brands/_offers.html", context)


@require_POST
@tenant_view([roles.CREATOR])
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


# --- Content review: the creator submits content, the brand approves it or asks for changes --


def submitted_content(actor, collaboration, form: ContentForm) -> bool:
    """Submit the form's content; False with the reasons on ``form`` (nothing written)."""
    if not form.is_valid():
        return False
    try:
        content_submit(actor=actor, collaboration=collaboration, **form.cleaned_data)
    except ValidationError as error:
        add_service_error(form, error)
        return False
    return True


@tenant_view([roles.CREATOR])
def offer_content(request, pk: int, *, actor):
    """GET: the content form of an accepted collaboration, with the brief and the brand's
    reason if it asked for changes; POST submits it, or shows why not (400)."""
    collaboration = found(collaboration_visible, actor=actor, collaboration_id=pk)
    form = ContentForm(request.POST if request.method == "POST" else None)
    if form.is_bound and submitted_content(actor, collaboration, form):
        messages.success(request, _("Content submitted: the brand reviews it next."))
        return redirect("brands:offers")
    context = {"c": with_actions(actor, [collaboration])[0], "form": form}
    return render(
        request, "brands/offer_content.html", context, status=400 if form.is_bound else 200
    )


@tenant_view([roles.BRAND])
def reviews(request, *, actor):
    """The brand's content awaiting review, newest first."""
    page = paginate(request, submissions_awaiting_review(actor=actor))
    return render(request, "brands/reviews.html", {"page": page, "can_write": actor.can_write()})


def reviewed(actor, collaboration, form: ReviewForm) -> bool:
    """Apply the brand's decision on the pending content; False with the reasons on ``form``."""
    if not form.is_valid():
        return False
    try:
        submission = submission_pending(actor=actor, collaboration=collaboration)
        content_review(
            actor=actor,
            submission=submission,
            decision=form.cleaned_data["decision"],
            reason=form.cleaned_data["reason"],
        )
    except ContentSubmission.DoesNotExist:
        form.add_error(None, NOTHING_PENDING)
        return False
    except ValidationError as error:
        add_service_error(form, error)
        return False
    return True


REVIEW_DONE = {
    "approve": gettext_lazy("Content approved: the collaboration is live."),
    "request_changes": gettext_lazy("Changes requested: the creator can submit again."),
}


@require_POST
@tenant_view([roles.BRAND])
def collaboration_review(request, pk: int, *, actor):
    """Approve or ask for changes; back to the review queue or the campaign page, or the
    refusal with the content and the form's errors (400)."""
    collaboration = found(collaboration_visible, actor=actor, collaboration_id=pk)
    form = ReviewForm(request.POST)
    if reviewed(actor, collaboration, form):
        messages.success(request, REVIEW_DONE[form.cleaned_data["decision"]])
        if form.cleaned_data.get("back") == "reviews":
            return redirect("brands:reviews")
        return redirect("brands:campaign", collaboration.campaign_id)
    row = with_actions(actor, [collaboration_visible(actor=actor, collaboration_id=pk)])[0]
    context = {"c": row, "s": row.submission, "form": form}
    return render(request, "brands/review_refused.html", context, status=400)
