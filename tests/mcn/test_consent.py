"""The finding: an agency could sign any independent creator without consent and at once read its
income, answer brands for it and overwrite its metrics. A contract is now an offer until the
creator accepts it; the agency's rights (``Creator.agency``) begin at acceptance and the start
date and end with the contract.

Dates are relative to the services' own "today", so these pass on any date and under CI's
frozen clock.
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from brands.services import collaboration_transition, party_of
from creators.ingest import RowErrors, metric_snapshots_upsert
from creators.models import Creator, MetricSnapshot
from creators.selectors import can_see_private
from mcn.models import Contract
from mcn.services import contract_accept, contract_end, contract_today, contracts_start_due
from tenancy.scoping import SYSTEM, Actor, acting_as
from tests.factories import CollaborationFactory, CreatorFactory, MetricSnapshotFactory
from tests.tenancy_helpers import api_key_client, make_personas

pytestmark = pytest.mark.django_db
SCOPES = ["agencies:read", "contracts:write", "creators:read", "metrics:write"]
DAY = datetime.timedelta(days=1)


@pytest.fixture
def agency():
    return make_personas("agency")


@pytest.fixture
def creator():
    creator = CreatorFactory(handle="c000798")
    MetricSnapshotFactory(creator=creator, gmv="98765.43")
    return creator


def offer_by_api(client, handle="c000798", start=None, share="100"):
    start = start or contract_today()
    body = {"creator": handle, "start": start.isoformat(), "revenue_share_pct": share}
    return client.post("/api/v1/contracts/", body, format="json")


def accept(creator, contract_id) -> Contract:
    itself = Actor(user_id=None, creator_id=creator.pk, role="creator")
    with acting_as(itself):
        contract = Contract.objects.unscoped().get(pk=contract_id)
        return contract_accept(actor=itself, contract=contract)


def agency_actor(org) -> Actor:
    return Actor(user_id=None, organization_id=org.pk, organization_kind="agency", role="owner")


def rights(org, creator, client) -> dict:
    """What the agency can do about the creator, asked the ways the finding used."""
    creator = Creator.objects.unscoped().get(pk=creator.pk)
    actor = agency_actor(org)
    metrics = client.get(f"/api/v1/creators/{creator.handle}/metrics/").json()["results"]
    rows = [{"creator": creator.handle, "date": "2026-11-01", "followers": 1, "gmv": "0.01"}]
    with acting_as(actor):
        try:
            metric_snapshots_upsert(actor=actor, rows=rows)
            pushed = True
        except RowErrors:
            pushed = False
        party = party_of(actor, CollaborationFactory(creator=creator))
    return {
        "agency": creator.agency_id == org.pk,
        "private": can_see_private(actor=actor, creator=creator),
        "gmv_in_api": "98765.43" in str(metrics),
        "party": party,
        "pushed": pushed,
    }


NONE = {"agency": False, "private": False, "gmv_in_api": False, "party": None, "pushed": False}


# --- the finding, reproduced: these failed before the fix -----------------------------------


def test_an_api_offer_gives_the_agency_no_rights_over_the_creator(agency, creator):
    client = api_key_client(agency.tenant, SCOPES)[1]
    response = offer_by_api(client)
    assert response.status_code == 201 and response.json()["status"] == "offered"
    assert rights(agency.tenant, creator, client) == NONE
    assert not MetricSnapshot.objects.unscoped().filter(creator=creator, gmv="0.01").exists()


def test_the_roster_form_only_offers_a_contract(agency, creator):
    client = agency.client(agency.member)
    data = {
        "handle": "c000798",
        "start": contract_today().isoformat(),
        "revenue_share_pct": "100",
        "expires_in_days": "14",
    }
    assert client.post("/agency/roster/", data).status_code == 302
    assert Contract.objects.unscoped().get().status == "offered"
    assert Creator.objects.unscoped().get(pk=creator.pk).agency_id is None
    page = client.get("/creators/c000798/").content.decode()
    assert "98,765.43" not in page and "98765.43" not in page


def test_a_pending_offer_does_not_let_the_agency_answer_brands_for_the_creator(agency, creator):
    offer_by_api(api_key_client(agency.tenant, SCOPES)[1])
    collaboration = CollaborationFactory(creator=creator)
    actor = agency_actor(agency.tenant)
    with acting_as(actor), pytest.raises(PermissionDenied):
        collaboration_transition(actor=actor, collaboration=collaboration, to="accepted")
    collaboration.refresh_from_db()
    assert collaboration.status == "offered"


# --- rights begin at acceptance and the start date, and end with the contract ---------------


def test_rights_begin_when_the_creator_accepts_and_end_with_the_contract(agency, creator):
    client = api_key_client(agency.tenant, SCOPES)[1]
    contract_id = offer_by_api(client).json()["id"]
    accept(creator, contract_id)
    granted = {"agency": True, "private": True, "gmv_in_api": True, "party": "agency"}
    assert rights(agency.tenant, creator, client) == {**granted, "pushed": True}
    actor = agency_actor(agency.tenant)
    with acting_as(actor):
        contract = Contract.objects.unscoped().get(pk=contract_id)
        contract_end(actor=actor, contract=contract, end=contract_today())
    assert rights(agency.tenant, creator, client) == NONE


def test_a_future_start_gives_rights_only_from_that_day(agency, creator):
    client = api_key_client(agency.tenant, SCOPES)[1]
    start = contract_today() + 7 * DAY
    accept(creator, offer_by_api(client, start=start).json()["id"])
    assert rights(agency.tenant, creator, client) == NONE
    contracts_start_due(actor=SYSTEM, today=start - DAY)
    assert rights(agency.tenant, creator, client) == NONE
    contracts_start_due(actor=SYSTEM, today=start)
    assert rights(agency.tenant, creator, client)["private"] is True


def test_the_start_job_runs_as_a_task():
    from mcn.tasks import contracts_expire, contracts_start_due

    assert contracts_start_due.name == "mcn.contracts_start_due"
    assert contracts_start_due.apply(kwargs={"actor": SYSTEM.to_dict()}).get() == 0
    assert contracts_expire.apply(kwargs={"actor": SYSTEM.to_dict()}).get() == 0


def test_the_beat_runs_the_contract_jobs(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"mcn.contracts_start_due", "mcn.contracts_expire"} <= tasks
