"""Partner API for brands: products, campaigns, collaborations (state changes as actions) and
the orders, refunds and complaints of the shop. Brands' own systems use it with their keys."""

from decimal import Decimal

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, NotFound
from rest_framework.response import Response

from api.fields import ActorRelatedField
from api.views import TenantViewSet
from creators.ingest import validate_plausible_moment
from creators.selectors import creator_by_handle

from . import review, services, services_orders
from .filters import (
    CampaignFilter,
    CollaborationFilter,
    ComplaintFilter,
    OrderFilter,
    RefundFilter,
)
from .models import (
    MESSAGE_MAX_LENGTH,
    Campaign,
    Collaboration,
    Complaint,
    ContentSubmission,
    Order,
    Product,
    Refund,
)
from .selectors import (
    campaign_of_brand,
    campaigns_of_brand,
    collaborations_of_brand,
    collaborations_visible,
    complaints_of_brand,
    order_by_reference,
    orders_of_brand,
    product_of_brand,
    products_of_brand,
    refunds_listed_for_brand,
    submission_pending,
    submissions_of_collaboration,
)

Status = Collaboration.Status


def distribution() -> serializers.DictField:
    """A {taxonomy key: share} field (one instance per use: DRF binds a field to one name)."""
    return serializers.DictField(child=serializers.FloatField(min_value=0, max_value=1))


class ProductSerializer(serializers.ModelSerializer):
    target_gender = distribution()
    target_age = distribution()
    target_city_tier = distribution()
    target_interests = distribution()
    claims = serializers.ListField(child=serializers.CharField(max_length=200), required=False)

    class Meta:
        model = Product
        fields = [
            "id",
            "name",
            "category",
            "price",
            "target_gender",
            "target_age",
            "target_city_tier",
            "target_interests",
            "description",
            "claims",
            "archived_at",
            "created_at",
        ]
        read_only_fields = ["id", "archived_at", "created_at"]


COMMITTED_HELP = "Fees of collaborations offered, accepted or with content submitted"
SPENT_HELP = "Fees of collaborations gone live or completed"


class CampaignSerializer(serializers.ModelSerializer):
    collaboration_count = serializers.IntegerField(read_only=True, default=0)
    live_count = serializers.IntegerField(read_only=True, default=0)
    committed = serializers.DecimalField(
        max_digits=14, decimal_places=2, read_only=True, default=0, help_text=COMMITTED_HELP
    )
    spent = serializers.DecimalField(
        max_digits=14, decimal_places=2, read_only=True, default=0, help_text=SPENT_HELP
    )

    class Meta:
        model = Campaign
        fields = [
            "id",
            "name",
            "objective",
            "brief",
            "mode",
            "budget",
            "start",
            "end",
            "status",
            "collaboration_count",
            "live_count",
            "committed",
            "spent",
            "created_at",
        ]
        read_only_fields = ["id", "created_at"]


class CollaborationOutput(serializers.ModelSerializer):
    creator = serializers.SlugRelatedField(slug_field="handle", read_only=True)
    brand = serializers.SlugRelatedField(source="organization", slug_field="slug", read_only=True)

    class Meta:
        model = Collaboration
        fields = [
            "id",
            "brand",
            "campaign",
            "product",
            "creator",
            "offer_type",
            "response_deadline",
            "fee",
            "commission_pct",
            "status",
            "offered_at",
            "status_changed_at",
            "message",
        ]
        read_only_fields = fields  # an output: the input is CollaborationInput


#: Row ids are 64-bit: a larger one is malformed input (a 400), not a lookup that overflows.
ID_MAX = 2**63 - 1


class CollaborationInput(serializers.Serializer):
    campaign = serializers.IntegerField(min_value=1, max_value=ID_MAX)
    product = serializers.IntegerField(min_value=1, max_value=ID_MAX)
    creator = serializers.CharField(help_text="creator handle")
    offer_type = serializers.ChoiceField(choices=Collaboration.OfferType.choices)
    response_deadline = serializers.DateTimeField(required=False, allow_null=True)
    fee = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, default=0)
    commission_pct = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=0, max_value=100, default=0
    )
    message = serializers.CharField(
        max_length=MESSAGE_MAX_LENGTH, allow_blank=True, required=False, default=""
    )


