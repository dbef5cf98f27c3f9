"""The incentive plan's read-only API: plans and milestones for every tenant with the scope,
awards scoped by their manager (a creator its own, an agency its creators', the operator all)."""

import pytest
from rest_framework.test import APIClient

from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.factories_incentives import AwardFactory
from tests.tenancy_helpers import api_key_client

pytestmark = pytest.mark.django_db
READ = ["incentives:read"]


def handles(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["creator"] for row in response.json()["results"]}


@pytest.fixture
def awards():
    agency, other = OrganizationFactory(kind="agency"), OrganizationFactory(kind="agency")
    mine = AwardFactory(creator__agency=agency, creator__handle="mine")
    theirs = AwardFactory(creator__agency=other, creator__handle="theirs")
    loose = AwardFactory(creator__handle="loose")
    return agency, mine, theirs, loose


def test_awards_are_scoped_by_who_asks(awards):
    agency, mine, theirs, loose = awards
    _, agency_client = api_key_client(agency, READ)
    assert handles(agency_client.get("/api/v1/incentives/awards/")) == {"mine"}
    assert agency_client.get(f"/api/v1/incentives/awards/{theirs.pk}/").status_code == 404
    _, operator = api_key_client(OrganizationFactory(kind="operator"), READ)
    assert handles(operator.get("/api/v1/incentives/awards/")) == {"mine", "theirs", "loose"}
    for kind in ("brand", "partner"):
        _, client = api_key_client(OrganizationFactory(kind=kind), READ)
        assert handles(client.get("/api/v1/incentives/awards/")) == set()
        assert client.get(f"/api/v1/incentives/awards/{loose.pk}/").status_code == 404


def test_a_creator_reads_its_own_awards_with_its_session(awards):
    _agency, _mine, _theirs, loose = awards
    loose.creator.user = UserFactory()
    loose.creator.save(update_fields=["user"])
    client = APIClient()
    client.force_login(loose.creator.user)
    assert handles(client.get("/api/v1/incentives/awards/")) == {"loose"}


def test_the_budget_is_the_operators_only_and_the_scope_is_required(awards):
    _agency, mine, *_ = awards
    _, operator = api_key_client(OrganizationFactory(kind="operator"), READ)
    plan = operator.get(f"/api/v1/incentives/plans/{mine.plan_id}/").json()
    assert plan["budget"]["budget"] == "10000.00" and plan["milestones"][0]["kind"] == "followers"
    _, partner = api_key_client(OrganizationFactory(kind="partner"), READ)
    assert partner.get(f"/api/v1/incentives/plans/{mine.plan_id}/").json()["budget"] is None
    _, unscoped = api_key_client(OrganizationFactory(kind="partner"), ["creators:read"])
    assert unscoped.get("/api/v1/incentives/awards/").status_code == 403
    assert unscoped.get("/api/v1/incentives/plans/").status_code == 403


def test_milestones_and_awards_filter_by_plan(awards):
    _agency, mine, theirs, _loose = awards
    _, operator = api_key_client(OrganizationFactory(kind="operator"), READ)
    rows = operator.get("/api/v1/incentives/awards/", {"plan": mine.plan_id}).json()["results"]
    assert [row["id"] for row in rows] == [mine.pk]
    milestones = operator.get("/api/v1/incentives/milestones/", {"plan": theirs.plan_id}).json()
    assert [row["id"] for row in milestones["results"]] == [theirs.milestone_id]
    bad = operator.get("/api/v1/incentives/awards/", {"status": "nonsense"})
    assert bad.status_code == 400


def test_the_api_writes_nothing():
    award = AwardFactory()
    member = MembershipFactory(organization__kind="operator", role="owner").user
    client = APIClient()
    client.force_login(member)
    assert client.post("/api/v1/incentives/awards/", {}).status_code == 405
    assert client.delete(f"/api/v1/incentives/awards/{award.pk}/").status_code == 405
