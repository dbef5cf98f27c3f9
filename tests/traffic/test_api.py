import datetime

import pytest

from tenancy.scoping import Actor, acting_as
from tests.factories import MetricSnapshotFactory, OrganizationFactory
from tests.tenancy_helpers import api_key_client
from traffic.services import allocation_run_create, allocation_run_execute, allocation_run_publish

pytestmark = pytest.mark.django_db


def run_as_operator(operator, pool):
    actor = Actor(
        user_id=None, organization_id=operator.pk, organization_kind="operator", role="owner"
    )
    with acting_as(actor):
        run = allocation_run_create(actor=actor, pool=pool, target_gini=0.4)
        return actor, allocation_run_execute(actor=actor, run_id=run.pk)


def test_operator_sees_every_run_partners_only_published_ones_brands_none():
    today = datetime.date.today()
    for days in (2, 9, 16):
        MetricSnapshotFactory(date=today - datetime.timedelta(days=days))
    operator = OrganizationFactory(kind="operator")
    actor, published = run_as_operator(operator, 10_000)
    _, draft = run_as_operator(operator, 20_000)
    with acting_as(actor):
        allocation_run_publish(actor=actor, run=published)

    def ids(org):
        body = api_key_client(org, ["traffic:read"])[1].get("/api/v1/traffic/runs/").json()
        return sorted(run["id"] for run in body["results"])

    assert ids(operator) == sorted([published.pk, draft.pk])
    assert ids(OrganizationFactory(kind="partner")) == [published.pk]
    assert ids(OrganizationFactory(kind="brand")) == []
    partner = api_key_client(OrganizationFactory(kind="partner"), ["traffic:read"])[1]
    assert partner.get(f"/api/v1/traffic/runs/{draft.pk}/").status_code == 404
    # Found: partners read every creator's merit here, while the pages said operator only. One
    # rule (traffic.models.AllocationQuerySet) now serves both: partners get the aggregates only.
    allocations = f"/api/v1/traffic/runs/{published.pk}/allocations/"
    assert partner.get(f"/api/v1/traffic/runs/{published.pk}/").json()["gini_after"] is not None
    assert partner.get(allocations).json()["results"] == []
    operator_client = api_key_client(operator, ["traffic:read"])[1]
    rows = operator_client.get(allocations).json()["results"]
    assert sum(row["impressions"] for row in rows) == 10_000
    assert [r["impressions"] for r in rows] == sorted(
        (r["impressions"] for r in rows), reverse=True
    )


def test_runs_need_the_traffic_scope():
    client = api_key_client(OrganizationFactory(kind="partner"), ["creators:read"])[1]
    assert client.get("/api/v1/traffic/runs/").status_code == 403
