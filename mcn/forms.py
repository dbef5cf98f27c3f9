from django import forms
from django.utils.translation import gettext_lazy as _

from . import engine
from .certification import APPEAL_MAX
from .labels import PERCENT_METRICS, metric_label
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


class WhatIfForm(forms.Form):
    """The tier page's what-if: one field per metric of the assessment, prefilled with its value
    (rates and growth in percent); an empty field keeps the metric missing. ``metrics()`` gives
    what ``mcn.selectors.assessment_what_if`` takes (shares, not percentages)."""

    def __init__(self, *args, assessment, **kwargs):
        initial = {
            metric: _shown(metric, value)
            for metric, value in assessment.metrics.items()
            if value is not None
        }
        super().__init__(*args, initial=initial, **kwargs)
        for metric in engine.METRICS:
            if metric not in assessment.metrics:
                continue
            low, high = _range(metric)
            label = metric_label(metric)
            if metric in PERCENT_METRICS:
                label = _("%(metric)s (%%)") % {"metric": label}
            field = (
                forms.IntegerField(min_value=0, max_value=10**9)
                if metric in engine.COUNTS
                else forms.FloatField(min_value=low, max_value=high)
            )
            field.label, field.required = label, False
            self.fields[metric] = field

    def metrics(self) -> dict:
        return {
            metric: value / 100 if metric in PERCENT_METRICS else value
            for metric, value in self.cleaned_data.items()
            if value is not None
        }


def _shown(metric: str, value: float):
    if metric in PERCENT_METRICS:
        return round(value * 100, 4)
    if metric in engine.COUNTS:
        return round(value)
    return round(value, 2)


def _range(metric: str) -> tuple[float, float]:
    """The field's bounds, as ``assessment_what_if`` accepts them (in percent for rates)."""
    if metric == "gmv_growth":
        return -100.0, 1e17
    if metric in PERCENT_METRICS:
        return 0.0, 100.0
    return 0.0, 1e15


class AppealForm(forms.Form):
    text = forms.CharField(
        label=_("Why is this assessment wrong?"),
        max_length=APPEAL_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
