"""One error format for every 4xx: ``{"error": {"code", "message", "fields"}}``."""

from django.core.exceptions import BadRequest, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import JsonResponse
from django.template import loader
from django.template.response import TemplateResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token
from django.views.defaults import bad_request as django_bad_request
from django.views.defaults import page_not_found
from django.views.defaults import permission_denied as django_permission_denied
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    return {"error": {"code": code, "message": str(message), "fields": fields or {}}}


def error_response_handler(exc, context):
    if isinstance(exc, RequestDataTooBig):
        body = error_body("payload_too_large", "The request body is larger than this API accepts.")
        return Response(body, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    response = exception_handler(exc, context)
    if response is None:
        return None
    response.data = _reshape(exc, response.data)
    return response


def _reshape(exc, data) -> dict:
    if isinstance(exc, exceptions.ValidationError):
        fields = data if isinstance(data, dict) else {"non_field_errors": data}
        return error_body("invalid", "Invalid input.", fields)
    code = getattr(exc, "default_code", "error")
    if isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else code
    message = data.get("detail", data) if isinstance(data, dict) else data
    return error_body(code, message)


# Error handlers (config/urls.py): JSON under /api/, the site's own page elsewhere
# (templates/400.html, 403.html, 404.html, 405.html, 500.html; both languages).


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def not_found(request, exception=None):
    """404 for URLs no view matched: JSON under /api/, templates/404.html elsewhere."""
    if _is_api(request):
        return JsonResponse(error_body("not_found", "Not found."), status=404)
    return page_not_found(request, exception)


@requires_csrf_token
def bad_request(request, exception=None):
    if _is_api(request):
        return JsonResponse(error_body("bad_request", "Bad request."), status=400)
    return django_bad_request(request, exception)


@requires_csrf_token
def permission_denied(request, exception=None):
    if _is_api(request):
        message = str(exception) if exception and str(exception) else "Permission denied."
        return JsonResponse(error_body("permission_denied", message), status=403)
    return django_permission_denied(request, exception)


@requires_csrf_token
def server_error(request):
    """500: no database, no context processors (whatever broke may be one of them).
    templates/500.html is standalone; the language is the one the request had activated."""
    if _is_api(request):
        return JsonResponse(error_body("server_error", "Server error."), status=500)
    from django.http import HttpResponseServerError

    return HttpResponseServerError(loader.get_template("500.html").render())


class NulBytesMiddleware:
    """Refuse a NUL byte in the path or the query string (``%00``) before any view runs.

    PostgreSQL text cannot hold NUL: a lookup or filter with one fails inside the database
    driver, a 500. Form fields already refuse it (Django's ProhibitNullCharactersValidator) and
    the JSON parser refuses it in bodies; this covers what reaches views as URL parts. The 400
    comes from :func:`bad_request` (JSON under /api/, the 400 page elsewhere).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            raise BadRequest("NUL byte in the URL")
        return self.get_response(request)


class MethodNotAllowedMiddleware:
    """Give Django's empty 405 (``require_POST``, ``LogoutView`` on GET) a body: the API's JSON
    error under /api/, else a page saying the address only takes the form's button."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 405 or getattr(response, "streaming", False):
            return response
        if response.content:  # DRF and anything else that already explains itself
            return response
        allow = response.get("Allow", "")
        if _is_api(request):
            message = f'Method "{request.method}" not allowed.'
            page = JsonResponse(error_body("method_not_allowed", message), status=405)
        else:
            referer = request.META.get("HTTP_REFERER", "")
            safe = url_has_allowed_host_and_scheme(
                referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
            )
            page = TemplateResponse(
                request,
                "405.html",
                {"back_url": referer if referer and safe else "", "title": _("Use the button")},
                status=405,
            )
            page.render()
        if allow:
            page["Allow"] = allow
        return page
