from rest_framework.routers import DefaultRouter

from .endpoints import ApiKeyViewSet, AuditEventViewSet
from .webhooks import WebhookEndpointViewSet

router = DefaultRouter(trailing_slash=True)
router.register("audit-events", AuditEventViewSet, basename="audit-event")
router.register("api-keys", ApiKeyViewSet, basename="api-key")
router.register("webhooks", WebhookEndpointViewSet, basename="webhook")
