"""The operator's form to start an allocation run; the service validates again."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .services import POOL_MAX


class RunForm(forms.Form):
    pool = forms.IntegerField(
        label=_("Pool"), min_value=1, max_value=POOL_MAX, help_text=_("Impressions to split")
    )
    target_gini = forms.FloatField(
        label=_("Target Gini"),
        min_value=0,
        max_value=1,
        help_text=_("0 = everyone equal, 1 = one creator gets everything"),
    )
    floor = forms.FloatField(
        label=_("Floor"),
        min_value=0,
        max_value=POOL_MAX,
        initial=0,
        help_text=_("Least impressions per eligible creator"),
    )
    cap = forms.FloatField(
        label=_("Cap"),
        min_value=0,
        max_value=POOL_MAX,
        required=False,
        help_text=_("Most impressions per creator (empty: no cap)"),
    )

    def clean(self):
        data = super().clean()
        floor, cap = data.get("floor"), data.get("cap")
        if floor is not None and cap is not None and cap < floor:
            raise ValidationError({"cap": _("The cap cannot be below the floor.")})
        return data
