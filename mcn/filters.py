"""FilterSets shared by the agency pages and (later) the mcn API, so both filter alike."""

import django_filters
from django.db.models import Q
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from creators.filters import translated_choices

from .models import Contract


class ContractFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Creator"))
    vertical = django_filters.ChoiceFilter(
        field_name="creator__vertical",
        choices=translated_choices("vertical"),
        label=_("Vertical"),
        empty_label=_("Any vertical"),
    )
    status = django_filters.ChoiceFilter(
        choices=Contract.Status.choices, label=_("Status"), empty_label=None
    )

    #: A roster page shows the active contracts unless someone asks for another status.
    default_status: str | None = Contract.Status.ACTIVE

    class Meta:
        model = Contract
        fields = ["q", "vertical", "status"]

    def __init__(self, data=None, *args, **kwargs):
        data = data.copy() if data is not None else QueryDict(mutable=True)
        if not data.get("status") and self.default_status:
            data["status"] = self.default_status
        super().__init__(data, *args, **kwargs)

    def filter_q(self, queryset, name, value):
        return queryset.filter(
            Q(creator__handle__icontains=value) | Q(creator__display_name__icontains=value)
        )


class ContractApiFilter(ContractFilter):
    """The same filters for the API, without the page's default: a list shows every status
    unless ``?status=`` narrows it, and ``contracts/{id}/…`` finds an offer or an ended
    contract too (DRF filters the queryset of detail routes as well)."""

    default_status = None
