"""The creator academy (创作者学院): courses of lessons on four tracks, and creators' progress.

Courses and lessons are the operator's and public to every signed-in party; an enrolment and its
lesson completions are private to the creator, its agency and the operator, like income.
``creators.services_academy`` writes these tables; an enrolment is completed in the same
transaction as its last lesson.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tenancy.managers import ActorManager, SignedInManager

from .core import Creator, PrivateToCreatorManager, PrivateToCreatorQuerySet


class Track(models.TextChoices):
    CONTENT_PLANNING = "content_planning", _("Content planning")
    LIVE_SELLING = "live_selling", _("Live selling")
    COMPLIANCE = "compliance", _("Compliance")
    MONETISATION = "monetisation", _("Monetisation")


class Course(models.Model):
    slug = models.SlugField(max_length=64, unique=True)
    track = models.CharField(max_length=20, choices=Track.choices)
    title = models.CharField(max_length=160)
    summary = models.TextField(blank=True)
    # Creators enrol in published courses only; a draft is the operator's to finish.
    published = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SignedInManager()

    class Meta:
        ordering = ["track", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(track__in=Track.values),
                name="course_track_valid",
                violation_error_message=_("Choose a valid academy track."),
                violation_error_code="course_track_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Lesson(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="lessons")
    position = models.PositiveSmallIntegerField(help_text=_("Order of the lesson in its course"))
    title = models.CharField(max_length=160)
    body = models.TextField(blank=True)
    minutes = models.PositiveSmallIntegerField(default=10, help_text=_("Expected duration"))

    objects = SignedInManager()

    class Meta:
        ordering = ["course", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "position"],
                name="lesson_position_unique_per_course",
                violation_error_message=_("This course already has a lesson at this position."),
                violation_error_code="lesson_position_unique_per_course",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.course_id}.{self.position} {self.title}"


class Enrolment(models.Model):
    creator = models.ForeignKey(Creator, on_delete=models.CASCADE, related_name="enrolments")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="enrolments")
    enrolled_at = models.DateTimeField()
    # Set when the last lesson is done; the growth measurement counts a creator as trained from
    # the first completed course.
    completed_at = models.DateTimeField(null=True, blank=True)

    objects = PrivateToCreatorManager()

    class Meta:
        ordering = ["-enrolled_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["creator", "course"],
                name="enrolment_unique_per_course",
                violation_error_message=_("This creator is already enrolled in this course."),
                violation_error_code="enrolment_unique_per_course",
            ),
            models.CheckConstraint(
                condition=Q(completed_at__isnull=True)
                | Q(completed_at__gte=models.F("enrolled_at")),
                name="enrolment_completed_after_enrolled",
                violation_error_message=_("A course cannot be completed before enrolling."),
                violation_error_code="enrolment_completed_after_enrolled",
            ),
        ]
        indexes = [models.Index(fields=["completed_at"], name="enrolment_completed_idx")]

    def __str__(self) -> str:
        return f"{self.creator_id} in {self.course_id}"


class LessonCompletionQuerySet(PrivateToCreatorQuerySet):
    creator_path = "enrolment__creator"


class LessonCompletion(models.Model):
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="completions")
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="completions")
    completed_at = models.DateTimeField()

    objects = ActorManager.from_queryset(LessonCompletionQuerySet)()

    class Meta:
        ordering = ["completed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "lesson"],
                name="lesson_completed_once",
                violation_error_message=_("This lesson is already marked done."),
                violation_error_code="lesson_completed_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enrolment_id}: {self.lesson_id}"
