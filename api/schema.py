"""OpenAPI: how partners authenticate, the error answers of every endpoint, the headers and
parameters every client generator needs (``Idempotency-Key``, the cursor), in one language."""

from django.utils import translation
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from tenancy.scoping import NOBODY, acting_as, current_actor

from .idempotency import KEEP_SECONDS

#: The language of the schema, whatever the request's: field labels, help texts and enum
#: labels are translated, and a schema that follows Accept-Language would hand two partners two
#: different generated clients (and every regeneration a spurious diff).
SCHEMA_LANGUAGE = "en"


class EnglishSchemaGenerator(SchemaGenerator):
    """Generates the schema with the language fixed (``?lang=`` and Accept-Language ignored)."""

    def get_schema(self, request=None, public=False):
        with translation.override(SCHEMA_LANGUAGE):
            return super().get_schema(request=request, public=public)


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "api.auth.ApiKeyAuthentication"
    name = "ApiKeyAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Api-Key <prefix.secret>`, created by an organization admin.",
        }


class ErrorDetail(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(child=serializers.JSONField())


class ErrorOutput(serializers.Serializer):
    error = ErrorDetail()


class RowError(serializers.Serializer):
    index = serializers.IntegerField(allow_null=True, help_text="the row's index; null: the body")
    field = serializers.CharField(allow_null=True, help_text="null: the row as a whole")
    message = serializers.CharField()


class RowErrorFields(serializers.Serializer):
    # Absent when the body itself could not be read (a ``parse_error``): there are no rows.
    rows = RowError(many=True, required=False)


class RowErrorDetail(ErrorDetail):
    fields = RowErrorFields()


class RowErrorOutput(serializers.Serializer):
    """A bulk request with bad rows: every bad field of every row, and nothing stored."""

    error = RowErrorDetail()


IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    description=(
        "Any unique string (a UUID) per logical request. A retry with the same key and body "
        f"within {KEEP_SECONDS // 3600} hours gets the first answer again instead of a second "
        "write; the same key with another body is a 422, and while the first request is still "
        "running, a 409."
    ),
)
IDEMPOTENT_REPLAYED = OpenApiParameter(
    "Idempotent-Replayed",
    str,
    OpenApiParameter.HEADER,
    enum=["true"],
    response=True,
    description="`true` when this is the stored answer to an earlier request with the key.",
)


class OliveAutoSchema(AutoSchema):
    """Documents the error answers every endpoint can give, in the project's one error format.

    Describing an operation builds querysets (filters, serializers) on behalf of nobody: it acts
    as ``NOBODY`` when no actor is set (the ``spectacular`` command), so managers give nothing.
    """

    def get_operation(self, *args, **kwargs):
        if current_actor() is not None:
            return super().get_operation(*args, **kwargs)
        with acting_as(NOBODY):
            return super().get_operation(*args, **kwargs)

    def get_override_parameters(self):
        # Imported here: api.views applies extend_schema at import, which loads this module.
        from .views import ActorAPIMixin

        parameters = super().get_override_parameters()
        if self.method == "POST" and isinstance(self.view, ActorAPIMixin):
            parameters = [*parameters, IDEMPOTENCY_KEY, IDEMPOTENT_REPLAYED]
        return parameters

    def _get_pagination_parameters(self):
        """DRF's cursor parameters, with what a client needs to know about them."""
        parameters = super()._get_pagination_parameters()
        paginator = self._get_paginator()
        for parameter in parameters:
            if parameter["name"] == "cursor":
                parameter["description"] = (
                    "Opaque: pass on the `cursor` of the `next` or `previous` link as it is, "
                    "with the same `ordering`. It marks the last row seen (every ordering "
                    "column, ending in a unique one), so rows with equal values page through "
                    "once each. A cursor not made by the API, or made for another list or "
                    "ordering, is a 400 `invalid_cursor`."
                )
            elif parameter["name"] == "page_size":
                parameter["description"] = "Rows per page; larger values are clamped."
                parameter["schema"] |= {
                    "minimum": 1,
                    "maximum": paginator.max_page_size,
                    "default": paginator.page_size,
                }
        return parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code in self._error_codes():
            responses.setdefault(str(code), self._get_response_for_code(ErrorOutput, str(code)))
        return responses

    def _error_codes(self) -> list[int]:
        codes = [401, 403, 404, 429]
        if self.method in ("POST", "PUT", "PATCH"):
            codes += [400, 409, 422]
        elif self.method == "GET":
            codes.append(400)  # filter and pagination parameters are validated
        return codes
