from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Collaboration


class TransitionForm(forms.Form):
    """The status a collaboration row's button asks for; the service decides if it may."""

    to = forms.ChoiceField(label=_("New status"), choices=Collaboration.Status.choices)
