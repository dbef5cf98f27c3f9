"""Partner API for creators: directory, audience portraits, metrics, content, bulk ingestion.

Public fields go to every tenant with ``creators:read``; private ones (agency, income figures)
only to the creator's agency and the operator, decided by ``selectors.can_see_private``.
"""

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response

from api.errors import error_body
from api.pagination import CursorPage
from api.schema import RowErrorOutput
from api.views import TenantAPIView, TenantViewSet

from .filters import CreatorFilter
from .ingest import (
    CONTENT_FIELDS,
    MAX_ROWS,
    MONEY,
    SNAPSHOT_FIELDS,
    RowErrors,
    content_items_upsert,
    metric_snapshots_upsert,
)
from .models import AudienceProfile, ContentItem, Creator, MetricSnapshot
from .selectors import (
    DIRECTORY_DEFAULT_ORDERING,
    DIRECTORY_FIGURE_FIELDS,
    DIRECTORY_ORDERING_FIELDS,
    PRIVATE_METRICS,
    PUBLIC_METRICS,
    can_see_private,
    creator_audience,
    creator_content,
    creators_directory,
    directory_figures,
    directory_nullable_sort_fields,
    directory_ordering_refusal,
    directory_sort_fields,
    directory_sorted,
    metric_rows,
)

#: The creator's own columns in the API's answers (the figures follow them).
CREATOR_COLUMNS = [
    "handle",
    "display_name",
    "vertical",
    "region",
    "city_tier",
    "followers",
    "joined",
    "status",
]


class CreatorOutput(serializers.ModelSerializer):
    engagement_rate = serializers.FloatField(
        read_only=True,
        allow_null=True,
        help_text="Σ likes, comments and shares ÷ Σ views over the 28 days up to today "
        "(null without views then)",
    )
    avg_views = serializers.FloatField(
        read_only=True,
        allow_null=True,
        help_text="Views per snapshot over the 28 days up to today (null without snapshots then)",
    )

    class Meta:
        model = Creator
        fields = [*CREATOR_COLUMNS, *DIRECTORY_FIGURE_FIELDS]


class CreatorPrivateFields(serializers.ModelSerializer):
    agency = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)

    class Meta:
        model = Creator
        fields = ["agency"]


class CreatorDetailOutput(CreatorOutput):
    private = serializers.SerializerMethodField(
        help_text="Only for the creator's agency, the operator and the creator; else null"
    )

    class Meta(CreatorOutput.Meta):
        fields = [*CreatorOutput.Meta.fields, "private"]

    @extend_schema_field(CreatorPrivateFields(allow_null=True))
    def get_private(self, creator):
        if not self.context.get("private"):
            return None
        return CreatorPrivateFields(creator).data


class AudienceOutput(serializers.ModelSerializer):
    gender = serializers.DictField(child=serializers.FloatField())
    age = serializers.DictField(child=serializers.FloatField())
    city_tier = serializers.DictField(child=serializers.FloatField())
    interests = serializers.DictField(child=serializers.FloatField())

    class Meta:
        model = AudienceProfile
        fields = ["gender", "age", "city_tier", "interests", "updated_at"]


class MetricOutput(serializers.ModelSerializer):
    class Meta:
        model = MetricSnapshot
        fields = ["date", *PUBLIC_METRICS, *PRIVATE_METRICS]


class PublicMetricOutput(MetricOutput):
    class Meta(MetricOutput.Meta):
        fields = ["date", *PUBLIC_METRICS]


class ContentOutput(serializers.ModelSerializer):
    class Meta:
        model = ContentItem
        fields = ["external_id", "kind", "title", "text", "published_at", "views", "engagement"]


class DatePage(CursorPage):
    """One creator's snapshots: one per date (``snapshot_unique_per_day``), so the date alone
    orders them totally and the (creator, date) index serves every page."""

    ordering = "-date"
    ordering_is_total = True


class PublishedPage(CursorPage):
    ordering = "-published_at"


