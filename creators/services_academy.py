"""Writes of the academy (创作者学院): the operator's courses and lessons, creators' enrolments
and lesson completions.

The operator creates and edits courses and their lessons, reorders lessons and publishes a
course (one with lessons only); each of these is audited. A creator enrols in a published
course, marks its lessons done and may leave a course it has not completed. The enrolment is
completed in the transaction that records its last lesson, under a lock on the enrolment, so
two lessons marked at once cannot both miss that they were the last.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from tenancy import roles
from tenancy.scoping import Actor
from tenancy.services import audit_event_record

from .models import Course, Enrolment, Lesson, LessonCompletion

COURSE_FIELDS = ("slug", "track", "title", "summary")
LESSON_FIELDS = ("title", "body", "minutes")
UP, DOWN = "up", "down"


def _require_operator(actor: Actor) -> None:
    actor.require(kinds=[roles.OPERATOR], write=True)


def _require_creator(actor: Actor) -> None:
    actor.require(kinds=[roles.CREATOR], write=True)


def _audit(actor: Actor, action: str, target, **data) -> None:
    audit_event_record(actor=actor, action=f"academy.{action}", target=target, data=data)


def _saved(row, *, exclude=()) -> None:
    """Validate ``row`` (fields, choices, unique slug and positions, checks) and save it."""
    row.full_clean(exclude=list(exclude))
    row.save()


# --- The operator: courses and lessons ----------------------------------------------------------


@transaction.atomic
def course_create(*, actor: Actor, slug: str, track: str, title: str, summary: str = "") -> Course:
    """A new draft course (creators see it once it is published)."""
    _require_operator(actor)
    course = Course(slug=slug, track=track, title=title, summary=summary or "")
    _saved(course)
    _audit(actor, "course_created", course, slug=course.slug, track=course.track)
    return course


@transaction.atomic
def course_update(*, actor: Actor, course: Course, **fields) -> Course:
    """Change a course's slug, track, title or summary; only those fields are taken."""
    _require_operator(actor)
    unknown = set(fields) - set(COURSE_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown course fields: %(names)s.") % {"names": sorted(unknown)})
    course = Course.objects.for_actor(actor).select_for_update().get(pk=course.pk)
    for name, value in fields.items():
        setattr(course, name, value if value is not None else "")
    _saved(course)
    _audit(actor, "course_updated", course, fields=sorted(fields))
    return course


@transaction.atomic
def course_publish(*, actor: Actor, course: Course, published: bool = True) -> Course:
    """Publish (creators may enrol) or unpublish (the catalogue hides it; enrolled creators
    keep their enrolment and progress). A course without lessons cannot be published."""
    _require_operator(actor)
    course = Course.objects.for_actor(actor).select_for_update().get(pk=course.pk)
    if published and not Lesson.objects.for_actor(actor).filter(course=course).exists():
        raise ValidationError(
            _("A course with no lessons cannot be published: add a lesson first."),
            code="no_lessons",
        )
    if course.published == published:
        return course
    course.published = published
    course.save(update_fields=["published", "updated_at"])
    _audit(actor, "course_published" if published else "course_unpublished", course)
    return course


def _lesson_values(title: str, body: str, minutes) -> dict:
    return {"title": title, "body": body or "", "minutes": minutes}


@transaction.atomic
def lesson_add(
    *, actor: Actor, course: Course, title: str, body: str = "", minutes: int = 10
) -> Lesson:
    """A lesson at the end of ``course`` (the course is locked: two additions at once take
    the next two positions)."""
    _require_operator(actor)
    course = Course.objects.for_actor(actor).select_for_update().get(pk=course.pk)
    last = Lesson.objects.for_actor(actor).filter(course=course).aggregate(last=Max("position"))
    lesson = Lesson(course=course, position=(last["last"] or 0) + 1)
    for name, value in _lesson_values(title, body, minutes).items():
        setattr(lesson, name, value)
    _saved(lesson)
    _audit(actor, "lesson_added", lesson, course=course.slug, position=lesson.position)
    return lesson


@transaction.atomic
def lesson_update(
    *, actor: Actor, lesson: Lesson, title: str, body: str = "", minutes: int = 10
) -> Lesson:
    _require_operator(actor)
    lesson = Lesson.objects.for_actor(actor).select_for_update().get(pk=lesson.pk)
    for name, value in _lesson_values(title, body, minutes).items():
        setattr(lesson, name, value)
    _saved(lesson)
    _audit(actor, "lesson_updated", lesson, course=lesson.course_id)
    return lesson


@transaction.atomic
def lesson_move(*, actor: Actor, lesson: Lesson, direction: str) -> Lesson:
    """Swap ``lesson`` with its neighbour before (``up``) or after (``down``) it. The first
    lesson moved up, or the last down, is a clear refusal; nothing changes."""
    _require_operator(actor)
    if direction not in (UP, DOWN):
        raise ValidationError({"direction": _("Choose up or down.")})
    Course.objects.for_actor(actor).select_for_update().get(pk=lesson.course_id)
    lessons = Lesson.objects.for_actor(actor).filter(course_id=lesson.course_id)
    lesson = lessons.get(pk=lesson.pk)
    if direction == UP:
        neighbour = lessons.filter(position__lt=lesson.position).order_by("-position").first()
    else:
        neighbour = lessons.filter(position__gt=lesson.position).order_by("position").first()
    if neighbour is None:
        message = (
            _("This lesson is already the first of its course.")
            if direction == UP
            else _("This lesson is already the last of its course.")
        )
        raise ValidationError(message, code="edge")
    mine, theirs = lesson.position, neighbour.position
    # Through a free position: (course, position) is unique at every statement.
    lessons.filter(pk=lesson.pk).update(position=0)
    lessons.filter(pk=neighbour.pk).update(position=mine)
    lessons.filter(pk=lesson.pk).update(position=theirs)
    lesson.position = theirs
    _audit(actor, "lesson_moved", lesson, direction=direction, position=theirs)
    return lesson


# --- The creator: enrol, mark lessons done, leave ------------------------------------------------


def course_enrol(*, actor: Actor, course: Course) -> Enrolment:
    """Enrol the acting creator in a published course; a second enrolment is refused."""
    _require_creator(actor)
    if not course.published:
        raise ValidationError(_("This course is not open for enrolment."), code="not_published")
    if Enrolment.objects.for_actor(actor).filter(course=course).exists():
        raise ValidationError(_("You are already enrolled in this course."), code="enrolled")
    try:
        with transaction.atomic():
            return Enrolment.objects.unscoped().create(
                creator_id=actor.creator_id, course=course, enrolled_at=timezone.now()
            )
    except IntegrityError:  # enrolled meanwhile (another tab): the unique constraint held
        raise ValidationError(
            _("You are already enrolled in this course."), code="enrolled"
        ) from None


def _completed_all(enrolment: Enrolment, actor: Actor) -> bool:
    total = Lesson.objects.for_actor(actor).filter(course_id=enrolment.course_id).count()
    done = LessonCompletion.objects.for_actor(actor).filter(enrolment=enrolment).count()
    return total > 0 and done >= total


@transaction.atomic
def lesson_complete(*, actor: Actor, lesson: Lesson) -> tuple[Enrolment, bool]:
    """Mark ``lesson`` done for the acting creator: ``(enrolment, newly marked)``. Marking a
    lesson twice changes nothing. The enrolment is locked first, so of two lessons marked at
    once the later sees the earlier, and the one that completes the course sets
    ``completed_at`` in its own transaction."""
    _require_creator(actor)
    enrolment = (
        Enrolment.objects.for_actor(actor)
        .select_for_update()
        .filter(course_id=lesson.course_id)
        .first()
    )
    if enrolment is None:
        raise ValidationError(_("Enrol in the course before marking its lessons done."))
    done = LessonCompletion.objects.for_actor(actor).filter(enrolment=enrolment, lesson=lesson)
    if done.exists():
        return enrolment, False
    now = timezone.now()
    LessonCompletion.objects.unscoped().create(enrolment=enrolment, lesson=lesson, completed_at=now)
    if enrolment.completed_at is None and _completed_all(enrolment, actor):
        enrolment.completed_at = now
        enrolment.save(update_fields=["completed_at"])
    return enrolment, True


@transaction.atomic
def enrolment_leave(*, actor: Actor, enrolment: Enrolment) -> None:
    """The acting creator leaves a course it has not completed (its lesson marks go with it);
    a completed course stays on its record."""
    _require_creator(actor)
    enrolment = Enrolment.objects.for_actor(actor).select_for_update().get(pk=enrolment.pk)
    if enrolment.completed_at is not None:
        raise ValidationError(
            _("You completed this course: it stays on your record."), code="completed"
        )
    enrolment.delete()
