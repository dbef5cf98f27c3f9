import datetime

import pytest

from creators.models import MetricSnapshot
from tests.factories import (
    AudienceProfileFactory,
    CreatorFactory,
    MetricSnapshotFactory,
    OrganizationFactory,
)
from tests.tenancy_helpers import api_key_client

pytestmark = pytest.mark.django_db


def key_client(org, scopes):
    return api_key_client(org, scopes)[1]


@pytest.fixture
def world():
    agency = OrganizationFactory(kind="agency")
    signed = CreatorFactory(
        handle="signed-one", followers=300_000, vertical="agriculture", agency=agency
    )
    CreatorFactory(handle="small-one", followers=2_000, vertical="beauty")
    AudienceProfileFactory(creator=signed)
    MetricSnapshotFactory(creator=signed, date=datetime.date(2026, 11, 1), gmv="12345.67")
    MetricSnapshotFactory(creator=signed, date=datetime.date(2026, 11, 8), gmv="222.00")
    return agency, signed


def test_list_filters_orders_and_pages(world):
    client = key_client(OrganizationFactory(kind="brand"), ["creators:read"])
    body = client.get("/api/v1/creators/", {"vertical": "agriculture"}).json()
    assert [c["handle"] for c in body["results"]] == ["signed-one"]
    ordered = client.get("/api/v1/creators/", {"ordering": "followers", "page_size": 1}).json()
    assert ordered["results"][0]["handle"] == "small-one" and ordered["next"]
    assert client.get(ordered["next"]).json()["results"][0]["handle"] == "signed-one"
    bad = client.get("/api/v1/creators/", {"followers_min": "lots"})
    assert bad.status_code == 400 and "followers_min" in bad.json()["error"]["fields"]


def test_private_fields_only_for_the_agency(world):
    agency, signed = world
    path = f"/api/v1/creators/{signed.handle}/"
    brand = key_client(OrganizationFactory(kind="brand"), ["creators:read"])
    own_agency = key_client(agency, ["creators:read"])
    assert brand.get(path).json()["private"] is None
    assert own_agency.get(path).json()["private"] == {"agency": agency.slug}
    public = brand.get(path + "metrics/").json()["results"]
    private = own_agency.get(path + "metrics/").json()["results"]
    assert [r["date"] for r in public] == ["2026-11-08", "2026-11-01"]
    assert "gmv" not in public[0] and private[1]["gmv"] == "12345.67"
    since = own_agency.get(path + "metrics/", {"since": "2026-11-05"}).json()["results"]
    assert [r["date"] for r in since] == ["2026-11-08"]


def test_audience_and_missing_ones(world):
    _agency, signed = world
    client = key_client(OrganizationFactory(kind="partner"), ["creators:read"])
    assert client.get(f"/api/v1/creators/{signed.handle}/audience/").json()["gender"] == {
        "female": 0.6,
        "male": 0.4,
    }
    assert client.get("/api/v1/creators/small-one/audience/").status_code == 404
    assert client.get("/api/v1/creators/nobody/").status_code == 404


def test_scopes_are_enforced(world):
    client = key_client(OrganizationFactory(kind="partner"), ["metrics:write"])
    assert client.get("/api/v1/creators/").status_code == 403
    reader = key_client(OrganizationFactory(kind="partner"), ["creators:read"])
    response = reader.post("/api/v1/metrics/bulk/", {"rows": []}, format="json")
    assert response.status_code == 403


def test_bulk_metrics_endpoint_is_all_or_nothing_and_idempotent(world):
    _agency, signed = world
    client = key_client(OrganizationFactory(kind="partner"), ["metrics:write"])
    rows = [
        {"creator": signed.handle, "date": f"2026-10-{d:02d}", "followers": 100 + d, "gmv": "10.00"}
        for d in range(1, 11)
    ]
    rows[3]["followers"] = "many"
    rows[7]["creator"] = "ghost"
    response = client.post("/api/v1/metrics/bulk/", {"rows": rows}, format="json")
    assert response.status_code == 400
    bad = response.json()["error"]["fields"]["rows"]
    assert [(e["index"], e["field"]) for e in bad] == [(3, "followers"), (7, "creator")]
    assert MetricSnapshot.objects.unscoped().count() == 2
    rows[3]["followers"], rows[7]["creator"] = 5, signed.handle
    ok = client.post("/api/v1/metrics/bulk/", {"rows": rows}, format="json")
    assert ok.status_code == 200 and ok.json() == {"rows": 10, "creators": 1}
    again = client.post("/api/v1/metrics/bulk/", {"rows": rows}, format="json")
    assert (
        again.json() == {"rows": 10, "creators": 1}
        and MetricSnapshot.objects.unscoped().count() == 12
    )


def test_bulk_endpoint_refuses_a_body_that_is_not_an_object(world):
    client = key_client(OrganizationFactory(kind="partner"), ["metrics:write"])
    response = client.post("/api/v1/metrics/bulk/", [None, None], format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["rows"][0]["field"] == "rows"


def test_api_times_are_utc(world):
    _agency, signed = world
    from tests.factories import CollaborationFactory

    CollaborationFactory(creator=signed)
    client = key_client(OrganizationFactory(kind="operator"), ["campaigns:read"])
    row = client.get("/api/v1/collaborations/").json()["results"][0]
    assert row["offered_at"].endswith("Z") or row["offered_at"].endswith("+00:00")
