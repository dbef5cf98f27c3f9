"""MCN agencies, their contracts with creators, and the 星火计划 certification (S/A/B): the
policy it applies, its runs, each agency's assessment, appeals, and what each tier is worth."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from creators.models import Creator
from tenancy import roles
from tenancy.managers import ActorManager, ActorQuerySet, SignedInManager, TenantQuerySet
from tenancy.models import TenantOwned

from . import engine


class AgencyProfile(models.Model):
    organization = models.OneToOneField(
        "tenancy.Organization",
        on_delete=models.CASCADE,
        related_name="agency_profile",
        limit_choices_to={"kind": "agency"},
    )
    founded = models.DateField(null=True, blank=True)
    headquarters = models.CharField(max_length=64, blank=True)
    description = models.TextField(blank=True)

    objects = SignedInManager()  # an agency's public profile

    def __str__(self) -> str:
        return f"agency profile of {self.organization_id}"


class Contract(TenantOwned):
    """An agency (``organization``) and a creator. It begins as an *offer* the agency makes;
    only the creator turns it into an *active* contract, by accepting it.

    Life cycle: ``offered`` → ``active`` (the creator accepts) / ``declined`` (the creator) /
    ``withdrawn`` (the agency) / ``expired`` (the offer's deadline passed); ``active`` →
    ``ended`` (the agency). The database holds one active contract per creator and one open
    offer per agency and creator. ``mcn.services`` keeps ``Creator.agency`` in step: it names the
    agency of the active contract once its start date has come, and nobody before that.
    """

    class Status(models.TextChoices):
        OFFERED = "offered", _("Offered")
        ACTIVE = "active", _("Active")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        EXPIRED = "expired", _("Expired")
        ENDED = "ended", _("Ended")

    #: An offer nobody answers any more: the agency may make a new one.
    CLOSED_OFFERS = (Status.DECLINED, Status.WITHDRAWN, Status.EXPIRED)

    creator = models.ForeignKey(Creator, on_delete=models.PROTECT, related_name="contracts")
    start = models.DateField(help_text=_("The day the agency's rights over the creator begin"))
    end = models.DateField(null=True, blank=True)
    revenue_share_pct = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("Agency's share of the creator's commercial revenue, in percent"),
    )
    # The default stays ``active`` for rows written in bulk (the demo world's history); every
    # service sets the status it means explicitly, and offers start as ``offered``.
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    message = models.CharField(
        max_length=1000, blank=True, db_default="", help_text=_("The agency's note to the creator")
    )
    offer_expires_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    CONSTRAINT_FIELDS = {
        "one_active_contract_per_creator": "creator",
        "one_open_offer_per_agency_and_creator": "creator",
        "contract_status_valid": "status",
        "contract_ends_after_start": "end",
        "contract_share_is_percent": "revenue_share_pct",
        "contract_end_matches_status": "end",
        "contract_offer_has_expiry": "offer_expires_at",
    }

    class Meta(TenantOwned.Meta):
        ordering = ["-start"]
        constraints = [
            models.UniqueConstraint(
                fields=["creator"],
                condition=Q(status="active"),
                name="one_active_contract_per_creator",
                violation_error_code="one_active_contract_per_creator",
                violation_error_message=_("This creator already has an active contract."),
            ),
            models.UniqueConstraint(
                fields=["organization", "creator"],
                condition=Q(status="offered"),
                name="one_open_offer_per_agency_and_creator",
                violation_error_code="one_open_offer_per_agency_and_creator",
                violation_error_message=_("You already have an open offer to this creator."),
            ),
            models.CheckConstraint(
                condition=Q(
                    status__in=["offered", "active", "declined", "withdrawn", "expired", "ended"]
                ),
                name="contract_status_valid",
                violation_error_message=_("Choose a valid contract status."),
                violation_error_code="contract_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=F("start")),
                name="contract_ends_after_start",
                violation_error_message=_("A contract cannot end before it starts."),
                violation_error_code="contract_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(revenue_share_pct__gte=0, revenue_share_pct__lte=100),
                name="contract_share_is_percent",
                violation_error_message=_("The revenue share must be between 0 and 100 percent."),
                violation_error_code="contract_share_is_percent",
            ),
            models.CheckConstraint(
                condition=Q(status="ended", end__isnull=False)
                | (~Q(status="ended") & Q(end__isnull=True)),
                name="contract_end_matches_status",
                violation_error_message=_(
                    "Only an ended contract has an end date, and it must have one."
                ),
                violation_error_code="contract_end_matches_status",
            ),
            models.CheckConstraint(
                condition=~Q(status="offered") | Q(offer_expires_at__isnull=False),
                name="contract_offer_has_expiry",
                violation_error_message=_("An open offer needs an expiry time."),
                violation_error_code="contract_offer_has_expiry",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} ↔ {self.creator_id} ({self.status})"


# --- Certification (星火计划) ---------------------------------------------------------------------

TIER_CHOICES = [(tier, tier) for tier in engine.TIERS]


class PlatformQuerySet(ActorQuerySet):
    """Platform-wide rows (policies, runs, benefits): the operator reads them all; every other
    signed-in party the ones that are public by nature (``public``)."""

    def public(self):
        return self

    def visible_to(self, actor):
        if actor.is_operator:
            return self
        if actor.organization_id is None and not actor.is_creator:
            return self.none()
        return self.public()


class TierPolicy(models.Model):
    """One version of the rubric: weights, tier thresholds, gates and the trailing window.

    Versions are never edited: the operator's change writes a new version (``mcn.certification.
    tier_policy_publish``) that becomes the active one, so every run names the rubric it applied.
    ``gates`` maps a tier to a list of ``{name, metric, bound, at_least}``.
    """

    version = models.PositiveIntegerField(unique=True)
    weights = models.JSONField()
    thresholds = models.JSONField()
    gates = models.JSONField(default=dict)
    window_days = models.PositiveSmallIntegerField(
        default=90, validators=[MinValueValidator(7), MaxValueValidator(366)]
    )
    active = models.BooleanField(default=False)
    note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ActorManager.from_queryset(PlatformQuerySet)()

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["active"],
                condition=Q(active=True),
                name="tier_policy_one_active",
                violation_error_message=_("Another policy version is already active."),
                violation_error_code="tier_policy_one_active",
            ),
        ]

    def __str__(self) -> str:
        return f"tier policy v{self.version}"

    def rubric(self) -> engine.Policy:
        """The engine's view of this version (raises ``ValueError`` when it is malformed)."""
        return policy_from_data(self.weights, self.thresholds, self.gates)


