"""MCN agencies and their contracts with creators. Certification (星火计划) arrives later."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from creators.models import Creator
from tenancy.managers import SignedInManager
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
