from django.urls import path

from . import urls_incentives, views, views_academy, views_growth

app_name = "creators"
urlpatterns = [
    path("creators/", views.directory, name="directory"),
    path("creators/<slug:handle>/", views.detail, name="detail"),
    path("portal/", views.PortalView.as_view(), name="portal"),
    # The academy: the creator's catalogue, courses and progress; the operator's management;
    # an agency's view of its signed creators' training.
    path("academy/", views_academy.academy, name="academy"),
    path("academy/enrol/", views_academy.academy_enrol, name="academy_enrol"),
    path("academy/courses/<slug:slug>/", views_academy.academy_course, name="academy_course"),
    path(
        "academy/lessons/<int:pk>/done/",
        views_academy.academy_lesson_done,
        name="academy_lesson_done",
    ),
    path("academy/enrolments/<int:pk>/leave/", views_academy.academy_leave, name="academy_leave"),
    path("academy/manage/", views_academy.academy_manage, name="academy_manage"),
    path("academy/manage/new/", views_academy.academy_course_new, name="academy_course_new"),
    path(
        "academy/manage/courses/<slug:slug>/",
        views_academy.academy_course_edit,
        name="academy_course_edit",
    ),
    path(
        "academy/manage/courses/<slug:slug>/lessons/",
        views_academy.academy_lesson_add,
        name="academy_lesson_add",
    ),
    path(
        "academy/manage/courses/<slug:slug>/publish/",
        views_academy.academy_course_publish,
        name="academy_course_publish",
    ),
    path(
        "academy/manage/lessons/<int:pk>/",
        views_academy.academy_lesson_edit,
        name="academy_lesson_edit",
    ),
    path(
        "academy/manage/lessons/<int:pk>/move/",
        views_academy.academy_lesson_move,
        name="academy_lesson_move",
    ),
    path("academy/creators/", views_academy.academy_agency, name="academy_agency"),
    path(
        "academy/creators/<slug:handle>/",
        views_academy.academy_agency_creator,
        name="academy_agency_creator",
    ),
    path("operator/growth-effect/", views_growth.growth_effect, name="growth_effect"),
]
# The incentive plan (光合计划): operator, creator and agency pages.
urlpatterns += urls_incentives.urlpatterns
