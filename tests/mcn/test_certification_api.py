"""The certification (星火计划) through the partner API: the public tier on the agency list, an
agency's assessments (the agency itself, the operator, partners; 404 for anyone else), the
what-if (a read sent as a POST: ``agencies:read`` suffices and nothing is written) and the
``agency.tier_changed`` webhook. Every date is fixed and in the past (tests/mcn/test_certification).
"""

import datetime
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from mcn.models import AgencyAssessment
from tests.factories import (
    ContractFactory,
    CreatorFactory,
    MembershipFactory,
    MetricSnapshotFactory,
    OrganizationFactory,
)
from tests.mcn.test_certification import AS_OF, START, run_cycle, world
from tests.tenancy_helpers import api_key_client
from tests.test_api_read_only_writes import every_row
from webhooks.models import WebhookDelivery

pytestmark = pytest.mark.django_db
ORDER = ["S", "A", "B", None]
ITEM_FIELDS = {
    "run",
    "as_of",
    "policy_version",
    "tier",
    "computed_tier",
    "override_reason",
    "score",
    "components",
    "gates",
    "next_tier",
    "previous_tier",
    "change",
}


def key(org, scopes=("agencies:read",)) -> APIClient:
    return api_key_client(org, scopes)[1]


def session(org, role="owner") -> APIClient:
    client = APIClient()
    client.force_login(MembershipFactory(organization=org, role=role).user)
    return client


def assessments_path(agency) -> str:
    return f"/api/v1/agencies/{agency.slug}/assessments/"


def what_if_path(agency) -> str:
    return f"/api/v1/agencies/{agency.slug}/what-if/"


@pytest.fixture
def graded():
    big, mid, small, empty = world()
    return run_cycle(), big, mid, small, empty


# --- the public tier -------------------------------------------------------------------------


def test_the_public_tier_shows_for_every_tenant_after_a_cycle_and_is_null_before():
    big, mid, small, empty = world()
    brand = key(OrganizationFactory(kind="brand"))
    before = {r["slug"]: r["tier"] for r in brand.get("/api/v1/agencies/").json()["results"]}
    assert before == dict.fromkeys([big.slug, mid.slug, small.slug, empty.slug])
    run = run_cycle()
    expected = {
        row.organization.slug: row.effective_tier
        for row in AgencyAssessment.objects.unscoped().filter(run=run)
    }
    assert expected[big.slug] == "S" and expected[empty.slug] is None
    for kind in ("brand", "agency", "partner", "operator"):
        caller = OrganizationFactory(kind=kind)
        rows = key(caller).get("/api/v1/agencies/").json()["results"]
        shown = {r["slug"]: r["tier"] for r in rows}
        assert {slug: shown[slug] for slug in expected} == expected, kind
        if kind == "agency":  # listed too; it came after the cycle, so it has no tier
            assert shown[caller.slug] is None
    detail = brand.get(f"/api/v1/agencies/{big.slug}/").json()
    assert detail["tier"] == "S"


def test_the_public_tier_is_the_effective_one_of_the_latest_cycle(graded):
    run, big, mid, *_ = graded
    row = AgencyAssessment.objects.unscoped().get(run=run, organization=mid)
    assert row.tier != "S"
    row.override_tier, row.override_reason = "S", "appeal accepted"
    row.save()
    brand = key(OrganizationFactory(kind="brand"))
    assert brand.get(f"/api/v1/agencies/{mid.slug}/").json()["tier"] == "S"
    later = run_cycle(AS_OF + datetime.timedelta(days=1))  # a newer cycle wins
    tier = AgencyAssessment.objects.unscoped().get(run=later, organization=mid).effective_tier
    assert brand.get(f"/api/v1/agencies/{mid.slug}/").json()["tier"] == tier


# --- assessments -----------------------------------------------------------------------------


