"""Traffic allocation runs and their per-creator results.

A run belongs to the platform operator, not to a tenant: it has no ``organization`` and its rows
are read by the operator (admin, services). ``traffic.services`` writes both tables; a run's
``Allocation`` rows appear in the same transaction that marks it succeeded, so a reader never
sees half a run.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tenancy import roles
from tenancy.managers import ActorManager, ActorQuerySet


class RunQuerySet(ActorQuerySet):
    """The operator sees every run; partners and creators the ones ever published (their
    aggregate figures); anyone else none."""

    def visible_to(self, actor):
        if actor.is_operator:
            return self
        if actor.kind in (roles.PARTNER, roles.CREATOR):
            return self.filter(published_at__isnull=False)
        return self.none()


class AllocationQuerySet(ActorQuerySet):
    """Per-creator merit and exposure: the operator's, and each creator's own row."""

    def visible_to(self, actor):
        if actor.is_operator:
            return self
        if actor.is_creator:
            return self.filter(creator_id=actor.creator_id)
        return self.none()


class AllocationRun(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    class Step(models.TextChoices):
        """What a run is doing now; the service writes it at each phase, the page shows it."""

        QUEUED = "queued", _("Waiting for a worker")
        MERIT = "merit", _("Loading merit")
        ALLOCATING = "allocating", _("Allocating impressions")
        WRITING = "writing", _("Writing the results")
        DONE = "done", _("Done")

    # Parameters
    pool = models.BigIntegerField(help_text=_("Impressions to split"))
    target_gini = models.FloatField()
    floor = models.FloatField(default=0)
    cap = models.FloatField(null=True, blank=True)
    as_of = models.DateField(help_text=_("Merit is computed from the 28 days up to this date"))
    params_hash = models.CharField(
        max_length=64,
        blank=True,
        db_index=True,
        help_text=_("sha256 of the parameters and a fingerprint of the input data"),
    )

    # State
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(default=0)
    step = models.CharField(max_length=10, choices=Step.choices, default=Step.QUEUED)
    error = models.TextField(blank=True)

    # Results
    gini_before = models.FloatField(null=True, blank=True, help_text=_("Merit-proportional"))
    gini_after = models.FloatField(null=True, blank=True)
    distance = models.FloatField(null=True, blank=True)
    merit_retained = models.FloatField(null=True, blank=True)
    low_level = models.FloatField(null=True, blank=True)
    high_level = models.FloatField(null=True, blank=True)
    band_shares = models.JSONField(default=dict, blank=True)
    creators = models.PositiveIntegerField(default=0)
    # Traffic packages (星火计划 tier benefits, ``traffic.packages``): reserved out of the pool
    # before the Gini step. ``gini_after`` (and ``band_shares``) describe the final impressions,
    # packages included; ``gini_without_packages`` is the Gini step's own result on the rest of
    # the pool (the engine's, equal to ``gini_after`` when no package was granted).
    package_impressions = models.BigIntegerField(
        default=0, help_text=_("Impressions of the pool granted as tier traffic packages")
    )
    package_share = models.FloatField(default=0, help_text=_("Package impressions ÷ pool"))
    packages = models.JSONField(
        default=dict,
        blank=True,
        help_text=_("The certification cycle, scale and per-tier and per-agency packages"),
    )
    gini_without_packages = models.FloatField(null=True, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="allocation_runs",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # The lease of the worker executing the run (traffic.services, "Runs"): it renews
    # ``heartbeat_at`` while it works; a running run whose heartbeat is older than the lease
    # lost its worker and may be claimed again. Each claim adds one to ``claims``, and only the
    # holder of the latest claim may write (a worker that lost its lease writes nothing).
    heartbeat_at = models.DateTimeField(
        null=True, blank=True, help_text=_("Last sign of life of the worker executing the run")
    )
    claims = models.PositiveSmallIntegerField(
        default=0, help_text=_("How many times a worker has started the run")
    )
    finished_at = models.DateTimeField(null=True, blank=True)
    published = models.BooleanField(default=False)
    published_at = models.DateTimeField(null=True, blank=True)

    objects = ActorManager.from_queryset(RunQuerySet)()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(pool__gt=0),
                name="traffic_run_pool_positive",
                violation_error_message=_("The pool must be at least 1 impression."),
                violation_error_code="traffic_run_pool_positive",
            ),
            models.CheckConstraint(
                condition=Q(target_gini__gte=0) & Q(target_gini__lte=1),
                name="traffic_run_target_gini_range",
                violation_error_message=_("The target Gini must be between 0 and 1."),
                violation_error_code="traffic_run_target_gini_range",
            ),
            models.CheckConstraint(
                condition=Q(floor__gte=0),
                name="traffic_run_floor_not_negative",
                violation_error_message=_("The floor cannot be negative."),
                violation_error_code="traffic_run_floor_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(cap__isnull=True) | Q(cap__gte=models.F("floor")),
                name="traffic_run_cap_not_below_floor",
                violation_error_message=_("The cap cannot be below the floor."),
                violation_error_code="traffic_run_cap_not_below_floor",
            ),
            models.CheckConstraint(
                condition=Q(progress__gte=0) & Q(progress__lte=100),
                name="traffic_run_progress_range",
                violation_error_message=_("Progress must be between 0 and 100."),
                violation_error_code="traffic_run_progress_range",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "running", "succeeded", "failed"]),
                name="traffic_run_status_valid",
                violation_error_message=_("Choose a valid run status."),
                violation_error_code="traffic_run_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(published=False) | Q(status="succeeded"),
                name="traffic_run_published_only_if_succeeded",
                violation_error_message=_("Only a succeeded run can be published."),
                violation_error_code="traffic_run_published_only_if_succeeded",
            ),
            models.CheckConstraint(
                condition=Q(package_impressions__gte=0)
                & Q(package_impressions__lte=models.F("pool")),
                name="traffic_run_packages_within_pool",
                violation_error_message=_("The packages cannot exceed the pool."),
                violation_error_code="traffic_run_packages_within_pool",
            ),
            models.UniqueConstraint(
                fields=["published"],
                condition=Q(published=True),
                name="traffic_run_one_published",
                violation_error_message=_("Another run is already published."),
                violation_error_code="traffic_run_one_published",
            ),
        ]

    def __str__(self) -> str:
        return f"allocation run {self.pk} ({self.status})"

    def steps(self) -> list[tuple[str, str]]:
        """``(label, state)`` of every step in order; state is ``done``, ``current``,
        ``failed`` (the step a failed run stopped at) or ``todo``."""
        order = list(self.Step)
        at = order.index(self.step) if self.step in order else 0
        current = "failed" if self.status == self.Status.FAILED else "current"
        if self.status == self.Status.SUCCEEDED:
            at, current = len(order) - 1, "done"
        states = ["done"] * at + [current] + ["todo"] * (len(order) - at - 1)
        return [(step.label, state) for step, state in zip(order, states, strict=True)]


class Allocation(models.Model):
    run = models.ForeignKey(AllocationRun, on_delete=models.CASCADE, related_name="allocations")
    creator = models.ForeignKey(
        "creators.Creator", on_delete=models.CASCADE, related_name="allocations"
    )
    merit = models.FloatField()
    impressions = models.BigIntegerField(help_text=_("Total, the package's part included"))
    eligible = models.BooleanField()
    #: The part of ``impressions`` that came from the traffic package of ``package_agency``
    #: (the creator's agency at the run, when that agency's tier had a package).
    package_impressions = models.BigIntegerField(default=0)
    package_agency = models.ForeignKey(
        "tenancy.Organization",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ActorManager.from_queryset(AllocationQuerySet)()

    class Meta:
        ordering = ["run", "-impressions"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "creator"],
                name="allocation_unique_per_run",
                violation_error_message=_("This creator already has an allocation in this run."),
                violation_error_code="allocation_unique_per_run",
            ),
            models.CheckConstraint(
                condition=Q(impressions__gte=0) & Q(merit__gte=0),
                name="allocation_not_negative",
                violation_error_message=_("Impressions and merit cannot be negative."),
                violation_error_code="allocation_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(eligible=True) | Q(impressions=0),
                name="allocation_ineligible_gets_nothing",
                violation_error_message=_("An ineligible creator gets no impressions."),
                violation_error_code="allocation_ineligible_gets_nothing",
            ),
            models.CheckConstraint(
                condition=Q(package_impressions__gte=0)
                & Q(package_impressions__lte=models.F("impressions")),
                name="allocation_package_within_impressions",
                violation_error_message=_(
                    "The package's impressions are part of the impressions, never more."
                ),
                violation_error_code="allocation_package_within_impressions",
            ),
            models.CheckConstraint(
                condition=Q(package_impressions=0) | Q(package_agency__isnull=False),
                name="allocation_package_has_agency",
                violation_error_message=_("Package impressions come from an agency's package."),
                violation_error_code="allocation_package_has_agency",
            ),
        ]
        # The API's order within a run, id last: the keyset cursor pages on (impressions, id),
        # and thousands of creators share the floor's impressions.
        indexes = [
            models.Index(fields=["run", "-impressions", "id"], name="allocation_run_impr_id_idx")
        ]

    def __str__(self) -> str:
        return f"{self.creator_id}: {self.impressions} in run {self.run_id}"
