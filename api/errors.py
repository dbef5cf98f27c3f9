"""One error format for every API error, 500 included: ``{"error": {"code", "message", "fields"}}``.

``code`` is one of :data:`CODES`, stable snake_case a program can switch on (the README's API
section lists them); ``message`` is for people, in the request's language.
"""

import json

from django.core import signals
from django.core.exceptions import BadRequest, PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.template import loader
from django.template.response import TemplateResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.log import log_response
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import requires_csrf_token
from django.views.defaults import bad_request as django_bad_request
from django.views.defaults import page_not_found
from django.views.defaults import permission_denied as django_permission_denied
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler, set_rollback

#: Every ``error.code`` the API answers → (HTTP status, what it means). An exception class whose
#: code is not here fails ``tests/api/test_error_codes.py``; the README lists the same lines.
CODES: dict[str, tuple[int, str]] = {
    "invalid": (400, "the input failed validation; `fields` names each field and its errors"),
    "parse_error": (400, "the body is not what its `Content-Type` says (e.g. malformed JSON)"),
    "invalid_cursor": (400, "`?cursor=` is not one the API handed out (use `next`/`previous`)"),
    "bad_request": (400, "a request Django refused before the API saw it (e.g. a bad `Host`)"),
    "not_authenticated": (401, "no credentials: send `Authorization: Api-Key <key>`"),
    "authentication_failed": (401, "the key is unknown, revoked or expired"),
    "permission_denied": (403, "the key lacks the scope, or the role may not do this"),
    "not_found": (404, "no such URL, or no such object for this tenant"),
    "method_not_allowed": (405, "the URL does not take this method (see `Allow`)"),
    "not_acceptable": (406, "no representation matches `Accept`"),
    "idempotency_conflict": (409, "a request with this `Idempotency-Key` is still running"),
    "external_id_conflict": (
        409,
        "this `external_id` already names a row with other content; nothing changed (a repeat "
        "with the same content answers 200 with that row)",
    ),
    "payload_too_large": (413, "the body is larger than this endpoint accepts"),
    "unsupported_media_type": (415, "the body's `Content-Type` is not accepted here"),
    "idempotency_key_reused": (422, "this `Idempotency-Key` came with another body"),
    "throttled": (429, "too many calls: wait `Retry-After` seconds"),
    "server_error": (500, "our fault, logged; retrying with the same `Idempotency-Key` is safe"),
    # Refusals of a business rule (``<entity>.<rule>``): a 400 like ``invalid``, with `fields`
    # naming the field, under a code a program can act on.
    "campaign.budget_exceeded": (
        400,
        "the fees committed and spent would exceed the campaign's budget (an offer's `fee`, "
        "or a lower `budget`)",
    ),
    "content.check_blocked": (
        400,
        "an automatic check of submitted content (compliance) refused it; `fields` says why",
    ),
    "refund.exceeds_paid": (
        400,
        "the refund would take the order's refunds (approved and pending) above what was paid",
    ),
    "content.held": (
        400,
        "the submission cannot go live yet: compliance holds it until a reviewer approves it",
    ),
}
#: The business-rule codes a validation error may carry up to ``error.code``.
RULE_CODES = frozenset(code for code in CODES if "." in code)
SERVER_ERROR = gettext_lazy("A server error occurred.")  # DRF's msgid: translated already


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    return {"error": {"code": code, "message": str(message), "fields": fields or {}}}


