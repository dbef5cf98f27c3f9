"""Forms of the analytics pages: the date range, the day to compute, the agency's periods."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RangeForm(forms.Form):
    """From / to: ``to`` picks the cached report (the newest as of that day or before), and
    both cut the series of quarters and years to the periods they overlap."""

    start = forms.DateField(label=_("From"), required=False, widget=DATE_INPUT)
    end = forms.DateField(label=_("To"), required=False, widget=DATE_INPUT)

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            raise forms.ValidationError(
                _("The start date must be on or before the end date."), code="range_order"
            )
        return data


class ComputeForm(forms.Form):
    """The day a report should describe: a day that has passed (default yesterday)."""

    as_of = forms.DateField(label=_("As of"), widget=DATE_INPUT)

    def clean_as_of(self):
        day = self.cleaned_data["as_of"]
        if day >= timezone.localdate():
            raise forms.ValidationError(
                _("Choose a day that has ended: yesterday at the latest."), code="future"
            )
        return day


class AgencyPeriodForm(forms.Form):
    """How the agency page groups its figures."""

    by = forms.ChoiceField(
        label=_("Group by"),
        required=False,
        choices=[("month", _("Month")), ("quarter", _("Quarter"))],
    )

    def period(self) -> str:
        return (self.cleaned_data.get("by") if self.is_valid() else None) or "month"