def test_an_agency_reads_its_assessments_latest_first_in_the_documented_shape(graded):
    run, big, mid, small, empty = graded
    later = run_cycle(AS_OF + datetime.timedelta(days=1))
    client = key(mid)
    body = client.get(assessments_path(mid)).json()
    items = body["results"]
    assert [i["run"] for i in items] == [later.pk, run.pk]
    assert [i["as_of"] for i in items] == [str(later.as_of), str(run.as_of)]
    item = items[1]
    assert set(item) == ITEM_FIELDS
    row = AgencyAssessment.objects.unscoped().get(run=run, organization=mid)
    assert item["policy_version"] == run.policy.version == 1
    assert item["tier"] == item["computed_tier"] == (row.tier or None)
    assert item["override_reason"] == "" and item["score"] == pytest.approx(row.score)
    assert item["change"] == "new" and item["previous_tier"] is None
    assert items[0]["previous_tier"] == item["tier"] and items[0]["change"] == "same"
    components = item["components"]
    assert components and set(components[0]) == {"metric", "value", "weight", "contribution"}
    assert sum(c["contribution"] for c in components) == pytest.approx(item["score"])
    assert item["gates"] and set(item["gates"][0]) == {"name", "passed"}
    assert item["next_tier"]["tier"] in ("S", "A")
    assert set(item["next_tier"]) == {"tier", "changes", "alternatives"}
    change = item["next_tier"]["changes"][0]
    assert {"metric", "from", "to"} <= set(change)
    # At S there is no way up; an agency without data has no tier, score nor way up.
    big_item = key(big).get(assessments_path(big)).json()["results"][0]
    assert big_item["tier"] == "S" and big_item["next_tier"] is None
    empty_item = key(empty).get(assessments_path(empty)).json()["results"][0]
    assert (empty_item["tier"], empty_item["score"], empty_item["next_tier"]) == (None,) * 3
    assert empty_item["change"] == "none"


def test_assessments_page_by_cursor(graded):
    run, _big, mid, *_ = graded
    later = run_cycle(AS_OF + datetime.timedelta(days=1))
    client = key(mid)
    first = client.get(assessments_path(mid) + "?page_size=1").json()
    assert [i["run"] for i in first["results"]] == [later.pk] and first["next"]
    second = client.get(first["next"]).json()
    assert [i["run"] for i in second["results"]] == [run.pk] and second["next"] is None
    bad = client.get(assessments_path(mid) + "?cursor=forged")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_cursor"


def test_an_overridden_tier_shows_as_the_tier_with_the_computed_one_beside(graded):
    run, _big, mid, *_ = graded
    row = AgencyAssessment.objects.unscoped().get(run=run, organization=mid)
    row.override_tier, row.override_reason = "S", "GMV corrected"
    row.save()
    item = key(mid).get(assessments_path(mid)).json()["results"][0]
    assert (item["tier"], item["computed_tier"]) == ("S", row.tier or None)
    assert item["override_reason"] == "GMV corrected"


def test_the_operator_and_partners_read_any_agencys_assessments(graded):
    run, _big, mid, *_ = graded
    operator, partner = OrganizationFactory(kind="operator"), OrganizationFactory(kind="partner")
    for client in (session(operator), session(operator, "viewer"), key(partner), session(partner)):
        response = client.get(assessments_path(mid))
        assert response.status_code == 200
        assert [i["run"] for i in response.json()["results"]] == [run.pk]


def test_other_agencies_brands_and_creators_get_404_with_nothing_of_the_assessment(graded):
    run, _big, mid, *_ = graded
    score = str(AgencyAssessment.objects.unscoped().get(run=run, organization=mid).score)
    brand = OrganizationFactory(kind="brand")
    outsiders = {
        "another agency's key": key(OrganizationFactory(kind="agency")),
        "another agency's session": session(OrganizationFactory(kind="agency")),
        "a brand's key": key(brand),
        "a brand's session": session(brand),
    }
    for who, client in outsiders.items():
        for path, method in ((assessments_path(mid), "get"), (what_if_path(mid), "post")):
            response = getattr(client, method)(path, {"metrics": {}}, format="json")
            assert response.status_code == 404, (who, path, response.status_code)
            assert response.json()["error"]["code"] == "not_found"
            assert score not in response.content.decode()
    # The same 404 as an agency that does not exist.
    assert key(brand).get("/api/v1/agencies/no-such-agency/assessments/").status_code == 404


