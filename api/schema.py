"""OpenAPI: how partners authenticate, and the error answers of every endpoint."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers

from tenancy.scoping import NOBODY, acting_as, current_actor


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
