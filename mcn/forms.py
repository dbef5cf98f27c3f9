from django import forms
from django.utils.translation import gettext_lazy as _

from . import engine
from .certification import APPEAL_MAX
from .labels import METRIC_LABELS, PERCENT_METRICS, metric_label
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


# --- the operator's certification pages ------------------------------------------------------

SCORED = [m for m in METRIC_LABELS if m != "severe_violations"]  # gated, never weighted
TIERS = engine.TIERS


class CertificationRunForm(forms.Form):
    as_of = forms.DateField(label=_("Cycle ends on"), widget=ISO_DATE)


class AppealDecisionForm(forms.Form):
    """The operator's decision; what it needs (a reason, a tier when accepting) is the
    service's rule (``mcn.certification.appeal_decide``), shown on these fields."""

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("accept", _("Accept")), ("reject", _("Reject"))],
        widget=forms.RadioSelect,
    )
    new_tier = forms.ChoiceField(
        label=_("New tier"),
        choices=[("", _("(only when accepting)"))] + [(t, t) for t in TIERS],
        required=False,
    )
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class TierPolicyForm(forms.Form):
    """A new version of the rubric: a weight per scored metric, a threshold per tier, the
    window, and the gates as JSON (``{tier: [{name, metric, bound, at_least}]}``)."""

    window_days = forms.IntegerField(label=_("Window (days)"), min_value=7, max_value=366)
    gates = forms.JSONField(label=_("Gates (JSON)"), widget=forms.Textarea(attrs={"rows": 12}))
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for metric in SCORED:
            self.fields[f"weight_{metric}"] = forms.FloatField(
                label=_("Weight: %(metric)s") % {"metric": METRIC_LABELS[metric]}, min_value=0
            )
        for tier in TIERS:
            self.fields[f"threshold_{tier}"] = forms.FloatField(
                label=_("Score needed for %(tier)s") % {"tier": tier},
                min_value=0,
                max_value=100,
            )

    @staticmethod
    def initial_from(policy) -> dict:
        if policy is None:
            return {"window_days": 90, "gates": {}}
        initial = {"window_days": policy.window_days, "gates": policy.gates}
        initial.update({f"weight_{m}": policy.weights.get(m, 0) for m in SCORED})
        initial.update({f"threshold_{t}": policy.thresholds.get(t) for t in TIERS})
        return initial

    def clean_gates(self):
        gates = self.cleaned_data["gates"]
        if not isinstance(gates, dict):
            raise forms.ValidationError(_("Gates are an object: tier → list of gates."))
        return gates

    def weight_fields(self):
        return [self[f"weight_{m}"] for m in SCORED]

    def threshold_fields(self):
        return [self[f"threshold_{t}"] for t in TIERS]

    def policy_data(self) -> dict:
        data = self.cleaned_data
        return {
            "weights": {m: data[f"weight_{m}"] for m in SCORED},
            "thresholds": {t: data[f"threshold_{t}"] for t in TIERS},
            "gates": data["gates"],
            "window_days": data["window_days"],
            "note": data.get("note") or "",
        }


class TierBenefitForm(forms.Form):
    """Every tier's monthly traffic package and brand priority, set together."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for tier in TIERS:
            self.fields[f"impressions_{tier}"] = forms.IntegerField(
                label=_("Tier %(tier)s: monthly impressions") % {"tier": tier},
                min_value=0,
                max_value=10**12,
            )
            self.fields[f"priority_{tier}"] = forms.IntegerField(
                label=_("Tier %(tier)s: brand priority") % {"tier": tier},
                min_value=0,
                max_value=100,
            )

    @staticmethod
    def initial_from(benefits: dict) -> dict:
        initial = {}
        for tier, row in benefits.items():
            initial[f"impressions_{tier}"] = row.monthly_impressions if row else 0
            initial[f"priority_{tier}"] = row.brand_priority if row else 0
        return initial

    def per_tier(self) -> dict[str, tuple[int, int]]:
        data = self.cleaned_data
        return {t: (data[f"impressions_{t}"], data[f"priority_{t}"]) for t in TIERS}
