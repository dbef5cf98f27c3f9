"""Partner API for MCN agencies: the public agency directory, and an agency's own contracts.

``POST contracts/`` makes an *offer*; the creator answers it in its portal, or with its own
signed-in session through ``contracts/{id}/accept/`` and ``decline/`` (keys belong to
organizations, so no key can answer for a creator).
"""

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from api.pagination import CursorPage
from api.views import TenantViewSet
from tenancy.models import Organization

from .filters import ContractApiFilter
from .models import Contract
from .selectors import agencies_directory, contracts_visible, creator_id_for_handle
from .services import (
    OFFER_DAYS_DEFAULT,
    OFFER_DAYS_MAX,
    contract_accept,
    contract_decline,
    contract_end,
    contract_offer,
    contract_today,
    contract_withdraw,
)


class AgencyOutput(serializers.ModelSerializer):
    signed_creators = serializers.IntegerField(source="signed_count")
    tier = serializers.CharField(
        allow_null=True, default=None, help_text="S, A or B once certified (星火计划); null before"
    )

    class Meta:
        model = Organization
        fields = ["slug", "name", "region", "signed_creators", "tier"]


class LargestFirst(CursorPage):
    ordering = ("-signed_count", "slug")


class AgencyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """MCN agencies, largest first: public to every tenant with ``agencies:read``."""

    pagination_class = LargestFirst
    read_scope = "agencies:read"
    serializer_class = AgencyOutput
    lookup_field = "slug"

    def scoped_queryset(self, *, actor) -> QuerySet[Organization]:
        return agencies_directory(actor=actor)


class ContractOutput(serializers.ModelSerializer):
    creator = serializers.SlugRelatedField(slug_field="handle", read_only=True)

    class Meta:
        model = Contract
        fields = [
            "id",
            "agency",
            "creator",
            "start",
            "end",
            "revenue_share_pct",
            "status",
            "message",
            "offer_expires_at",
            "accepted_at",
            "end_reason",
        ]

    agency = serializers.SlugRelatedField(source="organization", slug_field="slug", read_only=True)


class ContractInput(serializers.Serializer):
    creator = serializers.SlugField(help_text="creator handle")
    start = serializers.DateField(
        help_text="First day of the agency's rights (platform time zone); today or later"
    )
    revenue_share_pct = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=0, max_value=100
    )
    message = serializers.CharField(
        max_length=1000, required=False, default="", allow_blank=True, trim_whitespace=True
    )
    expires_in_days = serializers.IntegerField(
        min_value=1,
        max_value=OFFER_DAYS_MAX,
        default=OFFER_DAYS_DEFAULT,
        help_text="How long the creator has to answer",
    )


class ContractEndInput(serializers.Serializer):
    end = serializers.DateField(default=contract_today)
    reason = serializers.CharField(max_length=200, required=False, default="")


class ContractViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """The acting agency's contracts and offers, or a signed-in creator's own (private: other
    tenants never see them, and another's contract answers 404)."""

    read_scope = "agencies:read"
    write_scope = "contracts:write"
    serializer_class = ContractOutput
    filterset_class = ContractApiFilter

    def scoped_queryset(self, *, actor) -> QuerySet[Contract]:
        return contracts_visible(actor=actor).select_related("creator", "organization")

    @extend_schema(request=ContractInput, responses={201: ContractOutput})
    def create(self, request):
        """Offer a contract to a creator with none active. It is ``offered`` until the creator
        accepts it; the agency has no rights over the creator before that and the start date."""
        data = ContractInput(data=request.data)
        data.is_valid(raise_exception=True)
        terms = dict(data.validated_data)
        creator_id = creator_id_for_handle(actor=self.actor, handle=terms.pop("creator"))
        if creator_id is None:
            raise serializers.ValidationError({"creator": ["Unknown creator handle."]})
        contract = contract_offer(actor=self.actor, creator_id=creator_id, **terms)
        return Response(ContractOutput(contract).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=ContractOutput)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """The agency withdraws an offer the creator has not answered."""
        contract = contract_withdraw(actor=self.actor, contract=self.get_object())
        return Response(ContractOutput(contract).data)

    @extend_schema(request=None, responses=ContractOutput)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """The creator itself (signed-in session) accepts an offer made to it."""
        contract = contract_accept(actor=self.actor, contract=self.get_object())
        return Response(ContractOutput(contract).data)

    @extend_schema(request=None, responses=ContractOutput)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        """The creator itself (signed-in session) declines an offer made to it."""
        contract = contract_decline(actor=self.actor, contract=self.get_object())
        return Response(ContractOutput(contract).data)

    @extend_schema(request=ContractEndInput, responses=ContractOutput)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        contract = self.get_object()  # first: another agency's contract is a 404
        data = ContractEndInput(data=request.data)
        data.is_valid(raise_exception=True)
        contract = contract_end(
            actor=self.actor,
            contract=contract,
            end=data.validated_data["end"],
            reason=data.validated_data["reason"],
        )
        return Response(ContractOutput(contract).data)


ROUTES = [("agencies", AgencyViewSet, "agency"), ("contracts", ContractViewSet, "contract")]
