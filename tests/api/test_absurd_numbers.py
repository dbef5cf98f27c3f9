"""Absurd numbers in API inputs (fees, budgets, shares, days, page sizes) are 400s in the one
error format, or harmlessly clamped (page sizes); never a 500, and nothing is written."""

import pytest

from tests.factories import CampaignFactory, CreatorFactory, OrganizationFactory, ProductFactory
from tests.rowcounts import row_counts
from tests.tenancy_helpers import api_key_client

pytestmark = pytest.mark.django_db
HUGE = "10000000000000000000000000"
TABLES = ("brands.Campaign", "brands.Collaboration", "mcn.Contract", "tenancy.AuditEvent")


def refused(client, path, body, field):
    before = row_counts(*TABLES)
    response = client.post(path, body, format="json")
    assert row_counts(*TABLES) == before
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]


@pytest.mark.parametrize("field", ["budget"])
def test_a_huge_campaign_budget_is_a_400(field):
    client = api_key_client(OrganizationFactory(kind="brand"), ["campaigns:write"])[1]
    body = {"name": "X", "mode": "both", "budget": HUGE, "start": "2026-12-01"}
    refused(client, "/api/v1/campaigns/", {**body, "end": "2026-12-31"}, field)


@pytest.mark.parametrize("field", ["fee", "commission_pct", "campaign", "product"])
def test_huge_offer_numbers_are_a_400(field):
    brand = OrganizationFactory(kind="brand")
    client = api_key_client(brand, ["campaigns:write"])[1]
    body = {
        "campaign": CampaignFactory(organization=brand).pk,
        "product": ProductFactory(organization=brand).pk,
        "creator": CreatorFactory().handle,
        "offer_type": "direct_order",
    }
    refused(client, "/api/v1/collaborations/", {**body, field: HUGE}, field)


@pytest.mark.parametrize("field", ["revenue_share_pct", "expires_in_days"])
def test_huge_contract_numbers_are_a_400(field):
    client = api_key_client(OrganizationFactory(kind="agency"), ["contracts:write"])[1]
    body = {"creator": CreatorFactory().handle, "start": "2099-01-01", "revenue_share_pct": "5"}
    refused(client, "/api/v1/contracts/", {**body, field: HUGE}, field)


def test_a_huge_page_size_is_clamped_not_a_500():
    CreatorFactory.create_batch(2)
    client = api_key_client(OrganizationFactory(kind="brand"), ["creators:read"])[1]
    response = client.get("/api/v1/creators/", {"page_size": HUGE})
    assert response.status_code == 200 and len(response.json()["results"]) == 2