def error_response_handler(exc, context):
    if isinstance(exc, RequestDataTooBig):
        body = error_body("payload_too_large", MESSAGES["payload_too_large"])
        return Response(body, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    exc = _as_api_exception(exc)
    response = exception_handler(exc, context)
    if response is None:
        return _server_error(exc, context["request"])
    response.data = _reshape(exc, response.data)
    return response


def _as_api_exception(exc):
    """Django's exceptions as DRF's, so that their code is DRF's too (DRF converts them inside
    its handler, but then reports the original's missing code as "error")."""
    if isinstance(exc, DjangoValidationError):
        return exceptions.ValidationError(as_serializer_error(exc))
    if isinstance(exc, Http404):
        return exceptions.NotFound(*exc.args)
    if isinstance(exc, PermissionDenied):
        return exceptions.PermissionDenied(*exc.args)
    return exc


def _server_error(exc, request) -> Response:
    """Anything else escaping a view: a JSON 500, reported as Django reports an uncaught one
    (``got_request_exception``, which error trackers and the test client listen to, and the
    ``django.request`` log with the traceback); the request's transaction is rolled back.
    Always JSON: the browsable API's page would query again what may just have failed."""
    django_request = getattr(request, "_request", request)
    request.accepted_renderer, request.accepted_media_type = JSONRenderer(), "application/json"
    signals.got_request_exception.send(sender=None, request=django_request)
    set_rollback()
    response = Response(error_body("server_error", SERVER_ERROR), status=500)
    log_response(
        "%s: %s",
        "Internal Server Error",
        django_request.path,
        response=response,
        request=django_request,
        exception=exc,
    )
    return response


def _reshape(exc, data) -> dict:
    if isinstance(exc, exceptions.ValidationError):
        fields = data if isinstance(data, dict) else {"non_field_errors": data}
        rule = RULE_CODES.intersection(_leaves(exc.get_codes()))
        code = min(rule) if rule else "invalid"
        return error_body(code, _("Invalid input."), fields)
    codes = exc.get_codes()
    # A code raised with the detail (``PermissionDenied(code=…)``) only if it is a known one.
    code = codes if isinstance(codes, str) and codes in CODES else exc.default_code
    message = data.get("detail", data) if isinstance(data, dict) else data
    field = getattr(exc, "field", None)
    return error_body(code, message, {field: [str(message)]} if field else None)


def _leaves(codes):
    """Every code of a validation error's (nested) ``get_codes()``."""
    if isinstance(codes, dict):
        codes = list(codes.values())
    if isinstance(codes, list):
        return [leaf for item in codes for leaf in _leaves(item)]
    return [codes]


# Error handlers (config/urls.py): JSON under /api/, the site's own page elsewhere
# (templates/400.html, 403.html, 404.html, 405.html, 500.html; both languages).


def is_api_request(request) -> bool:
    return request.path_info.startswith("/api/")


#: The message of an answer Django made without the API, by code (DRF's msgids but one).
MESSAGES = {
    "bad_request": gettext_lazy("Bad request."),
    "permission_denied": gettext_lazy("You do not have permission to perform this action."),
    "not_found": gettext_lazy("Not found."),
    "method_not_allowed": gettext_lazy("Method not allowed."),
    "payload_too_large": gettext_lazy("The request body is larger than this API accepts."),
    "throttled": gettext_lazy("Request was throttled."),
    "server_error": SERVER_ERROR,
}


def _api_error(code: str, message=None) -> JsonResponse:
    return JsonResponse(error_body(code, message or MESSAGES[code]), status=CODES[code][0])


def not_found(request, exception=None):
    """404 for URLs no view matched: JSON under /api/, templates/404.html elsewhere."""
    if is_api_request(request):
        return _api_error("not_found")
    return page_not_found(request, exception)


@requires_csrf_token
def bad_request(request, exception=None):
    if is_api_request(request):
        return _api_error("bad_request")
    return django_bad_request(request, exception)


@requires_csrf_token
def permission_denied(request, exception=None):
    if is_api_request(request):
        return _api_error("permission_denied", exception and str(exception))
    return django_permission_denied(request, exception)


@requires_csrf_token
def server_error(request):
    """500: no database, no context processors (whatever broke may be one of them).
    templates/500.html is standalone; the language is the one the request had activated."""
    if is_api_request(request):
        return _api_error("server_error")
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
        if is_api_request(request):
            message = _('Method "{method}" not allowed.').format(method=request.method)
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


#: HTTP status → code of an error answered under /api/ without the API's help.
STATUS_CODES = {
    400: "bad_request",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    429: "throttled",
}


class ApiErrorMiddleware:
    """Outermost: an error under /api/ that is not JSON yet gets the API's error body.

    With ``DEBUG`` on (the embedded default), Django answers an exception in a view, in
    rendering or in any middleware, and an unknown URL, with its technical HTML page instead of
    ``handler500`` / ``handler404``. A program gets the JSON error whatever the mode; the
    traceback is in the log. The browsable API's own pages (DRF responses) are left alone.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code < 400 or not is_api_request(request) or _is_explained(response):
            return response
        code = (
            "server_error"
            if response.status_code >= 500
            else STATUS_CODES.get(response.status_code)
        )
        if code is not None:
            response.content = json.dumps(error_body(code, MESSAGES[code])).encode()
            response["Content-Type"] = "application/json"
            if response.has_header("Content-Length"):  # CommonMiddleware set it for the old body
                response["Content-Length"] = str(len(response.content))
        return response


def _is_explained(response) -> bool:
    return (
        getattr(response, "streaming", False)
        or hasattr(response, "accepted_renderer")  # DRF's: JSON, or the browsable API's page
        or response.get("Content-Type", "").startswith("application/json")
    )
