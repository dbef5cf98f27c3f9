import datetime

import pytest
from django.core.exceptions import PermissionDenied

from creators.ingest import RowErrors, content_items_upsert, metric_snapshots_upsert
from creators.models import ContentItem, MetricSnapshot
from tenancy.scoping import Actor, acting_as
from tests.factories import CreatorFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


def actor_of(kind: str, org=None) -> Actor:
    org = org or OrganizationFactory(kind=kind)
    return Actor(user_id=None, organization_id=org.pk, organization_kind=kind, role="api_key")


def push(actor, rows, upsert=metric_snapshots_upsert):
    with acting_as(actor):
        return upsert(actor=actor, rows=rows)


def snapshot_rows(handles, days=3):
    start = datetime.date(2026, 11, 1)
    return [
        {
            "creator": h,
            "date": (start + datetime.timedelta(days=d)).isoformat(),
            "followers": 1000 + d,
            "views": 50 * d,
            "tipping_revenue": "12.50",
            "gmv": 99.9,
        }
        for h in handles
        for d in range(days)
    ]


def test_upsert_inserts_then_a_repeat_changes_nothing():
    creators = CreatorFactory.create_batch(2)
    rows = snapshot_rows([c.handle for c in creators])
    result = push(actor_of("partner"), rows)
    assert (result.rows, result.creators) == (6, 2)
    before = list(MetricSnapshot.objects.unscoped().order_by("id").values())
    push(actor_of("partner"), rows)
    assert list(MetricSnapshot.objects.unscoped().order_by("id").values()) == before
    assert str(before[0]["tipping_revenue"]) == "12.50"


def test_upsert_updates_existing_days():
    creator = CreatorFactory()
    push(actor_of("partner"), snapshot_rows([creator.handle], days=1))
    changed = snapshot_rows([creator.handle], days=1)
    changed[0]["followers"] = 5555
    push(actor_of("partner"), changed)
    assert MetricSnapshot.objects.unscoped().get().followers == 5555


def test_bad_rows_are_all_reported_and_nothing_is_stored():
    creator = CreatorFactory()
    rows = snapshot_rows([creator.handle], days=4)
    rows[0]["followers"] = -5
    rows[1]["date"] = "2026-02-30"
    rows[2]["creator"] = "nobody-here"
    rows[3]["gmv"] = "1.234"
    rows.append(dict(rows[3], gmv=1, bogus=True))
    with pytest.raises(RowErrors) as error:
        push(actor_of("partner"), rows)
    found = {(e["index"], e["field"]) for e in error.value.errors}
    assert found == {
        (0, "followers"),
        (1, "date"),
        (2, "creator"),
        (3, "gmv"),
        (4, "bogus"),
        (4, "date"),
    }
    assert not MetricSnapshot.objects.unscoped().exists()


def test_agencies_push_only_for_their_own_creators():
    agency = OrganizationFactory(kind="agency")
    mine, theirs = CreatorFactory(agency=agency), CreatorFactory()
    push(actor_of("agency", agency), snapshot_rows([mine.handle], days=1))
    with pytest.raises(RowErrors) as error:
        push(actor_of("agency", agency), snapshot_rows([theirs.handle], days=1))
    assert error.value.errors[0]["field"] == "creator"
    assert MetricSnapshot.objects.unscoped().filter(creator=theirs).count() == 0


def test_brands_may_not_push_metrics_and_limits_hold():
    with pytest.raises(PermissionDenied):
        push(actor_of("brand"), snapshot_rows(["x"]))
    with pytest.raises(RowErrors, match="invalid"):
        push(actor_of("partner"), [])
    with pytest.raises(RowErrors):
        push(actor_of("partner"), [{}] * 10_001)


def test_content_items_upsert_by_external_id():
    creator = CreatorFactory()
    rows = [
        {
            "creator": creator.handle,
            "external_id": f"v{i}",
            "kind": "video",
            "title": f"Harvest day {i}",
            "published_at": "2026-11-20T10:00:00+08:00",
            "views": 10 * i,
        }
        for i in range(3)
    ]
    push(actor_of("partner"), rows, content_items_upsert)
    rows[0]["title"] = "Renamed"
    push(actor_of("partner"), rows, content_items_upsert)
    assert ContentItem.objects.unscoped().count() == 3
    assert ContentItem.objects.unscoped().get(external_id="v0").title == "Renamed"
    published = ContentItem.objects.unscoped().get(external_id="v1").published_at
    assert published == datetime.datetime(2026, 11, 20, 2, 0, tzinfo=datetime.UTC)
    bad = [dict(rows[0], kind="podcast", title="")]
    with pytest.raises(RowErrors) as error:
        push(actor_of("partner"), bad, content_items_upsert)
    assert {e["field"] for e in error.value.errors} == {"kind", "title"}