class FilterWhenAsked(DjangoFilterBackend):
    """The FilterSet only when a request names one of its filters: with none, there is nothing
    to filter or refuse, and building it (form, translated choices) cost ~1 ms of each page."""

    def filter_queryset(self, request, queryset, view):
        names = self.get_filterset_class(view, queryset).base_filters
        if not any(name in request.query_params for name in names):
            return queryset
        return super().filter_queryset(request, queryset, view)


class DirectoryOrdering(OrderingFilter):
    """The directory page's ``?ordering=`` values (``creators.selectors``), comma-separated as in
    DRF: an unknown one is ignored, a column registered for other viewers (a brand's own GMV) is
    a 400, and a figure column is annotated on the rows so that the cursor can page by it."""

    def get_ordering(self, request, queryset, view):
        asked = request.query_params.get(self.ordering_param, "")
        terms = [term.strip() for term in asked.split(",") if term.strip()]
        for term in terms:
            refusal = directory_ordering_refusal(actor=view.actor, value=term)
            if refusal:
                raise serializers.ValidationError({self.ordering_param: [refusal]})
        known = directory_sort_fields(actor=view.actor)
        return [term for term in terms if term.removeprefix("-") in known] or [
            DIRECTORY_DEFAULT_ORDERING
        ]

    def filter_queryset(self, request, queryset, view):
        ordering = self.get_ordering(request, queryset, view)
        for term in ordering:
            queryset = directory_sorted(queryset, term, actor=view.actor)
        return queryset.order_by(*ordering)

    ordering_description = (
        f"One of {', '.join(DIRECTORY_ORDERING_FIELDS)} (a brand also its own median_fee and "
        "gmv), with - for descending. Creators without the figure come last either way."
    )


class DirectoryPage(CursorPage):
    """The directory's figure columns may be NULL (no snapshots in the window): last both ways."""

    @property
    def nulls_last(self) -> frozenset[str]:
        return directory_nullable_sort_fields()


class CreatorViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Creators: search (`q`), filter and order (`ordering=-followers`, `joined`, `handle`,
    `engagement_rate`, `avg_views`; a brand also by its own `median_fee` and `gmv`)."""

    read_scope = "creators:read"
    lookup_field = "handle"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    filter_backends = [FilterWhenAsked, DirectoryOrdering]
    filterset_class = CreatorFilter
    ordering_fields = list(DIRECTORY_ORDERING_FIELDS)  # the directory page sorts by the same
    ordering = [DIRECTORY_DEFAULT_ORDERING]
    pagination_class = DirectoryPage
    serializer_class = CreatorOutput

    def scoped_queryset(self, *, actor) -> QuerySet[Creator]:
        creators = creators_directory(actor=actor).only(*CREATOR_COLUMNS, "id", "agency")
        return creators.filter(pk=actor.creator_id) if actor.is_creator else creators

    def list(self, request, *args, **kwargs):
        # The page's columns as dicts: a model instance per row was ~0.4 ms of each page. The
        # sorted figure rides along: the cursor holds its value.
        creators = self.filter_queryset(self.get_queryset())
        sortable = directory_nullable_sort_fields()
        sorted_by = [name for name in creators.query.annotations if name in sortable]
        page = self.paginate_queryset(creators.values("id", *CREATOR_COLUMNS, *sorted_by))
        # The shown figures, one query for the page (the same annotations the sort used).
        figures = directory_figures(actor=self.actor, creator_ids=[row["id"] for row in page])
        for row in page:
            row.update(figures.get(row["id"], {}))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(responses=CreatorDetailOutput)
    def retrieve(self, request, *args, **kwargs):
        creator = self.get_object()
        private = can_see_private(actor=self.actor, creator=creator)
        figures = directory_figures(actor=self.actor, creator_ids=[creator.pk]).get(creator.pk, {})
        for name in DIRECTORY_FIGURE_FIELDS:
            setattr(creator, name, figures.get(name))
        return Response(CreatorDetailOutput(creator, context={"private": private}).data)

    @extend_schema(responses=AudienceOutput)
    @action(detail=True, filter_backends=[], pagination_class=None)
    def audience(self, request, handle=None):
        audience = creator_audience(actor=self.actor, creator=self.get_object())
        if audience is None:
            raise Http404(_("This creator has no audience portrait yet."))
        return Response(AudienceOutput(audience).data)

    @extend_schema(
        responses=MetricOutput(many=True),
        parameters=[
            OpenApiParameter("since", str, description="YYYY-MM-DD, inclusive"),
            OpenApiParameter("until", str, description="YYYY-MM-DD, inclusive"),
        ],
    )
    @action(detail=True, filter_backends=[], pagination_class=DatePage)
    def metrics(self, request, handle=None):
        """Snapshots, newest first; income columns only for those who may see them."""
        creator = self.get_object()
        rows = metric_rows(actor=self.actor, creator=creator, **_date_range(request.query_params))
        private = can_see_private(actor=self.actor, creator=creator)
        return self._page(rows, MetricOutput if private else PublicMetricOutput)

    @extend_schema(responses=ContentOutput(many=True))
    @action(detail=True, filter_backends=[], pagination_class=PublishedPage)
    def content(self, request, handle=None):
        return self._page(
            creator_content(actor=self.actor, creator=self.get_object()), ContentOutput
        )

    def _page(self, rows, output):
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(output(page, many=True).data)


def _date_range(params) -> dict:
    lookups = {}
    for name in ("since", "until"):
        if params.get(name):
            lookups[name] = serializers.DateField().run_validation(params[name])
    return lookups


# The bulk bodies as the schema shows them (a generated client gets typed rows); the rows
# themselves are validated, all at once, by .ingest, which answers RowErrorOutput.


class MetricRow(serializers.ModelSerializer):
    """One snapshot; counts and amounts left out are 0."""

    creator = serializers.CharField(help_text="creator handle")

    class Meta:
        model = MetricSnapshot
        fields = list(SNAPSHOT_FIELDS)
        extra_kwargs = {name: {"min_value": 0} for name in MONEY}


class ContentRow(serializers.ModelSerializer):
    creator = serializers.CharField(help_text="creator handle")

    class Meta:
        model = ContentItem
        fields = list(CONTENT_FIELDS)


class MetricsBulkInput(serializers.Serializer):
    rows = serializers.ListField(child=MetricRow(), min_length=1, max_length=MAX_ROWS)


class ContentBulkInput(serializers.Serializer):
    rows = serializers.ListField(child=ContentRow(), min_length=1, max_length=MAX_ROWS)


class BulkOutput(serializers.Serializer):
    rows = serializers.IntegerField(help_text="rows inserted or updated")
    creators = serializers.IntegerField(help_text="distinct creators touched")


class _BulkView(TenantAPIView):
    upsert = None
    # 10,000 rows need more than the site's small body cap (api.edge, settings).
    accepts_bulk_body = True

    def post(self, request):
        try:
            rows = request.data.get("rows") if isinstance(request.data, dict) else None
            result = type(self).upsert(actor=self.actor, rows=rows)
        except RowErrors as error:
            # Built by hand: DRF's ValidationError would turn the row indexes into strings.
            body = error_body(
                "invalid", "Invalid rows; nothing was stored.", {"rows": error.errors}
            )
            return Response(body, status=400)
        return Response(BulkOutput(result).data)


class MetricsBulkView(_BulkView):
    """Upsert up to 10,000 metric snapshots by (creator handle, date); all or nothing.

    A request with any invalid row stores nothing and answers 400 with every bad row listed
    under `error.fields.rows` as `{index, field, message}`. Repeating a request changes nothing.
    """

    write_scope = "metrics:write"
    upsert = staticmethod(metric_snapshots_upsert)

    @extend_schema(request=MetricsBulkInput, responses={200: BulkOutput, 400: RowErrorOutput})
    def post(self, request):
        return super().post(request)


class ContentBulkView(_BulkView):
    """Upsert up to 10,000 content items by (creator handle, external_id); all or nothing."""

    write_scope = "content:write"
    upsert = staticmethod(content_items_upsert)

    @extend_schema(request=ContentBulkInput, responses={200: BulkOutput, 400: RowErrorOutput})
    def post(self, request):
        return super().post(request)


ROUTES = [("creators", CreatorViewSet, "creator")]