def test_a_key_without_agencies_read_is_refused_with_403(graded):
    _run, _big, mid, *_ = graded
    partner = key(OrganizationFactory(kind="partner"), ["traffic:read"])
    for method, path in (("get", assessments_path(mid)), ("post", what_if_path(mid))):
        response = getattr(partner, method)(path, {"metrics": {}}, format="json")
        assert response.status_code == 403
        assert "agencies:read" in response.json()["error"]["message"]


def test_an_agency_with_no_cycle_yet_has_an_empty_history():
    agency = OrganizationFactory(kind="agency")
    response = key(agency).get(assessments_path(agency))
    assert response.status_code == 200 and response.json()["results"] == []


# --- what-if ---------------------------------------------------------------------------------


def test_a_what_if_answers_for_the_latest_assessment_and_writes_nothing(graded):
    run, _big, mid, small, _empty = graded
    later = run_cycle(AS_OF + datetime.timedelta(days=1))
    latest = AgencyAssessment.objects.unscoped().get(run=later, organization=small)
    changes = {c["metric"]: c["to"] for c in latest.next_tier["changes"]}
    clients = (key(small), session(small, "viewer"))
    before = every_row()
    # A read-only key and a viewer's session may ask: it is a read.
    for client in clients:
        asked = client.post(what_if_path(small), {"metrics": changes}, format="json")
        assert asked.status_code == 200, asked.json()
        body = asked.json()
        assert set(body) == {"tier", "score", "components", "gates", "next_tier"}
        assert ORDER.index(body["tier"]) <= ORDER.index(latest.next_tier["tier"])
        assert body["score"] >= latest.score
    unchanged = clients[0].post(what_if_path(small), {"metrics": {}}, format="json").json()
    assert unchanged["tier"] == (latest.tier or None)
    assert unchanged["score"] == pytest.approx(latest.score)
    assert every_row() == before


def test_the_operator_and_a_partner_may_ask_a_what_if(graded):
    _run, _big, mid, *_ = graded
    operator, partner = OrganizationFactory(kind="operator"), OrganizationFactory(kind="partner")
    for client in (session(operator, "viewer"), key(partner)):
        response = client.post(what_if_path(mid), {"metrics": {"gmv": 1e9}}, format="json")
        assert response.status_code == 200 and response.json()["tier"] in ORDER


