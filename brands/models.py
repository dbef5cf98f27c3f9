"""Brands' side of the closed loop: products, campaigns, collaborations with creators, and the
orders, refunds and complaints they lead to. Every table here is owned by a brand organization.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import (
    MaxLengthValidator,
    MaxValueValidator,
    MinValueValidator,
    URLValidator,
)
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from creators import taxonomy
from creators.models import Creator
from tenancy.managers import SignedInManager
from tenancy.models import TenantOwned

from . import refund_rules

PERCENT = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]
#: An offer's message is a note, not a contract: long enough for a brief, short enough to read.
MESSAGE_MAX_LENGTH = 2000


class BrandProfile(models.Model):
    organization = models.OneToOneField(
        "tenancy.Organization",
        on_delete=models.CASCADE,
        related_name="brand_profile",
        limit_choices_to={"kind": "brand"},
    )
    industry = models.CharField(max_length=40, blank=True)
    description = models.TextField(blank=True)

    objects = SignedInManager()  # a brand's public profile

    def __str__(self) -> str:
        return f"brand profile of {self.organization_id}"


class Product(TenantOwned):
    name = models.CharField(max_length=200)
    category = models.CharField(max_length=24, choices=taxonomy.choices("vertical"))
    price = models.DecimalField(max_digits=12, decimal_places=2)
    target_gender = models.JSONField()
    target_age = models.JSONField()
    target_city_tier = models.JSONField()
    target_interests = models.JSONField()
    description = models.TextField(blank=True)
    claims = models.JSONField(default=list, blank=True, help_text=_("Selling claims, one each"))
    #: Set when archived: a product that has been offered or sold is archived, never deleted
    #: (its collaborations and orders keep pointing at it); an archived one takes no new offers.
    archived_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    TARGETS = {f"target_{axis}": axis for axis in taxonomy.AUDIENCE_AXES}

    CONSTRAINT_FIELDS = {
        "product_price_positive": "price",
        "product_name_unique": "name",
    }

    class Meta(TenantOwned.Meta):
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(price__gt=0),
                name="product_price_positive",
                violation_error_message=_("The price must be above zero."),
                violation_error_code="product_price_positive",
            ),
            models.UniqueConstraint(
                fields=["organization", "name"],
                name="product_name_unique",
                violation_error_message=_("You already have a product with this name."),
                violation_error_code="product_name_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.clean()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        errors = {}
        for field, axis in self.TARGETS.items():
            try:
                taxonomy.validate_distribution(axis, getattr(self, field) or {})
            except (ValueError, AttributeError) as error:
                errors[field] = str(error)
        if not isinstance(self.claims, list) or not all(isinstance(c, str) for c in self.claims):
            errors["claims"] = _("Claims must be a list of strings.")
        if errors:
            raise ValidationError(errors)


class Campaign(TenantOwned):
    class Mode(models.TextChoices):
        SELF_BROADCAST = "self_broadcast", _("Brand self-broadcast")
        CREATOR_DISTRIBUTION = "creator_distribution", _("Creator distribution")
        BOTH = "both", _("Self-broadcast + creator distribution")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        PAUSED = "paused", _("Paused")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    name = models.CharField(max_length=200)
    objective = models.CharField(max_length=200, blank=True)
    brief = models.TextField(blank=True, help_text=_("What creators are asked to do and say"))
    mode = models.CharField(max_length=24, choices=Mode.choices, default=Mode.BOTH)
    budget = models.DecimalField(max_digits=14, decimal_places=2)
    start = models.DateField()
    end = models.DateField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)

    CONSTRAINT_FIELDS = {
        "campaign_dates_ordered": "end",
        "campaign_budget_not_negative": "budget",
        "campaign_mode_valid": "mode",
    }

    class Meta(TenantOwned.Meta):
        ordering = ["-start", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gte=F("start")),
                name="campaign_dates_ordered",
                violation_error_message=_("The end date cannot be before the start date."),
                violation_error_code="campaign_dates_ordered",
            ),
            models.CheckConstraint(
                condition=Q(budget__gte=0),
                name="campaign_budget_not_negative",
                violation_error_message=_("The budget cannot be negative."),
                violation_error_code="campaign_budget_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(mode__in=["self_broadcast", "creator_distribution", "both"]),
                name="campaign_mode_valid",
                violation_error_message=_("Choose a valid campaign mode."),
                violation_error_code="campaign_mode_valid",
            ),
        ]

    #: Objectives the platform knows (the field stays free text): stored key → label.
    OBJECTIVE_LABELS = {
        "sales": _("Sales"),
        "brand_awareness": _("Brand awareness"),
        "product_launch": _("Product launch"),
    }

    def __str__(self) -> str:
        return self.name

    @property
    def objective_label(self) -> str:
        """The objective as people read it: a known key's label, else the text as written."""
        return self.OBJECTIVE_LABELS.get(self.objective, self.objective)


