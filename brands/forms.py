from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from creators import taxonomy
from creators.filters import lazy_label, translated_choices
from creators.models import Creator

from .models import (
    MESSAGE_MAX_LENGTH,
    Campaign,
    Collaboration,
    ContentSubmission,
    Product,
    Refund,
    http_link,
)
from .review import REASON_NEEDED


class TransitionForm(forms.Form):
    """The status a collaboration row's button asks for; the service decides if it may."""

    to = forms.ChoiceField(label=_("New status"), choices=Collaboration.Status.choices)


#: The audience axes of a product's target, as people read them.
AXIS_LABELS = {
    "gender": _("Gender"),
    "age": _("Age"),
    "city_tier": _("City tier"),
    "interests": _("Interests"),
}
HUNDRED = Decimal("100")
AXIS_SUM = _("%(axis)s: the percentages add up to %(total)s; they must add up to 100.")


def share_field(axis: str, key: str) -> str:
    return f"{axis}__{key}"


class ProductForm(forms.Form):
    """A product as a brand enters it: the target audience as percentages per axis, each axis
    summing to 100 (stored as shares summing to 1, the taxonomy's form). ``brands.services``
    checks everything again; this form only says it first, on the axis at fault."""

    name = forms.CharField(label=_("Name"), max_length=200)
    category = forms.ChoiceField(label=_("Category"), choices=translated_choices("vertical"))
    price = forms.DecimalField(
        label=_("Price (¥)"), min_value=Decimal("0.01"), max_digits=12, decimal_places=2
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    claims = forms.CharField(
        label=_("Selling claims (one per line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, product: Product | None = None, **kwargs):
        if product is not None:
            kwargs.setdefault("initial", initial_of(product))
        super().__init__(*args, **kwargs)
        for axis in taxonomy.AUDIENCE_AXES:
            for key in taxonomy.keys(axis):
                self.fields[share_field(axis, key)] = forms.DecimalField(
                    label=lazy_label(key, axis),
                    required=False,
                    min_value=0,
                    max_value=100,
                    max_digits=5,
                    decimal_places=2,
                    widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "max": "100"}),
                )

    def axes(self):
        """``[(axis label, [bound fields])]`` for the template's fieldsets."""
        return [
            (AXIS_LABELS[axis], axis, [self[share_field(axis, k)] for k in taxonomy.keys(axis)])
            for axis in taxonomy.AUDIENCE_AXES
        ]

    def clean_claims(self) -> list[str]:
        lines = (line.strip() for line in self.cleaned_data["claims"].splitlines())
        return [line for line in lines if line]

    def clean(self):
        data = super().clean()
        for axis in taxonomy.AUDIENCE_AXES:
            names = [share_field(axis, key) for key in taxonomy.keys(axis)]
            if any(name in self.errors for name in names):
                continue
            total = sum((data.get(name) or 0 for name in names), Decimal(0))
            if total != HUNDRED:
                shown = f"{total:f}"
                shown = shown.rstrip("0").rstrip(".") if "." in shown else shown
                self.add_error(names[0], AXIS_SUM % {"axis": AXIS_LABELS[axis], "total": shown})
        return data

    def product_fields(self) -> dict:
        """The cleaned form as ``brands.services.product_create`` takes it."""
        data = self.cleaned_data
        fields = {name: data[name] for name in ("name", "category", "price", "description")}
        fields["claims"] = data["claims"]
        for axis in taxonomy.AUDIENCE_AXES:
            shares = {key: data.get(share_field(axis, key)) or 0 for key in taxonomy.keys(axis)}
            fields[f"target_{axis}"] = {k: float(v / HUNDRED) for k, v in shares.items() if v}
        return fields


def initial_of(product: Product) -> dict:
    initial = {
        "name": product.name,
        "category": product.category,
        "price": product.price,
        "description": product.description,
        "claims": "\n".join(product.claims),
    }
    for axis in taxonomy.AUDIENCE_AXES:
        for key, share in (getattr(product, f"target_{axis}") or {}).items():
            initial[share_field(axis, key)] = round(Decimal(str(share)) * HUNDRED, 2)
    return initial


#: The browser's date picker needs ISO dates whatever the locale's input format is.
ISO_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
CAMPAIGN_FIELDS = ("name", "objective", "brief", "mode", "budget", "start", "end")


class CampaignForm(forms.Form):
    """A campaign as the brand enters it; on edit, the fields its status freezes are disabled
    (``brands.services.EDITABLE``), and the service checks the same again."""

    name = forms.CharField(label=_("Name"), max_length=200)
    objective = forms.CharField(label=_("Objective"), max_length=200, required=False)
    brief = forms.CharField(
        label=_("Brief for creators"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    mode = forms.ChoiceField(label=_("Mode"), choices=Campaign.Mode.choices)
    budget = forms.DecimalField(label=_("Budget (¥)"), min_value=0, max_digits=14, decimal_places=2)
    start = forms.DateField(label=_("Start date"), widget=ISO_DATE)
    end = forms.DateField(label=_("End date"), widget=ISO_DATE)
    status = forms.ChoiceField(
        label=_("Start as"),
        choices=[(s, label) for s, label in Campaign.Status.choices if s in ("draft", "active")],
    )

    def __init__(self, *args, campaign: Campaign | None = None, editable=None, **kwargs):
        if campaign is not None:
            initial = {name: getattr(campaign, name) for name in CAMPAIGN_FIELDS}
            kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        if campaign is not None:
            del self.fields["status"]  # it moves by the page's buttons
            for name in CAMPAIGN_FIELDS:
                self.fields[name].disabled = name not in editable

    def changed_fields(self) -> dict:
        """What the service gets: on edit, only the fields the status lets change."""
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if not self.fields[name].disabled
        }


#: The browser's date-and-time picker sends local ISO moments; Django reads a naive one in the
#: active timezone, so the deadline means what the brand saw on its clock.
DATETIME_LOCAL = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
UNKNOWN_CREATOR = _("No creator with the handle “%(handle)s” is in your directory.")


def remaining_budget(campaign: Campaign) -> Decimal:
    """What the campaign can still commit (the annotations of ``campaigns_of_brand``)."""
    return campaign.budget - campaign.committed - campaign.spent


def campaign_choice(campaign: Campaign) -> str:
    return _("%(name)s — remaining %(remaining)s") % {
        "name": campaign.name,
        "remaining": f"{remaining_budget(campaign):,.2f}",
    }


class OfferForm(forms.Form):
    """An offer as the brand composes it: the choices are the brand's own campaigns taking
    offers and products not archived, the creator a handle of its directory. Every rule of
    the offer itself is ``brands.services.collaboration_offer``'s, as for the API."""

    campaign = forms.ModelChoiceField(label=_("Campaign"), queryset=None)
    product = forms.ModelChoiceField(label=_("Product"), queryset=None)
    creator = forms.CharField(label=_("Creator (handle)"), max_length=100)
    offer_type = forms.ChoiceField(label=_("Offer type"), choices=Collaboration.OfferType.choices)
    fee = forms.DecimalField(
        label=_("Fee (¥)"), min_value=0, max_digits=12, decimal_places=2, initial=Decimal(0)
    )
    commission_pct = forms.DecimalField(
        label=_("Commission (%)"),
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
        initial=Decimal(0),
    )
    response_deadline = forms.DateTimeField(
        label=_("Response deadline"),
        required=False,
        widget=DATETIME_LOCAL,
        input_formats=DATETIME_LOCAL_FORMATS,
        help_text=_("Required for an invitation; the offer expires when it passes."),
    )
    message = forms.CharField(
        label=_("Message to the creator"),
        required=False,
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, campaigns, products, resolve_creator, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaigns
        self.fields["campaign"].label_from_instance = campaign_choice
        self.fields["product"].queryset = products
        self.resolve_creator = resolve_creator

    def clean_creator(self) -> Creator:
        handle = self.cleaned_data["creator"].strip().removeprefix("@")
        creator = self.resolve_creator(handle)
        if creator is None:
            raise forms.ValidationError(UNKNOWN_CREATOR, params={"handle": handle})
        return creator


class ContentForm(forms.Form):
    """The creator's content for a collaboration; ``brands.review.content_submit`` checks the
    same again (the link's scheme, the lengths) and runs the automatic checks."""

    link = forms.CharField(
        label=_("Link to the content"),
        max_length=ContentSubmission.LINK_MAX,
        validators=[http_link],
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )
    caption = forms.CharField(
        label=_("Caption"),
        max_length=ContentSubmission.CAPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class ReviewForm(forms.Form):
    """The brand's decision on submitted content; a request for changes needs its reason."""

    decision = forms.ChoiceField(
        choices=[("approve", _("Approve")), ("request_changes", _("Ask for changes"))]
    )
    reason = forms.CharField(
        label=_("What should change"),
        required=False,
        max_length=ContentSubmission.REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    #: Where to go back to: the review queue, else the collaboration's campaign page.
    back = forms.ChoiceField(
        choices=[("reviews", "reviews"), ("campaign", "campaign")], required=False
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "request_changes" and not (data.get("reason") or "").strip():
            self.add_error("reason", REASON_NEEDED)
        return data


class RefundDecisionForm(forms.Form):
    """A brand's (or the operator's) decision on a refund; a rejection says why. Pages build
    it per refund with an ``auto_id`` of the refund's own."""

    decision = forms.ChoiceField(
        label=_("Decision"),
        widget=forms.RadioSelect,
        choices=[("approve", _("Approve the refund")), ("reject", _("Reject the refund"))],
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=Refund.NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not (data.get("note") or "").strip():
            self.add_error("note", _("Say why: a rejection needs a note."))
        return data


class RefundQueueFilter(forms.Form):
    """Which of the brand's refunds the queue lists (pending, nearest deadline first, unless
    another status is chosen)."""

    status = forms.ChoiceField(
        label=_("Status"), choices=Refund.Status.choices, required=False, initial="pending"
    )

    def chosen(self) -> str:
        return self.cleaned_data.get("status") or "" if self.is_valid() else ""
