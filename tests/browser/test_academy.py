"""The academy in Chromium: the demo creator follows the header's navigation to the Academy,
enrols in a published course from the catalogue, marks its first lesson done on the course
page (htmx swaps the lessons and the progress in) and sees its progress move from 0 / 3 to
1 / 3, on the course page and in "My courses".

The course is made through the operator's services in the fixture. The walk is one function per
stage so that later stages (the incentive plan's milestone progress, on the same portal) can
be appended to ``test_a_creator_enrols_and_completes_a_lesson``.
"""

import pytest

from creators import services_academy as academy
from creators.models import Course, Enrolment, LessonCompletion
from tenancy.models import Organization
from tenancy.scoping import Actor, acting_as

from .test_walks import RUNS, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LESSONS = ("Know your audience", "Plan a week of posts", "Measure and adjust")


@pytest.fixture
def course(demo_world) -> Course:
    """A published course of three lessons, made by the demo operator (audited)."""
    org = Organization.objects.filter(kind="operator").order_by("pk").first()
    operator = Actor(
        user_id=None, organization_id=org.pk, organization_kind="operator", role="owner"
    )
    with acting_as(operator):
        course = academy.course_create(
            actor=operator,
            slug="walk-content-planning",
            track="content_planning",
            title="Content planning basics",
            summary="Three short lessons on planning a week of content.",
        )
        for title in LESSONS:
            academy.lesson_add(actor=operator, course=course, title=title, minutes=8)
        return academy.course_publish(actor=operator, course=course)


def open_academy(walk, live_server) -> None:
    page = walk.page
    sign_in(walk, live_server, "creator")
    with page.expect_navigation():
        page.click("header nav a[href='/academy/']")
    page.locator("h1[data-page=academy]").wait_for()
    walk.shot("academy")


def enrol(walk, course: Course) -> None:
    page = walk.page
    entry = page.locator(f"#course-{course.slug}")
    with page.expect_navigation():
        entry.locator("form.enrol-form button[type=submit]").click()
    assert page.inner_text("#academy-lessons .my-progress .progress-count") == "0 / 3"
    walk.shot("enrolled")


def mark_first_lesson_done(walk) -> None:
    page = walk.page
    lesson = page.locator("#academy-lessons ol.lessons > li").first
    lesson.locator("form.done-form button[type=submit]").click()  # htmx: no navigation
    page.locator("#academy-lessons .my-progress .progress-count:text-is('1 / 3')").wait_for()
    assert page.locator("#academy-lessons ol.lessons > li").first.get_attribute("data-done") == "1"
    walk.shot("lesson-done")


def progress_in_my_courses(walk, course: Course) -> None:
    page = walk.page
    with page.expect_navigation():
        page.click("p.crumbs a[href='/academy/']")
    row = page.locator(f"tr[data-course='{course.slug}']")
    assert row.locator(".progress-count").inner_text() == "1 / 3"
    assert LESSONS[1] in row.inner_text()  # the next lesson
    walk.shot("my-courses")


@pytest.mark.parametrize(("lang", "width"), RUNS)
def test_a_creator_enrols_and_completes_a_lesson(walk, live_server, course, lang, width):
    creator = walk(lang, "creator-academy", width)
    open_academy(creator, live_server)
    enrol(creator, course)
    mark_first_lesson_done(creator)
    progress_in_my_courses(creator, course)
    creator.check()
    enrolment = Enrolment.objects.unscoped().get(course=course, creator__user__username="creator")
    assert LessonCompletion.objects.unscoped().filter(enrolment=enrolment).count() == 1
    assert enrolment.completed_at is None
