import pytest

from creators.models import Creator
from mcn.models import Contract
from tests.factories import ContractFactory, CreatorFactory, OrganizationFactory
from tests.tenancy_helpers import api_key_client

pytestmark = pytest.mark.django_db


def key_client(org, scopes=("agencies:read", "contracts:write")):
    return api_key_client(org, scopes)[1]


def test_agency_directory_is_public_and_counts_signed_creators():
    big, small = OrganizationFactory(kind="agency"), OrganizationFactory(kind="agency")
    for _ in range(3):
        CreatorFactory(agency=big)
    CreatorFactory(agency=small)
    rows = (
        key_client(OrganizationFactory(kind="brand"), ["agencies:read"])
        .get("/api/v1/agencies/")
        .json()["results"]
    )
    assert [(r["slug"], r["signed_creators"]) for r in rows] == [(big.slug, 3), (small.slug, 1)]
    assert rows[0]["tier"] is None


def test_sign_and_end_through_the_api():
    agency = OrganizationFactory(kind="agency")
    client = key_client(agency)
    creator = CreatorFactory()
    body = {"creator": creator.handle, "start": "2026-11-01", "revenue_share_pct": "25.00"}
    signed = client.post("/api/v1/contracts/", body, format="json")
    assert (
        signed.status_code == 201 and Creator.objects.unscoped().get(pk=creator.pk).agency == agency
    )
    again = key_client(OrganizationFactory(kind="agency")).post(
        "/api/v1/contracts/", body, format="json"
    )
    assert again.status_code == 400 and "already has an active contract" in str(again.json())
    unknown = client.post("/api/v1/contracts/", {**body, "creator": "ghost"}, format="json")
    assert unknown.status_code == 400 and Contract.objects.unscoped().count() == 1
    path = f"/api/v1/contracts/{signed.json()['id']}/end/"
    assert client.post(path, {"end": "2026-10-01"}, format="json").status_code == 400
    ended = client.post(path, {"end": "2026-12-01", "reason": "moved on"}, format="json")
    assert (
        ended.json()["status"] == "ended"
        and Creator.objects.unscoped().get(pk=creator.pk).agency is None
    )


def test_contracts_are_private_and_need_the_write_scope():
    contract = ContractFactory()
    reader = key_client(contract.organization, ["agencies:read"])
    assert [c["id"] for c in reader.get("/api/v1/contracts/").json()["results"]] == [contract.pk]
    response = reader.post(f"/api/v1/contracts/{contract.pk}/end/", {}, format="json")
    assert response.status_code == 403
    brand = key_client(OrganizationFactory(kind="brand"), ["agencies:read", "contracts:write"])
    assert brand.get("/api/v1/contracts/").json()["results"] == []
    refused = brand.post(
        "/api/v1/contracts/",
        {"creator": contract.creator.handle, "start": "2026-11-01", "revenue_share_pct": "10"},
        format="json",
    )
    assert refused.status_code == 403
