"""Personas and the cross-tenant check every app's tests reuse.

Three personas per test, as in DESIGN.md: ``member`` (owner of tenant A), ``viewer`` (read-only
member of A) and ``outsider`` (owner of tenant B, of the same kind). The outsider must get 404 on
A's objects and see none of their data.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.test import Client
from rest_framework.test import APIClient

from tenancy.models import Organization
from tenancy.scoping import SYSTEM
from tenancy.services import api_key_create
from tests.factories import MembershipFactory, OrganizationFactory


@dataclass
class Personas:
    tenant: Organization
    other_tenant: Organization
    member: object
    viewer: object
    outsider: object

    def client(self, user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    def api_client(self, user) -> APIClient:
        client = APIClient()
        client.force_authenticate(user=None)
        client.force_login(user)
        return client

    def key_client(self, organization: Organization, scopes: list[str]) -> APIClient:
        return api_key_client(organization, scopes)[1]


def api_key_client(organization: Organization, scopes, **key_options):
    """A fresh API key of ``organization`` and a client that sends it: ``(key, client)``."""
    key, secret = api_key_create(
        actor=SYSTEM, organization=organization, name="test key", scopes=list(scopes), **key_options
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {secret}")
    return key, client


def make_personas(kind: str = "brand") -> Personas:
    tenant = OrganizationFactory(kind=kind)
    other = OrganizationFactory(kind=kind)
    member = MembershipFactory(organization=tenant, role="owner").user
    viewer = MembershipFactory(organization=tenant, role="viewer").user
    outsider = MembershipFactory(organization=other, role="owner").user
    return Personas(tenant, other, member, viewer, outsider)


def assert_only_tenant_sees(
    member_client, outsider_client, path: str, *, secrets: list[str]
) -> None:
    """The member of tenant A sees ``secrets`` at ``path``; the outsider gets 404 and none.

    Checking the member first makes the outsider check meaningful: a path that 404s for
    everybody would otherwise pass.
    """
    response = member_client.get(path)
    assert response.status_code == 200, f"{path} gave {response.status_code} to its own tenant"
    body = response.content.decode(errors="replace")
    for secret in secrets:
        assert str(secret) in body, f"{path} does not show {secret!r} to its own tenant"
    assert_outsider_gets_404(outsider_client, path, secrets=secrets)


def assert_outsider_gets_404(
    client, path: str, *, secrets: list[str], method: str = "get", data=None
) -> None:
    """``client`` acts for another tenant: ``path`` (which shows tenant A's object to A) must
    answer 404 and mention none of ``secrets`` (names, ids, amounts of A's object)."""
    response = getattr(client, method)(path, data=data)
    assert response.status_code == 404, (
        f"{method.upper()} {path} gave {response.status_code} to an outsider, expected 404"
    )
    body = response.content.decode(errors="replace")
    for secret in secrets:
        assert str(secret) not in body, f"{path} leaked {secret!r} to an outsider"


def member_client(organization: Organization | None = None, role: str = "owner", *, kind="brand"):
    """A browser client signed in as a new member (``role``) of ``organization`` (a new one of
    ``kind`` when none is given)."""
    organization = organization or OrganizationFactory(kind=kind)
    client = Client()
    client.force_login(MembershipFactory(organization=organization, role=role).user)
    return client
