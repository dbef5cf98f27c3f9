import datetime

import pytest
from rest_framework.test import APIClient

from creators.models import Creator
from mcn.models import Contract
from mcn.services import contract_today
from tenancy.models import AuditEvent
from tests.factories import ContractFactory, CreatorFactory, OrganizationFactory, UserFactory
from tests.tenancy_helpers import api_key_client, make_personas

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


def offer_body(who, **terms):
    start = (contract_today() + datetime.timedelta(days=1)).isoformat()
    return {"creator": who.handle, "start": start, "revenue_share_pct": "25.00", **terms}


def test_offer_accept_and_end_through_the_api():
    agency = OrganizationFactory(kind="agency")
    client = key_client(agency)
    creator = CreatorFactory()
    today = contract_today().isoformat()
    terms = offer_body(creator, message="hi", start=today)
    offered = client.post("/api/v1/contracts/", terms, format="json")
    assert offered.status_code == 201, offered.json()
    body = offered.json()
    assert (body["status"], body["agency"], body["message"]) == ("offered", agency.slug, "hi")
    assert body["offer_expires_at"] and Creator.objects.unscoped().get(pk=creator.pk).agency is None
    again = client.post("/api/v1/contracts/", offer_body(creator), format="json")
    assert again.status_code == 400 and "already have an open offer" in str(again.json())
    unknown = client.post("/api/v1/contracts/", {**offer_body(creator), "creator": "ghost"})
    assert unknown.status_code == 400 and Contract.objects.unscoped().count() == 1
    own = session_of_creator(creator)
    path = f"/api/v1/contracts/{body['id']}/"
    accepted = own.post(path + "accept/", {}, format="json")
    assert accepted.status_code == 200 and accepted.json()["status"] == "active"
    assert accepted.json()["accepted_at"]
    assert own.post(path + "accept/", {}, format="json").status_code == 400  # not open now
    assert client.post(path + "end/", {"end": "2020-01-01"}, format="json").status_code == 400
    ended = client.post(path + "end/", {"reason": "moved on"}, format="json")  # today
    assert ended.status_code == 200 and ended.json()["status"] == "ended"
    assert Creator.objects.unscoped().get(pk=creator.pk).agency is None


def session_of_creator(creator) -> APIClient:
    creator.user = UserFactory()
    creator.save(update_fields=["user"])
    client = APIClient()
    client.force_login(creator.user)
    return client


@pytest.mark.parametrize(
    "change, field",
    [
        ({"revenue_share_pct": "100.01"}, "revenue_share_pct"),
        ({"revenue_share_pct": "abc"}, "revenue_share_pct"),
        ({"start": "2020-01-01"}, "start"),
        ({"start": "soon"}, "start"),
        ({"expires_in_days": 0}, "expires_in_days"),
        ({"expires_in_days": 365}, "expires_in_days"),
        ({"message": "x" * 1001}, "message"),
        ({"creator": ""}, "creator"),
    ],
)
def test_bad_offers_are_400_with_the_field_and_write_nothing(change, field):
    client = key_client(OrganizationFactory(kind="agency"))
    response = client.post("/api/v1/contracts/", offer_body(CreatorFactory(), **change))
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert not Contract.objects.unscoped().exists()
    assert not AuditEvent.objects.unscoped().filter(action__startswith="contract.").exists()


def test_the_agency_withdraws_and_the_creator_declines_through_the_api():
    agency = OrganizationFactory(kind="agency")
    client, creator = key_client(agency), CreatorFactory()
    first = client.post("/api/v1/contracts/", offer_body(creator), format="json").json()
    withdrawn = client.post(f"/api/v1/contracts/{first['id']}/withdraw/")
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    assert client.post(f"/api/v1/contracts/{first['id']}/withdraw/").status_code == 400
    second = client.post("/api/v1/contracts/", offer_body(creator), format="json").json()
    own = session_of_creator(creator)
    assert own.post(f"/api/v1/contracts/{first['id']}/decline/").status_code == 400
    declined = own.post(f"/api/v1/contracts/{second['id']}/decline/")
    assert declined.status_code == 200 and declined.json()["status"] == "declined"
    assert Creator.objects.unscoped().get(pk=creator.pk).agency is None


def test_keys_cannot_answer_offers_and_other_creators_get_404():
    agency = OrganizationFactory(kind="agency")
    client, creator = key_client(agency), CreatorFactory()
    offered = client.post("/api/v1/contracts/", offer_body(creator), format="json").json()
    path = f"/api/v1/contracts/{offered['id']}/"
    assert client.post(path + "accept/").status_code == 403  # the agency is not the creator
    other = session_of_creator(CreatorFactory())
    assert other.get(path).status_code == 404
    assert other.post(path + "accept/").status_code == 404
    assert other.get("/api/v1/contracts/?status=offered").json()["results"] == []
    own = session_of_creator(creator)
    listed = own.get("/api/v1/contracts/?status=offered").json()["results"]
    assert [c["id"] for c in listed] == [offered["id"]]
    assert own.post(path + "withdraw/").status_code == 403  # the creator declines instead
    assert Contract.objects.unscoped().get().status == "offered"


def test_a_viewer_session_cannot_offer():
    personas = make_personas("agency")
    creator = CreatorFactory()
    viewer = APIClient()
    viewer.force_login(personas.viewer)
    response = viewer.post("/api/v1/contracts/", offer_body(creator), format="json")
    assert response.status_code == 403 and not Contract.objects.unscoped().exists()


def test_contracts_are_private_and_need_the_write_scope():
    contract = ContractFactory()
    reader = key_client(contract.organization, ["agencies:read"])
    assert [c["id"] for c in reader.get("/api/v1/contracts/").json()["results"]] == [contract.pk]
    response = reader.post(f"/api/v1/contracts/{contract.pk}/end/", {}, format="json")
    assert response.status_code == 403
    brand = key_client(OrganizationFactory(kind="brand"), ["agencies:read", "contracts:write"])
    assert brand.get("/api/v1/contracts/").json()["results"] == []
    refused = brand.post("/api/v1/contracts/", offer_body(contract.creator), format="json")
    assert refused.status_code == 403