def policy_from_data(weights: dict, thresholds: dict, gates: dict) -> engine.Policy:
    return engine.Policy(
        weights={m: float(w) for m, w in weights.items()},
        thresholds={t: float(v) for t, v in thresholds.items()},
        gates={
            tier: tuple(
                engine.Gate(g["name"], g["metric"], float(g["bound"]), bool(g["at_least"]))
                for g in listed
            )
            for tier, listed in gates.items()
        },
    )


class TierBenefit(models.Model):
    """What a tier is worth: a monthly traffic package (impressions reserved out of every
    allocation pool before the Gini step, spread over the agency's active creators by merit)
    and a brand priority (the matcher's tie-breaker: higher first among equal scores)."""

    tier = models.CharField(max_length=1, choices=TIER_CHOICES, unique=True)
    monthly_impressions = models.PositiveBigIntegerField(default=0)
    brand_priority = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ActorManager.from_queryset(PlatformQuerySet)()

    class Meta:
        ordering = ["tier"]

    def __str__(self) -> str:
        return f"tier {self.tier} benefits"


class CertificationRun(models.Model):
    """One cycle: every agency assessed under one policy version over the window ending
    ``as_of``. Claimed with a conditional update and written in one transaction
    (``mcn.certification``); (policy, as_of) names the cycle, so asking again returns it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    policy = models.ForeignKey(TierPolicy, on_delete=models.PROTECT, related_name="runs")
    as_of = models.DateField(help_text=_("The last day of the window"))
    window_start = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    error = models.TextField(blank=True)
    claims = models.PositiveSmallIntegerField(default=0)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    params_hash = models.CharField(max_length=64, blank=True)
    tier_counts = models.JSONField(default=dict, blank=True)
    bounds = models.JSONField(
        default=dict, blank=True, help_text=_("The cohort's (lowest, highest) value per metric")
    )
    agencies = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ActorManager.from_queryset(PlatformQuerySet)()

    class Meta:
        ordering = ["-as_of", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "as_of"],
                condition=~Q(status="failed"),
                name="certification_run_one_per_cycle",
                violation_error_message=_("This cycle has already been run under this policy."),
                violation_error_code="certification_run_one_per_cycle",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "running", "succeeded", "failed"]),
                name="certification_run_status_valid",
                violation_error_message=_("Choose a valid run status."),
                violation_error_code="certification_run_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(window_start__lte=F("as_of")),
                name="certification_run_window_order",
                violation_error_message=_("The window must start before it ends."),
                violation_error_code="certification_run_window_order",
            ),
        ]

    def __str__(self) -> str:
        return f"certification run {self.pk} ({self.as_of}, {self.status})"


class AssessmentQuerySet(TenantQuerySet):
    """An agency's own assessments; the operator's and partners' (``agencies:read``) all."""

    def visible_to(self, actor):
        if actor.is_operator or actor.kind == roles.PARTNER:
            return self
        return super().visible_to(actor)


