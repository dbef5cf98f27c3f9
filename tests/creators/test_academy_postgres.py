"""Lessons marked at once (PostgreSQL, a connection per thread): the enrolment's row lock
makes the later mark see the earlier, so the one that is last completes the course."""

import pytest

from creators import services_academy as academy
from creators.models import Enrolment, Lesson, LessonCompletion
from tenancy.scoping import Actor, acting_as
from tests.concurrency import race
from tests.factories import CourseFactory, EnrolmentFactory, LessonFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def mark(actor, lesson):
    def call():
        with acting_as(actor):
            academy.lesson_complete(actor=actor, lesson=lesson)

    return call


@pytest.mark.parametrize("lessons", [2, 5])
def test_concurrent_marks_of_the_last_lessons_complete_the_course(lessons):
    course = CourseFactory()
    rows = [LessonFactory(course=course, position=n) for n in range(1, lessons + 1)]
    enrolment = EnrolmentFactory(course=course)
    actor = Actor(user_id=None, creator_id=enrolment.creator_id, role="creator")
    assert race(*[mark(actor, lesson) for lesson in rows]) == ["won"] * lessons
    assert LessonCompletion.objects.unscoped().filter(enrolment=enrolment).count() == lessons
    assert Enrolment.objects.unscoped().get(pk=enrolment.pk).completed_at is not None


def test_the_same_lesson_marked_twice_at_once_is_stored_once():
    course = CourseFactory()
    lesson = LessonFactory(course=course, position=1)
    LessonFactory(course=course, position=2)
    enrolment = EnrolmentFactory(course=course)
    actor = Actor(user_id=None, creator_id=enrolment.creator_id, role="creator")
    assert race(mark(actor, lesson), mark(actor, lesson)) == ["won", "won"]
    assert LessonCompletion.objects.unscoped().count() == 1
    assert Lesson.objects.unscoped().count() == 2
    assert Enrolment.objects.unscoped().get(pk=enrolment.pk).completed_at is None
