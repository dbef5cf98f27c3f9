"""The academy API: courses with lessons for `academy:read`, enrolments as their manager shows
them (the creator's own, an agency's signed creators', the operator's all, nobody else's), and
`academy/me/` for a creator's own progress."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from creators.models import Lesson, LessonCompletion
from tests.factories import (
    CourseFactory,
    CreatorFactory,
    EnrolmentFactory,
    LessonFactory,
    OrganizationFactory,
    UserFactory,
)
from tests.tenancy_helpers import api_key_client

pytestmark = pytest.mark.django_db
READ = ["academy:read"]


def course_with(lessons: int, **fields):
    course = CourseFactory(**fields)
    for position in range(1, lessons + 1):
        LessonFactory(course=course, position=position, title=f"Step {position}")
    return course


def creator_session(creator) -> APIClient:
    client = APIClient()
    client.force_login(creator.user)
    return client


def test_a_partner_key_reads_published_courses_and_their_lessons():
    course_with(2, slug="plan", track="content_planning")
    course_with(1, slug="live", track="live_selling")
    CourseFactory(slug="secret-draft", published=False)
    _key, client = api_key_client(OrganizationFactory(kind="partner"), READ)
    listed = client.get("/api/v1/academy/courses/").json()
    assert [row["slug"] for row in listed["results"]] == ["plan", "live"]
    assert listed["results"][0]["lesson_count"] == 2
    only = client.get("/api/v1/academy/courses/?track=live_selling").json()["results"]
    assert [row["slug"] for row in only] == ["live"]
    detail = client.get("/api/v1/academy/courses/plan/").json()
    assert [lesson["title"] for lesson in detail["lessons"]] == ["Step 1", "Step 2"]
    assert client.get("/api/v1/academy/courses/secret-draft/").status_code == 404


def test_an_unknown_track_is_a_400():
    _key, client = api_key_client(OrganizationFactory(kind="partner"), READ)
    response = client.get("/api/v1/academy/courses/?track=astrology")
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid"


def test_the_operator_sees_drafts():
    CourseFactory(slug="draft", published=False)
    _key, client = api_key_client(OrganizationFactory(kind="operator"), READ)
    assert client.get("/api/v1/academy/courses/draft/").json()["published"] is False


def test_a_key_without_the_scope_is_refused():
    _key, client = api_key_client(OrganizationFactory(kind="partner"), ["creators:read"])
    response = client.get("/api/v1/academy/courses/")
    assert response.status_code == 403 and response.json()["error"]["code"] == "permission_denied"


def test_enrolments_follow_the_visibility_rules():
    agency, other = OrganizationFactory(kind="agency"), OrganizationFactory(kind="agency")
    course = course_with(2, slug="plan")
    signed = EnrolmentFactory(creator=CreatorFactory(agency=agency, handle="signed"), course=course)
    theirs = EnrolmentFactory(creator=CreatorFactory(agency=other, handle="secret"), course=course)
    _key, agency_key = api_key_client(agency, READ)
    rows = agency_key.get("/api/v1/academy/enrolments/").json()["results"]
    assert [(row["creator"], row["lessons_total"]) for row in rows] == [("signed", 2)]
    assert agency_key.get(f"/api/v1/academy/enrolments/{signed.pk}/").status_code == 200
    response = agency_key.get(f"/api/v1/academy/enrolments/{theirs.pk}/")
    assert response.status_code == 404 and "secret" not in response.content.decode()
    _key, partner = api_key_client(OrganizationFactory(kind="partner"), READ)
    assert partner.get("/api/v1/academy/enrolments/").json()["results"] == []
    _key, operator = api_key_client(OrganizationFactory(kind="operator"), READ)
    listed = operator.get("/api/v1/academy/enrolments/?course=plan").json()["results"]
    assert {row["creator"] for row in listed} == {"signed", "secret"}


def test_a_creator_reads_its_own_progress():
    creator = CreatorFactory(user=UserFactory(), handle="me")
    course = course_with(3, slug="plan")
    enrolment = EnrolmentFactory(creator=creator, course=course)
    EnrolmentFactory(course=course)  # someone else's
    first = Lesson.objects.unscoped().get(course=course, position=1)
    LessonCompletion.objects.unscoped().create(
        enrolment=enrolment, lesson=first, completed_at=enrolment.enrolled_at
    )
    client = creator_session(creator)
    me = client.get("/api/v1/academy/me/").json()
    assert me["creator"] == "me" and me["courses_enrolled"] == 1 and me["courses_completed"] == 0
    (row,) = me["enrolments"]
    assert (row["lessons_done"], row["lessons_total"], row["percent"]) == (1, 3, 33)
    assert row["next_lesson"]["title"] == "Step 2"
    assert len(client.get("/api/v1/academy/enrolments/").json()["results"]) == 1


def test_academy_me_is_for_creators_only():
    _key, client = api_key_client(OrganizationFactory(kind="agency"), READ)
    response = client.get("/api/v1/academy/me/")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def test_a_creator_without_enrolments_gets_an_empty_record():
    creator = CreatorFactory(user=UserFactory(), handle="fresh")
    me = creator_session(creator).get("/api/v1/academy/me/").json()
    empty = {"creator": "fresh", "courses_enrolled": 0, "courses_completed": 0, "enrolments": []}
    assert me == empty


def test_the_enrolment_list_costs_the_same_for_more_rows():
    _key, client = api_key_client(OrganizationFactory(kind="operator"), READ)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/api/v1/academy/enrolments/").status_code == 200
        return len(captured)

    EnrolmentFactory(course=course_with(2))
    queries()  # the key's first use is recorded (last_used_at), not every call
    few = queries()
    for _ in range(4):
        EnrolmentFactory(course=course_with(3))
    assert queries() == few
