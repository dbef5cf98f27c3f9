"""The selection centre's "describe a target audience" form (the filters are ``forms``')."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from creators import taxonomy

from . import engine, targets


def _choices(axis: str, empty) -> list[tuple[str, str]]:
    return [("", empty)] + [(key, _(label)) for key, label in taxonomy.choices(axis)]


GENDER_CHOICES = [
    ("balanced", _("Balanced")),
    ("female", _("Mostly women")),
    ("male", _("Mostly men")),
]


class TargetForm(forms.Form):
    """A category and a few audience traits; every field may stay open."""

    category = forms.ChoiceField(
        required=False, choices=_choices("vertical", _("Any")), label=_("Category")
    )
    gender = forms.ChoiceField(
        required=False, choices=GENDER_CHOICES, initial="balanced", label=_("Gender lean")
    )
    age = forms.ChoiceField(required=False, choices=_choices("age", _("Any")), label=_("Age band"))
    target_city_tier = forms.ChoiceField(
        required=False, choices=_choices("city_tier", _("Any")), label=_("Fans' city tier")
    )
    target_interest = forms.ChoiceField(
        required=False, choices=_choices("interests", _("Any")), label=_("Fans' interest")
    )

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