class ContentInput(serializers.Serializer):
    link = serializers.CharField(
        max_length=ContentSubmission.LINK_MAX, help_text="http(s) address of the content"
    )
    caption = serializers.CharField(max_length=ContentSubmission.CAPTION_MAX)


class ReviewInput(serializers.Serializer):
    decision = serializers.ChoiceField(choices=sorted(review.DECISIONS))
    reason = serializers.CharField(
        max_length=ContentSubmission.REASON_MAX,
        required=False,
        allow_blank=True,
        default="",
        help_text="required with request_changes: the creator sees it",
    )


class SubmissionOutput(serializers.ModelSerializer):
    class Meta:
        model = ContentSubmission
        fields = [
            "id",
            "collaboration",
            "link",
            "caption",
            "submitted_at",
            "status",
            "review_reason",
            "reviewed_at",
            "check_findings",
        ]
        read_only_fields = fields


class OrderSerializer(serializers.ModelSerializer):
    collaboration = ActorRelatedField(
        model=Collaboration, selector=collaborations_of_brand, required=False, allow_null=True
    )

    class Meta:
        model = Order
        fields = ["id", "external_id", "collaboration", "amount", "placed_at", "delivered_at"]
        read_only_fields = ["id"]
        # A year-1 or year-9999 moment is a typo: the same range as the bulk routes' dates.
        extra_kwargs = {
            "placed_at": {"validators": [validate_plausible_moment]},
            "delivered_at": {"validators": [validate_plausible_moment]},
        }


#: What a new refund's body may set; the rest of a refund is the lifecycle's.
REFUND_WRITABLE = frozenset({"external_id", "amount", "reason", "requested_at"})


class RefundSerializer(serializers.ModelSerializer):
    """A refund as the API shows it; on the order's nested route, the body of a new one
    (``external_id`` optional there: with one, a repeat returns the refund it made)."""

    order = serializers.SlugRelatedField(slug_field="external_id", read_only=True)

    class Meta:
        model = Refund
        fields = [
            "id",
            "order",
            "external_id",
            "amount",
            "reason",
            "requested_at",
            "status",
            "auto_approved",
            "decision_deadline",
            "decided_at",
            "decision_note",
            "disputed_at",
            "dispute_note",
            "escalated_at",
            "final_decided_at",
            "final_note",
        ]
        read_only_fields = [name for name in fields if name not in REFUND_WRITABLE]
        extra_kwargs = {
            "amount": {"min_value": Decimal("0.01")},
            "requested_at": {"validators": [validate_plausible_moment]},
            # Uniqueness is the service's to answer (a repeat is 200, other content 409).
            "external_id": {"validators": [], "required": False},
        }


class ComplaintSerializer(serializers.ModelSerializer):
    order = serializers.SlugRelatedField(slug_field="external_id", read_only=True)

    class Meta:
        model = Complaint
        fields = ["id", "order", "external_id", "category", "status", "filed_at"]
        read_only_fields = ["id", "order", "status"]
        extra_kwargs = {
            "filed_at": {"validators": [validate_plausible_moment]},
            "external_id": {"validators": [], "required": False},
        }


class RefundIngestInput(serializers.Serializer):
    order = serializers.CharField(max_length=80, help_text="The order's external_id (or its id).")
    external_id = serializers.CharField(max_length=80)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0.01"))
    reason = serializers.ChoiceField(choices=Refund.Reason.choices)
    requested_at = serializers.DateTimeField(validators=[validate_plausible_moment])


class ComplaintIngestInput(serializers.Serializer):
    order = serializers.CharField(max_length=80, help_text="The order's external_id (or its id).")
    external_id = serializers.CharField(max_length=80)
    category = serializers.ChoiceField(choices=Complaint.Category.choices)
    filed_at = serializers.DateTimeField(validators=[validate_plausible_moment])


class DisputeInput(serializers.Serializer):
    note = serializers.CharField(
        max_length=Refund.NOTE_MAX, required=False, allow_blank=True, default=""
    )


class ExternalIdConflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "external_id_conflict"
    default_detail = _("This external_id already names a row with other content.")
    field = "external_id"

    @classmethod
    def of(cls, error: services_orders.ExternalIdConflict) -> "ExternalIdConflict":
        names = ", ".join(name.removesuffix("_id") for name in error.differences)
        return cls(
            f"external_id {error.existing.external_id!r} already names row {error.existing.pk} "
            f"with other {names}; nothing was changed."
        )


