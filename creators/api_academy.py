"""Partner API of the academy: courses with their lessons, enrolments, and a creator's own
progress.

Courses and lessons are public to every caller with ``academy:read`` (published ones; the
operator's keys see drafts too). Enrolments are private: a creator's own, its agency's signed
creators', every one for the operator; anyone else lists none and finds none (404).
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.response import Response

from api.pagination import CursorPage
from api.views import TenantAPIView, TenantViewSet

from .models import Course, Enrolment, Lesson
from .selectors import creator_of_portal
from .selectors_academy import (
    course_lessons,
    courses_visible,
    enrolments_visible,
    my_enrolments,
    progress_of,
    with_lesson_count,
)

READ = "academy:read"


class AcademyLessonOutput(serializers.ModelSerializer):
    class Meta:
        model = Lesson
        fields = ["id", "position", "title", "body", "minutes"]


class AcademyCourseOutput(serializers.ModelSerializer):
    lesson_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Course
        fields = ["slug", "track", "title", "summary", "published", "lesson_count", "updated_at"]


class AcademyCourseDetailOutput(AcademyCourseOutput):
    lessons = AcademyLessonOutput(many=True, read_only=True, source="lesson_list")

    class Meta(AcademyCourseOutput.Meta):
        fields = [*AcademyCourseOutput.Meta.fields, "lessons"]


class AcademyNextLessonOutput(serializers.Serializer):
    id = serializers.IntegerField()
    position = serializers.IntegerField()
    title = serializers.CharField()


class AcademyProgressOutput(serializers.ModelSerializer):
    """An enrolment and its progress (a ``selectors_academy.Progress``)."""

    id = serializers.IntegerField(source="enrolment.pk")
    creator = serializers.CharField(source="enrolment.creator.handle", help_text="creator handle")
    course = serializers.CharField(source="enrolment.course.slug", help_text="course slug")
    enrolled_at = serializers.DateTimeField(source="enrolment.enrolled_at")
    completed_at = serializers.DateTimeField(source="enrolment.completed_at", allow_null=True)
    lessons_done = serializers.IntegerField(source="done")
    lessons_total = serializers.IntegerField(source="total")
    percent = serializers.IntegerField(help_text="lessons done ÷ the course's lessons, 0-100")
    next_lesson = AcademyNextLessonOutput(allow_null=True, help_text="null once all are done")

    class Meta:
        model = Enrolment  # every field is declared: it reads a Progress
        fields = [
            "id",
            "creator",
            "course",
            "enrolled_at",
            "completed_at",
            "lessons_done",
            "lessons_total",
            "percent",
            "next_lesson",
        ]


class AcademyMeOutput(serializers.Serializer):
    creator = serializers.CharField(help_text="the acting creator's handle")
    courses_enrolled = serializers.IntegerField()
    courses_completed = serializers.IntegerField()
    enrolments = AcademyProgressOutput(many=True)


class CourseSlugPage(CursorPage):
    ordering = ("track", "slug")
    ordering_is_total = True  # the slug is unique


class AcademyCourseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Academy courses by track and slug (`?track=`); a course's detail lists its lessons."""

    read_scope = READ
    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    serializer_class = AcademyCourseOutput
    pagination_class = CourseSlugPage
    filterset_fields = ["track"]

    def scoped_queryset(self, *, actor) -> QuerySet[Course]:
        return with_lesson_count(courses_visible(actor=actor), actor=actor)

    @extend_schema(responses=AcademyCourseDetailOutput)
    def retrieve(self, request, *args, **kwargs):
        course = self.get_object()
        course.lesson_list = list(course_lessons(actor=self.actor, course=course))
        return Response(AcademyCourseDetailOutput(course).data)


class EnrolmentPage(CursorPage):
    ordering = ("-enrolled_at", "-id")


@extend_schema_view(
    list=extend_schema(
        parameters=[OpenApiParameter("course", str, description="a course slug: its enrolments")]
    )
)
class AcademyEnrolmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Enrolments with progress: a creator's own, an agency's signed creators', the operator's
    all; other callers list none. Newest first; `?course=<slug>` narrows to one course."""

    read_scope = READ
    serializer_class = AcademyProgressOutput
    pagination_class = EnrolmentPage
    filter_backends = []

    def scoped_queryset(self, *, actor) -> QuerySet[Enrolment]:
        enrolments = enrolments_visible(actor=actor)
        course = self.request.query_params.get("course")
        return enrolments.filter(course__slug=course) if course else enrolments

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        rows = progress_of(page, actor=self.actor)
        return self.get_paginated_response(AcademyProgressOutput(rows, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        progress = progress_of([self.get_object()], actor=self.actor)[0]
        return Response(AcademyProgressOutput(progress).data)


class AcademyMeView(TenantAPIView):
    """The acting creator's own academy progress (a creator's session); for anyone else 404."""

    read_scope = READ

    @extend_schema(responses=AcademyMeOutput)
    def get(self, request):
        if not self.actor.is_creator:
            raise Http404(_("Only a creator has academy progress of its own."))
        progress = my_enrolments(actor=self.actor)
        data = {
            "creator": creator_of_portal(actor=self.actor).handle,
            "courses_enrolled": len(progress),
            "courses_completed": sum(1 for row in progress if row.completed),
            "enrolments": progress,
        }
        return Response(AcademyMeOutput(data).data)


ROUTES = [
    ("academy/courses", AcademyCourseViewSet, "academy-course"),
    ("academy/enrolments", AcademyEnrolmentViewSet, "academy-enrolment"),
]
