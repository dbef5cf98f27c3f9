"""Partner API of the product-selection centre (选品中心): the matcher's answers, explained.

- ``GET matching/products/{id}/creators/``: the creators whose fans fit a brand's own product,
  ranked, each with its score, the reasons that add up to it and an expected GMV range. Only
  the brand that owns the product: every other caller (and an unknown id) gets 404. The query
  takes the selection page's filters and is validated by the same form
  (:class:`matching.forms.MatchFilterForm`): a bad value is a 400 naming the field.
- ``GET matching/creators/{handle}/products/``: the products on offer that fit a creator's
  audience, for the creator itself, its agency and the operator (anyone else: 404).
- ``GET creators/{handle}/lookalikes/``: the creators whose audiences are most like this one's,
  public fields only, for every signed-in tenant (a portal creator gets 404: creators do not
  browse each other, as the directory says). The URL sits among the creators', but the creators
  app cannot know the matcher, so this module serves it (``config/urls.py``).

Keys need ``matching:read`` for all three. Before the first index build every answer is a 200
with no results and ``index_version`` null.
"""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.response import Response

from api.views import TenantAPIView
from brands.models import Product
from creators import taxonomy
from creators.models import Creator
from creators.selectors import creator_profile

from . import engine
from .forms import MAX_LIMIT, MatchFilterForm
from .labels import reason_label
from .selectors import (
    Matches,
    creator_for_products,
    creators_for_product,
    lookalikes,
    product_for_matching,
    products_for_creator,
)
from .services import index_in_force

SCOPE = "matching:read"


class MatchedCreatorOutput(serializers.ModelSerializer):
    """A creator's public fields (never its agency or figures)."""

    class Meta:
        model = Creator
        fields = ["handle", "display_name", "followers", "vertical", "city_tier", "region"]
        read_only_fields = fields


class ReasonOutput(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=[*engine.COMPONENTS, engine.OTHER],
        help_text="The score component: an audience axis's fit, category, price band, "
        "engagement, conversion, or `other` (the components not shown, together)",
    )
    label = serializers.SerializerMethodField(help_text="The kind, for people")
    contribution = serializers.FloatField(help_text="Points of the score; they add up to it")
    detail = serializers.CharField(
        allow_null=True,
        help_text="For an audience reason, the audience key the fans and the target share "
        "most (e.g. `female`, `25_30`); else null",
    )

    def get_label(self, reason) -> str:
        return reason_label(reason.kind)


class GmvRangeOutput(serializers.Serializer):
    low = serializers.FloatField(help_text="Yuan, one collaboration")
    high = serializers.FloatField(help_text="Yuan, one collaboration")


class _MatchOutput(serializers.Serializer):
    score = serializers.FloatField(help_text="The sum of the reasons' contributions")
    reasons = ReasonOutput(many=True, help_text="The top three components, then `other`")
    expected_gmv = serializers.SerializerMethodField(
        help_text="From the conversion model; null while there is too little history to train it"
    )

    @extend_schema_field(GmvRangeOutput(allow_null=True))
    def get_expected_gmv(self, match) -> dict | None:
        if match.expected_gmv is None:
            return None
        low, high = match.expected_gmv
        return {"low": low, "high": high}


class CreatorMatchOutput(_MatchOutput):
    creator = MatchedCreatorOutput(source="subject")

    def get_fields(self):
        fields = super().get_fields()
        return {name: fields[name] for name in ("creator", "score", "reasons", "expected_gmv")}


class CreatorMatchesOutput(serializers.Serializer):
    results = CreatorMatchOutput(many=True, help_text="Best first")
    index_version = serializers.IntegerField(
        allow_null=True, help_text="The index build that answered; null: none built yet"
    )


class OfferedProductOutput(serializers.ModelSerializer):
    brand = serializers.SlugRelatedField(source="organization", slug_field="slug", read_only=True)
    brand_name = serializers.CharField(source="organization.name", read_only=True)

    class Meta:
        model = Product
        fields = ["id", "name", "category", "price", "brand", "brand_name"]
        read_only_fields = fields


class ProductMatchOutput(_MatchOutput):
    product = OfferedProductOutput(source="subject")

    def get_fields(self):
        fields = super().get_fields()
        return {name: fields[name] for name in ("product", "score", "reasons", "expected_gmv")}


class ProductMatchesOutput(serializers.Serializer):
    results = ProductMatchOutput(many=True, help_text="Best first")
    index_version = serializers.IntegerField(allow_null=True)


