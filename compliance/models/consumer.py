"""Consumer protection: the daily complaint rate of every creator, brand and agency.

One row per subject and day: the trailing-window counts the beat job stored for that day
(``compliance.complaint_rates``; which orders and complaints count is said in
``compliance.selectors.complaint_counts``). A subject without orders in the window has no row:
its rate is missing, not 0. Rows are written only by that job, one day at a time in one
transaction, so a rerun of a day replaces its rows (the uniqueness constraint says a day has one
row per subject).

Who reads a row: the operator every row; a brand its own; an agency its own and those of the
creators it manages now; a creator its own.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from creators.models import Creator
from tenancy import roles
from tenancy.managers import ActorManager, ActorQuerySet
from tenancy.models import ConstraintErrorsOnFields


class SubjectKind(models.TextChoices):
    CREATOR = "creator", pgettext_lazy("complaint rate subject", "Creator")
    BRAND = "brand", pgettext_lazy("complaint rate subject", "Brand")
    AGENCY = "agency", pgettext_lazy("complaint rate subject", "Agency")


class ComplaintRateQuerySet(ActorQuerySet):
    def visible_to(self, actor):
        if actor.is_operator:
            return self
        if actor.is_creator:
            return self.filter(subject_kind=SubjectKind.CREATOR, subject_id=actor.creator_id)
        own = Q(subject_id=actor.organization_id)
        if actor.kind == roles.BRAND:
            return self.filter(own, subject_kind=SubjectKind.BRAND)
        if actor.kind == roles.AGENCY:
            managed = Creator.objects.unscoped().filter(agency_id=actor.organization_id)
            return self.filter(
                Q(own, subject_kind=SubjectKind.AGENCY)
                | Q(subject_kind=SubjectKind.CREATOR, subject_id__in=managed.values("pk"))
            )
        return self.none()


class ComplaintRateDaily(ConstraintErrorsOnFields):
    """The complaint rate of one subject over the window ending on ``date`` (inclusive)."""

    subject_kind = models.CharField(max_length=8, choices=SubjectKind.choices)
    #: The creator's id (kind creator) or the organization's (brand, agency).
    subject_id = models.PositiveBigIntegerField()
    date = models.DateField(help_text=_("Last day of the trailing window"))
    orders = models.PositiveIntegerField()
    complaints = models.PositiveIntegerField()
    rate = models.FloatField()
    alert = models.BooleanField(default=False)

    objects = ActorManager.from_queryset(ComplaintRateQuerySet)()

    CONSTRAINT_FIELDS = {
        "complaint_rate_one_per_subject_day": "date",
        "complaint_rate_has_orders": "orders",
    }

    class Meta:
        ordering = ["-date", "-rate", "subject_kind", "subject_id"]
        indexes = [
            models.Index(fields=["date", "subject_kind", "-rate"], name="complaint_rate_leaders"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["subject_kind", "subject_id", "date"],
                name="complaint_rate_one_per_subject_day",
                violation_error_message=_("This subject already has a complaint rate that day."),
                violation_error_code="complaint_rate_one_per_subject_day",
            ),
            models.CheckConstraint(
                condition=Q(orders__gt=0),
                name="complaint_rate_has_orders",
                violation_error_message=_("A complaint rate needs at least one order."),
                violation_error_code="complaint_rate_has_orders",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject_kind} {self.subject_id} {self.date}: {self.rate:.4f}"
