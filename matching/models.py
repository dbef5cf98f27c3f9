"""Match index builds: one row per version of the index and the conversion model behind it.

A build belongs to the platform, not to a tenant. ``matching.services`` claims a pending build
with a conditional update, writes its files under ``settings.MATCH_INDEX_DIR`` and marks it
succeeded in one transaction; the newest succeeded build is the index in force.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tenancy.managers import ActorManager, ActorQuerySet


class BuildQuerySet(ActorQuerySet):
    """The operator reads every build; any signed-in party may learn the version in force (its
    figures are platform-wide counts, nothing about one tenant)."""

    def visible_to(self, actor):
        if actor.is_operator:
            return self
        if actor.organization_id is None and not actor.is_creator:
            return self.none()
        return self.filter(status=IndexBuild.Status.SUCCEEDED)


class IndexBuild(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    class Reason(models.TextChoices):
        MANUAL = "manual", _("Asked for")
        DATA_CHANGED = "data_changed", _("Portraits or figures changed")

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    reason = models.CharField(max_length=16, choices=Reason.choices, default=Reason.MANUAL)
    progress = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    claims = models.PositiveSmallIntegerField(default=0)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    fingerprint = models.CharField(
        max_length=64, blank=True, help_text=_("sha256 of what the index was built from")
    )
    creators = models.PositiveIntegerField(default=0)
    training_pairs = models.PositiveIntegerField(default=0)
    model_r2 = models.FloatField(null=True, blank=True)
    build_seconds = models.FloatField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ActorManager.from_queryset(BuildQuerySet)()

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "running", "succeeded", "failed"]),
                name="index_build_status_valid",
                violation_error_message=_("Choose a valid build status."),
                violation_error_code="index_build_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(progress__lte=100),
                name="index_build_progress_is_percent",
                violation_error_message=_("Progress is a percentage."),
                violation_error_code="index_build_progress_is_percent",
            ),
        ]

    def __str__(self) -> str:
        return f"match index v{self.pk} ({self.status})"

    @property
    def has_model(self) -> bool:
        return self.training_pairs > 0 and self.model_r2 is not None
