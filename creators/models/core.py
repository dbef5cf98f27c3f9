"""Creators, their audience portraits, weekly metrics and content.

Creators are platform-wide, not owned by a tenant: their public fields are visible to every
signed-in tenant, the private ones (income, contracts) only to the creator, its agency and the
operator. ``creators.selectors`` applies that rule; nothing here does.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tenancy import roles
from tenancy.managers import ActorManager, ActorQuerySet, SignedInManager

from .. import taxonomy


def sees_private_figures(actor, creator) -> bool:
    """Income, GMV, orders and the agency of ``creator``: the creator itself, its agency and the
    operator only. :class:`PrivateToCreatorQuerySet` is the same rule over many rows."""
    if actor.is_operator:
        return True
    if actor.is_creator:
        return actor.creator_id == creator.pk
    return actor.kind == roles.AGENCY and actor.organization_id == creator.agency_id


class PrivateToCreatorQuerySet(ActorQuerySet):
    """Rows about one creator that only the creator, its agency and the operator may read.

    ``creator_path`` is the lookup from a row to its creator, for rows that reach it through
    another row (a lesson completion through its enrolment)."""

    creator_path = "creator"

    def visible_to(self, actor):
        if actor.is_operator:
            return self
        if actor.is_creator:
            return self.filter(**{f"{self.creator_path}_id": actor.creator_id})
        if actor.kind == roles.AGENCY:
            return self.filter(**{f"{self.creator_path}__agency_id": actor.organization_id})
        return self.none()


PrivateToCreatorManager = ActorManager.from_queryset(PrivateToCreatorQuerySet)


class Creator(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        RESTRICTED = "restricted", _("Restricted")
        SUSPENDED = "suspended", _("Suspended")

    handle = models.SlugField(max_length=64, unique=True)
    display_name = models.CharField(max_length=120)
    vertical = models.CharField(max_length=24, choices=taxonomy.choices("vertical"))
    region = models.CharField(max_length=16, default="CN")
    city_tier = models.CharField(max_length=4, choices=taxonomy.choices("city_tier"))
    # Indexed with the id below: the API pages creators by (followers, id).
    followers = models.PositiveBigIntegerField(default=0)
    joined = models.DateField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE)
    # Kept in step by mcn.services (contract signing and ending); never set elsewhere.
    agency = models.ForeignKey(
        "tenancy.Organization",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="signed_creators",
        limit_choices_to={"kind": "agency"},
    )
    # The creator's own login to the portal.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="creator",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # Public fields go to every signed-in party; private ones are read through selectors that
    # check sees_private_figures. Closed without an actor, like every other manager here.
    objects = SignedInManager()

    class Meta:
        ordering = ["-followers", "handle"]
        indexes = [
            # The keyset cursor of the creators list seeks on (followers, id): with followers
            # alone, a page inside a group of equal counts re-sorted the whole group. It also
            # serves every query the single-column followers index did.
            models.Index(fields=["followers", "id"], name="creator_followers_id"),
            models.Index(fields=["vertical", "-followers"]),
            models.Index(fields=["agency", "-followers"]),
            # The API's ?ordering=joined / -joined: a cursor page is an index scan, not a sort
            # of every creator (55-80 ms a page at 300k creators).
            models.Index(fields=["joined"], name="creator_joined_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["active", "restricted", "suspended"]),
                name="creator_status_valid",
                violation_error_message=_("Choose a valid creator status."),
                violation_error_code="creator_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(vertical__in=taxonomy.VERTICAL),
                name="creator_vertical_valid",
                violation_error_message=_("Choose a valid vertical."),
                violation_error_code="creator_vertical_valid",
            ),
            models.CheckConstraint(
                condition=Q(city_tier__in=taxonomy.CITY_TIER),
                name="creator_city_tier_valid",
                violation_error_message=_("Choose a valid city tier."),
                violation_error_code="creator_city_tier_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} (@{self.handle})"


class AudienceProfile(models.Model):
    """Who watches a creator: one ``{key: share}`` distribution per taxonomy axis.

    Every distribution uses only taxonomy keys and sums to 1 within 1e-6; ``save`` refuses
    anything else, so no code path (form, API, admin) can store a broken portrait.
    """

    creator = models.OneToOneField(Creator, on_delete=models.CASCADE, related_name="audience")
    gender = models.JSONField()
    age = models.JSONField()
    city_tier = models.JSONField()
    interests = models.JSONField()
    updated_at = models.DateTimeField(auto_now=True)

    objects = SignedInManager()

    AXES = taxonomy.AUDIENCE_AXES

    def __str__(self) -> str:
        return f"audience of {self.creator_id}"

    def save(self, *args, **kwargs):
        self.clean()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        errors = {}
        for axis in self.AXES:
            value = getattr(self, axis)
            try:
                if not isinstance(value, dict):
                    raise ValueError(f"{axis}: expected an object of {{key: share}}")
                taxonomy.validate_distribution(axis, value)
            except ValueError as error:
                errors[axis] = str(error)
        if errors:
            raise ValidationError(errors)


class MetricSnapshot(models.Model):
    """One creator's figures for one day (the demo world and partners push them weekly)."""

    # No index of its own: the (creator, date) unique index serves creator lookups, and one
    # index less makes bulk loads of millions of rows measurably faster.
    creator = models.ForeignKey(
        Creator, on_delete=models.CASCADE, related_name="snapshots", db_index=False
    )
    date = models.DateField()
    followers = models.PositiveBigIntegerField()
    views = models.PositiveBigIntegerField(default=0)
    likes = models.PositiveBigIntegerField(default=0)
    comments = models.PositiveBigIntegerField(default=0)
    shares = models.PositiveBigIntegerField(default=0)
    live_minutes = models.PositiveIntegerField(default=0)
    tipping_revenue = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    gmv = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    orders = models.PositiveIntegerField(default=0)

    # Income columns make the row private; the public columns of other creators' rows are read
    # by creators.selectors.metric_trend, on purpose and only those columns.
    objects = PrivateToCreatorManager()

    class Meta:
        ordering = ["creator", "-date"]
        constraints = [
            models.UniqueConstraint(
                fields=["creator", "date"],
                name="snapshot_unique_per_day",
                violation_error_message=_("This creator already has figures for this day."),
                violation_error_code="snapshot_unique_per_day",
            ),
            models.CheckConstraint(
                condition=Q(tipping_revenue__gte=0) & Q(gmv__gte=0),
                name="snapshot_money_not_negative",
                violation_error_message=_("Money figures cannot be negative."),
                violation_error_code="snapshot_money_not_negative",
            ),
        ]
        indexes = [
            # Leads with the date, as the plain date index it replaced did; on PostgreSQL it
            # also carries the reach columns, so the directory's 28-day figures (an aggregate
            # over every creator for a sorted page) read the index alone: 300 -> 165 ms a page
            # at 20k creators (README "Performance"). SQLite ignores ``include``.
            models.Index(
                fields=["date", "creator"],
                include=["views", "likes", "comments", "shares"],
                name="snapshot_window_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.creator_id} @ {self.date}"


class ContentItem(models.Model):
    class Kind(models.TextChoices):
        VIDEO = "video", _("Video")
        LIVE = "live", _("Livestream")
        LISTING = "listing", _("Shop listing")

    creator = models.ForeignKey(Creator, on_delete=models.CASCADE, related_name="content")
    external_id = models.CharField(max_length=80, help_text=_("The source's id of the item"))
    kind = models.CharField(max_length=8, choices=Kind.choices)
    title = models.CharField(max_length=200)
    text = models.TextField(blank=True, help_text=_("Description, or transcript of a live"))
    published_at = models.DateTimeField()
    views = models.PositiveBigIntegerField(default=0)
    engagement = models.PositiveBigIntegerField(default=0, help_text=_("likes+comments+shares"))

    objects = SignedInManager()  # published content

    class Meta:
        ordering = ["-published_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["creator", "external_id"],
                name="content_external_id_unique_per_creator",
                violation_error_message=_(
                    "This creator already has content with this external id."
                ),
                violation_error_code="content_external_id_unique_per_creator",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["video", "live", "listing"]),
                name="content_kind_valid",
                violation_error_message=_("Choose a valid content kind."),
                violation_error_code="content_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.title
