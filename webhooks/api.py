"""Webhook endpoints of the acting organization: register, list, test, inspect deliveries."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from api.permissions import HasActor, IsOrganizationAdmin
from api.views import TenantViewSet

from .events import EVENTS
from .models import WebhookDelivery, WebhookEndpoint
from .selectors import webhook_deliveries_list, webhook_endpoints_list
from .services import webhook_endpoint_create, webhook_endpoint_delete, webhook_endpoint_ping


class WebhookEndpointOutput(serializers.ModelSerializer):
    events = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = WebhookEndpoint
        fields = [
            "id",
            "url",
            "events",
            "is_active",
            "consecutive_failures",
            "disabled_at",
            "created_at",
        ]


class WebhookEndpointInput(serializers.Serializer):
    url = serializers.URLField(max_length=500)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=sorted(EVENTS)), allow_empty=False
    )


class WebhookEndpointCreated(serializers.Serializer):
    endpoint = WebhookEndpointOutput()
    secret = serializers.CharField(help_text="The signing secret. Shown only now: store it.")


class WebhookDeliveryOutput(serializers.ModelSerializer):
    payload = serializers.DictField()
    last_error = serializers.CharField(
        read_only=True, help_text="The last attempt's error, in the request's language."
    )
    last_error_params = serializers.DictField(
        read_only=True, help_text="What `last_error` names (host, status, network error)."
    )

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "event_id",
            "event",
            "status",
            "attempts",
            "last_status_code",
            "last_error",
            "last_error_code",
            "last_error_params",
            "next_attempt_at",
            "created_at",
            "delivered_at",
            "payload",
        ]


class WebhookDeliveryFilter(serializers.Serializer):
    status = serializers.ChoiceField(choices=WebhookDelivery.Status.choices, required=False)


class WebhookEventOutput(serializers.Serializer):
    name = serializers.CharField()
    description = serializers.CharField()


class WebhookEndpointViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Webhook endpoints of the acting organization (owners and admins, or keys with the
    `webhooks:manage` scope).

    Olive POSTs each event as JSON `{"id", "event", "created_at", "data"}` with the headers
    `Olive-Event` (the event name), `Olive-Delivery` (the event id: retries reuse it, so
    deduplicate on it) and `Olive-Signature: t=<unix time>,v1=<hex>`, where `v1` is the
    HMAC-SHA256, keyed with the endpoint's secret, of `"<t>.<raw request body>"`. To verify,
    compute that HMAC over the body exactly as received, compare it in constant time with each
    `v1`, and refuse a `t` more than five minutes away from your clock.

    Answer 2xx within 5 seconds; anything else, redirects included, is retried with exponential
    backoff and eventually abandoned; an endpoint whose deliveries keep being abandoned is
    disabled. URLs must be http(s) and resolve to public addresses.
    """

    serializer_class = WebhookEndpointOutput
    permission_classes = [HasActor, IsOrganizationAdmin]
    read_scope = "webhooks:manage"
    write_scope = "webhooks:manage"

    def scoped_queryset(self, *, actor):
        return webhook_endpoints_list(actor=actor)

    @extend_schema(
        summary="Register an endpoint; the response holds its secret, shown only this once",
        request=WebhookEndpointInput,
        responses={201: WebhookEndpointCreated},
    )
    def create(self, request):
        payload = WebhookEndpointInput(data=request.data)
        payload.is_valid(raise_exception=True)
        endpoint, secret = webhook_endpoint_create(actor=self.actor, **payload.validated_data)
        body = WebhookEndpointCreated({"endpoint": endpoint, "secret": secret}).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Delete an endpoint and its delivery history", responses={204: None})
    def destroy(self, request, pk=None):
        webhook_endpoint_delete(actor=self.actor, endpoint=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Send a `ping` event to the endpoint (one attempt, even if it is disabled)",
        request=None,
        responses={202: WebhookDeliveryOutput},
    )
    @action(detail=True, methods=["post"])
    def test(self, request, pk=None):
        delivery = webhook_endpoint_ping(actor=self.actor, endpoint=self.get_object())
        return Response(WebhookDeliveryOutput(delivery).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="The endpoint's deliveries, newest first",
        parameters=[WebhookDeliveryFilter],
        responses=WebhookDeliveryOutput(many=True),
    )
    @action(detail=True, methods=["get"])
    def deliveries(self, request, pk=None):
        endpoint = self.get_object()
        query = WebhookDeliveryFilter(data=request.query_params)
        query.is_valid(raise_exception=True)
        deliveries = webhook_deliveries_list(
            actor=self.actor, endpoint=endpoint, status=query.validated_data.get("status")
        )
        page = self.paginate_queryset(deliveries)
        return self.get_paginated_response(WebhookDeliveryOutput(page, many=True).data)

    @extend_schema(
        summary="The events an endpoint can subscribe to",
        responses=WebhookEventOutput(many=True),
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def events(self, request):
        rows = [{"name": name, "description": text} for name, text in sorted(EVENTS.items())]
        return Response(WebhookEventOutput(rows, many=True).data)


ROUTES = [("webhooks", WebhookEndpointViewSet, "webhook")]
