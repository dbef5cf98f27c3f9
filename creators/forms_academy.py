"""Forms of the academy pages; the services validate again (and the model's constraints)."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import Track
from .services_academy import DOWN, UP


class CourseForm(forms.Form):
    slug = forms.SlugField(
        label=_("Short name (in the address)"),
        max_length=64,
        help_text=_("Letters, digits, hyphens and underscores."),
    )
    track = forms.ChoiceField(label=pgettext_lazy("academy", "Track"), choices=Track.choices)
    title = forms.CharField(label=_("Title"), max_length=160)
    summary = forms.CharField(
        label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class LessonForm(forms.Form):
    title = forms.CharField(label=_("Lesson title"), max_length=160)
    body = forms.CharField(
        label=_("Lesson text"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    minutes = forms.IntegerField(label=_("Minutes"), min_value=1, max_value=600, initial=10)


class EnrolForm(forms.Form):
    course = forms.SlugField(max_length=64, error_messages={"required": _("Choose a course.")})


class PublishForm(forms.Form):
    published = forms.TypedChoiceField(
        choices=[("1", _("Publish")), ("0", _("Unpublish"))], coerce=lambda value: value == "1"
    )


class MoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[(UP, _("Up")), (DOWN, _("Down"))])