def _ingested(serializer_class, ingest, **fields) -> Response:
    try:
        row, created = ingest(**fields)
    except services_orders.ExternalIdConflict as error:
        raise ExternalIdConflict.of(error) from None
    code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    return Response(serializer_class(row).data, status=code)


class BrandViewSet(TenantViewSet):
    """Brand-owned resources: read with ``campaigns:read``, write with ``campaigns:write``."""

    read_scope = "campaigns:read"
    write_scope = "campaigns:write"


class ProductViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, BrandViewSet
):
    """The acting brand's products and their target audiences (taxonomy distributions)."""

    serializer_class = ProductSerializer
    filterset_fields = ["category"]

    def scoped_queryset(self, *, actor) -> QuerySet[Product]:
        return products_of_brand(actor=actor)

    def perform_create(self, serializer):
        serializer.instance = services.product_create(actor=self.actor, **serializer.validated_data)

    def partial_update(self, request, pk=None):
        """Change some fields; the distributions' rules hold as on creation (no PUT)."""
        product = self.get_object()
        data = self.get_serializer(product, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        product = services.product_update(actor=self.actor, product=product, **data.validated_data)
        return Response(self.get_serializer(product).data)

    def destroy(self, request, pk=None):
        """Only a product never offered; one with collaborations or orders: archive it."""
        services.product_delete(actor=self.actor, product=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _archive(self, archived: bool):
        product = services.product_archive(
            actor=self.actor, product=self.get_object(), archived=archived
        )
        return Response(self.get_serializer(product).data)

    @extend_schema(request=None, responses=ProductSerializer)
    @action(detail=True, methods=["post"])
    def archive(self, request, pk=None):
        return self._archive(True)

    @extend_schema(request=None, responses=ProductSerializer)
    @action(detail=True, methods=["post"])
    def unarchive(self, request, pk=None):
        return self._archive(False)


class CampaignViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, BrandViewSet
):
    """The acting brand's campaigns; the same filters as the campaign list page."""

    serializer_class = CampaignSerializer
    filterset_class = CampaignFilter

    def scoped_queryset(self, *, actor) -> QuerySet[Campaign]:
        return campaigns_of_brand(actor=actor)

    def perform_create(self, serializer):
        serializer.instance = services.campaign_create(
            actor=self.actor, **serializer.validated_data
        )

    def partial_update(self, request, pk=None):
        """Change what the campaign's status allows (no PUT; the status moves by actions)."""
        campaign = self.get_object()
        data = self.get_serializer(campaign, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.campaign_update(actor=self.actor, campaign=campaign, **data.validated_data)
        return Response(self.get_serializer(self.get_object()).data)

    def _move(self, action_name: str):
        services.campaign_move(actor=self.actor, campaign=self.get_object(), action=action_name)
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(request=None, responses=CampaignSerializer)
    @action(detail=True, methods=["post"])
    def pause(self, request, pk=None):
        return self._move("pause")

    @extend_schema(request=None, responses=CampaignSerializer)
    @action(detail=True, methods=["post"])
    def resume(self, request, pk=None):
        return self._move("resume")

    @extend_schema(request=None, responses=CampaignSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._move("close")


#: Action name → the status it moves a collaboration to.
TRANSITION_ACTIONS = {
    "accept": Status.ACCEPTED,
    "decline": Status.DECLINED,
    "complete": Status.COMPLETED,
    "cancel": Status.CANCELLED,
}


class CollaborationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, BrandViewSet):
    """Collaborations visible to the caller: its brand's, or its signed creators' (agencies).

    State changes are actions (`POST …/{id}/accept/` …); the life cycle and who may do what
    are enforced by one service, so an illegal move answers 400 and changes nothing.
    """

    serializer_class = CollaborationOutput
    filterset_class = CollaborationFilter

    def scoped_queryset(self, *, actor) -> QuerySet[Collaboration]:
        return collaborations_visible(actor=actor).select_related("organization")

    @extend_schema(request=CollaborationInput, responses={201: CollaborationOutput})
    def create(self, request):
        """A brand offers a collaboration to a creator (by handle)."""
        services.require_brand_writer(self.actor)  # a 403 before any lookup can 404
        data = CollaborationInput(data=request.data)
        data.is_valid(raise_exception=True)
        terms = dict(data.validated_data)
        try:
            campaign = campaign_of_brand(actor=self.actor, campaign_id=terms.pop("campaign"))
            product = product_of_brand(actor=self.actor, product_id=terms.pop("product"))
        except ObjectDoesNotExist:
            raise NotFound from None
        creator = creator_by_handle(actor=self.actor, handle=terms.pop("creator"))
        collaboration = services.collaboration_offer(
            actor=self.actor, campaign=campaign, product=product, creator=creator, **terms
        )
        return Response(CollaborationOutput(collaboration).data, status=status.HTTP_201_CREATED)

    def _move(self, name: str):
        collaboration = services.collaboration_transition(
            actor=self.actor, collaboration=self.get_object(), to=TRANSITION_ACTIONS[name]
        )
        return Response(CollaborationOutput(collaboration).data)

    @extend_schema(request=None, responses=CollaborationOutput)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._move("accept")

    @extend_schema(request=None, responses=CollaborationOutput)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        return self._move("decline")

    @extend_schema(request=ContentInput, responses=CollaborationOutput)
    @action(detail=True, methods=["post"], url_path="submit-content")
    def submit_content(self, request, pk=None):
        """The creator (or its agency) submits the content, a link and a caption, for the
        brand's review; again after the brand asked for changes."""
        collaboration = self.get_object()
        review.require_submitter(actor=self.actor, collaboration=collaboration)
        data = ContentInput(data=request.data)
        data.is_valid(raise_exception=True)
        review.content_submit(actor=self.actor, collaboration=collaboration, **data.validated_data)
        return Response(CollaborationOutput(self.get_object()).data)

    def _review(self, decision: str, reason: str = "") -> ContentSubmission:
        collaboration = self.get_object()
        try:
            submission = submission_pending(actor=self.actor, collaboration=collaboration)
        except ContentSubmission.DoesNotExist:
            review.require_reviewer(actor=self.actor, collaboration=collaboration)
            raise serializers.ValidationError({"submission": [review.NOTHING_PENDING]}) from None
        return review.content_review(
            actor=self.actor, submission=submission, decision=decision, reason=reason
        )

    @extend_schema(request=ReviewInput, responses=SubmissionOutput)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        """The brand approves the content awaiting review (the collaboration goes live) or
        asks for changes with a reason (back to accepted, for the creator to submit again)."""
        review.require_reviewer(actor=self.actor, collaboration=self.get_object())
        data = ReviewInput(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(SubmissionOutput(self._review(**data.validated_data)).data)

    @extend_schema(request=None, responses=CollaborationOutput)
    @action(detail=True, methods=["post"], url_path="go-live")
    def go_live(self, request, pk=None):
        """Kept for older clients: approves the content awaiting review, as ``review/`` with
        ``approve`` does (a collaboration goes live only through the brand's approval)."""
        self._review("approve")
        return Response(CollaborationOutput(self.get_object()).data)

    @extend_schema(responses=SubmissionOutput(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def submissions(self, request, pk=None):
        """The content submitted for this collaboration, latest first, with its reviews (a
        handful per collaboration: one list, not pages)."""
        rows = submissions_of_collaboration(actor=self.actor, collaboration=self.get_object())
        return Response(SubmissionOutput(rows, many=True).data)

    @extend_schema(request=None, responses=CollaborationOutput)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        return self._move("complete")

    @extend_schema(request=None, responses=CollaborationOutput)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._move("cancel")


class OrderViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, TenantViewSet
):
    """The brand's orders (read with ``campaigns:read``, push with ``orders:write``), their
    refunds (reason ``no_reason`` is the 48-hour no-questions return) and complaints."""

    read_scope = "campaigns:read"
    write_scope = "orders:write"
    serializer_class = OrderSerializer
    filterset_class = OrderFilter

    def scoped_queryset(self, *, actor) -> QuerySet[Order]:
        return orders_of_brand(actor=actor)

    def perform_create(self, serializer):
        serializer.instance = services_orders.order_record(
            actor=self.actor, **serializer.validated_data
        )

    @extend_schema(
        request=RefundSerializer, responses={201: RefundSerializer, 200: RefundSerializer}
    )
    @action(detail=True, methods=["post"])
    def refunds(self, request, pk=None):
        """A refund of this order; with an ``external_id``, idempotent as ``POST /refunds/``."""
        order = self.get_object()  # first: another tenant's order is a 404, whatever the body
        data = RefundSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        if fields.get("external_id"):
            return _ingested(
                RefundSerializer,
                services_orders.refund_ingest,
                actor=self.actor,
                order=order,
                **fields,
            )
        refund = services_orders.refund_record(actor=self.actor, order=order, **fields)
        return Response(RefundSerializer(refund).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=ComplaintSerializer, responses={201: ComplaintSerializer, 200: ComplaintSerializer}
    )
    @action(detail=True, methods=["post"])
    def complaints(self, request, pk=None):
        """A complaint on this order; with an ``external_id``, idempotent as
        ``POST /complaints/``."""
        order = self.get_object()  # first: another tenant's order is a 404, whatever the body
        data = ComplaintSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        if fields.get("external_id"):
            return _ingested(
                ComplaintSerializer,
                services_orders.complaint_ingest,
                actor=self.actor,
                order=order,
                **fields,
            )
        complaint = services_orders.complaint_record(actor=self.actor, order=order, **fields)
        return Response(ComplaintSerializer(complaint).data, status=status.HTTP_201_CREATED)


class IngestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Read with the brand's ``campaigns:read``; push with ``orders:write``."""

    read_scope = "campaigns:read"
    write_scope = "orders:write"

    def _order(self, reference):
        services.require_brand_writer(self.actor)  # a 403 before any lookup can 404
        try:
            return order_by_reference(actor=self.actor, reference=reference)
        except ObjectDoesNotExist:
            raise serializers.ValidationError({"order": [_("Unknown order.")]}) from None


class RefundViewSet(IngestViewSet):
    """The brand's refunds, filterable by ``status`` and ``reason``. ``POST`` pushes one by its
    ``external_id``: a repeat returns the refund it made (200) and changes nothing; the same
    ``external_id`` with other content is a 409 ``external_id_conflict``. A no-reason refund
    within 48 hours of delivery is approved at once; the others await the brand's decision (on
    its pages) until a deadline, then the operator's."""

    serializer_class = RefundSerializer
    filterset_class = RefundFilter

    def scoped_queryset(self, *, actor) -> QuerySet[Refund]:
        return refunds_listed_for_brand(actor=actor)

    @extend_schema(
        request=RefundIngestInput, responses={201: RefundSerializer, 200: RefundSerializer}
    )
    def create(self, request):
        data = RefundIngestInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        order = self._order(fields.pop("order"))
        return _ingested(
            RefundSerializer, services_orders.refund_ingest, actor=self.actor, order=order, **fields
        )

    @extend_schema(request=DisputeInput, responses=RefundSerializer)
    @action(detail=True, methods=["post"])
    def dispute(self, request, pk=None):
        """The buyer disputes the brand's rejection (relayed by the shop's system): the
        platform operator decides finally."""
        refund = self.get_object()
        data = DisputeInput(data=request.data)
        data.is_valid(raise_exception=True)
        refund = services_orders.refund_dispute(
            actor=self.actor, refund=refund, **data.validated_data
        )
        return Response(RefundSerializer(refund).data)


class ComplaintViewSet(IngestViewSet):
    """The brand's complaints, filterable by ``status`` and ``category``; ``POST`` pushes one by
    its ``external_id``, idempotent as refunds are."""

    serializer_class = ComplaintSerializer
    filterset_class = ComplaintFilter

    def scoped_queryset(self, *, actor) -> QuerySet[Complaint]:
        return complaints_of_brand(actor=actor).select_related("order").order_by("-filed_at", "-id")

    @extend_schema(
        request=ComplaintIngestInput, responses={201: ComplaintSerializer, 200: ComplaintSerializer}
    )
    def create(self, request):
        data = ComplaintIngestInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        order = self._order(fields.pop("order"))
        return _ingested(
            ComplaintSerializer,
            services_orders.complaint_ingest,
            actor=self.actor,
            order=order,
            **fields,
        )


ROUTES = [
    ("products", ProductViewSet, "product"),
    ("campaigns", CampaignViewSet, "campaign"),
    ("collaborations", CollaborationViewSet, "collaboration"),
    ("orders", OrderViewSet, "order"),
    ("refunds", RefundViewSet, "refund"),
    ("complaints", ComplaintViewSet, "complaint"),
]
