"""The selection centre's page forms: "describe a target audience", and the filters with
labels and taxonomy choices in the page's language (the filter logic is ``forms``')."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from creators import taxonomy
from creators.filters import taxonomy_lang

from . import engine, targets
from .forms import MatchFilterForm

GENDER_CHOICES = [
    ("balanced", _("Balanced")),
    ("female", _("Mostly women")),
    ("male", _("Mostly men")),
]


def taxonomy_choices(axis: str) -> list[tuple[str, str]]:
    """``[("", Any), (key, label in the page's language)…]``."""
    lang = taxonomy_lang()
    return [("", _("Any"))] + [(k, taxonomy.label(k, lang, axis=axis)) for k in taxonomy.keys(axis)]


def _localise(form: forms.Form, axes: dict[str, str], labels: dict) -> None:
    for name, axis in axes.items():
        form.fields[name].choices = taxonomy_choices(axis)
    for name, label in labels.items():
        form.fields[name].label = label


class TargetForm(forms.Form):
    """A category and a few audience traits; every field may stay open."""

    category = forms.ChoiceField(required=False, label=_("Category"))
    gender = forms.ChoiceField(
        required=False, choices=GENDER_CHOICES, initial="balanced", label=_("Gender lean")
    )
    age = forms.ChoiceField(required=False, label=_("Age band"))
    target_city_tier = forms.ChoiceField(required=False, label=_("Fans' city tier"))
    target_interest = forms.ChoiceField(required=False, label=_("Fans' interest"))

    AXES = {
        "category": "vertical",
        "age": "age",
        "target_city_tier": "city_tier",
        "target_interest": "interests",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _localise(self, self.AXES, {})

    def portrait(self) -> dict[str, dict[str, float]]:
        data = self.cleaned_data
        return targets.target_portrait(
            gender=data.get("gender") or None,
            age=data.get("age") or None,
            city_tier=data.get("target_city_tier") or None,
            interest=data.get("target_interest") or None,
        )

    def product(self) -> engine.Product:
        """The described target as the matcher's product."""
        return engine.Product(
            shares=engine.dense_shares([self.portrait()])[0],
            category=targets.category_code(self.cleaned_data.get("category") or None),
            price=targets.DEFAULT_PRICE,
        )


class FilterPageForm(MatchFilterForm):
    """The filters as the page shows them (the API takes the same fields)."""

    LABELS = {
        "limit": _("Creators shown"),
        "min_followers": _("Followers from"),
        "max_followers": _("Followers up to"),
        "city_tier": _("City tier"),
        "interest": _("Fans' main interest"),
        "vertical": _("Vertical"),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        axes = {"city_tier": "city_tier", "interest": "interests", "vertical": "vertical"}
        _localise(self, axes, self.LABELS)
