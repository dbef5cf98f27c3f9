"""Absurd contract start dates get a clear error on the field and write nothing."""

import datetime

import pytest

from mcn.services import START_MAX_DAYS, contract_today
from tests.factories import CreatorFactory, OrganizationFactory
from tests.rowcounts import row_counts
from tests.tenancy_helpers import api_key_client, make_personas

pytestmark = pytest.mark.django_db
TABLES = ("mcn.Contract", "tenancy.AuditEvent", "webhooks.WebhookDelivery", "creators.Creator")
PAST = "The start date cannot be in the past."


def far() -> str:
    latest = contract_today() + datetime.timedelta(days=START_MAX_DAYS)
    return f"The start date can be at most a year ahead: {latest.isoformat()} at the latest."


def api_offer(start: str, check_nothing_written: bool = False):
    agency = OrganizationFactory(kind="agency")
    client = api_key_client(agency, ["agencies:read", "contracts:write"])[1]
    body = {"creator": CreatorFactory().handle, "start": start, "revenue_share_pct": "25.00"}
    before = row_counts(*TABLES)
    response = client.post("/api/v1/contracts/", body, format="json")
    if check_nothing_written:
        assert row_counts(*TABLES) == before
    return response


@pytest.mark.parametrize("start", ["9999-12-31", "1900-01-01", "later"])
def test_absurd_start_dates_through_the_api_are_a_400_on_start(start):
    response = api_offer(start, check_nothing_written=True)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid" and list(error["fields"]) == ["start"]
    expected = {"9999-12-31": far(), "1900-01-01": PAST}.get(start)
    if expected:
        assert error["fields"]["start"] == [expected]


def test_the_start_may_be_up_to_a_year_ahead_and_not_a_day_more():
    latest = contract_today() + datetime.timedelta(days=START_MAX_DAYS)
    assert api_offer(latest.isoformat()).status_code == 201
    too_late = api_offer((latest + datetime.timedelta(days=1)).isoformat())
    assert too_late.status_code == 400
    assert too_late.json()["error"]["fields"] == {"start": [far()]}


@pytest.mark.parametrize("start, message", [("9999-12-31", None), ("1900-01-01", PAST)])
def test_absurd_start_dates_on_the_roster_form_are_a_field_error(start, message):
    agency = make_personas("agency")
    CreatorFactory(handle="real-one")
    data = {"handle": "real-one", "start": start, "revenue_share_pct": "30"}
    data["expires_in_days"] = "14"
    before = row_counts(*TABLES)
    response = agency.client(agency.member).post("/agency/roster/", data)
    assert row_counts(*TABLES) == before
    assert response.context["offer_form"].errors["start"] == [message or far()]
