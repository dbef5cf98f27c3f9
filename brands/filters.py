"""FilterSets shared by the brand pages and (later) the brands API, so both filter alike.

A filter on a related id resolves its choices through the acting actor, never through Django's
default manager (which sees every tenant): another tenant's id is then as unknown as a missing
one, and both answer 400 "not one of the available choices", so a filter is no existence oracle.
"""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tenancy.scoping import require_actor

from .models import Campaign, Collaboration, Complaint, Order, Refund
from .selectors import collaborations_of_brand


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


def own_collaborations(request):
    """The collaborations an order may name: the acting brand's (as ``OrderSerializer``)."""
    return collaborations_of_brand(actor=require_actor())


class OrderFilter(django_filters.FilterSet):
    collaboration = django_filters.ModelChoiceFilter(
        queryset=own_collaborations, label=_("Collaboration")
    )

    class Meta:
        model = Order
        fields = ["collaboration"]


class RefundFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=Refund.Status.choices, label=_("Status"), empty_label=_("Any status")
    )
    reason = django_filters.ChoiceFilter(
        choices=Refund.Reason.choices, label=_("Reason"), empty_label=_("Any reason")
    )

    class Meta:
        model = Refund
        fields = ["status", "reason"]


class ComplaintFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=Complaint.Status.choices, label=_("Status"), empty_label=_("Any status")
    )
    category = django_filters.ChoiceFilter(
        choices=Complaint.Category.choices, label=_("Category"), empty_label=_("Any category")
    )

    class Meta:
        model = Complaint
        fields = ["status", "category"]