class LookalikeOutput(serializers.Serializer):
    creator = MatchedCreatorOutput()
    similarity = serializers.FloatField(help_text="Cosine similarity of the audiences, −1 to 1")


class LookalikesOutput(serializers.Serializer):
    results = LookalikeOutput(many=True, help_text="Most alike first")
    index_version = serializers.IntegerField(allow_null=True)


class LimitInput(serializers.Serializer):
    limit = serializers.IntegerField(min_value=1, max_value=MAX_LIMIT, default=20)


def _choices(axis: str) -> list[str]:
    return [key for key, _label in taxonomy.choices(axis)]


FILTER_PARAMETERS = [
    OpenApiParameter("limit", int, description=f"How many creators, 1 to {MAX_LIMIT} (20)"),
    OpenApiParameter("min_followers", int, description="At least this many followers"),
    OpenApiParameter("max_followers", int, description="At most this many followers"),
    OpenApiParameter("city_tier", str, enum=_choices("city_tier"), description="Where they live"),
    OpenApiParameter(
        "interest",
        str,
        enum=_choices("interests"),
        description=f"Their audience gives this interest at least {engine.INTEREST_MIN_SHARE:.0%}",
    ),
    OpenApiParameter("vertical", str, enum=_choices("vertical"), description="Their vertical"),
    OpenApiParameter(
        "campaign",
        int,
        description="One of the brand's campaigns taking offers: only creators whose likely fee "
        "fits its remaining budget",
    ),
]
LIMIT_PARAMETER = [OpenApiParameter("limit", int, description=f"1 to {MAX_LIMIT} (20)")]


def _limit(request) -> int:
    data = LimitInput(data=request.query_params)
    data.is_valid(raise_exception=True)
    return data.validated_data["limit"]


def form_errors(form) -> dict[str, list[str]]:
    """A Django form's errors as the API's ``fields`` (``__all__`` → ``non_field_errors``)."""
    return {
        "non_field_errors" if name == "__all__" else name: [str(message) for message in errors]
        for name, errors in form.errors.items()
    }


def _answer(output, matches: Matches) -> Response:
    body = {"results": matches.results, "index_version": matches.index_version}
    return Response(output(body).data)


class MatchingView(TenantAPIView):
    read_scope = SCOPE


class ProductCreatorsView(MatchingView):
    @extend_schema(
        operation_id="matching_product_creators",
        parameters=FILTER_PARAMETERS,
        responses=CreatorMatchesOutput,
        summary="Creators whose fans fit one of the brand's products",
    )
    def get(self, request, product_id: int):
        """Ranked creators for the brand's own product (another's, or an unknown id: 404). Every
        result passes every filter on its current row; a suspended creator never appears."""
        product = product_for_matching(actor=self.actor, product_id=product_id)
        form = MatchFilterForm(request.query_params, actor=self.actor)
        if not form.is_valid():
            raise serializers.ValidationError(form_errors(form))
        matches = creators_for_product(
            actor=self.actor, product=product, filters=form.filters(), limit=form.top_k
        )
        return _answer(CreatorMatchesOutput, matches)


class CreatorProductsView(MatchingView):
    @extend_schema(
        operation_id="matching_creator_products",
        parameters=LIMIT_PARAMETER,
        responses=ProductMatchesOutput,
        summary="Products on offer that fit a creator's audience",
    )
    def get(self, request, handle: str):
        """For the creator itself, its agency and the operator; anyone else: 404."""
        creator = creator_for_products(actor=self.actor, handle=handle)
        matches = products_for_creator(actor=self.actor, creator=creator, limit=_limit(request))
        return _answer(ProductMatchesOutput, matches)


class CreatorLookalikesView(MatchingView):
    @extend_schema(
        operation_id="creator_lookalikes",
        parameters=LIMIT_PARAMETER,
        responses=LookalikesOutput,
        summary="Creators whose audiences are most like this creator's",
    )
    def get(self, request, handle: str):
        """Public fields, for every signed-in tenant (a portal creator: 404)."""
        if self.actor.is_creator:
            raise Http404  # creators do not browse each other
        creator = creator_profile(actor=self.actor, handle=handle)
        limit = _limit(request)
        build = index_in_force()
        found = lookalikes(actor=self.actor, creator=creator, limit=limit) if build else []
        body = {"results": found, "index_version": build.pk if build else None}
        return Response(LookalikesOutput(body).data)
