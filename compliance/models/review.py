"""Compliance: policy, review cases, reviewers' labels, sanctions and appeals, model versions.

The platform operator owns the policy, the queue and the models; no row here has an
``organization`` of its own. Who else reads a row is the queryset's rule: a creator its own
cases, sanctions and appeals; an agency those of the creators it manages now (an input of its
certification); a brand the cases about its own products and submissions.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from brands.models import ContentSubmission, Product
from creators.models import ContentItem, Creator
from tenancy import roles
from tenancy.managers import ActorManager
from tenancy.models import ConstraintErrorsOnFields, Organization

from .scoping import AboutCreatorQuerySet, OperatorOnlyQuerySet


class Category(models.TextChoices):
    """The lexicon's categories (``compliance/engine/lexicon.yaml``): the violation types."""

    ABSOLUTE = "absolute", _("Absolute claim")
    MEDICAL = "medical", _("Medical or efficacy claim")
    OFF_PLATFORM = "off_platform", _("Luring buyers off the platform")
    COUNTERFEIT = "counterfeit", _("Counterfeit goods")
    FAKE_PRICE = "fake_price", _("Fake price or scarcity")


class CaseQuerySet(AboutCreatorQuerySet):
    """Cases also show to the brand whose product or submission they are about."""

    def visible_to(self, actor):
        if actor.kind == roles.BRAND:
            return self.filter(organization_id=actor.organization_id)
        return super().visible_to(actor)


