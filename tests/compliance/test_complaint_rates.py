"""The stored complaint rates: what counts in the window, reruns, the readers (scoping, traffic
merit, certification) and the beat job."""

import datetime
from zoneinfo import ZoneInfo

import numpy as np
import pytest
import time_machine

from brands.models import Complaint
from compliance import complaint_rates as job
from compliance.models import ComplaintRateDaily
from compliance.selectors import (
    COMPLAINT_MERIT_FACTOR,
    complaint_rate_alerts_count,
    complaint_rate_leaders,
    complaint_rate_merit_adjustment,
)
from mcn import metrics
from tenancy.scoping import SYSTEM, Actor
from tests.compliance.conftest import creator_actor, operator_actor
from tests.factories import (
    CollaborationFactory,
    ContractFactory,
    CreatorFactory,
    OrderFactory,
    OrganizationFactory,
)

pytestmark = pytest.mark.django_db
LOCAL = ZoneInfo("Asia/Shanghai")  # settings.TIME_ZONE: the window's days are local days
AS_OF = datetime.date(2026, 6, 30)  # window 2026-06-01 … 2026-06-30
INSIDE = datetime.datetime(2026, 6, 15, 12, tzinfo=LOCAL)


def org_actor(org, role="member") -> Actor:
    return Actor(user_id=None, organization_id=org.pk, organization_kind=org.kind, role=role)


def orders(collab, n, at=INSIDE, brand=None):
    brand = brand or collab.organization
    return [OrderFactory(collaboration=collab, organization=brand, placed_at=at) for _ in range(n)]


def complain(order, at=None, status="open"):
    return Complaint.objects.unscoped().create(
        organization=order.organization, order=order, category="quality", status=status,
        filed_at=at or order.placed_at + datetime.timedelta(days=1),
    )  # fmt: skip


def stored(kind=None) -> dict:
    rows = ComplaintRateDaily.objects.unscoped().filter(date=AS_OF)
    if kind:
        rows = rows.filter(subject_kind=kind)
    return {
        (r.subject_kind, r.subject_id): (r.orders, r.complaints, r.alert)
        for r in rows
    }  # fmt: skip


def store():
    return job.complaint_rates_store(actor=SYSTEM, as_of=AS_OF)


@pytest.fixture
def world():
    agency = OrganizationFactory(kind="agency")
    creator = CreatorFactory(agency=agency)
    collab = CollaborationFactory(creator=creator, status="completed")
    return agency, creator, collab


def test_every_subject_gets_its_rate_and_it_moves_when_rows_change(world):
    agency, creator, collab = world
    brand = collab.organization
    placed = orders(collab, 130)
    complain(placed[0])  # 1 / 130 = 0.77%: under the ceiling
    assert store() == 3
    assert stored() == {
        ("creator", creator.pk): (130, 1, False),
        ("brand", brand.pk): (130, 1, False),
        ("agency", agency.pk): (130, 1, False),
    }
    complain(placed[1])  # 2 / 130 = 1.5%: above the ceiling on enough orders
    store()
    assert stored()[("creator", creator.pk)] == (130, 2, True)
    orders(collab, 120)  # 2 / 250 = 0.8%: at the line, no longer above it
    store()
    assert stored()[("creator", creator.pk)] == (250, 2, False)
    row = ComplaintRateDaily.objects.unscoped().get(subject_kind="brand", subject_id=brand.pk)
    assert row.rate == pytest.approx(2 / 250)


def test_window_boundaries_are_local_days(world):
    _agency, creator, collab = world
    first = datetime.datetime(2026, 6, 1, 0, 0, tzinfo=LOCAL)
    last = datetime.datetime(2026, 6, 30, 23, 59, 59, tzinfo=LOCAL)
    counted = orders(collab, 1, at=first) + orders(collab, 1, at=last)
    orders(collab, 1, at=first - datetime.timedelta(seconds=1))  # 31 May: before the window
    orders(collab, 1, at=last + datetime.timedelta(seconds=1))  # 1 July: after it
    complain(counted[0], at=last)  # filed on the last second: counts
    complain(counted[1], at=last + datetime.timedelta(seconds=1))  # filed after: does not
    store()
    assert stored("creator") == {("creator", creator.pk): (2, 1, False)}


