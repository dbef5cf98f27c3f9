"""The compliance pages' forms; the services check every value again (and the role)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import Category, Policy, SubjectKind
from .services import APPEAL_MAX, APPROVE, ESCALATE, NOTE_MAX, POLICY_FIELDS, REJECT

#: The queue's status filter: the open ones (open, claimed, escalated) or one decided status.
QUEUE_STATUSES = [
    ("open", _("Open")),
    ("approved", _("Approved")),
    ("rejected", _("Violation confirmed")),
]


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=QUEUE_STATUSES, required=False)
    category = forms.ChoiceField(
        label=_("Category"), choices=[("", _("All categories")), *Category.choices], required=False
    )

    def filters(self) -> dict:
        """What ``selectors.case_queue`` takes; an unknown value falls back to the open queue."""
        if not self.is_valid():
            return {"status": "open", "category": ""}
        data = self.cleaned_data
        return {"status": data["status"] or "open", "category": data["category"]}


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        widget=forms.RadioSelect,
        choices=[
            (APPROVE, _("Approve: no violation")),
            (REJECT, _("Reject: violation confirmed")),
            (ESCALATE, _("Escalate to a senior reviewer")),
        ],
    )
    violation_type = forms.ChoiceField(
        label=_("Violation type"),
        choices=[("", "—"), *Category.choices],
        required=False,
        help_text=_("Required when you reject."),
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=NOTE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when you escalate."),
    )

    def clean(self):
        data = super().clean()
        decision = data.get("decision")
        if decision == REJECT and not data.get("violation_type"):
            self.add_error("violation_type", _("Choose the violation type of a rejected case."))
        if decision == ESCALATE and not data.get("note", "").strip():
            self.add_error("note", _("Say why you escalate."))
        return data


class AppealDecisionForm(forms.Form):
    """Rendered once per appeal: pages build it with an ``auto_id`` of the appeal's own."""

    decision = forms.ChoiceField(
        label=_("Decision"),
        widget=forms.RadioSelect,
        choices=[
            ("uphold", _("Uphold the sanction")),
            ("overturn", _("Overturn the sanction")),
        ],
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=NOTE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class SanctionAppealForm(forms.Form):
    text = forms.CharField(
        label=_("Why is this sanction wrong?"),
        max_length=APPEAL_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_text(self):
        text = self.cleaned_data["text"].strip()
        if not text:
            raise ValidationError(_("Say why the sanction is wrong."))
        return text


class PolicyForm(forms.Form):
    """One category's thresholds and ladder; the model's constraints are checked by the
    service (``policy_update`` → ``full_clean``) and shown on the fields they name."""

    category = forms.ChoiceField(choices=Category.choices, widget=forms.HiddenInput)
    review_threshold = forms.FloatField(label=_("Review from risk"), min_value=0, max_value=1)
    block_threshold = forms.FloatField(label=_("Block from risk"), min_value=0, max_value=1)
    restrict_after = forms.IntegerField(label=_("Restrict after"), min_value=0, max_value=100)
    suspend_after = forms.IntegerField(label=_("Suspend after"), min_value=0, max_value=100)

    @classmethod
    def of(cls, policy: Policy, data=None) -> "PolicyForm":
        initial = {field: getattr(policy, field) for field in POLICY_FIELDS}
        return cls(
            data,
            initial={"category": policy.category, **initial},
            auto_id=f"policy-{policy.category}-%s",
        )

    def values(self) -> dict:
        return {field: self.cleaned_data[field] for field in POLICY_FIELDS}


class ComplaintRateFilterForm(forms.Form):
    """The complaint-rate leaders' filters: one kind of subject, only the alerted ones."""

    kind = forms.ChoiceField(
        label=_("Subject"),
        choices=[("", _("Creators, brands and agencies")), *SubjectKind.choices],
        required=False,
    )
    alerted = forms.BooleanField(label=_("Alerts only"), required=False)
