from django import forms
from django.utils.translation import gettext_lazy as _

from .scopes import scope_choices


class ApiKeyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50)
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"), choices=scope_choices, widget=forms.CheckboxSelectMultiple
    )
    expires_in_days = forms.IntegerField(
        label=_("Expires in (days)"), min_value=1, max_value=3650, required=False
    )
