"""The academy in Chromium: the demo creator follows the header's navigation to the Academy,
enrols in a published course from the catalogue, marks its first lesson done on the course
page (htmx swaps the lessons and the progress in) and sees its progress move from 0 / 3 to
1 / 3, on the course page and in "My courses"; then finishes the course and, on "My awards",
sees the incentive plan's academy milestone move to one course of its track done.

The course is made through the operator's services in the fixture. The walk is one function per
stage so that later stages (the incentive plan's milestone progress, on the same portal) can
be appended to ``test_a_creator_enrols_and_completes_a_lesson``.
"""

import datetime

import pytest
from django.utils import timezone

from creators import services_academy as academy
from creators import services_incentives as incentives
from creators.models import Course, Enrolment, LessonCompletion, Milestone
from tenancy.models import Organization
from tenancy.scoping import Actor, acting_as

from .test_walks import RUNS, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LESSONS = ("Know your audience", "Plan a week of posts", "Measure and adjust")


def demo_operator() -> Actor:
    org = Organization.objects.filter(kind="operator").order_by("pk").first()
    return Actor(user_id=None, organization_id=org.pk, organization_kind="operator", role="owner")


def published_course(operator: Actor, slug: str, title: str, lessons=LESSONS) -> Course:
    course = academy.course_create(
        actor=operator, slug=slug, track="content_planning", title=title, summary=title
    )
    for lesson in lessons:
        academy.lesson_add(actor=operator, course=course, title=lesson, minutes=8)
    return academy.course_publish(actor=operator, course=course)


@pytest.fixture
def course(demo_world) -> Course:
    """A published course of three lessons, made by the demo operator (audited), and a second
    course on its track, so that finishing the first is progress towards the track, not all of
    it."""
    operator = demo_operator()
    with acting_as(operator):
        published_course(operator, "walk-planning-advanced", "Planning, advanced", LESSONS[:1])
        return published_course(operator, "walk-content-planning", "Content planning basics")


@pytest.fixture
def track_milestone(course) -> Milestone:
    """An incentive plan running since last month with a content-planning track milestone."""
    operator = demo_operator()
    with acting_as(operator):
        plan = incentives.incentive_plan_create(
            actor=operator,
            name="Walk growth plan",
            budget="1000",
            starts_on=timezone.localdate() - datetime.timedelta(days=30),
        )
        return incentives.milestone_create(
            actor=operator, plan=plan, kind="track_completed", track="content_planning", amount="50"
        )


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


def finish_course(walk, course: Course) -> None:
    """From "My courses" back to the course, and the two lessons left marked done."""
    page = walk.page
    with page.expect_navigation():
        page.click(f"tr[data-course='{course.slug}'] a[href='/academy/courses/{course.slug}/']")
    for done in (2, 3):
        lesson = page.locator("#academy-lessons ol.lessons > li:not([data-done='1'])").first
        lesson.locator("form.done-form button[type=submit]").click()
        page.locator(
            f"#academy-lessons .my-progress .progress-count:text-is('{done} / 3')"
        ).wait_for()
    walk.shot("course-done")


def milestone_progress(walk, milestone: Milestone) -> str:
    """The creator's "My awards" page, by the header's navigation: the track milestone's bar."""
    page = walk.page
    with page.expect_navigation():
        page.click("header nav a[href='/portal/awards/']")
    bar = page.locator(f"li[data-milestone='{milestone.pk}'] [data-figure=progress]")
    walk.shot("milestone-progress")
    return bar.inner_text()


@pytest.mark.parametrize(("lang", "width"), RUNS)
def test_a_creator_enrols_and_completes_a_lesson(
    walk, live_server, course, track_milestone, lang, width
):
    creator = walk(lang, "creator-academy", width)
    open_academy(creator, live_server)
    enrol(creator, course)
    mark_first_lesson_done(creator)
    progress_in_my_courses(creator, course)
    enrolment = Enrolment.objects.unscoped().get(course=course, creator__user__username="creator")
    assert LessonCompletion.objects.unscoped().filter(enrolment=enrolment).count() == 1
    assert enrolment.completed_at is None
    finish_course(creator, course)
    # The track's published courses, counted as the milestone counts them: this one is done.
    track_courses = Course.objects.unscoped().filter(track="content_planning", published=True)
    assert milestone_progress(creator, track_milestone) == f"1 / {track_courses.count()}"
    creator.check()
    enrolment.refresh_from_db()
    assert enrolment.completed_at is not None
