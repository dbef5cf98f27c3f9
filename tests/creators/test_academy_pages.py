"""Academy pages: the creator's catalogue, enrolment, lessons marked done (htmx and plain) and
leaving; the operator's course management; an agency's signed creators' training, where a
creator of another agency is a 404 and absent from the list."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from creators.models import Course, Enrolment, Lesson, LessonCompletion
from creators.selectors_academy import agency_creator_training, agency_training
from tenancy.models import AuditEvent
from tenancy.scoping import Actor, acting_as
from tests.factories import (
    CourseFactory,
    CreatorFactory,
    EnrolmentFactory,
    LessonFactory,
    MembershipFactory,
    OrganizationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def creator():
    return CreatorFactory(user=UserFactory())


@pytest.fixture
def me(creator) -> Client:
    return client_of(creator.user)


def course_with(lessons: int, **fields) -> Course:
    course = CourseFactory(**fields)
    for position in range(1, lessons + 1):
        LessonFactory(course=course, position=position, title=f"Step {position}")
    return course


def lessons_of(course) -> list[Lesson]:
    return list(Lesson.objects.unscoped().filter(course=course).order_by("position"))


def operator_client(role: str = "owner") -> Client:
    return client_of(MembershipFactory(organization__kind="operator", role=role).user)


# --- The creator --------------------------------------------------------------------------------


def test_the_academy_page_says_so_when_there_is_nothing_yet(me):
    CourseFactory(title="Secret draft", published=False)
    body = me.get(reverse("creators:academy")).content.decode()
    assert "You are not enrolled in any course yet" in body
    assert "No course is open yet" in body and "Secret draft" not in body


def test_the_catalogue_groups_published_courses_by_track_with_lesson_counts(me):
    course_with(3, title="Plan a week", track="content_planning")
    course_with(1, title="Go live", track="live_selling")
    CourseFactory(title="Secret draft", published=False)
    body = me.get(reverse("creators:academy")).content.decode()
    assert body.index("Content planning") < body.index("Plan a week") < body.index("Live selling")
    assert "3 lessons" in body and "1 lesson" in body and "Secret draft" not in body


def test_a_creator_enrols_marks_a_lesson_done_and_sees_progress(creator, me):
    course = course_with(3, slug="plan", title="Plan a week")
    response = me.post(reverse("creators:academy_enrol"), {"course": "plan"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("creators:academy_course", args=["plan"])
    assert "0 / 3" in response.content.decode()
    first = lessons_of(course)[0]
    done = me.post(reverse("creators:academy_lesson_done", args=[first.pk]), **HTMX)
    assert done.status_code == 200 and 'id="academy-lessons"' in done.content.decode()
    assert "1 / 3" in done.content.decode() and "<html" not in done.content.decode()
    body = me.get(reverse("creators:academy")).content.decode()
    assert "1 / 3" in body and "2. Step 2" in body  # the next lesson


def test_marking_the_last_lesson_without_htmx_completes_the_course(me, creator):
    course = course_with(1, slug="one")
    EnrolmentFactory(creator=creator, course=course)
    lesson = lessons_of(course)[0]
    response = me.post(reverse("creators:academy_lesson_done", args=[lesson.pk]), follow=True)
    assert "Course completed" in response.content.decode()
    assert Enrolment.objects.unscoped().get().completed_at is not None
    again = me.post(reverse("creators:academy_lesson_done", args=[lesson.pk]), follow=True)
    assert "already marked done" in again.content.decode()
    assert LessonCompletion.objects.unscoped().count() == 1


@pytest.mark.parametrize("slug", ["", "no-such-course", "secret-draft"])
def test_enrolling_in_nothing_or_a_draft_is_a_400_that_says_why(me, slug):
    CourseFactory(slug="secret-draft", published=False)
    response = me.post(reverse("creators:academy_enrol"), {"course": slug})
    assert response.status_code == 400 and 'role="alert"' in response.content.decode()
    assert not Enrolment.objects.unscoped().exists()


def test_enrolling_twice_is_a_400_not_a_500(me, creator):
    course = course_with(1, slug="twice")
    EnrolmentFactory(creator=creator, course=course)
    response = me.post(reverse("creators:academy_enrol"), {"course": "twice"})
    assert response.status_code == 400
    assert "already enrolled" in response.content.decode()
    assert Enrolment.objects.unscoped().count() == 1


def test_a_draft_course_is_a_404_to_a_creator(me):
    CourseFactory(slug="draft", published=False, title="Secret draft")
    response = me.get(reverse("creators:academy_course", args=["draft"]))
    assert response.status_code == 404 and "Secret draft" not in response.content.decode()


def test_a_lesson_of_a_course_one_is_not_enrolled_in_is_a_404(me):
    lesson = lessons_of(course_with(1))[0]
    response = me.post(reverse("creators:academy_lesson_done", args=[lesson.pk]))
    assert response.status_code == 404 and not LessonCompletion.objects.unscoped().exists()


def test_leaving_a_course_and_not_a_completed_one(me, creator):
    course = course_with(1, title="Leave me")
    enrolment = EnrolmentFactory(creator=creator, course=course)
    response = me.post(reverse("creators:academy_leave", args=[enrolment.pk]), follow=True)
    assert "You left" in response.content.decode() and not Enrolment.objects.unscoped().exists()
    done = EnrolmentFactory(creator=creator, course=course, completed_at=enrolment.enrolled_at)
    refused = me.post(reverse("creators:academy_leave", args=[done.pk]))
    assert refused.status_code == 400 and "stays on your record" in refused.content.decode()
    assert Enrolment.objects.unscoped().filter(pk=done.pk).exists()


def test_another_creators_enrolment_cannot_be_left(me):
    theirs = EnrolmentFactory(course=course_with(1))
    assert me.post(reverse("creators:academy_leave", args=[theirs.pk])).status_code == 404
    assert Enrolment.objects.unscoped().filter(pk=theirs.pk).exists()


def test_the_academy_page_costs_the_same_for_many_courses(me, creator):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert me.get(reverse("creators:academy")).status_code == 200
        return len(captured)

    EnrolmentFactory(creator=creator, course=course_with(2))
    few = queries()
    for _ in range(5):
        EnrolmentFactory(creator=creator, course=course_with(3))
    assert queries() == few


# --- The operator -------------------------------------------------------------------------------


def test_the_operator_creates_a_course_adds_lessons_and_publishes_it():
    operator = operator_client()
    new = reverse("creators:academy_course_new")
    body = {"slug": "live", "track": "live_selling", "title": "Live selling", "summary": ""}
    response = operator.post(new, body, follow=True)
    assert response.redirect_chain[-1][0] == reverse("creators:academy_course_edit", args=["live"])
    publish = reverse("creators:academy_course_publish", args=["live"])
    refused = operator.post(publish, {"published": "1"})
    assert refused.status_code == 400 and "no lessons" in refused.content.decode()
    add = reverse("creators:academy_lesson_add", args=["live"])
    for title in ("Lights", "Camera"):
        operator.post(add, {"title": title, "body": "", "minutes": "12"})
    camera = Lesson.objects.unscoped().get(title="Camera")
    move = reverse("creators:academy_lesson_move", args=[camera.pk])
    assert operator.post(move, {"direction": "up"}).status_code == 302
    assert operator.post(publish, {"published": "1"}).status_code == 302
    course = Course.objects.unscoped().get(slug="live")
    assert course.published
    assert [lesson.title for lesson in lessons_of(course)] == ["Camera", "Lights"]
    audited = set(AuditEvent.objects.unscoped().values_list("action", flat=True))
    assert {"academy.course_created", "academy.lesson_added", "academy.course_published"} <= (
        audited
    )


def test_a_duplicate_slug_or_a_bad_lesson_is_a_400_on_the_form():
    CourseFactory(slug="taken")
    operator = operator_client()
    body = {"slug": "taken", "track": "compliance", "title": "T"}
    response = operator.post(reverse("creators:academy_course_new"), body)
    assert response.status_code == 400 and "errorlist" in response.content.decode()
    add = reverse("creators:academy_lesson_add", args=["taken"])
    assert operator.post(add, {"title": "", "minutes": "0"}).status_code == 400
    assert Course.objects.unscoped().count() == 1 and not Lesson.objects.unscoped().exists()


def test_the_overview_shows_enrolments_and_the_completion_rate():
    course = course_with(1, title="Rated")
    EnrolmentFactory(course=course, completed_at="2026-03-03T10:00:00Z")
    EnrolmentFactory(course=course)
    CourseFactory(title="Drafty", published=False)
    body = operator_client("viewer").get(reverse("creators:academy_manage")).content.decode()
    assert "Rated" in body and "Drafty" in body and "50%" in body
    assert "New course" not in body  # a viewer reads only


def test_an_operator_viewer_cannot_change_a_course():
    course = course_with(1, slug="ro", published=False)
    viewer = operator_client("viewer")
    publish = reverse("creators:academy_course_publish", args=["ro"])
    assert viewer.post(publish, {"published": "1"}).status_code == 403
    assert viewer.get(reverse("creators:academy_course_edit", args=["ro"])).status_code == 200
    assert not Course.objects.unscoped().get(pk=course.pk).published


# --- The agency ---------------------------------------------------------------------------------


def agency_with_creators(n: int, **creator_fields):
    agency = OrganizationFactory(kind="agency")
    creators = [CreatorFactory(agency=agency, **creator_fields) for _ in range(n)]
    return agency, creators


def agency_actor(agency) -> Actor:
    return Actor(user_id=None, organization_id=agency.pk, organization_kind="agency", role="owner")


def test_an_agency_sees_only_its_signed_creators_progress():
    mine, (signed,) = agency_with_creators(1, handle="mine-signed")
    other, (theirs,) = agency_with_creators(1, handle="secret-other")
    course = course_with(2)
    EnrolmentFactory(creator=signed, course=course, completed_at="2026-03-03T10:00:00Z")
    EnrolmentFactory(creator=theirs, course=course)
    with acting_as(agency_actor(mine)):
        rows = list(agency_training(actor=agency_actor(mine)))
        assert [(r.handle, r.enrolled, r.completed) for r in rows] == [("mine-signed", 1, 1)]
        with pytest.raises(Exception) as missing:
            agency_creator_training(actor=agency_actor(mine), handle="secret-other")
        assert type(missing.value).__name__ == "Http404"
    member = client_of(MembershipFactory(organization=mine).user)
    page = member.get(reverse("creators:academy_agency")).content.decode()
    assert "mine-signed" in page and "secret-other" not in page
    detail = reverse("creators:academy_agency_creator", args=["secret-other"])
    assert member.get(detail).status_code == 404
    ok = member.get(reverse("creators:academy_agency_creator", args=["mine-signed"]))
    assert ok.status_code == 200 and "0 / 2" in ok.content.decode()


def test_the_agency_page_is_paginated_in_bounded_queries():
    agency, creators = agency_with_creators(30)
    course = course_with(2)
    for creator in creators[:10]:
        EnrolmentFactory(creator=creator, course=course)
    member = client_of(MembershipFactory(organization=agency).user)
    with CaptureQueriesContext(connection) as first:
        body = member.get(reverse("creators:academy_agency")).content.decode()
    assert "Page 1 of 2" in body
    with CaptureQueriesContext(connection) as second:
        body = member.get(reverse("creators:academy_agency") + "?page=2").content.decode()
    assert body.count("data-creator=") == 5 and len(second) == len(first)


def test_the_agency_page_says_so_without_signed_creators():
    member = client_of(MembershipFactory(organization__kind="agency").user)
    body = member.get(reverse("creators:academy_agency")).content.decode()
    assert "no signed creators yet" in body


def test_the_academy_speaks_chinese(me, creator):
    course = course_with(2, slug="zh", title="直播入门")
    EnrolmentFactory(creator=creator, course=course)
    course_with(1, title="合规基础", track="compliance")
    zh = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
    body = me.get(reverse("creators:academy"), **zh).content.decode()
    for words in ("创作者学院", "我的课程", "课程目录", "报名", "1 节课时", "合规经营", "下一课"):
        assert words in body, words
    course_page = me.get(reverse("creators:academy_course", args=["zh"]), **zh).content.decode()
    assert "标记完成" in course_page and "你的进度" in course_page
    refused = me.post(reverse("creators:academy_enrol"), {"course": "zh"}, **zh)
    assert "你已报名该课程" in refused.content.decode()
