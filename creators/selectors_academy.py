"""Reads of the academy: the catalogue, a creator's progress, an agency's creators' progress and
the operator's overview.

Courses and lessons are public to every signed-in party (published ones; the operator also sees
drafts). Enrolments and their lesson marks go through their private manager: the creator's
own, its agency's signed creators' (``creator.agency``), every one for the operator. A creator
of another agency is not found (404), as one that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404

from tenancy import roles
from tenancy.scoping import Actor

from .models import Course, Creator, Enrolment, Lesson, LessonCompletion, Track


def _count_of(rows: QuerySet, field: str) -> Coalesce:
    """A correlated count of ``rows`` per outer row, 0 for none (no join multiplies counts)."""
    counted = rows.order_by().values(field).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def courses_visible(*, actor: Actor) -> QuerySet[Course]:
    """Published courses for everyone; the operator's drafts too."""
    courses = Course.objects.for_actor(actor)
    return courses if actor.is_operator else courses.filter(published=True)


def with_lesson_count(courses: QuerySet[Course], *, actor: Actor) -> QuerySet[Course]:
    lessons = Lesson.objects.for_actor(actor).filter(course=OuterRef("pk"))
    return courses.annotate(lesson_count=_count_of(lessons, "course"))


def course_catalogue(*, actor: Actor, track: str = "") -> QuerySet[Course]:
    """The published courses (of ``track`` when given), by track and title, with their lesson
    counts: what a creator may enrol in."""
    courses = Course.objects.for_actor(actor).filter(published=True)
    if track:
        courses = courses.filter(track=track)
    return with_lesson_count(courses, actor=actor).order_by("track", "title", "pk")


def catalogue_by_track(*, actor: Actor) -> list[tuple[str, str, list[Course]]]:
    """``[(track, label, courses)]`` in the tracks' order, tracks without courses left out."""
    courses = list(course_catalogue(actor=actor))
    grouped = []
    for value, label in Track.choices:
        mine = [course for course in courses if course.track == value]
        if mine:
            grouped.append((value, label, mine))
    return grouped


def course_by_slug(*, actor: Actor, slug: str) -> Course:
    """One course ``actor`` may see (a creator: a published one); else 404."""
    course = courses_visible(actor=actor).filter(slug=slug).first()
    if course is None:
        raise Http404
    return course


def course_lessons(*, actor: Actor, course: Course) -> QuerySet[Lesson]:
    return Lesson.objects.for_actor(actor).filter(course_id=course.pk).order_by("position", "pk")


def lesson_get(*, actor: Actor, lesson_id: int) -> Lesson:
    """A lesson of a course ``actor`` may see; else ``Lesson.DoesNotExist``."""
    visible = courses_visible(actor=actor).values("pk")
    return (
        Lesson.objects.for_actor(actor)
        .select_related("course")
        .get(pk=lesson_id, course__in=visible)
    )


# --- Progress -----------------------------------------------------------------------------------


@dataclass
class Progress:
    """One enrolment's progress: lessons done of the course's, and the next lesson to do."""

    enrolment: Enrolment
    done: int
    total: int
    next_lesson: Lesson | None
    done_ids: frozenset[int]

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def completed(self) -> bool:
        return self.enrolment.completed_at is not None


def progress_of(enrolments, *, actor: Actor) -> list[Progress]:
    """The progress of each of ``enrolments`` (already scoped to ``actor``), in their order:
    two queries whatever their number (the courses' lessons, the enrolments' marks)."""
    enrolments = list(enrolments)
    course_ids = {enrolment.course_id for enrolment in enrolments}
    lessons: dict[int, list[Lesson]] = {course_id: [] for course_id in course_ids}
    for lesson in (
        Lesson.objects.for_actor(actor).filter(course_id__in=course_ids).order_by("position", "pk")
    ):
        lessons[lesson.course_id].append(lesson)
    marks: dict[int, set[int]] = {enrolment.pk: set() for enrolment in enrolments}
    rows = LessonCompletion.objects.for_actor(actor).filter(enrolment__in=list(marks))
    for enrolment_id, lesson_id in rows.values_list("enrolment_id", "lesson_id"):
        marks[enrolment_id].add(lesson_id)
    found = []
    for enrolment in enrolments:
        course_lessons_, done = lessons[enrolment.course_id], marks[enrolment.pk]
        upcoming = [lesson for lesson in course_lessons_ if lesson.pk not in done]
        found.append(
            Progress(
                enrolment=enrolment,
                done=sum(1 for lesson in course_lessons_ if lesson.pk in done),
                total=len(course_lessons_),
                next_lesson=upcoming[0] if upcoming else None,
                done_ids=frozenset(done),
            )
        )
    return found


