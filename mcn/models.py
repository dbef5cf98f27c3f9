"""MCN agencies and their contracts with creators. Certification (星火计划) arrives later."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from creators.models import Creator
from tenancy.models import TenantOwned


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

    def __str__(self) -> str:
        return f"agency profile of {self.organization_id}"


class Contract(TenantOwned):
    """An agency (``organization``) signs a creator. At most one active contract per creator,
    enforced by the database; ``mcn.services`` keeps ``Creator.agency`` in step."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        ENDED = "ended", _("Ended")

    creator = models.ForeignKey(Creator, on_delete=models.PROTECT, related_name="contracts")
    start = models.DateField()
    end = models.DateField(null=True, blank=True)
    revenue_share_pct = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("Agency's share of the creator's commercial revenue, in percent"),
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.ACTIVE)
    end_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(TenantOwned.Meta):
        ordering = ["-start"]
        constraints = [
            models.UniqueConstraint(
                fields=["creator"],
                condition=Q(status="active"),
                name="one_active_contract_per_creator",
                violation_error_message=_("This creator already has an active contract."),
            ),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=F("start")),
                name="contract_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(revenue_share_pct__gte=0, revenue_share_pct__lte=100),
                name="contract_share_is_percent",
            ),
            models.CheckConstraint(
                condition=Q(status="active", end__isnull=True)
                | Q(status="ended", end__isnull=False),
                name="contract_end_matches_status",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} ↔ {self.creator_id} ({self.status})"