def test_a_complaint_about_an_order_before_the_window_does_not_count(world):
    _agency, creator, collab = world
    old = orders(collab, 1, at=datetime.datetime(2026, 5, 20, tzinfo=LOCAL))[0]
    complain(old, at=INSIDE)
    orders(collab, 4)
    store()
    assert stored("creator") == {("creator", creator.pk): (4, 0, False)}


def test_rejected_complaints_do_not_count(world):
    _agency, creator, collab = world
    placed = orders(collab, 2)
    complain(placed[0], status="rejected")
    complain(placed[1], status="investigating")
    store()
    assert stored("creator")[("creator", creator.pk)] == (2, 1, False)


def test_zero_orders_is_missing_not_zero(world):
    _agency, creator, collab = world
    orders(collab, 3, at=datetime.datetime(2026, 5, 1, tzinfo=LOCAL))  # all before the window
    assert store() == 0
    assert stored() == {}


def test_self_broadcasts_count_for_the_brand_only(world):
    _agency, creator, collab = world
    brand = collab.organization
    OrderFactory(collaboration=None, organization=brand, placed_at=INSIDE)
    complain(orders(collab, 1)[0])
    store()
    assert stored() == {
        ("creator", creator.pk): (1, 1, False),
        ("brand", brand.pk): (2, 1, False),
        ("agency", world[0].pk): (1, 1, False),
    }


def test_a_rerun_replaces_the_day_with_the_same_rows(world):
    _agency, _creator, collab = world
    complain(orders(collab, 5)[0])
    store()
    first = list(ComplaintRateDaily.objects.unscoped().values_list(
        "subject_kind", "subject_id", "date", "orders", "complaints", "rate", "alert"
    ).order_by("subject_kind", "subject_id"))  # fmt: skip
    store()
    again = list(ComplaintRateDaily.objects.unscoped().values_list(
        "subject_kind", "subject_id", "date", "orders", "complaints", "rate", "alert"
    ).order_by("subject_kind", "subject_id"))  # fmt: skip
    assert again == first and len(first) == 3
    # Another day is another set of rows; the first day's stay.
    job.complaint_rates_store(actor=SYSTEM, as_of=AS_OF + datetime.timedelta(days=1))
    assert ComplaintRateDaily.objects.unscoped().filter(date=AS_OF).count() == 3


def test_the_beat_job_stores_yesterday_under_a_frozen_clock(world):
    _agency, creator, collab = world
    orders(collab, 2, at=datetime.datetime(2026, 6, 30, 23, 0, tzinfo=LOCAL))
    # 00:30 local on 1 July is still 30 June in UTC: the local date decides.
    with time_machine.travel(datetime.datetime(2026, 7, 1, 0, 30, tzinfo=LOCAL), tick=False):
        assert job.complaint_rates_due(actor=SYSTEM) == 3
    assert stored("creator") == {("creator", creator.pk): (2, 0, False)}


def test_only_the_operator_stores_rates(world):
    from django.core.exceptions import PermissionDenied

    from tenancy.scoping import WrongKind

    with pytest.raises(WrongKind):
        job.complaint_rates_store(actor=org_actor(world[2].organization), as_of=AS_OF)
    with pytest.raises(PermissionDenied):
        job.complaint_rates_store(actor=operator_actor(role="viewer"), as_of=AS_OF)
    assert not ComplaintRateDaily.objects.unscoped().exists()


def test_each_party_reads_its_own_rows_only(world):
    agency, creator, collab = world
    brand = collab.organization
    other = CollaborationFactory(creator=CreatorFactory(), status="completed")  # another brand
    complain(orders(collab, 100)[0])
    complain(orders(collab, 1)[0])  # 2 / 101: alert
    orders(other, 3)
    store()

    def seen(actor):
        return {(r.subject_kind, r.subject_id) for r in complaint_rate_leaders(actor=actor)}

    assert len(seen(operator_actor())) == 5
    assert seen(org_actor(brand)) == {("brand", brand.pk)}
    assert seen(org_actor(agency)) == {("agency", agency.pk), ("creator", creator.pk)}
    assert seen(creator_actor(creator)) == {("creator", creator.pk)}
    assert seen(org_actor(other.organization)) == {("brand", other.organization.pk)}
    assert seen(org_actor(OrganizationFactory(kind="agency"))) == set()
    assert seen(org_actor(OrganizationFactory(kind="partner"))) == set()
    assert seen(creator_actor(other.creator)) == {("creator", other.creator.pk)}
    assert complaint_rate_alerts_count(actor=org_actor(agency)) == 2  # itself and its creator
    assert complaint_rate_alerts_count(actor=org_actor(other.organization)) == 0