def enrolments_visible(*, actor: Actor) -> QuerySet[Enrolment]:
    """The enrolments ``actor`` may read (its own, its signed creators', or all), newest first."""
    return (
        Enrolment.objects.for_actor(actor)
        .select_related("course", "creator")
        .order_by("-enrolled_at", "-pk")
    )


def my_enrolments(*, actor: Actor) -> list[Progress]:
    """The acting creator's enrolments with their progress (404 for anyone else)."""
    if not actor.is_creator:
        raise Http404
    return progress_of(enrolments_visible(actor=actor), actor=actor)


def my_enrolment_in(*, actor: Actor, course: Course) -> Progress | None:
    """The acting creator's progress in ``course``, or None when not enrolled."""
    if not actor.is_creator:
        return None
    enrolment = enrolments_visible(actor=actor).filter(course_id=course.pk).first()
    return progress_of([enrolment], actor=actor)[0] if enrolment else None


def enrolment_get(*, actor: Actor, enrolment_id: int) -> Enrolment:
    """One enrolment ``actor`` may read; else ``Enrolment.DoesNotExist``."""
    return enrolments_visible(actor=actor).get(pk=enrolment_id)


# --- The agency's view --------------------------------------------------------------------------


def _require_agency(actor: Actor) -> None:
    if actor.kind != roles.AGENCY:
        raise Http404


def agency_training(*, actor: Actor) -> QuerySet[Creator]:
    """The agency's signed creators (``creator.agency``), by handle, each with how many courses
    it is enrolled in and has completed and how many lessons it has done."""
    _require_agency(actor)
    enrolments = Enrolment.objects.for_actor(actor).filter(creator=OuterRef("pk"))
    marks = LessonCompletion.objects.for_actor(actor).filter(enrolment__creator=OuterRef("pk"))
    return (
        Creator.objects.for_actor(actor)
        .filter(agency_id=actor.organization_id)
        .only("id", "handle", "display_name", "agency")
        .annotate(
            enrolled=_count_of(enrolments, "creator"),
            completed=_count_of(enrolments.filter(completed_at__isnull=False), "creator"),
            lessons_done=_count_of(marks, "enrolment__creator"),
        )
        .order_by("handle", "pk")
    )


def agency_creator_training(*, actor: Actor, handle: str) -> tuple[Creator, list[Progress]]:
    """One of the agency's signed creators and its progress per course; a creator of another
    agency (or none) is a 404."""
    _require_agency(actor)
    creator = (
        Creator.objects.for_actor(actor)
        .filter(agency_id=actor.organization_id, handle=handle)
        .only("id", "handle", "display_name", "agency")
        .first()
    )
    if creator is None:
        raise Http404
    enrolments = enrolments_visible(actor=actor).filter(creator_id=creator.pk)
    return creator, progress_of(enrolments, actor=actor)


# --- The operator's overview --------------------------------------------------------------------


def academy_overview(*, actor: Actor) -> QuerySet[Course]:
    """Every course (drafts too) with its lessons, enrolments, completions and completion rate
    (completed ÷ enrolled, None without enrolments): the operator's only."""
    if not actor.is_operator:
        raise Http404
    enrolments = Enrolment.objects.for_actor(actor).filter(course=OuterRef("pk"))
    courses = with_lesson_count(Course.objects.for_actor(actor), actor=actor)
    return courses.annotate(
        enrolled=_count_of(enrolments, "course"),
        completed=_count_of(enrolments.filter(~Q(completed_at=None)), "course"),
    ).order_by("track", "title", "pk")


def completion_rate(course: Course) -> float | None:
    return course.completed / course.enrolled if course.enrolled else None
