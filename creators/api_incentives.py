"""Partner API of the incentive plan, read-only: plans and milestones (public to every tenant
with ``incentives:read``), awards scoped by ``Award``'s manager (a creator its own, an agency
its signed creators', the operator all; anyone else none). Budget figures are the operator's."""

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema_field
from rest_framework import mixins, serializers

from api.pagination import CursorPage
from api.views import TenantViewSet

from .models import Award, IncentivePlan, Milestone, MilestoneKind, Track
from .selectors_incentives import awards, incentive_plans, milestones_list

READ_SCOPE = "incentives:read"


class MilestoneOutput(serializers.ModelSerializer):
    # Declared: the model field's blank default made the schema an allOf with a default, which
    # generated clients cannot parse (tests/api/test_generated_client.py).
    track = serializers.ChoiceField(
        choices=Track.choices,
        allow_blank=True,
        read_only=True,
        help_text="The academy track of a track milestone; empty for the other kinds",
    )

    class Meta:
        model = Milestone
        fields = ["id", "plan", "kind", "threshold", "track", "amount", "title"]
        read_only_fields = fields


class PlanBudget(serializers.Serializer):
    budget = serializers.DecimalField(max_digits=14, decimal_places=2)
    spent = serializers.DecimalField(max_digits=14, decimal_places=2)
    remaining = serializers.DecimalField(max_digits=14, decimal_places=2)


class IncentivePlanOutput(serializers.ModelSerializer):
    milestones = MilestoneOutput(many=True, read_only=True)
    budget = serializers.SerializerMethodField(help_text="The operator's only; else null")

    class Meta:
        model = IncentivePlan
        fields = ["id", "name", "description", "starts_on", "ends_on", "active", "milestones",
                  "budget"]  # fmt: skip

    @extend_schema_field(PlanBudget(allow_null=True))
    def get_budget(self, plan):
        actor = self.context["view"].actor
        return PlanBudget(plan).data if actor is not None and actor.is_operator else None


class AwardOutput(serializers.ModelSerializer):
    creator = serializers.SlugRelatedField(slug_field="handle", read_only=True)

    class Meta:
        model = Award
        fields = ["id", "plan", "milestone", "creator", "amount", "achieved_on", "status",
                  "awarded_at", "revoked_at", "revoked_reason", "evidence"]  # fmt: skip
        read_only_fields = fields


class MilestoneFilter(django_filters.FilterSet):
    """By plan id (plans are public rules: a plain number, no choices to resolve) and kind."""

    plan = django_filters.NumberFilter(field_name="plan_id")
    kind = django_filters.ChoiceFilter(choices=MilestoneKind.choices)

    class Meta:
        model = Milestone
        fields = ["plan", "kind"]


class AwardFilter(django_filters.FilterSet):
    plan = django_filters.NumberFilter(field_name="plan_id")
    milestone = django_filters.NumberFilter(field_name="milestone_id")
    status = django_filters.ChoiceFilter(choices=Award.Status.choices)

    class Meta:
        model = Award
        fields = ["plan", "milestone", "status"]


class AchievedPage(CursorPage):
    ordering = ("-achieved_on",)


class StartsPage(CursorPage):
    ordering = ("-starts_on",)


class IncentivePlanViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Incentive plans (光合计划) and their milestone rules."""

    read_scope = READ_SCOPE
    serializer_class = IncentivePlanOutput
    pagination_class = StartsPage
    filterset_fields = ["active"]

    def scoped_queryset(self, *, actor) -> QuerySet[IncentivePlan]:
        return incentive_plans(actor=actor).prefetch_related("milestones")


class MilestoneViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Milestone rules of every plan: a count to reach, a first sale, or an academy track."""

    read_scope = READ_SCOPE
    serializer_class = MilestoneOutput
    filterset_class = MilestoneFilter

    def scoped_queryset(self, *, actor) -> QuerySet[Milestone]:
        return milestones_list(actor=actor)


class AwardViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Awards paid by the incentive plans: a creator's own, an agency's signed creators', all
    for the operator; others see none (and 404 on one)."""

    read_scope = READ_SCOPE
    serializer_class = AwardOutput
    pagination_class = AchievedPage
    filterset_class = AwardFilter

    def scoped_queryset(self, *, actor) -> QuerySet[Award]:
        return awards(actor=actor)


ROUTES = [
    ("incentives/plans", IncentivePlanViewSet, "incentive-plan"),
    ("incentives/milestones", MilestoneViewSet, "incentive-milestone"),
    ("incentives/awards", AwardViewSet, "incentive-award"),
]
