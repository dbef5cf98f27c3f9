"""The compliance pages' forms; the services check every value again (and the role)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import Category, OriginalityContest, OriginalityFlag, Policy, SubjectKind
from .selectors_originality import (
    originality_flag_creators,
)
from .services import (
    APPEAL_MAX,
    APPROVE,
    ESCALATE,
    NOTE_MAX,
    OVERTURN,
    POLICY_FIELDS,
    REJECT,
    STATEMENT_MAX,
    UPHOLD,
)

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


# --- Originality ---------------------------------------------------------------------------------

#: The flag list's status filter: every flag, those counting against the rate, or one status.
FLAG_STATUSES = [
    ("", _("All flags")),
    ("counting", _("Counting against the rate")),
    *OriginalityFlag.Status.choices,
]


class OriginalityFilterForm(forms.Form):
    """The flag lists' filters. ``creator`` is a handle, looked up among the creators whose
    flags the actor sees (``selectors_originality.originality_flag_creators``): another
    tenant's creator is as unknown as one that does not exist. Similarities are percentages."""

    status = forms.ChoiceField(label=_("Status"), choices=FLAG_STATUSES, required=False)
    creator = forms.ModelChoiceField(
        label=_("Creator (handle)"),
        queryset=None,
        to_field_name="handle",
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={"invalid_choice": _("No creator with this handle among yours.")},
    )
    similarity_min = forms.IntegerField(
        label=_("Similarity from (%)"), min_value=0, max_value=100, required=False
    )
    similarity_max = forms.IntegerField(
        label=_("Similarity up to (%)"), min_value=0, max_value=100, required=False
    )

    def __init__(self, *args, actor, with_creator: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if with_creator:
            self.fields["creator"].queryset = originality_flag_creators(actor=actor)
        else:
            del self.fields["creator"]

    def clean(self):
        data = super().clean()
        low, high = data.get("similarity_min"), data.get("similarity_max")
        if low is not None and high is not None and low > high:
            self.add_error("similarity_max", _("The upper bound is below the lower one."))
        return data

    def filters(self) -> dict:
        """What ``selectors_originality.originality_flag_list`` takes, from the valid fields
        only (a field in error filters nothing; the page shows its error)."""
        data = getattr(self, "cleaned_data", {})
        creator = data.get("creator") if "creator" in self.fields else None
        low, high = data.get("similarity_min"), data.get("similarity_max")
        if "similarity_max" in self.errors:
            high = None
        return {
            "status": data.get("status") or "",
            "creator_id": creator.pk if creator else None,
            "similarity_min": None if low is None else low / 100,
            "similarity_max": None if high is None else high / 100,
        }


CONTEST_STATUS_FILTER = [("", _("All contests")), *OriginalityContest.Status.choices]


class ContestFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=CONTEST_STATUS_FILTER, required=False)

    def status_value(self) -> str:
        return self.cleaned_data["status"] if self.is_valid() else ""


class OriginalityContestForm(forms.Form):
    """The flagged creator's statement; rendered once per flag (``auto_id`` of the flag's)."""

    statement = forms.CharField(
        label=_("Why is this content original?"),
        max_length=STATEMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say why your content is original.")},
    )

    def clean_statement(self):
        statement = self.cleaned_data["statement"].strip()
        if not statement:
            raise ValidationError(_("Say why your content is original."))
        return statement


class ContestDecisionForm(forms.Form):
    """Uphold or overturn a contested flag, with a note the creator reads (required)."""

    decision = forms.ChoiceField(
        label=_("Decision"),
        widget=forms.RadioSelect,
        choices=[
            (UPHOLD, _("Uphold the flag: it is a duplicate")),
            (OVERTURN, _("Overturn the flag: the content is original")),
        ],
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The creator reads it with the decision."),
        error_messages={"required": _("Say why you decide so.")},
    )

    def clean_note(self):
        note = self.cleaned_data["note"].strip()
        if not note:
            raise ValidationError(_("Say why you decide so."))
        return note