def test_traffic_merit_of_an_alerted_creator_is_reduced(world):
    _agency, creator, collab = world
    calm = CollaborationFactory(creator=CreatorFactory(), status="completed")
    complain(orders(collab, 100)[0])
    complain(orders(collab, 1)[0])
    orders(calm, 100)
    store()
    ids = np.array(sorted([creator.pk, calm.creator_id]))
    merit, eligible = complaint_rate_merit_adjustment(
        as_of=AS_OF + datetime.timedelta(days=2), creator_ids=ids, merit=np.array([10.0, 10.0]),
        eligible=np.array([True, True]),
    )  # fmt: skip
    expected = {creator.pk: 10.0 * COMPLAINT_MERIT_FACTOR, calm.creator_id: 10.0}
    assert merit.tolist() == [expected[i] for i in ids]
    assert eligible.tolist() == [True, True]
    # A stored rate older than the freshness limit, or after the run's day, no longer counts.
    for as_of in (AS_OF + datetime.timedelta(days=7), AS_OF - datetime.timedelta(days=1)):
        late, _ = complaint_rate_merit_adjustment(
            as_of=as_of, creator_ids=ids, merit=np.array([10.0, 10.0]), eligible=eligible
        )
        assert late.tolist() == [10.0, 10.0]


def test_the_hooks_are_registered():
    from mcn.metrics import METRIC_SOURCES, compliance_complaint_rate
    from traffic.services import MERIT_ADJUSTMENTS

    assert complaint_rate_merit_adjustment in MERIT_ADJUSTMENTS
    assert compliance_complaint_rate in METRIC_SOURCES


def test_certification_reads_the_same_definition_by_contract(world):
    agency, creator, collab = world
    ContractFactory(
        organization=agency, creator=creator, start=datetime.date(2026, 1, 1), status="active"
    )
    placed = orders(collab, 4)
    complain(placed[0])
    complain(placed[1], status="rejected")  # not counted here either
    OrderFactory(collaboration=None, organization=collab.organization, placed_at=INSIDE)
    empty = OrganizationFactory(kind="agency")
    frame = metrics.compliance_complaint_rate(
        window_start=datetime.date(2026, 6, 1), as_of=AS_OF, agency_ids=[agency.pk, empty.pk]
    )
    assert frame.loc[agency.pk, "complaint_rate"] == pytest.approx(0.25)
    assert np.isnan(frame.loc[empty.pk, "complaint_rate"])
    store()
    assert stored("agency")[("agency", agency.pk)] == (4, 1, False)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_stored_rates_match_the_definition_counted_by_hand(seed):
    """Random orders and complaints around the window's edges, by hand against the job."""
    rng = np.random.default_rng(seed)
    agency = OrganizationFactory(kind="agency")
    creators = [CreatorFactory(agency=agency if i % 2 else None) for i in range(3)]
    collabs = [CollaborationFactory(creator=c, status="completed") for c in creators]
    start = datetime.datetime(2026, 6, 1, tzinfo=LOCAL)
    end = datetime.datetime(2026, 7, 1, tzinfo=LOCAL)
    expected: dict = {}

    def count(key, orders=0, complaints=0):
        o, c = expected.get(key, (0, 0))
        expected[key] = (o + orders, c + complaints)

    for _ in range(40):
        collab = collabs[rng.integers(3)] if rng.random() < 0.8 else None
        brand = collab.organization if collab else collabs[0].organization
        placed = start + datetime.timedelta(hours=float(rng.uniform(-72, 31 * 24)))
        order = OrderFactory(collaboration=collab, organization=brand, placed_at=placed)
        filed = placed + datetime.timedelta(hours=float(rng.uniform(0, 96)))
        status = "rejected" if rng.random() < 0.2 else "open"
        complained = rng.random() < 0.4
        if complained:
            complain(order, at=filed, status=status)
        if not start <= placed < end:
            continue
        counted = int(complained and status != "rejected" and filed < end)
        keys = [("brand", brand.pk)]
        if collab:
            keys.append(("creator", collab.creator_id))
            if collab.creator.agency_id:
                keys.append(("agency", agency.pk))
        for key in keys:
            count(key, 1, counted)
    store()
    got = {key: (o, c) for key, (o, c, _alert) in stored().items()}
    assert got == expected
