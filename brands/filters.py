"""FilterSets shared by the brand pages and (later) the brands API, so both filter alike."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import Campaign, Collaboration


class CampaignFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("Name"))
    status = django_filters.ChoiceFilter(
        choices=Campaign.Status.choices, label=_("Status"), empty_label=_("Any status")
    )
    mode = django_filters.ChoiceFilter(
        choices=Campaign.Mode.choices, label=_("Mode"), empty_label=_("Any mode")
    )

    class Meta:
        model = Campaign
        fields = ["q", "status", "mode"]


class CollaborationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    status = django_filters.ChoiceFilter(
        choices=Collaboration.Status.choices, label=_("Status"), empty_label=_("Any status")
    )

    class Meta:
        model = Collaboration
        fields = ["q", "status"]

    def filter_q(self, queryset, name, value):
        # One box for what people remember of an offer: the creator, product or campaign.
        return queryset.filter(
            Q(creator__handle__icontains=value)
            | Q(creator__display_name__icontains=value)
            | Q(product__name__icontains=value)
            | Q(campaign__name__icontains=value)
        )
