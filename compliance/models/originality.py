"""Originality protection: the persistent MinHash index, flags of near-duplicates, contests.

The index is two tables the operator's jobs write (``compliance.originality``): one
:class:`OriginalitySignature` per indexed content item (its MinHash values, its publication time,
the fingerprint of its normalised text) and its ``BANDS`` rows of :class:`OriginalityBucket`
``(band, key) → content``, indexed on ``(band, key)`` (covering the content id), so a check is
one index lookup of 40 keys and then a rank of the few candidates found.

A near-duplicate of an item published earlier by another creator gets one
:class:`OriginalityFlag` naming its source (the earliest publisher among its matches) and the
similarity. The flagged creator may contest it once (:class:`OriginalityContest`); the operator
upholds or overturns it, and an overturned flag no longer counts against the originality rate.
Who reads a flag or a contest: the operator all, a creator its own, an agency its creators'.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from creators.models import ContentItem, Creator
from tenancy.managers import ActorManager

from .scoping import AboutCreatorQuerySet, OperatorOnlyQuerySet


class OriginalitySignature(models.Model):
    """One indexed content item: its MinHash signature (``NUM_PERM`` little-endian uint32)."""

    content = models.OneToOneField(
        ContentItem, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    creator = models.ForeignKey(Creator, on_delete=models.CASCADE, related_name="+")
    published_at = models.DateTimeField()
    signature = models.BinaryField()
    shingles = models.PositiveIntegerField(help_text=_("Distinct character shingles"))
    text_digest = models.CharField(
        max_length=32, help_text=_("Fingerprint of the normalised text and index parameters")
    )
    indexed_at = models.DateTimeField()

    objects = ActorManager.from_queryset(OperatorOnlyQuerySet)()

    class Meta:
        ordering = ["published_at", "content"]
        indexes = [models.Index(fields=["published_at"], name="compliance_orig_sig_published")]

    def __str__(self) -> str:
        return f"signature of content {self.content_id}"


class OriginalityBucket(models.Model):
    """An LSH bucket entry: the item's key in one band."""

    pk = models.CompositePrimaryKey("content", "band")
    content = models.ForeignKey(ContentItem, on_delete=models.CASCADE, related_name="+")
    band = models.PositiveSmallIntegerField()
    key = models.BigIntegerField()

    objects = ActorManager.from_queryset(OperatorOnlyQuerySet)()

    class Meta:
        indexes = [
            models.Index(fields=["band", "key"], include=["content"], name="compliance_orig_bucket")
        ]

    def __str__(self) -> str:
        return f"band {self.band} of content {self.content_id}"


class OriginalityFlag(models.Model):
    """A content item found to be a near-duplicate of an earlier one by another creator."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("originality", "Flagged")
        CONTESTED = "contested", pgettext_lazy("originality", "Contested")
        UPHELD = "upheld", pgettext_lazy("originality", "Upheld")
        OVERTURNED = "overturned", pgettext_lazy("originality", "Overturned")

    #: Flags that count against the originality rate.
    COUNTING = (Status.OPEN, Status.CONTESTED, Status.UPHELD)

    content = models.OneToOneField(
        ContentItem, on_delete=models.CASCADE, related_name="originality_flag"
    )
    creator = models.ForeignKey(
        Creator, on_delete=models.CASCADE, related_name="+", help_text=_("The flagged item's")
    )
    source = models.ForeignKey(
        ContentItem,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("The earliest published item it duplicates"),
    )
    source_creator = models.ForeignKey(Creator, on_delete=models.CASCADE, related_name="+")
    similarity = models.FloatField(help_text=_("Jaccard similarity of character shingles"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    flagged_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    objects = ActorManager.from_queryset(AboutCreatorQuerySet)()

    class Meta:
        ordering = ["-flagged_at", "-id"]
        indexes = [
            models.Index(fields=["status", "flagged_at"], name="compliance_orig_flag_status"),
            models.Index(fields=["creator", "status"], name="compliance_orig_flag_creator"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(similarity__gte=0) & Q(similarity__lte=1),
                name="compliance_orig_flag_similarity",
                violation_error_message=_("The similarity is between 0 and 1."),
                violation_error_code="compliance_orig_flag_similarity",
            ),
            models.CheckConstraint(
                condition=~Q(content=models.F("source")),
                name="compliance_orig_flag_not_itself",
                violation_error_message=_("An item cannot duplicate itself."),
                violation_error_code="compliance_orig_flag_not_itself",
            ),
        ]

    def __str__(self) -> str:
        return f"content {self.content_id} duplicates {self.source_id}"

    @property
    def counts(self) -> bool:
        return self.status in self.COUNTING

    @property
    def contestable(self) -> bool:
        return self.status == self.Status.OPEN


class OriginalityContest(models.Model):
    """The flagged creator's statement against a flag, and the operator's decision."""

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for a decision")
        UPHELD = "upheld", _("Flag upheld")
        OVERTURNED = "overturned", _("Flag overturned")

    flag = models.ForeignKey(OriginalityFlag, on_delete=models.CASCADE, related_name="contests")
    creator = models.ForeignKey(Creator, on_delete=models.CASCADE, related_name="+")
    statement = models.TextField()
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
                fields=["flag"],
                name="compliance_orig_one_contest",
                violation_error_message=_("This flag has already been contested."),
                violation_error_code="compliance_orig_one_contest",
            ),
        ]

    def __str__(self) -> str:
        return f"contest of flag {self.flag_id}"
