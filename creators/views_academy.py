"""Academy pages: the creator's catalogue, courses and progress; the operator's course
management and overview; an agency's view of its signed creators' training.

Thin: the rows come from ``selectors_academy``, every write from ``services_academy`` (which
check the role and audit the operator's moves). Another party's enrolment, a draft course for a
creator, another agency's creator: 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from tenancy import roles
from tenancy.views_base import tenant_view
from ui.forms import add_service_error
from ui.pages import found, paginate

from .forms_academy import CourseForm, EnrolForm, LessonForm, MoveForm, PublishForm
from .selectors_academy import (
    academy_overview,
    agency_creator_training,
    agency_training,
    catalogue_by_track,
    completion_rate,
    course_by_slug,
    course_lessons,
    enrolment_get,
    lesson_get,
    my_enrolment_in,
    my_enrolments,
    with_lesson_count,
)
from .services_academy import (
    course_create,
    course_enrol,
    course_publish,
    course_update,
    enrolment_leave,
    lesson_add,
    lesson_complete,
    lesson_move,
    lesson_update,
)

CREATOR = [roles.CREATOR]
OPERATOR = [roles.OPERATOR]
AGENCY = [roles.AGENCY]


def _refusal(error: ValidationError | PermissionDenied) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or _("You cannot do this.")


# --- The creator --------------------------------------------------------------------------------


def _academy_page(request, actor, status=200, error=None):
    mine = my_enrolments(actor=actor)
    enrolled = {progress.enrolment.course_id for progress in mine}
    context = {"tracks": catalogue_by_track(actor=actor), "mine": mine, "enrolled": enrolled}
    context["error"] = error
    return render(request, "creators/academy.html", context, status=status)


@tenant_view(CREATOR)
@require_safe
def academy(request, *, actor):
    """The catalogue by track, with an enrol button per course, and the creator's courses with
    their progress."""
    return _academy_page(request, actor)


@require_POST
@tenant_view(CREATOR)
def academy_enrol(request, *, actor):
    form = EnrolForm(request.POST)
    if not form.is_valid():
        return _academy_page(request, actor, 400, _("Choose a course."))
    course = _published_course(actor, form.cleaned_data["course"])
    if course is None:
        return _academy_page(request, actor, 400, _("No such course is open for enrolment."))
    try:
        course_enrol(actor=actor, course=course)
    except (ValidationError, PermissionDenied) as error:
        return _academy_page(request, actor, 400, _refusal(error))
    messages.success(request, _("You are enrolled in “%(title)s”.") % {"title": course.title})
    return redirect("creators:academy_course", slug=course.slug)


def _published_course(actor, slug):
    try:
        return course_by_slug(actor=actor, slug=slug)
    except Http404:  # an unknown or draft course: a refusal on this form, not a missing page
        return None


def _course_context(actor, course) -> dict:
    progress = my_enrolment_in(actor=actor, course=course)
    lessons = list(course_lessons(actor=actor, course=course))
    done = progress.done_ids if progress else frozenset()
    for lesson in lessons:
        lesson.done = lesson.pk in done
    return {"course": course, "lessons": lessons, "progress": progress}


def _not_a_read(request) -> HttpResponseNotAllowed | None:
    """405 to a write of a page that only reads, after its lookup: to whoever may not see the
    object, a POST is the 404 a GET would be."""
    if request.method in ("GET", "HEAD"):
        return None
    return HttpResponseNotAllowed(["GET", "HEAD"])


@tenant_view(CREATOR)
def academy_course(request, slug: str, *, actor):
    """A published course's lessons; enrolled, the creator's progress and "mark done" buttons."""
    course = course_by_slug(actor=actor, slug=slug)
    if refused := _not_a_read(request):
        return refused
    return render(request, "creators/academy_course.html", _course_context(actor, course))


@require_POST
@tenant_view(CREATOR)
def academy_lesson_done(request, pk: int, *, actor):
    """Mark a lesson of an enrolled course done; htmx swaps the lessons and progress in."""
    lesson = found(lesson_get, actor=actor, lesson_id=pk)
    if my_enrolment_in(actor=actor, course=lesson.course) is None:
        raise Http404  # a lesson of a course it is not enrolled in is none of its own
    error = None
    try:
        enrolment, marked = lesson_complete(actor=actor, lesson=lesson)
    except (ValidationError, PermissionDenied) as refused:
        error = _refusal(refused)
    context = {**_course_context(actor, lesson.course), "error": error}
    if request.htmx:
        return render(request, "creators/_academy_lessons.html", context)
    if error:
        return render(request, "creators/academy_course.html", context, status=400)
    if not marked:
        messages.info(request, _("This lesson was already marked done."))
    elif enrolment.completed_at is not None:
        messages.success(request, _("Course completed. Well done!"))
    return redirect("creators:academy_course", slug=lesson.course.slug)


@require_POST
@tenant_view(CREATOR)
def academy_leave(request, pk: int, *, actor):
    """Leave a course not yet completed (the undo of enrolling)."""
    enrolment = found(enrolment_get, actor=actor, enrolment_id=pk)
    try:
        enrolment_leave(actor=actor, enrolment=enrolment)
    except (ValidationError, PermissionDenied) as error:
        return _academy_page(request, actor, 400, _refusal(error))
    title = enrolment.course.title
    messages.success(request, _("You left “%(title)s”.") % {"title": title})
    return redirect("creators:academy")


# --- The operator -------------------------------------------------------------------------------


@tenant_view(OPERATOR)
@require_safe
def academy_manage(request, *, actor):
    """Every course with its lessons, enrolments and completion rate; drafts too."""
    page = paginate(request, academy_overview(actor=actor))
    for course in page.object_list:
        course.rate = completion_rate(course)
    return render(request, "creators/academy_manage.html", {"page": page})


@tenant_view(OPERATOR)
def academy_course_new(request, *, actor):
    actor.require(write=True)  # the form is for those who may create (a viewer: 403)
    form = CourseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            course = course_create(actor=actor, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Course created as a draft: add its lessons."))
            return redirect("creators:academy_course_edit", slug=course.slug)
    status = 400 if form.errors else 200
    return render(request, "creators/academy_course_form.html", {"form": form}, status=status)


def _operator_course(actor, slug: str):
    course = course_by_slug(actor=actor, slug=slug)
    return with_lesson_count(type(course).objects.for_actor(actor), actor=actor).get(pk=course.pk)


def _edit_page(request, actor, course, *, form=None, lesson_form=None, error=None, status=200):
    initial = {name: getattr(course, name) for name in ("slug", "track", "title", "summary")}
    context = {
        "course": course,
        "form": form or CourseForm(initial=initial),
        "lesson_form": lesson_form or LessonForm(),
        "lessons": course_lessons(actor=actor, course=course),
        "error": error,
        "can_write": actor.can_write(),
    }
    return render(request, "creators/academy_course_edit.html", context, status=status)


@tenant_view(OPERATOR)
def academy_course_edit(request, slug: str, *, actor):
    """A course's form, its lessons (reorder, edit) and the form adding one, and publishing."""
    course = _operator_course(actor, slug)
    if request.method != "POST":
        return _edit_page(request, actor, course)
    form = CourseForm(request.POST)
    if form.is_valid():
        try:
            course = course_update(actor=actor, course=course, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Course saved."))
            return redirect("creators:academy_course_edit", slug=course.slug)
    return _edit_page(request, actor, course, form=form, status=400)


@require_POST
@tenant_view(OPERATOR)
def academy_lesson_add(request, slug: str, *, actor):
    course = _operator_course(actor, slug)
    form = LessonForm(request.POST)
    if form.is_valid():
        try:
            lesson_add(actor=actor, course=course, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Lesson added."))
            return redirect("creators:academy_course_edit", slug=course.slug)
    return _edit_page(request, actor, course, lesson_form=form, status=400)


@require_POST
@tenant_view(OPERATOR)
def academy_course_publish(request, slug: str, *, actor):
    course = _operator_course(actor, slug)
    form = PublishForm(request.POST)
    if not form.is_valid():
        return _edit_page(request, actor, course, error=_("Publish or unpublish?"), status=400)
    try:
        course_publish(actor=actor, course=course, published=form.cleaned_data["published"])
    except ValidationError as error:
        return _edit_page(request, actor, course, error=_refusal(error), status=400)
    done = _("Course published.") if form.cleaned_data["published"] else _("Course unpublished.")
    messages.success(request, done)
    return redirect("creators:academy_course_edit", slug=course.slug)


def _operator_lesson(actor, pk: int):
    return found(lesson_get, actor=actor, lesson_id=pk)


@tenant_view(OPERATOR)
def academy_lesson_edit(request, pk: int, *, actor):
    lesson = _operator_lesson(actor, pk)
    initial = {"title": lesson.title, "body": lesson.body, "minutes": lesson.minutes}
    form = LessonForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            lesson_update(actor=actor, lesson=lesson, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Lesson saved."))
            return redirect("creators:academy_course_edit", slug=lesson.course.slug)
    context = {"lesson": lesson, "form": form}
    status = 400 if form.errors else 200
    return render(request, "creators/academy_lesson_form.html", context, status=status)


@require_POST
@tenant_view(OPERATOR)
def academy_lesson_move(request, pk: int, *, actor):
    lesson = _operator_lesson(actor, pk)
    form = MoveForm(request.POST)
    course = _operator_course(actor, lesson.course.slug)
    if not form.is_valid():
        return _edit_page(request, actor, course, error=_("Move up or down?"), status=400)
    try:
        lesson_move(actor=actor, lesson=lesson, direction=form.cleaned_data["direction"])
    except ValidationError as error:
        return _edit_page(request, actor, course, error=_refusal(error), status=400)
    return redirect("creators:academy_course_edit", slug=course.slug)


# --- The agency ---------------------------------------------------------------------------------


@tenant_view(AGENCY)
@require_safe
def academy_agency(request, *, actor):
    """The agency's signed creators, each with its courses enrolled, completed, lessons done."""
    page = paginate(request, agency_training(actor=actor))
    return render(request, "creators/academy_agency.html", {"page": page})


@tenant_view(AGENCY)
def academy_agency_creator(request, handle: str, *, actor):
    """One signed creator's progress per course; another agency's creator is a 404."""
    creator, progress = agency_creator_training(actor=actor, handle=handle)
    if refused := _not_a_read(request):
        return refused
    context = {"creator": creator, "progress": progress}
    return render(request, "creators/academy_agency_creator.html", context)
