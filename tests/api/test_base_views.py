"""The API's base classes fail closed: a view that declares no scope refuses keys, the mandatory
permission cannot be dropped, and the scoping cannot be overridden."""

import pytest
from rest_framework import permissions
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate

from api.views import TenantAPIView, TenantViewSet
from tests.factories import MembershipFactory, OrganizationFactory
from tests.tenancy_helpers import api_key_client

pytestmark = pytest.mark.django_db


class NoScopeView(TenantAPIView):
    def get(self, request):
        return Response({"organization": self.actor.organization_id})


class AllowAnyView(TenantAPIView):
    permission_classes = [permissions.AllowAny]  # tries to drop HasActor
    read_scope = "creators:read"

    def get(self, request):
        return Response({"actor": self.actor is not None})


def _key_header(organization, scopes):
    key, client = api_key_client(organization, scopes)
    return client._credentials["HTTP_AUTHORIZATION"]


def test_a_view_without_a_declared_scope_refuses_every_key():
    organization = OrganizationFactory(kind="partner")
    header = _key_header(organization, ["creators:read", "audit:read"])
    request = APIRequestFactory().get("/x/", HTTP_AUTHORIZATION=header)
    response = NoScopeView.as_view()(request)
    assert response.status_code == 403
    assert response.data["error"]["message"] == "API keys cannot call this endpoint."


def test_a_view_without_a_declared_scope_still_serves_its_session_users():
    user = MembershipFactory(organization=OrganizationFactory(kind="brand")).user
    request = APIRequestFactory().get("/x/")
    request.session = {}
    force_authenticate(request, user=user)
    assert NoScopeView.as_view()(request).status_code == 200


def test_permission_classes_cannot_drop_the_actor_check():
    request = APIRequestFactory().get("/x/")
    request.session = {}
    response = AllowAnyView.as_view()(request)
    assert response.status_code in (401, 403)


def test_a_key_without_the_scope_is_refused_even_with_extra_permissions():
    header = _key_header(OrganizationFactory(kind="partner"), ["audit:read"])
    response = AllowAnyView.as_view()(APIRequestFactory().get("/x/", HTTP_AUTHORIZATION=header))
    assert response.status_code == 403


@pytest.mark.parametrize("name", ["get_queryset", "get_permissions", "dispatch", "initial"])
def test_subclasses_cannot_override_the_scoping_or_the_permission_order(name):
    with pytest.raises(TypeError, match=name):
        type("Sneaky", (TenantViewSet,), {name: lambda self, *args, **kwargs: None})


def test_subclasses_cannot_set_an_unscoped_queryset():
    from brands.models import Campaign

    with pytest.raises(TypeError, match="queryset"):
        type("Sneaky", (TenantViewSet,), {"queryset": Campaign.objects.unscoped()})


def test_the_me_endpoint_declares_that_any_key_may_ask_who_it_is():
    organization = OrganizationFactory(kind="partner")
    _key, client = api_key_client(organization, ["audit:read"])
    response = client.get("/api/v1/me/")
    assert response.status_code == 200 and response.json()["organization"]["id"] == organization.pk


def test_a_writable_relation_must_take_its_choices_from_the_actor():
    """Found: DRF's related fields chose among every tenant's rows (the model's default
    manager). The base viewset refuses a writable relation that is not an ActorRelatedField."""
    from django.core.exceptions import ImproperlyConfigured
    from rest_framework import serializers

    from api.views import require_scoped_relations
    from brands.models import Campaign

    class Loose(serializers.Serializer):
        campaign = serializers.PrimaryKeyRelatedField(queryset=Campaign.objects.none())

    with pytest.raises(ImproperlyConfigured, match="Loose.campaign"):
        require_scoped_relations(Loose())
    with pytest.raises(ImproperlyConfigured):
        require_scoped_relations(Loose(many=True))

    from brands.api import OrderSerializer

    require_scoped_relations(OrderSerializer())  # its relation is an ActorRelatedField
