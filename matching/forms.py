"""The selection centre's filters, one form for the page and the API: a bad value is a clear
error per field (400), never a silently wider list."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from brands.forms import remaining_budget
from brands.selectors import campaigns_taking_offers
from creators import taxonomy
from creators.filters import translated_choices

from . import engine

MAX_LIMIT = 100
MAX_FOLLOWERS = 10**12


def _choices(axis: str) -> list[tuple[str, str]]:
    return [("", _("Any")), *translated_choices(axis)]


class MatchFilterForm(forms.Form):
    """``limit``, follower range, city tier, interest, vertical, and a campaign whose remaining
    budget caps the creators' likely fee."""

    limit = forms.IntegerField(
        required=False, min_value=1, max_value=MAX_LIMIT, initial=20, label=_("Show")
    )
    min_followers = forms.IntegerField(
        required=False, min_value=0, max_value=MAX_FOLLOWERS, label=_("Followers from")
    )
    max_followers = forms.IntegerField(
        required=False, min_value=0, max_value=MAX_FOLLOWERS, label=_("Followers up to")
    )
    city_tier = forms.ChoiceField(
        required=False, choices=_choices("city_tier"), label=_("Creator's city tier")
    )
    interest = forms.ChoiceField(
        required=False, choices=_choices("interests"), label=_("Fans' interest")
    )
    vertical = forms.ChoiceField(required=False, choices=_choices("vertical"), label=_("Vertical"))
    campaign = forms.ModelChoiceField(
        required=False, queryset=None, empty_label=_("No budget limit"), label=_("Within budget of")
    )

    def __init__(self, data=None, *, actor, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["campaign"].queryset = campaigns_taking_offers(actor=actor)

    def clean(self):
        data = super().clean()
        low, high = data.get("min_followers"), data.get("max_followers")
        if low is not None and high is not None and low > high:
            raise ValidationError({"max_followers": _("Must be at least the minimum followers.")})
        return data

    @property
    def top_k(self) -> int:
        return self.cleaned_data.get("limit") or 20

    def filters(self) -> engine.Filters:
        data = self.cleaned_data
        campaign = data.get("campaign")
        return engine.Filters(
            min_followers=data.get("min_followers"),
            max_followers=data.get("max_followers"),
            city_tier=_code(taxonomy.CITY_TIER, data.get("city_tier")),
            interest=_code(taxonomy.INTEREST, data.get("interest")),
            vertical=_code(taxonomy.VERTICAL, data.get("vertical")),
            max_fee=float(remaining_budget(campaign)) if campaign is not None else None,
        )


def _code(keys: tuple[str, ...], value: str | None) -> int | None:
    return keys.index(value) if value else None
