from django import forms
from django.utils.translation import gettext_lazy as _

from .services import OFFER_DAYS_DEFAULT, OFFER_DAYS_MAX

#: The browser's date picker needs ISO dates whatever the locale's input format is.
ISO_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ContractOfferForm(forms.Form):
    """An agency's offer; the creator answers it in its portal (``mcn.services``)."""

    handle = forms.SlugField(label=_("Creator handle"), max_length=64)
    start = forms.DateField(label=_("Start date"), widget=ISO_DATE)
    revenue_share_pct = forms.DecimalField(
        label=_("Revenue share (%)"), min_value=0, max_value=100, max_digits=5, decimal_places=2
    )
    expires_in_days = forms.IntegerField(
        label=_("Offer open for (days)"),
        min_value=1,
        max_value=OFFER_DAYS_MAX,
        initial=OFFER_DAYS_DEFAULT,
    )
    message = forms.CharField(
        label=_("Message to the creator"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ContractEndForm(forms.Form):
    """Rendered once per roster row, so pages build it with ``auto_id=False`` (no duplicate ids)."""

    end = forms.DateField(
        label=_("End date"),
        widget=forms.DateInput(
            attrs={"type": "date", "aria-label": _("End date")}, format="%Y-%m-%d"
        ),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("Reason"), "aria-label": _("Reason")}),
    )
