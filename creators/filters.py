"""The creator directory's filters: one FilterSet for the dashboard page and (later) the API.

Kept free of view logic: it knows fields and lookups, not requests or templates.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.functional import lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from . import taxonomy
from .models import Creator

#: An interest "counts" for a creator when at least this share of its audience's attention is on
#: it; interest shares sum to 1 over 13 keys, so 0.15 is about twice an even split.
INTEREST_MIN_SHARE = 0.15


def taxonomy_lang() -> str:
    """The taxonomy language of the active UI language (the taxonomy knows 'en' and 'zh-hans')."""
    return "zh-hans" if (get_language() or "").lower().startswith("zh") else "en"


def _label(key: str, axis: str) -> str:
    return taxonomy.label(key, taxonomy_lang(), axis=axis)


#: Labels resolved when rendered, so one choices list serves every request's language.
lazy_label = lazy(_label, str)


def translated_choices(axis: str) -> list[tuple[str, str]]:
    return [(key, lazy_label(key, axis)) for key in taxonomy.keys(axis)]


class CreatorFilterForm(forms.Form):
    def clean(self):
        data = super().clean()
        low, high = data.get("followers_min"), data.get("followers_max")
        if low is not None and high is not None and low > high:
            self.add_error("followers_max", _("Must be at least the minimum followers."))
        return data


#: No account has more followers than this (there are ~8·10**9 people); a larger bound is a
#: typo, and would overflow the database integer on PostgreSQL.
COUNT_MAX = 10**12


class CountFilter(django_filters.NumberFilter):
    """A whole, non-negative count (followers): '1.5', '-3' or 10**25 is an input error, not a
    filter."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", COUNT_MAX)
        super().__init__(*args, **kwargs)


class CreatorFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Search"), max_length=64)
    vertical = django_filters.ChoiceFilter(
        choices=translated_choices("vertical"), label=_("Vertical"), empty_label=_("Any")
    )
    followers_min = CountFilter(
        field_name="followers", lookup_expr="gte", label=_("Followers from")
    )
    followers_max = CountFilter(
        field_name="followers", lookup_expr="lte", label=_("Followers up to")
    )
    city_tier = django_filters.ChoiceFilter(
        choices=translated_choices("city_tier"), label=_("City tier"), empty_label=_("Any")
    )
    interest = django_filters.ChoiceFilter(
        choices=translated_choices("interests"),
        method="filter_interest",
        label=_("Audience interest"),
        empty_label=_("Any"),
    )

    class Meta:
        model = Creator
        fields: list[str] = []  # every filter is declared above
        form = CreatorFilterForm

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        """All or nothing: when any filter cannot apply, none does. The page shows every row
        with the error (never a half-filtered list that looks like an answer); the API's filter
        backend answers 400 before it gets here."""
        if not self.is_valid():
            return queryset
        return super().filter_queryset(queryset)

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip().lstrip("@")
        if not value:
            return queryset
        return queryset.filter(Q(handle__icontains=value) | Q(display_name__icontains=value))

    def filter_interest(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # `value` is one of the taxonomy keys (the choice field refused anything else), so it is
        # safe as a JSON key; the lookup runs on SQLite and PostgreSQL alike.
        lookup = f"audience__interests__{value}__gte"
        return queryset.filter(**{lookup: INTEREST_MIN_SHARE})
