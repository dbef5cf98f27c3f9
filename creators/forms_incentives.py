"""The operator's forms of the incentive plan; ``creators.services_incentives`` validates again
(and is what refuses a bad rule, in words)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import IncentivePlan, Milestone, MilestoneKind, Track
from .services_incentives import BUDGET_MAX


class DateInput(forms.DateInput):
    input_type = "date"


def money_field(label, help_text=""):
    return forms.DecimalField(
        label=label, min_value=0.01, max_value=BUDGET_MAX, decimal_places=2, help_text=help_text
    )


class PlanForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(
        attrs={"rows": 2}))  # fmt: skip
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput)
    ends_on = forms.DateField(
        label=_("Ends on"), required=False, widget=DateInput, help_text=_("Empty: open-ended")
    )

    @classmethod
    def of(cls, plan: IncentivePlan, data=None):
        initial = {name: getattr(plan, name) for name in cls.base_fields}
        return cls(data, initial=initial)


class NewPlanForm(PlanForm):
    budget = money_field(_("Budget (¥)"), _("What the plan may pay out in all"))


class TopUpForm(forms.Form):
    amount = money_field(_("Add to the budget (¥)"))


class MilestoneForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=MilestoneKind.choices)
    threshold = forms.IntegerField(
        label=_("Count"),
        min_value=1,
        max_value=2**31 - 1,
        required=False,
        help_text=_("Followers to reach, or original items in a row"),
    )
    track = forms.ChoiceField(
        label=_("Academy track"),
        choices=[("", "—"), *Track.choices],
        required=False,
        help_text=_("For a completed-track milestone: every published course of the track"),
    )
    amount = money_field(_("Award (¥)"))
    title = forms.CharField(
        label=_("Title"), max_length=120, required=False, help_text=_("Empty: named after the rule")
    )

    @classmethod
    def of(cls, milestone: Milestone, data=None):
        initial = {name: getattr(milestone, name) for name in cls.base_fields}
        return cls(data, initial=initial)


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