class Collaboration(TenantOwned):
    """A brand's offer to a creator for one product in one campaign, and what became of it.

    ``status`` changes only through ``brands.services.collaboration_transition``.
    """

    class OfferType(models.TextChoices):
        DIRECT_ORDER = "direct_order", _("Direct order")
        INVITATION = "invitation", _("Invitation")

    class Status(models.TextChoices):
        OFFERED = "offered", _("Offered")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("Expired")
        CONTENT_SUBMITTED = "content_submitted", _("Content submitted")
        LIVE = "live", _("Live")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="collaborations")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="collaborations")
    creator = models.ForeignKey(Creator, on_delete=models.PROTECT, related_name="collaborations")
    offer_type = models.CharField(max_length=16, choices=OfferType.choices)
    response_deadline = models.DateTimeField(null=True, blank=True)
    fee = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    commission_pct = models.DecimalField(
        max_digits=5, decimal_places=2, default=0, validators=PERCENT
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OFFERED)
    offered_at = models.DateTimeField()
    status_changed_at = models.DateTimeField()
    #: The brand's words to the creator with the offer (a TextField checks no length itself:
    #: the validator makes the service's full_clean refuse a longer one, as the form does).
    message = models.TextField(
        blank=True,
        max_length=MESSAGE_MAX_LENGTH,
        validators=[MaxLengthValidator(MESSAGE_MAX_LENGTH)],
    )

    CONSTRAINT_FIELDS = {
        "collaboration_invitation_has_deadline": "response_deadline",
        "collaboration_fee_not_negative": "fee",
        "collaboration_commission_is_percent": "commission_pct",
        "collaboration_status_valid": "status",
        "collaboration_one_open_offer": "creator",
    }

    class Meta(TenantOwned.Meta):
        ordering = ["-offered_at"]
        indexes = [
            models.Index(fields=["creator", "status"]),
            models.Index(fields=["campaign", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(offer_type="invitation") | Q(response_deadline__isnull=False),
                name="collaboration_invitation_has_deadline",
                violation_error_message=_("An invitation needs a response deadline."),
                violation_error_code="collaboration_invitation_has_deadline",
            ),
            models.CheckConstraint(
                condition=Q(fee__gte=0),
                name="collaboration_fee_not_negative",
                violation_error_message=_("The fee cannot be negative."),
                violation_error_code="collaboration_fee_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(commission_pct__gte=0, commission_pct__lte=100),
                name="collaboration_commission_is_percent",
                violation_error_message=_("The commission must be between 0 and 100 percent."),
                violation_error_code="collaboration_commission_is_percent",
            ),
            models.CheckConstraint(
                condition=Q(
                    status__in=[
                        "offered",
                        "accepted",
                        "declined",
                        "expired",
                        "content_submitted",
                        "live",
                        "completed",
                        "cancelled",
                    ]
                ),
                name="collaboration_status_valid",
                violation_error_message=_("Choose a valid collaboration status."),
                violation_error_code="collaboration_status_valid",
            ),
            models.UniqueConstraint(
                fields=["campaign", "product", "creator"],
                condition=Q(status="offered"),
                name="collaboration_one_open_offer",
                violation_error_code="collaboration_one_open_offer",
                violation_error_message=_(
                    "This creator already has an open offer for this product in this campaign."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product} × {self.creator} ({self.status})"


class Order(TenantOwned):
    """A sale: through a collaboration, or from the brand's own broadcast (no collaboration)."""

    collaboration = models.ForeignKey(
        Collaboration, null=True, blank=True, on_delete=models.PROTECT, related_name="orders"
    )
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    placed_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)
    external_id = models.CharField(max_length=80)
    #: The refunds held against this order (pending, approved, disputed, escalated; a rejected
    #: one frees its amount), kept by ``brands.services_orders`` under a row lock on the order. The
    #: database refuses a total above the amount (``order_refunds_within_amount``), so no two
    #: concurrent requests can over-refund even if a code path forgot the lock.
    refunded_total = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))

    CONSTRAINT_FIELDS = {
        "order_external_id_unique_per_brand": "external_id",
        "order_amount_positive": "amount",
        "order_delivered_after_placed": "delivered_at",
        "order_refunds_within_amount": "refunded_total",
    }

    class Meta(TenantOwned.Meta):
        ordering = ["-placed_at"]
        indexes = [models.Index(fields=["organization", "-placed_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "external_id"],
                name="order_external_id_unique_per_brand",
                violation_error_message=_("You already have an order with this external id."),
                violation_error_code="order_external_id_unique_per_brand",
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="order_amount_positive",
                violation_error_message=_("The amount must be above zero."),
                violation_error_code="order_amount_positive",
            ),
            models.CheckConstraint(
                condition=Q(delivered_at__isnull=True) | Q(delivered_at__gte=F("placed_at")),
                name="order_delivered_after_placed",
                violation_error_message=_("An order cannot be delivered before it was placed."),
                violation_error_code="order_delivered_after_placed",
            ),
            models.CheckConstraint(
                condition=Q(refunded_total__gte=0) & Q(refunded_total__lte=F("amount")),
                name="order_refunds_within_amount",
                violation_error_message=_(
                    "Refunds would exceed what was paid for this order minus earlier refunds."
                ),
                violation_error_code="order_refunds_within_amount",
            ),
        ]

    def __str__(self) -> str:
        return self.external_id


class Refund(TenantOwned):
    """A buyer's refund request on an order, and its decision (``brands.refund_rules``).

    ``status`` changes only through ``brands.services_orders`` (``refund_record`` /
    ``refund_ingest``, ``refund_decide``, ``refund_dispute``, ``refunds_escalate_due``,
    ``refund_final_decide``);
    each decision keeps who, when and the note here and in the audit log.
    """

    class Reason(models.TextChoices):
        NO_REASON = "no_reason", _("No reason (48-hour no-questions return)")
        QUALITY = "quality", _("Quality problem")
        NOT_AS_DESCRIBED = "not_as_described", _("Not as described")
        WRONG_ITEM = "wrong_item", _("Wrong item")
        DAMAGED = "damaged", _("Damaged")
        LATE_DELIVERY = "late_delivery", _("Late delivery")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        PENDING = refund_rules.PENDING, _("Awaiting the brand")
        APPROVED = refund_rules.APPROVED, _("Approved")
        REJECTED = refund_rules.REJECTED, _("Rejected")
        DISPUTED = refund_rules.DISPUTED, _("Disputed")
        ESCALATED = refund_rules.ESCALATED, _("Escalated")

    NOTE_MAX = 2000

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="refunds")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    reason = models.CharField(max_length=20, choices=Reason.choices)
    requested_at = models.DateTimeField()
    #: The shop system's id for this refund: a repeat with the same id changes nothing.
    external_id = models.CharField(max_length=80, blank=True, default="")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    auto_approved = models.BooleanField(default=False)
    #: By when the brand must decide a pending refund; then it escalates to the operator.
    decision_deadline = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_note = models.TextField(blank=True, validators=[MaxLengthValidator(NOTE_MAX)])
    disputed_at = models.DateTimeField(null=True, blank=True)
    dispute_note = models.TextField(blank=True, validators=[MaxLengthValidator(NOTE_MAX)])
    escalated_at = models.DateTimeField(null=True, blank=True)
    final_decided_at = models.DateTimeField(null=True, blank=True)
    final_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    final_note = models.TextField(blank=True, validators=[MaxLengthValidator(NOTE_MAX)])

    CONSTRAINT_FIELDS = {
        "refund_amount_positive": "amount",
        "refund_external_id_unique_per_brand": "external_id",
        "refund_status_valid": "status",
    }

    class Meta(TenantOwned.Meta):
        ordering = ["-requested_at"]
        indexes = [models.Index(fields=["status", "decision_deadline"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="refund_amount_positive",
                violation_error_message=_("The amount must be above zero."),
                violation_error_code="refund_amount_positive",
            ),
            models.UniqueConstraint(
                fields=["organization", "external_id"],
                condition=~Q(external_id=""),
                name="refund_external_id_unique_per_brand",
                violation_error_message=_("You already have a refund with this external id."),
                violation_error_code="refund_external_id_unique_per_brand",
            ),
            models.CheckConstraint(
                condition=Q(status__in=refund_rules.STATUSES),
                name="refund_status_valid",
                violation_error_message=_("This is not a refund status."),
                violation_error_code="refund_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"refund {self.amount} of {self.order_id}"

    @property
    def for_operator(self) -> bool:
        return self.status in refund_rules.FOR_OPERATOR

    @property
    def finally_decided(self) -> bool:
        return self.final_decided_at is not None


class Complaint(TenantOwned):
    class Category(models.TextChoices):
        FALSE_ADVERTISING = "false_advertising", _("False advertising")
        QUALITY = "quality", _("Quality")
        DELIVERY = "delivery", _("Delivery")
        SERVICE = "service", _("Service")
        COUNTERFEIT = "counterfeit", _("Counterfeit")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        INVESTIGATING = "investigating", _("Investigating")
        RESOLVED = "resolved", _("Resolved")
        REJECTED = "rejected", _("Rejected")

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="complaints")
    category = models.CharField(max_length=20, choices=Category.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    filed_at = models.DateTimeField()
    #: The shop system's id for this complaint: a repeat with the same id changes nothing.
    external_id = models.CharField(max_length=80, blank=True, default="")

    CONSTRAINT_FIELDS = {"complaint_external_id_unique_per_brand": "external_id"}

    class Meta(TenantOwned.Meta):
        ordering = ["-filed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "external_id"],
                condition=~Q(external_id=""),
                name="complaint_external_id_unique_per_brand",
                violation_error_message=_("You already have a complaint with this external id."),
                violation_error_code="complaint_external_id_unique_per_brand",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category} on {self.order_id}"


def http_link(value: str) -> None:
    """Only a web page may be submitted: ``javascript:``, ``data:``, ``ftp:`` and the like are
    refused (the brand opens the link from its review page)."""
    URLValidator(schemes=["http", "https"], message=_("Enter a web address (http or https)."))(
        value
    )


class ContentSubmission(TenantOwned):
    """Content a creator (or its agency) submitted for a collaboration, and the brand's review.

    Owned by the collaboration's brand, like the collaboration. Each submission is a row of its
    own: a resubmission after the brand asked for changes adds a row, so the history stays.
    Written only by ``brands.review``; at most one per collaboration awaits review.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting review")
        APPROVED = "approved", _("Approved")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")

    LINK_MAX, CAPTION_MAX, REASON_MAX = 500, 2000, 2000

    collaboration = models.ForeignKey(
        Collaboration, on_delete=models.CASCADE, related_name="submissions"
    )
    link = models.URLField(max_length=LINK_MAX, validators=[http_link])
    caption = models.TextField(validators=[MaxLengthValidator(CAPTION_MAX)])
    submitted_at = models.DateTimeField()
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    review_reason = models.TextField(blank=True, validators=[MaxLengthValidator(REASON_MAX)])
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    #: What the registered automatic checks (``brands.review_hooks``) said and let through:
    #: ``[{"code", "message", "blocks": false}]``, shown to the reviewing brand.
    check_findings = models.JSONField(default=list, blank=True)

    CONSTRAINT_FIELDS = {
        "content_submission_one_pending": "collaboration",
        "content_submission_status_valid": "status",
        "content_submission_reason_when_changes": "review_reason",
        "content_submission_reviewed_when_decided": "reviewed_at",
    }

    class Meta(TenantOwned.Meta):
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["organization", "status", "-submitted_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["collaboration"],
                condition=Q(status="pending"),
                name="content_submission_one_pending",
                violation_error_code="content_submission_one_pending",
                violation_error_message=_(
                    "This collaboration already has content awaiting review."
                ),
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "approved", "changes_requested"]),
                name="content_submission_status_valid",
                violation_error_code="content_submission_status_valid",
                violation_error_message=_("Choose a valid review status."),
            ),
            models.CheckConstraint(
                condition=~Q(status="changes_requested") | ~Q(review_reason=""),
                name="content_submission_reason_when_changes",
                violation_error_code="content_submission_reason_when_changes",
                violation_error_message=_("Say what should change."),
            ),
            models.CheckConstraint(
                condition=Q(status="pending", reviewed_at__isnull=True)
                | (~Q(status="pending") & Q(reviewed_at__isnull=False)),
                name="content_submission_reviewed_when_decided",
                violation_error_code="content_submission_reviewed_when_decided",
                violation_error_message=_(
                    "A decided submission has a review time; a pending one none."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"content of {self.collaboration_id} ({self.status})"
