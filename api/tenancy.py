"""The endpoints of the tenancy app's objects: who am I, the audit trail, API keys.

They live here because they are built on this package, which is built on tenancy."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from tenancy.models import ApiKey, AuditEvent, Organization
from tenancy.scopes import SCOPES
from tenancy.selectors import api_keys_list, audit_events_list, organization_of
from tenancy.services import api_key_create, api_key_revoke

from .permissions import ANY_KEY, HasActor, IsOrganizationAdmin
from .views import TenantAPIView, TenantViewSet


class OrganizationOutput(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["id", "slug", "name", "kind", "region", "currency"]


class MeOutput(serializers.Serializer):
    organization = OrganizationOutput(allow_null=True)
    role = serializers.CharField(allow_null=True)
    user = serializers.CharField(allow_null=True)
    creator_id = serializers.IntegerField(allow_null=True)
    scopes = serializers.ListField(child=serializers.CharField(), allow_null=True)


class MeView(TenantAPIView):
    """Who the credentials act as: organization, role and, for a key, its scopes."""

    read_scope = ANY_KEY

    @extend_schema(responses=MeOutput)
    def get(self, request):
        actor = self.actor
        organization = organization_of(actor=actor)
        data = {
            "organization": organization,
            "role": actor.role,
            "user": request.user.get_username() if actor.user_id else None,
            "creator_id": actor.creator_id,
            "scopes": request.auth.scopes if isinstance(request.auth, ApiKey) else None,
        }
        return Response(MeOutput(data).data)


class AuditEventOutput(serializers.ModelSerializer):
    actor_user = serializers.StringRelatedField(allow_null=True)

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "created_at",
            "actor_label",
            "actor_user",
            "action",
            "target_type",
            "target_id",
            "data",
        ]


class AuditEventViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """The acting organization's audit trail (owners, admins, or keys with ``audit:read``)."""

    serializer_class = AuditEventOutput
    permission_classes = [HasActor, IsOrganizationAdmin]
    read_scope = "audit:read"
    filterset_fields = ["action"]

    def scoped_queryset(self, *, actor):
        return audit_events_list(actor=actor)


class ApiKeyOutput(serializers.ModelSerializer):
    class Meta:
        model = ApiKey
        fields = ["prefix", "name", "scopes", "created", "expiry_date", "revoked", "last_used_at"]


class ApiKeyInput(serializers.Serializer):
    name = serializers.CharField(max_length=50)
    scopes = serializers.ListField(child=serializers.ChoiceField(choices=sorted(SCOPES)))
    expires_in_days = serializers.IntegerField(min_value=1, max_value=3650, required=False)


class ApiKeyViewSet(mixins.ListModelMixin, TenantViewSet):
    """API keys of the acting organization. Sessions of owners and admins only: a key cannot
    mint or revoke keys."""

    serializer_class = ApiKeyOutput
    permission_classes = [HasActor, IsOrganizationAdmin]
    lookup_field = "prefix"
    pagination_class = None
    keys_refused_message = _("API keys cannot manage API keys.")  # no scope declared: keys refused

    def scoped_queryset(self, *, actor):
        return api_keys_list(actor=actor).order_by("-created")

    @extend_schema(
        request=ApiKeyInput,
        responses={
            201: inline_serializer(
                "ApiKeyCreated", {"key": ApiKeyOutput(), "secret": serializers.CharField()}
            )
        },
    )
    def create(self, request):
        payload = ApiKeyInput(data=request.data)
        payload.is_valid(raise_exception=True)
        organization = organization_of(actor=self.actor)
        key, secret = api_key_create(
            actor=self.actor, organization=organization, **payload.validated_data
        )
        body = {"key": ApiKeyOutput(key).data, "secret": secret}
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=ApiKeyOutput)
    @action(detail=True, methods=["post"])
    def revoke(self, request, prefix=None):
        key = api_key_revoke(actor=self.actor, api_key=self.get_object())
        return Response(ApiKeyOutput(key).data)


ROUTES = [
    ("audit-events", AuditEventViewSet, "audit-event"),
    ("api-keys", ApiKeyViewSet, "api-key"),
]