@pytest.mark.parametrize(
    "body, fields",
    [
        ({"metrics": {"nonsense": 1}}, {"nonsense"}),
        ({"metrics": {"retention": 2, "gmv_growth": -3}}, {"retention", "gmv_growth"}),
        ({"metrics": {"gmv": "lots"}}, {"gmv"}),
        ({"metrics": {"gmv": None}}, {"gmv"}),
        ({"metrics": {"complaint_rate": -0.1, "gmv": 5}}, {"complaint_rate"}),
    ],
)
def test_bad_what_if_values_are_400_per_metric_and_write_nothing(graded, body, fields):
    _run, _big, mid, *_ = graded
    client = key(mid)
    before = every_row()
    response = client.post(what_if_path(mid), body, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid" and set(error["fields"]["metrics"]) == fields
    assert every_row() == before


@pytest.mark.parametrize("body", [{}, {"metrics": [1, 2]}, {"metrics": "gmv=5"}])
def test_a_what_if_without_a_metrics_object_is_400(graded, body):
    _run, _big, mid, *_ = graded
    response = key(mid).post(what_if_path(mid), body, format="json")
    assert response.status_code == 400 and "metrics" in response.json()["error"]["fields"]


def test_a_what_if_before_any_assessment_is_404_saying_so():
    agency = OrganizationFactory(kind="agency")
    response = key(agency).post(what_if_path(agency), {"metrics": {"gmv": 1}}, format="json")
    assert response.status_code == 404
    assert "not been assessed" in response.json()["error"]["message"]


# --- the webhook -----------------------------------------------------------------------------


def test_a_partner_endpoint_receives_agency_tier_changed_after_a_cycle(settings):
    settings.OLIVE_WEBHOOKS_ALLOW_PRIVATE = True
    big, *_ = world()
    partner = key(OrganizationFactory(kind="partner"), ["webhooks:manage"])
    created = partner.post(
        "/api/v1/webhooks/",
        {"url": "http://127.0.0.1:9/tiers", "events": ["agency.tier_changed"]},
        format="json",
    )
    assert created.status_code == 201, created.json()
    endpoint = created.json()["endpoint"]["id"]
    run = run_cycle()
    deliveries = partner.get(f"/api/v1/webhooks/{endpoint}/deliveries/").json()["results"]
    changed = AgencyAssessment.objects.unscoped().filter(run=run).exclude(change="none")
    assert len(deliveries) == changed.count() >= 1
    assert {d["event"] for d in deliveries} == {"agency.tier_changed"}
    rows = WebhookDelivery.objects.unscoped().filter(endpoint_id=endpoint)
    tiers = {r.payload["data"]["agency"]: r.payload["data"]["tier"] for r in rows}
    assert tiers[big.slug] == "S"
    run_cycle(AS_OF + datetime.timedelta(days=1))  # nothing changes: nothing more is sent
    assert rows.count() == len(deliveries)


# --- the way up through the what-if endpoint, on random worlds (hypothesis) -------------------

EVERY_4_WEEKS = datetime.timedelta(days=28)
AGENCY = st.fixed_dictionaries(
    {
        "creators": st.integers(min_value=0, max_value=12),
        "views": st.integers(min_value=0, max_value=500_000),
        "gmv": st.integers(min_value=0, max_value=20_000),
        "growth": st.sampled_from([0.5, 1.0, 1.5]),
    }
)


def random_agency(spec: dict):
    """An agency with ``creators`` signed creators, snapshots every 28 days over the window
    (``gmv`` each) and the one before (``gmv / growth``)."""
    agency = OrganizationFactory(kind="agency")
    for _ in range(spec["creators"]):
        creator = CreatorFactory()
        ContractFactory(
            organization=agency, creator=creator, start=datetime.date(2026, 1, 1), status="active"
        )
        day = AS_OF
        while day > START - datetime.timedelta(days=90):
            gmv = spec["gmv"] if day >= START else spec["gmv"] / spec["growth"]
            MetricSnapshotFactory(
                creator=creator,
                date=day,
                views=spec["views"],
                likes=spec["views"] // 25,
                gmv=Decimal(round(gmv, 2)),
            )
            day -= EVERY_4_WEEKS
    return agency


@settings(
    max_examples=15,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(specs=st.lists(AGENCY, min_size=2, max_size=4))
def test_applying_the_way_up_through_the_what_if_endpoint_reaches_that_tier(specs):
    """On every agency of a random world: the next tier's changes, sent to the what-if
    endpoint, reach that tier or better (each example in a savepoint rolled back after it)."""
    with transaction.atomic():
        agencies = [random_agency(spec) for spec in specs]
        run_cycle()
        reader = key(OrganizationFactory(kind="partner"))
        for agency in agencies:
            item = reader.get(assessments_path(agency)).json()["results"][0]
            if item["next_tier"] is None:  # at S, without data, or out of the cohort's reach
                continue
            changes = {c["metric"]: c["to"] for c in item["next_tier"]["changes"]}
            asked = reader.post(what_if_path(agency), {"metrics": changes}, format="json")
            assert asked.status_code == 200, asked.json()
            got, wanted = asked.json()["tier"], item["next_tier"]["tier"]
            assert ORDER.index(got) <= ORDER.index(wanted), (agency.slug, item, asked.json())
        transaction.set_rollback(True)
