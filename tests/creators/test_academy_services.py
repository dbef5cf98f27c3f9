"""The academy's writes: the operator's courses and lessons (audited), creators' enrolments,
lesson marks and completion, leaving a course; every refusal says why and changes nothing."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from creators import services_academy as academy
from creators.models import Course, Enrolment, Lesson, LessonCompletion
from tenancy.models import AuditEvent
from tenancy.scoping import Actor, acting_as
from tests.factories import (
    CourseFactory,
    CreatorFactory,
    EnrolmentFactory,
    LessonFactory,
    OrganizationFactory,
)

pytestmark = pytest.mark.django_db
MOMENT = datetime.datetime(2026, 3, 2, 10, tzinfo=datetime.UTC)


def org_actor(kind: str = "operator", role: str = "owner") -> Actor:
    org = OrganizationFactory(kind=kind)
    return Actor(user_id=None, organization_id=org.pk, organization_kind=kind, role=role)


def creator_actor(creator=None) -> Actor:
    creator = creator or CreatorFactory()
    return Actor(user_id=None, creator_id=creator.pk, role="creator")


def course_with(lessons: int, **fields) -> Course:
    course = CourseFactory(**fields)
    for position in range(1, lessons + 1):
        LessonFactory(course=course, position=position)
    return course


def actions() -> list[str]:
    return list(AuditEvent.objects.unscoped().order_by("pk").values_list("action", flat=True))


# --- The operator -------------------------------------------------------------------------------


def test_the_operator_creates_a_draft_course_audited():
    operator = org_actor()
    with acting_as(operator):
        course = academy.course_create(
            actor=operator, slug="live-101", track="live_selling", title="Live selling 101"
        )
    assert not course.published
    event = AuditEvent.objects.unscoped().get()
    assert event.action == "academy.course_created"
    assert event.organization_id == operator.organization_id
    assert event.target_id == str(course.pk)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"slug": "taken"}, "slug"),
        ({"track": "astrology"}, "track"),
        ({"title": ""}, "title"),
        ({"slug": "not a slug"}, "slug"),
    ],
)
def test_a_bad_course_is_refused_on_its_field_and_nothing_is_stored(fields, field):
    CourseFactory(slug="taken")
    operator = org_actor()
    values = {"slug": "fresh", "track": "compliance", "title": "Rules", **fields}
    with acting_as(operator), pytest.raises(ValidationError) as refused:
        academy.course_create(actor=operator, **values)
    assert field in refused.value.message_dict
    assert Course.objects.unscoped().count() == 1 and actions() == []


@pytest.mark.parametrize(("kind", "role"), [("brand", "owner"), ("operator", "viewer")])
def test_only_a_writing_operator_manages_courses(kind, role):
    other = org_actor(kind, role)
    course = course_with(1, published=False)
    with acting_as(other):
        with pytest.raises(PermissionDenied):
            academy.course_create(actor=other, slug="x", track="compliance", title="X")
        with pytest.raises(PermissionDenied):
            academy.course_publish(actor=other, course=course)
        with pytest.raises(PermissionDenied):
            academy.lesson_add(actor=other, course=course, title="Sneaky")
    assert Course.objects.unscoped().count() == 1
    assert not Course.objects.unscoped().get().published and actions() == []


def test_a_course_without_lessons_cannot_be_published():
    operator = org_actor()
    course = CourseFactory(published=False)
    with acting_as(operator), pytest.raises(ValidationError) as refused:
        academy.course_publish(actor=operator, course=course)
    assert "no lessons" in refused.value.messages[0]
    assert not Course.objects.unscoped().get().published and actions() == []


def test_the_refusal_to_publish_speaks_chinese():
    operator = org_actor()
    course = CourseFactory(published=False)
    with (
        translation.override("zh-hans"),
        acting_as(operator),
        pytest.raises(ValidationError) as refused,
    ):
        academy.course_publish(actor=operator, course=course)
    assert any("\u4e00" <= char <= "\u9fff" for char in refused.value.messages[0])


def test_publish_and_unpublish_are_audited_and_repeating_changes_nothing():
    operator = org_actor()
    course = course_with(2, published=False)
    with acting_as(operator):
        academy.course_publish(actor=operator, course=course)
        academy.course_publish(actor=operator, course=course)  # already published: nothing
        academy.course_publish(actor=operator, course=course, published=False)
    assert actions() == ["academy.course_published", "academy.course_unpublished"]
    assert not Course.objects.unscoped().get().published


def test_course_update_changes_the_named_fields_only():
    operator = org_actor()
    course = CourseFactory(title="Old", summary="Keep")
    with acting_as(operator):
        academy.course_update(actor=operator, course=course, title="New")
        with pytest.raises(ValidationError):
            academy.course_update(actor=operator, course=course, published=True)
    course.refresh_from_db()
    assert (course.title, course.summary, course.published) == ("New", "Keep", True)
    assert actions() == ["academy.course_updated"]


def test_lessons_are_added_at_the_end_and_reordered():
    operator = org_actor()
    course = CourseFactory()
    with acting_as(operator):
        first, second, third = (
            academy.lesson_add(actor=operator, course=course, title=title, minutes=5)
            for title in ("A", "B", "C")
        )
        assert [first.position, second.position, third.position] == [1, 2, 3]
        academy.lesson_move(actor=operator, lesson=third, direction="up")
        academy.lesson_move(actor=operator, lesson=first, direction="down")
    order = Lesson.objects.unscoped().filter(course=course).order_by("position")
    assert [lesson.title for lesson in order] == ["C", "A", "B"]  # A C B, then A down
    assert actions().count("academy.lesson_moved") == 2


@pytest.mark.parametrize(("at", "direction"), [(0, "up"), (1, "down"), (0, "sideways")])
def test_a_move_past_the_edge_or_unknown_is_refused(at, direction):
    operator = org_actor()
    course = course_with(2)
    lesson = Lesson.objects.unscoped().filter(course=course).order_by("position")[at]
    with acting_as(operator), pytest.raises(ValidationError):
        academy.lesson_move(actor=operator, lesson=lesson, direction=direction)
    positions = Lesson.objects.unscoped().filter(course=course).order_by("pk")
    assert [lesson.position for lesson in positions] == [1, 2] and actions() == []


def test_a_lesson_needs_a_title_and_sensible_minutes():
    operator = org_actor()
    course = CourseFactory()
    with acting_as(operator):
        with pytest.raises(ValidationError) as refused:
            academy.lesson_add(actor=operator, course=course, title="", minutes=5)
        assert "title" in refused.value.message_dict
        with pytest.raises(ValidationError):
            academy.lesson_add(actor=operator, course=course, title="T", minutes=-1)
    assert not Lesson.objects.unscoped().exists()


# --- The creator --------------------------------------------------------------------------------


def test_a_creator_enrols_once_in_a_published_course():
    me = creator_actor()
    course = course_with(1)
    with acting_as(me):
        enrolment = academy.course_enrol(actor=me, course=course)
        with pytest.raises(ValidationError) as twice:
            academy.course_enrol(actor=me, course=course)
    assert "already enrolled" in twice.value.messages[0]
    assert enrolment.creator_id == me.creator_id and Enrolment.objects.unscoped().count() == 1


def test_a_draft_course_takes_no_enrolment():
    me = creator_actor()
    course = course_with(1, published=False)
    with acting_as(me), pytest.raises(ValidationError):
        academy.course_enrol(actor=me, course=course)
    assert not Enrolment.objects.unscoped().exists()


def test_an_organisation_cannot_enrol_or_mark_lessons():
    agency = org_actor("agency")
    course = course_with(1)
    with acting_as(agency):
        with pytest.raises(PermissionDenied):
            academy.course_enrol(actor=agency, course=course)
        lesson = Lesson.objects.unscoped().get(course=course)
        with pytest.raises(PermissionDenied):
            academy.lesson_complete(actor=agency, lesson=lesson)
    assert not Enrolment.objects.unscoped().exists()


def test_the_last_lesson_completes_the_enrolment_and_marking_twice_is_harmless():
    me = creator_actor()
    course = course_with(2)
    first, last = Lesson.objects.unscoped().filter(course=course).order_by("position")
    with time_machine.travel(MOMENT, tick=False), acting_as(me):
        enrolment = academy.course_enrol(actor=me, course=course)
        _, marked = academy.lesson_complete(actor=me, lesson=first)
        assert marked and Enrolment.objects.unscoped().get().completed_at is None
        _, again = academy.lesson_complete(actor=me, lesson=first)
        assert not again
        done, marked = academy.lesson_complete(actor=me, lesson=last)
    assert marked and done.completed_at == MOMENT
    assert Enrolment.objects.unscoped().get(pk=enrolment.pk).completed_at == MOMENT
    assert LessonCompletion.objects.unscoped().count() == 2


def test_a_lesson_of_a_course_one_is_not_enrolled_in_is_refused():
    me = creator_actor()
    mine, other = course_with(1), course_with(1)
    EnrolmentFactory(creator_id=me.creator_id, course=mine)
    theirs = Lesson.objects.unscoped().get(course=other)
    with acting_as(me), pytest.raises(ValidationError) as refused:
        academy.lesson_complete(actor=me, lesson=theirs)
    assert "Enrol" in refused.value.messages[0]
    assert not LessonCompletion.objects.unscoped().exists()


def test_another_creators_enrolment_is_not_ones_own():
    """A creator's marks go to its own enrolment: another's in the same course is untouched."""
    me, other = creator_actor(), CreatorFactory()
    course = course_with(1)
    theirs = EnrolmentFactory(creator=other, course=course)
    with acting_as(me), pytest.raises(ValidationError):
        academy.lesson_complete(actor=me, lesson=Lesson.objects.unscoped().get(course=course))
    with acting_as(me), pytest.raises(Enrolment.DoesNotExist):
        academy.enrolment_leave(actor=me, enrolment=theirs)
    assert Enrolment.objects.unscoped().filter(pk=theirs.pk).exists()


def test_a_creator_leaves_a_course_it_has_not_completed():
    me = creator_actor()
    course = course_with(2)
    with acting_as(me):
        enrolment = academy.course_enrol(actor=me, course=course)
        lesson = Lesson.objects.unscoped().filter(course=course).first()
        academy.lesson_complete(actor=me, lesson=lesson)
        academy.enrolment_leave(actor=me, enrolment=enrolment)
        assert not Enrolment.objects.unscoped().exists()
        assert not LessonCompletion.objects.unscoped().exists()
        academy.course_enrol(actor=me, course=course)  # and may enrol again


def test_a_completed_course_cannot_be_left():
    me = creator_actor()
    course = course_with(1)
    with acting_as(me):
        enrolment = academy.course_enrol(actor=me, course=course)
        academy.lesson_complete(actor=me, lesson=Lesson.objects.unscoped().get(course=course))
        with pytest.raises(ValidationError) as refused:
            academy.enrolment_leave(actor=me, enrolment=enrolment)
    assert "stays on your record" in refused.value.messages[0]
    assert Enrolment.objects.unscoped().filter(pk=enrolment.pk).exists()
