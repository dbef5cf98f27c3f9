"""Partner API for MCN agencies: the public agency directory, and an agency's own contracts."""

import datetime

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from api.pagination import CursorPage
from api.views import TenantViewSet
from creators.models import Creator
from tenancy.models import Organization

from .filters import ContractFilter
from .models import Contract
from .selectors import agencies_directory, contracts_of_agency
from .services import contract_end, contract_sign


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
        fields = ["id", "creator", "start", "end", "revenue_share_pct", "status", "end_reason"]


class ContractInput(serializers.Serializer):
    creator = serializers.SlugField(help_text="creator handle")
    start = serializers.DateField()
    revenue_share_pct = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=0, max_value=100
    )


class ContractEndInput(serializers.Serializer):
    end = serializers.DateField(default=datetime.date.today)
    reason = serializers.CharField(max_length=200, required=False, default="")


class ContractViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """The acting agency's contracts (private: other tenants never see them)."""

    read_scope = "agencies:read"
    write_scope = "contracts:write"
    serializer_class = ContractOutput
    filterset_class = ContractFilter

    def scoped_queryset(self, *, actor) -> QuerySet[Contract]:
        return contracts_of_agency(actor=actor, status=None)

    @extend_schema(request=ContractInput, responses={201: ContractOutput})
    def create(self, request):
        """Sign a creator who has no active contract (400 if it has one)."""
        data = ContractInput(data=request.data)
        data.is_valid(raise_exception=True)
        terms = dict(data.validated_data)
        creator_id = (
            Creator.objects.filter(handle=terms.pop("creator")).values_list("pk", flat=True).first()
        )
        if creator_id is None:
            raise serializers.ValidationError({"creator": ["Unknown creator handle."]})
        contract = contract_sign(actor=self.actor, creator_id=creator_id, **terms)
        return Response(ContractOutput(contract).data, status=status.HTTP_201_CREATED)

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
