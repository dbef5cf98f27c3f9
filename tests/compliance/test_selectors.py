"""The reads others depend on: who sees a case, the operator's quarterly figures, the merit
hook of traffic and the violation metrics of certification."""

import datetime

import numpy as np
import pytest
from django.utils import timezone

from compliance import selectors
from compliance.models import Case, Sanction
from mcn.metrics import compliance_violations
from tenancy.scoping import Actor, acting_as
from tests.factories import ContractFactory, CreatorFactory, OrganizationFactory

from .conftest import creator_actor, operator_actor
from .test_flow import _case

pytestmark = pytest.mark.django_db


def decided(creator, when, violation_type="absolute"):
    case = _case(creator, f"违规 {when.isoformat()}", category=violation_type)
    Case.objects.unscoped().filter(pk=case.pk).update(
        status="rejected", violation_type=violation_type, decided_at=when
    )
    return case


def at(year, month, day=15):
    return timezone.make_aware(datetime.datetime(year, month, day, 12))


def test_each_party_sees_only_its_cases():
    agency, brand = OrganizationFactory(kind="agency"), OrganizationFactory(kind="brand")
    mine = CreatorFactory(agency=agency)
    case = _case(mine, "全网最好", category="absolute")
    Case.objects.unscoped().filter(pk=case.pk).update(organization=brand)
    other_agency = OrganizationFactory(kind="agency")
    seen = {
        "operator": operator_actor(),
        "creator": creator_actor(mine),
        "agency": Actor(user_id=None, organization_id=agency.pk, organization_kind="agency"),
        "brand": Actor(user_id=None, organization_id=brand.pk, organization_kind="brand"),
    }
    for name, actor in seen.items():
        with acting_as(actor):
            assert selectors.case_get(actor=actor, case_id=case.pk) == case, name
    outsiders = [
        creator_actor(CreatorFactory()),
        Actor(user_id=None, organization_id=other_agency.pk, organization_kind="agency"),
        Actor(
            user_id=None,
            organization_id=OrganizationFactory(kind="brand").pk,
            organization_kind="brand",
        ),
        Actor(
            user_id=None,
            organization_id=OrganizationFactory(kind="partner").pk,
            organization_kind="partner",
        ),
    ]
    for actor in outsiders:
        with acting_as(actor), pytest.raises(Case.DoesNotExist):
            selectors.case_get(actor=actor, case_id=case.pk)


def test_violations_per_quarter_with_the_year_on_year_change():
    a, b, c = CreatorFactory(), CreatorFactory(), CreatorFactory()
    for creator in (a, b, c):
        decided(creator, at(2025, 5))
    decided(a, at(2025, 6))  # the same account twice in a quarter counts once
    decided(a, at(2026, 4))
    decided(b, at(2026, 8))
    actor = operator_actor()
    with acting_as(actor):
        figures = selectors.violations_per_quarter(actor=actor)
    assert figures == [
        {"quarter": "2025 Q2", "cases": 4, "accounts": 3, "yoy": None},
        {"quarter": "2026 Q2", "cases": 1, "accounts": 1, "yoy": pytest.approx(-2 / 3)},
        {"quarter": "2026 Q3", "cases": 1, "accounts": 1, "yoy": None},
    ]


def sanction(creator, level, starts_on, ends_on=None, status="active"):
    return Sanction.objects.unscoped().create(
        creator=creator,
        case=_case(creator, f"{level} {starts_on}", category="absolute"),
        level=level,
        status=status,
        starts_on=starts_on,
        ends_on=ends_on,
        reason="test",
        created_at=timezone.now(),
    )


def test_the_merit_hook_restricts_and_suspends_only_while_in_force():
    day = datetime.date(2026, 6, 10)
    restricted, suspended, overturned, expired, free = (CreatorFactory() for _ in range(5))
    sanction(restricted, "restriction", day, day + datetime.timedelta(days=29))
    sanction(suspended, "suspension", day)
    sanction(overturned, "restriction", day, day + datetime.timedelta(days=29), "overturned")
    sanction(expired, "restriction", day - datetime.timedelta(days=40), day - datetime.timedelta(1))
    sanction(free, "warning", day, day)
    ids = np.array(sorted(c.pk for c in (restricted, suspended, overturned, expired, free)))
    merit, eligible = np.full(5, 10.0), np.ones(5, dtype=bool)
    new_merit, new_eligible = selectors.sanction_merit_adjustment(
        as_of=day, creator_ids=ids, merit=merit, eligible=eligible
    )
    by_id = dict(zip(ids.tolist(), zip(new_merit, new_eligible, strict=True), strict=True))
    assert by_id[restricted.pk] == (5.0, True)
    assert by_id[suspended.pk][1] is np.False_
    for creator in (overturned, expired, free):
        assert by_id[creator.pk] == (10.0, True)
    before, _ = selectors.sanction_merit_adjustment(
        as_of=day - datetime.timedelta(days=1), creator_ids=ids, merit=merit, eligible=eligible
    )
    assert before[ids.tolist().index(restricted.pk)] == 10.0  # not yet in force: reruns agree


def test_certification_counts_violations_for_the_agency_under_contract_that_day():
    agency, other = OrganizationFactory(kind="agency"), OrganizationFactory(kind="agency")
    first, second = CreatorFactory(), CreatorFactory()
    start = datetime.date(2026, 1, 1)
    ContractFactory(organization=agency, creator=first, start=start, end=None, status="active")
    ContractFactory(organization=agency, creator=second, start=start, end=None, status="active")
    decided(first, at(2026, 3, 1), "counterfeit")
    decided(first, at(2026, 3, 2))
    decided(second, at(2025, 3, 2))  # before the window
    frame = compliance_violations(
        window_start=datetime.date(2026, 2, 1),
        as_of=datetime.date(2026, 3, 31),
        agency_ids=[agency.pk, other.pk],
    )
    assert frame.loc[agency.pk, "violation_rate"] == pytest.approx(2 / 2)
    assert frame.loc[agency.pk, "severe_violations"] == 1
    assert np.isnan(frame.loc[other.pk, "violation_rate"])  # no creators: no rate
    assert frame.loc[other.pk, "severe_violations"] == 0
