"""The cash-incentive plan (光合计划): plans with a budget, milestone rules as rows, awards.

A plan's ``spent`` only moves inside ``creators.services_incentives``, by an F() increment on the
plan row it holds locked, and the database refuses ``spent > budget``: no interleaving of awards
can overdraw a plan. An award is unique per (milestone, creator), so evaluating a day twice
awards nothing new.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from tenancy.managers import ActorManager, OperatorOnlyQuerySet, SignedInManager

from .academy import Track
from .core import Creator, PrivateToCreatorManager


class IncentivePlan(models.Model):
    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    budget = models.DecimalField(max_digits=14, decimal_places=2)
    spent = models.DecimalField(
        max_digits=14, decimal_places=2, default=0, help_text=_("Sum of the plan's live awards")
    )
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    # Creators see what they can earn; the budget figures are shown by selectors to operators.
    objects = SignedInManager()

    class Meta:
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(budget__gte=0),
                name="plan_budget_not_negative",
                violation_error_message=_("The budget cannot be negative."),
                violation_error_code="plan_budget_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(spent__gte=0) & Q(spent__lte=F("budget")),
                name="plan_spent_within_budget",
                violation_error_message=_("The plan's awards cannot exceed its budget."),
                violation_error_code="plan_spent_within_budget",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="plan_dates_ordered",
                violation_error_message=_("The end date cannot be before the start date."),
                violation_error_code="plan_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def remaining(self):
        return self.budget - self.spent


class MilestoneKind(models.TextChoices):
    FOLLOWERS = "followers", _("Followers reached")
    FIRST_SALE = "first_sale", _("First sale")
    ORIGINAL_STREAK = "original_streak", _("Original items in a row")
    TRACK_COMPLETED = "track_completed", _("Academy track completed")


#: Which parameter each kind of milestone needs: a count (threshold) or an academy track.
NEEDS_THRESHOLD = (MilestoneKind.FOLLOWERS, MilestoneKind.ORIGINAL_STREAK)
NEEDS_TRACK = (MilestoneKind.TRACK_COMPLETED,)


class Milestone(models.Model):
    plan = models.ForeignKey(IncentivePlan, on_delete=models.CASCADE, related_name="milestones")
    kind = models.CharField(max_length=20, choices=MilestoneKind.choices)
    threshold = models.PositiveIntegerField(
        null=True, blank=True, help_text=_("Followers to reach, or original items in a row")
    )
    track = models.CharField(max_length=20, choices=Track.choices, blank=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    title = models.CharField(max_length=120)

    objects = SignedInManager()

    class Meta:
        ordering = ["plan", "kind", "threshold", "track"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "kind", "threshold", "track"],
                name="milestone_unique_rule_per_plan",
                nulls_distinct=False,
                violation_error_message=_("This plan already has this milestone."),
                violation_error_code="milestone_unique_rule_per_plan",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=MilestoneKind.values),
                name="milestone_kind_valid",
                violation_error_message=_("Choose a valid milestone kind."),
                violation_error_code="milestone_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="milestone_amount_positive",
                violation_error_message=_("The award must be above zero."),
                violation_error_code="milestone_amount_positive",
            ),
            models.CheckConstraint(
                condition=(
                    # isnull=False: a NULL threshold would make the test NULL, which a CHECK
                    # lets through.
                    Q(kind__in=NEEDS_THRESHOLD, threshold__isnull=False, threshold__gte=1, track="")
                    | Q(kind__in=NEEDS_TRACK, threshold__isnull=True, track__in=Track.values)
                    | (
                        ~Q(kind__in=NEEDS_THRESHOLD + NEEDS_TRACK)
                        & Q(threshold__isnull=True, track="")
                    )
                ),
                name="milestone_rule_parameters",
                violation_error_message=_(
                    "Followers and original-streak milestones need a count; a track milestone "
                    "needs a track; a first-sale milestone needs neither."
                ),
                violation_error_code="milestone_rule_parameters",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Award(models.Model):
    class Status(models.TextChoices):
        GRANTED = "granted", _("Granted")
        REVOKED = "revoked", _("Revoked")

    milestone = models.ForeignKey(Milestone, on_delete=models.PROTECT, related_name="awards")
    # The milestone's plan, kept on the row: the ledger sums and locks by plan.
    plan = models.ForeignKey(IncentivePlan, on_delete=models.PROTECT, related_name="awards")
    creator = models.ForeignKey(Creator, on_delete=models.CASCADE, related_name="awards")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    achieved_on = models.DateField(help_text=_("The day the data first showed the milestone"))
    evidence = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.GRANTED)
    awarded_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.TextField(blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="revoked_awards",
    )

    objects = PrivateToCreatorManager()

    class Meta:
        ordering = ["-achieved_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["milestone", "creator"],
                name="award_once_per_milestone",
                violation_error_message=_("This creator already has this award."),
                violation_error_code="award_once_per_milestone",
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="award_amount_positive",
                violation_error_message=_("The award must be above zero."),
                violation_error_code="award_amount_positive",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["granted", "revoked"]),
                name="award_status_valid",
                violation_error_message=_("Choose a valid award status."),
                violation_error_code="award_status_valid",
            ),
        ]
        indexes = [models.Index(fields=["creator", "-achieved_on"], name="award_creator_idx")]

    def __str__(self) -> str:
        return f"{self.milestone_id} → {self.creator_id}"


class IncentiveRun(models.Model):
    """One day's evaluation of every active plan: claimed with a conditional update, so two
    beats of the same day evaluate it once."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    as_of = models.DateField(unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    awarded = models.PositiveIntegerField(default=0)
    awarded_amount = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    refused = models.PositiveIntegerField(
        default=0, help_text=_("Milestones reached that the plan's remaining budget could not pay")
    )
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ActorManager.from_queryset(OperatorOnlyQuerySet)()

    class Meta:
        ordering = ["-as_of"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "running", "succeeded", "failed"]),
                name="incentive_run_status_valid",
                violation_error_message=_("Choose a valid run status."),
                violation_error_code="incentive_run_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"incentives @ {self.as_of}"