class Policy(ConstraintErrorsOnFields):
    """One violation category's thresholds and sanction ladder; the operator edits them."""

    category = models.CharField(max_length=16, choices=Category.choices, unique=True)
    review_threshold = models.FloatField(help_text=_("From this risk on, a person reviews it"))
    block_threshold = models.FloatField(help_text=_("From this risk on, it is blocked"))
    restrict_after = models.PositiveSmallIntegerField(
        help_text=_("Confirmed violations (in the window) that restrict the creator's traffic")
    )
    suspend_after = models.PositiveSmallIntegerField(
        help_text=_("Confirmed violations (in the window) that suspend the creator")
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ActorManager.from_queryset(OperatorOnlyQuerySet)()

    CONSTRAINT_FIELDS = {
        "compliance_policy_thresholds": "block_threshold",
        "compliance_policy_ladder": "suspend_after",
    }

    class Meta:
        ordering = ["category"]
        verbose_name_plural = "policies"
        constraints = [
            models.CheckConstraint(
                condition=Q(review_threshold__gt=0)
                & Q(review_threshold__lte=models.F("block_threshold"))
                & Q(block_threshold__lte=1),
                name="compliance_policy_thresholds",
                violation_error_message=_(
                    "Thresholds need 0 < review threshold ≤ block threshold ≤ 1."
                ),
                violation_error_code="compliance_policy_thresholds",
            ),
            models.CheckConstraint(
                condition=Q(restrict_after__gte=1)
                & Q(suspend_after__gt=models.F("restrict_after")),
                name="compliance_policy_ladder",
                violation_error_message=_(
                    "Restriction needs at least one violation, and suspension more than "
                    "restriction."
                ),
                violation_error_code="compliance_policy_ladder",
            ),
        ]

    def __str__(self) -> str:
        return self.get_category_display()


class Case(models.Model):
    """An item the scorer sent to people: blocked (held until decided) or for review."""

    class Source(models.TextChoices):
        CONTENT = "content", _("Content item")
        PRODUCT = "product", _("Product claim")
        SUBMISSION = "submission", _("Collaboration submission")

    class Track(models.TextChoices):
        REVIEW = "review", _("Review")
        BLOCK = "block", _("Blocked")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLAIMED = "claimed", _("Claimed")
        ESCALATED = "escalated", _("Escalated")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Violation confirmed")

    OPEN_STATUSES = (Status.OPEN, Status.CLAIMED, Status.ESCALATED)

    source = models.CharField(max_length=12, choices=Source.choices)
    track = models.CharField(max_length=8, choices=Track.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    creator = models.ForeignKey(
        Creator, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("The brand whose product or submission this is"),
    )
    content_item = models.ForeignKey(
        ContentItem, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    product = models.ForeignKey(
        Product, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    submission = models.ForeignKey(
        ContentSubmission, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    text = models.TextField()
    risk = models.FloatField()
    category = models.CharField(max_length=16, choices=Category.choices)
    reasons = models.JSONField(default=list)
    model_probability = models.FloatField()
    model_version = models.CharField(max_length=64)
    lexicon_version = models.CharField(max_length=32)
    opened_at = models.DateTimeField()
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    violation_type = models.CharField(max_length=16, choices=Category.choices, blank=True)
    note = models.TextField(blank=True)

    objects = ActorManager.from_queryset(CaseQuerySet)()

    class Meta:
        ordering = ["opened_at", "id"]
        indexes = [models.Index(fields=["status", "opened_at"], name="compliance_case_queue")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(violation_type=""),
                name="compliance_case_rejected_has_type",
                violation_error_message=_("A confirmed violation needs its violation type."),
                violation_error_code="compliance_case_rejected_has_type",
            ),
        ]

    def __str__(self) -> str:
        return f"case {self.pk} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class Label(models.Model):
    """A reviewer's decision as training data: the text and what it was (a category or none)."""

    NONE = "none"

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="label")
    text = models.TextField()
    label = models.CharField(max_length=16)
    created_at = models.DateTimeField()

    objects = ActorManager.from_queryset(OperatorOnlyQuerySet)()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.label}: {self.text[:20]}"


class Sanction(models.Model):
    class Level(models.TextChoices):
        WARNING = "warning", _("Warning")
        RESTRICTION = "restriction", _("Traffic restriction")
        SUSPENSION = "suspension", _("Suspension")

    class Status(models.TextChoices):
        ACTIVE = "active", _("In force")
        APPEALED = "appealed", _("Under appeal")
        OVERTURNED = "overturned", _("Overturned on appeal")

    creator = models.ForeignKey(Creator, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="sanctions")
    level = models.CharField(max_length=12, choices=Level.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    starts_on = models.DateField()
    ends_on = models.DateField(
        null=True, blank=True, help_text=_("Last day in force; empty: until lifted")
    )
    reason = models.TextField()
    created_at = models.DateTimeField()

    objects = ActorManager.from_queryset(AboutCreatorQuerySet)()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.level} for creator {self.creator_id}"


class Appeal(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        UPHELD = "upheld", _("Sanction upheld")
        OVERTURNED = "overturned", _("Sanction overturned")

    sanction = models.ForeignKey(Sanction, on_delete=models.CASCADE, related_name="appeals")
    creator = models.ForeignKey(Creator, on_delete=models.CASCADE, related_name="+")
    text = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)

    objects = ActorManager.from_queryset(AboutCreatorQuerySet)()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["sanction"],
                condition=Q(status="open"),
                name="compliance_one_open_appeal",
                violation_error_message=_("This sanction already has an open appeal."),
                violation_error_code="compliance_one_open_appeal",
            ),
        ]

    def __str__(self) -> str:
        return f"appeal of sanction {self.sanction_id}"


class ModelVersion(models.Model):
    """A trained risk model; exactly one is active at a time (none: the shipped baseline)."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("In service")
        RETIRED = "retired", _("Retired")
        REJECTED = "rejected", _("Not promoted")

    version = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices)
    blob = models.BinaryField()
    report = models.JSONField(default=dict)
    labels_used = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()
    promoted_at = models.DateTimeField(null=True, blank=True)

    objects = ActorManager.from_queryset(OperatorOnlyQuerySet)()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["status"],
                condition=Q(status="active"),
                name="compliance_one_active_model",
                violation_error_message=_("Only one model can be in service."),
                violation_error_code="compliance_one_active_model",
            ),
        ]

    def __str__(self) -> str:
        return self.version


class RetrainRun(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    candidate = models.ForeignKey(
        ModelVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    promoted = models.BooleanField(default=False)
    incumbent_version = models.CharField(max_length=64, blank=True)
    report = models.JSONField(default=dict, blank=True)
    incumbent_report = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ActorManager.from_queryset(OperatorOnlyQuerySet)()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"retrain {self.pk} ({self.status})"
