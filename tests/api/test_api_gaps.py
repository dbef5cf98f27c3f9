"""Small gaps of the API: a campaign's first status, a refund's date, the API root, the README's
scope list."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from brands.models import Campaign, Complaint, Refund
from config.urls import router
from tenancy.scopes import SCOPES
from tests.factories import (
    CreatorFactory,
    MembershipFactory,
    OrderFactory,
    OrganizationFactory,
    UserFactory,
)
from tests.tenancy_helpers import api_key_client

pytestmark = pytest.mark.django_db
README = Path(__file__).resolve().parents[2] / "README.md"
PLACED = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC)


def _brand_key():
    brand = OrganizationFactory(kind="brand")
    scopes = ["campaigns:read", "campaigns:write", "orders:write"]
    return brand, api_key_client(brand, scopes)[1]


def _campaign(**overrides) -> dict:
    return {
        "name": "Spring",
        "budget": "1000.00",
        "start": "2026-03-01",
        "end": "2026-03-31",
        **overrides,
    }


# --- A campaign begins as a draft or active -------------------------------------------------


@pytest.mark.parametrize("status", ["completed", "paused", "cancelled"])
def test_a_campaign_cannot_be_created_past_its_beginning(status):
    _brand, client = _brand_key()
    response = client.post("/api/v1/campaigns/", _campaign(status=status), format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid" and list(error["fields"]) == ["status"]
    assert not Campaign.objects.unscoped().exists()


@pytest.mark.parametrize("status", ["draft", "active", None])
def test_a_campaign_begins_as_a_draft_or_active(status):
    _brand, client = _brand_key()
    body = _campaign(**({"status": status} if status else {}))
    response = client.post("/api/v1/campaigns/", body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["status"] == (status or "draft")


# --- A refund comes after its order -----------------------------------------------------------


def test_a_refund_dated_before_its_order_is_refused():
    brand, client = _brand_key()
    order = OrderFactory(collaboration__campaign__organization=brand, placed_at=PLACED)
    path = f"/api/v1/orders/{order.pk}/refunds/"
    early = {"amount": "1.00", "reason": "quality", "requested_at": "2026-03-02T09:59:59Z"}
    response = client.post(path, early, format="json")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["requested_at"]
    assert not Refund.objects.unscoped().exists()
    same_moment = {**early, "requested_at": "2026-03-02T10:00:00Z"}
    assert client.post(path, same_moment, format="json").status_code == 201


def test_a_complaint_filed_before_its_order_is_refused():
    brand, client = _brand_key()
    order = OrderFactory(collaboration__campaign__organization=brand, placed_at=PLACED)
    path = f"/api/v1/orders/{order.pk}/complaints/"
    early = {"category": "quality", "filed_at": "2026-03-01T10:00:00Z"}
    response = client.post(path, early, format="json")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["filed_at"]
    assert not Complaint.objects.unscoped().exists()
    assert (
        client.post(path, {**early, "filed_at": "2026-03-03T10:00:00Z"}, format="json").status_code
        == 201
    )


def test_the_refund_refusal_speaks_chinese_too():
    brand, client = _brand_key()
    order = OrderFactory(collaboration__campaign__organization=brand, placed_at=PLACED)
    early = {"amount": "1.00", "reason": "quality", "requested_at": "2026-03-01T10:00:00Z"}
    response = client.post(
        f"/api/v1/orders/{order.pk}/refunds/", early, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    message = response.json()["error"]["fields"]["requested_at"][0]
    assert re.search(r"[\u4e00-\u9fff]", message), message


# --- The API root ---------------------------------------------------------------------------


def listed_resources() -> set[str]:
    """What the root should list: every router list route, and the non-router endpoints."""
    names = {prefix for prefix, viewset, _basename in router.registry if hasattr(viewset, "list")}
    actions = {
        "me",
        "metrics/bulk",
        "content/bulk",
        "compliance/check",
        "compliance/check-batch",
        "academy/me",
    }
    return names | actions


def test_any_valid_key_gets_the_api_root_without_a_scope():
    _key, client = api_key_client(OrganizationFactory(kind="partner"), [])
    response = client.get("/api/v1/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == listed_resources()
    for name, url in body.items():
        assert url.startswith("http://testserver/api/v1/") and url.endswith("/"), (name, url)
    assert body["creators"] == "http://testserver" + reverse("api:creator-list")


def test_the_root_is_the_same_for_every_tenant_and_a_session_user():
    """No tenant's data is in it: another tenant's key and a member's session see the same."""
    _key, partner = api_key_client(OrganizationFactory(kind="partner"), [])
    _key, brand = api_key_client(OrganizationFactory(kind="brand"), ["campaigns:read"])
    member = Client()
    member.force_login(MembershipFactory(organization=OrganizationFactory(kind="agency")).user)
    creator = Client()
    creator.force_login(CreatorFactory(user=UserFactory()).user)
    answers = [c.get("/api/v1/") for c in (partner, brand, member, creator)]
    assert [a.status_code for a in answers] == [200] * 4
    assert all(a.json() == answers[0].json() for a in answers)


def test_the_root_refuses_the_anonymous_and_bad_keys():
    anonymous = Client().get("/api/v1/")
    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["code"] == "not_authenticated"
    key, client = api_key_client(OrganizationFactory(kind="partner"), [])
    key.revoked = True
    key.save(update_fields=["revoked"])
    revoked = client.get("/api/v1/")
    assert revoked.status_code == 401
    assert revoked.json()["error"]["code"] == "authentication_failed"


def test_a_user_of_no_organization_gets_the_root_as_for_me():
    """Like ``me/``: signed in is enough, and the listing names no tenant's data."""
    lonely = Client()
    lonely.force_login(UserFactory())  # no membership, no creator
    assert lonely.get("/api/v1/me/").status_code == 200
    response = lonely.get("/api/v1/")
    assert response.status_code == 200 and set(response.json()) == listed_resources()


def test_the_root_takes_no_writes():
    _key, client = api_key_client(OrganizationFactory(kind="partner"), [])
    response = client.post("/api/v1/", {}, format="json")
    assert response.status_code in (403, 405)
    assert response.json()["error"]["code"] in ("permission_denied", "method_not_allowed")


# --- The README's scope list is the registry -------------------------------------------------


def readme_scopes() -> dict[str, str]:
    section = README.read_text(encoding="utf-8").split("\n## API\n", 1)[1].split("\n## ", 1)[0]
    return dict(re.findall(r"^  - `([a-z_]+:[a-z_]+)`: (.+)$", section, flags=re.MULTILINE))


def test_the_readme_lists_every_scope_with_its_description():
    with translation.override("en"):
        registered = {scope: str(text) for scope, text in SCOPES.items()}
    assert readme_scopes() == registered