class AgencyAssessment(TenantOwned):
    """One agency (``organization``) in one run: its metrics, the breakdown, gates, tier and
    the way up. ``tier`` is what the rubric gave; ``override_tier`` what an accepted appeal
    set (with its reason); ``effective_tier`` is the one that counts. No tier is "" in the
    tier columns."""

    class Change(models.TextChoices):
        NEW = "new", _("First tier")
        UP = "up", _("Up")
        DOWN = "down", _("Down")
        SAME = "same", _("Unchanged")
        LOST = "lost", _("Lost its tier")
        NONE = "none", _("No tier")

    run = models.ForeignKey(CertificationRun, on_delete=models.CASCADE, related_name="assessments")
    tier = models.CharField(max_length=1, choices=TIER_CHOICES, blank=True, default="")
    score = models.FloatField(null=True, blank=True)
    metrics = models.JSONField(default=dict)
    components = models.JSONField(default=list)
    gates = models.JSONField(default=list)
    next_tier = models.JSONField(null=True, blank=True)
    previous_tier = models.CharField(max_length=1, choices=TIER_CHOICES, blank=True, default="")
    change = models.CharField(max_length=4, choices=Change.choices, default=Change.NONE)
    override_tier = models.CharField(max_length=1, choices=TIER_CHOICES, blank=True, default="")
    override_reason = models.CharField(max_length=500, blank=True)

    objects = ActorManager.from_queryset(AssessmentQuerySet)()

    class Meta(TenantOwned.Meta):
        ordering = ["-run__as_of", "-run_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "organization"],
                name="assessment_one_per_agency_and_run",
                violation_error_message=_("This agency is already assessed in this run."),
                violation_error_code="assessment_one_per_agency_and_run",
            ),
            models.CheckConstraint(
                condition=Q(override_tier="") | ~Q(override_reason=""),
                name="assessment_override_has_reason",
                violation_error_message=_("An override needs a reason."),
                violation_error_code="assessment_override_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} in run {self.run_id}: {self.effective_tier}"

    @property
    def effective_tier(self) -> str | None:
        """The tier that counts, None for none ("" in the columns)."""
        return self.override_tier or self.tier or None


class AppealQuerySet(TenantQuerySet):
    """An agency's own appeals; the operator's all."""

    def visible_to(self, actor):
        if actor.is_operator:
            return self
        return super().visible_to(actor)


class Appeal(TenantOwned):
    """An agency contests one of its assessments; the operator accepts it (a new tier and a
    reason) or rejects it (a reason). One open appeal per assessment."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    assessment = models.ForeignKey(
        AgencyAssessment, on_delete=models.CASCADE, related_name="appeals"
    )
    text = models.TextField(max_length=4000)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    filed_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.CharField(max_length=500, blank=True)
    new_tier = models.CharField(max_length=1, choices=TIER_CHOICES, blank=True, default="")

    objects = ActorManager.from_queryset(AppealQuerySet)()

    class Meta(TenantOwned.Meta):
        ordering = ["-filed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment"],
                condition=Q(status="open"),
                name="appeal_one_open_per_assessment",
                violation_error_message=_("This assessment already has an open appeal."),
                violation_error_code="appeal_one_open_per_assessment",
            ),
            models.CheckConstraint(
                condition=Q(status="open") | ~Q(decision_reason=""),
                name="appeal_decision_has_reason",
                violation_error_message=_("A decision needs a reason."),
                violation_error_code="appeal_decision_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status="accepted") | ~Q(new_tier=""),
                name="appeal_accepted_has_tier",
                violation_error_message=_("Accepting an appeal needs the new tier."),
                violation_error_code="appeal_accepted_has_tier",
            ),
        ]

    def __str__(self) -> str:
        return f"appeal {self.pk} on {self.assessment_id} ({self.status})"
