"""FilterSets shared by the agency pages and (later) the mcn API, so both filter alike."""

import django_filters
from django.db.models import Q
from django.http import QueryDict
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from creators import taxonomy

from .models import Contract


def vertical_choices() -> list[tuple[str, str]]:
    """Verticals labelled in the active language (the taxonomy carries both)."""
    lang = "zh-hans" if (get_language() or "").startswith("zh") else "en"
    return [(key, taxonomy.label(key, lang, axis="vertical")) for key in taxonomy.keys("vertical")]


class ContractFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Creator"))
    vertical = django_filters.ChoiceFilter(
        field_name="creator__vertical",
        choices=vertical_choices,
        label=_("Vertical"),
        empty_label=_("Any vertical"),
    )
    status = django_filters.ChoiceFilter(
        choices=Contract.Status.choices, label=_("Status"), empty_label=None
    )

    class Meta:
        model = Contract
        fields = ["q", "vertical", "status"]

    def __init__(self, data=None, *args, **kwargs):
        # A roster is the active contracts unless someone asks for the ended ones.
        data = data.copy() if data is not None else QueryDict(mutable=True)
        if not data.get("status"):
            data["status"] = Contract.Status.ACTIVE
        super().__init__(data, *args, **kwargs)

    def filter_q(self, queryset, name, value):
        return queryset.filter(
            Q(creator__handle__icontains=value) | Q(creator__display_name__icontains=value)
        )
