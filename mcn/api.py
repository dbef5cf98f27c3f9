"""Partner API for MCN agencies: the public agency directory (with each agency's public tier),
an agency's certification assessments and what-ifs, and an agency's own contracts.

``GET agencies/{slug}/assessments/`` and ``POST agencies/{slug}/what-if/`` answer the agency
itself, the operator and partners; anyone else gets 404 (the agency is public, its assessments
are not). The what-if is a read sent as a POST (its body is the question): it needs only
``agencies:read``, a read-only role may ask it, and it writes nothing. Without any assessment of
the agency yet it answers 404 with a message saying so.

``POST contracts/`` makes an *offer*; the creator answers it in its portal, or with its own
signed-in session through ``contracts/{id}/accept/`` and ``decline/`` (keys belong to
organizations, so no key can answer for a creator).
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from api.pagination import CursorPage
from api.views import TenantViewSet
from tenancy.models import Organization

from .filters import ContractApiFilter
from .models import AgencyAssessment, Contract
from .selectors import (
    agencies_directory,
    assessment_what_if,
    assessments_of,
    contracts_visible,
    creator_id_for_handle,
    latest_assessment_of,
    may_read_assessments,
)
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
        allow_null=True,
        default=None,
        help_text="The public tier (星火计划): the effective tier (an accepted appeal's "
        "included) of the latest certification cycle, S, A or B; null before any cycle or "
        "for an agency without one",
    )

    class Meta:
        model = Organization
        fields = ["slug", "name", "region", "signed_creators", "tier"]


class LargestFirst(CursorPage):
    ordering = ("-signed_count", "slug")


class ComponentOutput(serializers.Serializer):
    metric = serializers.CharField()
    value = serializers.FloatField(allow_null=True, help_text="null: no data (scored neutral)")
    weight = serializers.FloatField()
    contribution = serializers.FloatField(help_text="Points of the score; they add up to it")


class GateOutput(serializers.Serializer):
    name = serializers.CharField()
    passed = serializers.BooleanField()


class ChangeOutput(serializers.Serializer):
    metric = serializers.CharField()
    # ``from`` is a Python keyword: declared below.
    to = serializers.FloatField()
    cost = serializers.FloatField(help_text="The move as a share of the cohort's range")

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.FloatField(allow_null=True, help_text="null: no data")
        return {name: fields[name] for name in ("metric", "from", "to", "cost")}


class NextTierOutput(serializers.Serializer):
    tier = serializers.CharField()
    changes = ChangeOutput(many=True, help_text="Applied together, these reach `tier`")
    alternatives = ChangeOutput(
        many=True, help_text="Every single-metric way of closing the score gap, cheapest first"
    )


class AssessmentOutput(serializers.Serializer):
    run = serializers.IntegerField(source="run_id", help_text="The certification run (cycle)")
    as_of = serializers.DateField(help_text="The last day of the cycle's window")
    policy_version = serializers.IntegerField(source="run.policy.version")
    tier = serializers.CharField(
        source="effective_tier", allow_null=True, help_text="The tier that counts; null: none"
    )
    computed_tier = serializers.SerializerMethodField(help_text="What the rubric gave")
    override_reason = serializers.CharField(help_text="An accepted appeal's reason, or empty")
    score = serializers.FloatField(allow_null=True)
    components = ComponentOutput(many=True)
    gates = GateOutput(many=True)
    next_tier = NextTierOutput(allow_null=True, help_text="The way up; null at S or out of reach")
    previous_tier = serializers.SerializerMethodField()
    change = serializers.ChoiceField(choices=AgencyAssessment.Change.choices)

    def get_computed_tier(self, row) -> str | None:
        return row.tier or None

    def get_previous_tier(self, row) -> str | None:
        return row.previous_tier or None


class WhatIfInput(serializers.Serializer):
    metrics = serializers.DictField(
        child=serializers.FloatField(),
        help_text="metric → value replacing the latest assessment's (rates from 0 to 1)",
    )


class WhatIfOutput(serializers.Serializer):
    tier = serializers.CharField(allow_null=True)
    score = serializers.FloatField(allow_null=True)
    components = ComponentOutput(many=True)
    gates = GateOutput(many=True)
    next_tier = NextTierOutput(allow_null=True)


class LatestFirst(CursorPage):
    ordering = ("-as_of", "-run_id")


class AgencyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """MCN agencies, largest first: public to every tenant with ``agencies:read``."""

    pagination_class = LargestFirst
    read_scope = "agencies:read"
    serializer_class = AgencyOutput
    lookup_field = "slug"
    read_actions = frozenset({"what_if"})

    def scoped_queryset(self, *, actor) -> QuerySet[Organization]:
        return agencies_directory(actor=actor)

    def _entitled_agency(self) -> Organization:
        agency = self.get_object()  # public: an unknown slug is a 404
        if not may_read_assessments(actor=self.actor, agency=agency):
            raise NotFound  # the same answer as an unknown agency
        return agency

    @extend_schema(responses=AssessmentOutput(many=True))
    @action(detail=True, methods=["get"], pagination_class=LatestFirst)
    def assessments(self, request, slug=None):
        """The agency's certification assessments, latest cycle first: for the agency itself,
        the operator and partners (anyone else: 404)."""
        rows = assessments_of(actor=self.actor, agency=self._entitled_agency())
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(AssessmentOutput(page, many=True).data)

    @extend_schema(request=WhatIfInput, responses=WhatIfOutput)
    @action(detail=True, methods=["post"], url_path="what-if")
    def what_if(self, request, slug=None):
        """The tier, score, gates and way up of the agency's latest assessment with some
        metrics replaced, scored against the same cycle's cohort and policy. A read: it writes
        nothing and needs only ``agencies:read``. 404 without any assessment yet."""
        agency = self._entitled_agency()
        data = WhatIfInput(data=request.data)
        data.is_valid(raise_exception=True)
        latest = latest_assessment_of(actor=self.actor, agency=agency)
        if latest is None:
            raise NotFound(_("This agency has not been assessed yet."))
        try:
            result = assessment_what_if(assessment=latest, metrics=data.validated_data["metrics"])
        except DjangoValidationError as error:
            raise serializers.ValidationError({"metrics": error.message_dict}) from None
        return Response(WhatIfOutput(result).data)


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
            raise serializers.ValidationError({"creator": [_("Unknown creator handle.")]})
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
