"""The cached ecosystem report: every figure of ``analytics.reports`` for one ``as_of`` day.

One row per day, replaced whole when recomputed (``analytics.services``), so a reader sees the
previous figures or the new ones, never a mix. Operator-only: the figures cross every tenant
(creators' income, every agency's and brand's money).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from tenancy.managers import ActorManager, OperatorOnlyQuerySet


class EcosystemReport(models.Model):
    as_of = models.DateField(
        unique=True, help_text=_("The figures describe the data up to this day")
    )
    computed_at = models.DateTimeField()
    payload = models.JSONField(help_text=_("Every report's figures and what was missing"))
    durations = models.JSONField(
        default=dict, help_text=_("Seconds each report took to compute, by report name")
    )

    objects = ActorManager.from_queryset(OperatorOnlyQuerySet)()

    class Meta:
        ordering = ["-as_of"]

    def __str__(self) -> str:
        return f"ecosystem report of {self.as_of}"
