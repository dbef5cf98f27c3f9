"""Partner API for traffic allocation runs: the operator sees all, partners the published ones."""

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers
from rest_framework.decorators import action

from api.pagination import CursorPage
from api.views import TenantViewSet

from .models import Allocation, AllocationRun
from .selectors import allocation_runs_list, allocations_of_run


class RunOutput(serializers.ModelSerializer):
    band_shares = serializers.DictField(child=serializers.FloatField())

    class Meta:
        model = AllocationRun
        fields = [
            "id",
            "status",
            "progress",
            "pool",
            "target_gini",
            "floor",
            "cap",
            "as_of",
            "creators",
            "gini_before",
            "gini_after",
            "distance",
            "merit_retained",
            "band_shares",
            "package_impressions",
            "package_share",
            "error",
            "created_at",
            "started_at",
            "finished_at",
            "published",
            "published_at",
        ]


class AllocationOutput(serializers.ModelSerializer):
    creator = serializers.SlugRelatedField(slug_field="handle", read_only=True)

    class Meta:
        model = Allocation
        fields = ["creator", "merit", "impressions", "package_impressions", "eligible"]


class MostImpressionsFirst(CursorPage):
    ordering = ("-impressions", "id")


class AllocationRunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Traffic allocation runs (Gini-capped exposure sharing) and their per-creator results."""

    read_scope = "traffic:read"
    serializer_class = RunOutput
    filterset_fields = ["status", "published"]

    def scoped_queryset(self, *, actor) -> QuerySet[AllocationRun]:
        return allocation_runs_list(actor=actor)

    @extend_schema(responses=AllocationOutput(many=True))
    @action(detail=True, filter_backends=[], pagination_class=MostImpressionsFirst)
    def allocations(self, request, pk=None):
        """Per-creator merit and impressions: every row for the operator, a creator's own;
        partners read the run's aggregate figures only, so their list is empty."""
        rows = allocations_of_run(actor=self.actor, run=self.get_object())
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(AllocationOutput(page, many=True).data)


ROUTES = [("traffic/runs", AllocationRunViewSet, "traffic-run")]
