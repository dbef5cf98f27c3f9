"""The complaint-rate pages: the operator's leaders (filters, pages, trend), each party's own
rates and alert badge, 404 for everyone else's subject."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from compliance.models import ComplaintRateDaily
from tests.compliance.test_pages import creator_login, login, operator
from tests.factories import CreatorFactory, MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 6, 30)
HTMX = {"HTTP_HX_REQUEST": "true"}


def rate(kind, subject_id, orders, complaints, day=DAY):
    value = complaints / orders
    return ComplaintRateDaily.objects.unscoped().create(
        subject_kind=kind, subject_id=subject_id, date=day, orders=orders,
        complaints=complaints, rate=value, alert=value > 0.008 and orders >= 100,
    )  # fmt: skip


@pytest.fixture
def world():
    agency, brand, other_brand = (
        OrganizationFactory(kind="agency", name="Star Agency"),
        OrganizationFactory(kind="brand", name="Mild Brand"),
        OrganizationFactory(kind="brand", name="Other Brand"),
    )
    bad = CreatorFactory(agency=agency, display_name="Complained About")
    calm = CreatorFactory(display_name="Calm Creator")
    for day in range(3):
        on = DAY - datetime.timedelta(days=2 - day)
        rate("creator", bad.pk, 200, 2 + day, day=on)
    rate("creator", calm.pk, 300, 1)
    rate("brand", brand.pk, 500, 3)
    rate("brand", other_brand.pk, 40, 1)
    rate("agency", agency.pk, 200, 4)
    return {"agency": agency, "brand": brand, "other": other_brand, "bad": bad, "calm": calm}


def member(org, role="member"):
    return login(MembershipFactory(organization=org, role=role).user)


def subjects(response) -> list[str]:
    import re

    return re.findall(r'data-subject="([a-z]+-\d+)"', response.content.decode())


def test_operator_sees_the_leaders_highest_first_with_counts(world):
    _user, client = operator()
    response = client.get("/compliance/complaint-rates/")
    assert response.status_code == 200
    body = response.content.decode()
    bad, agency = world["bad"].pk, world["agency"].pk
    # 2.5% (too few orders to alert), then two at 2% (a tie: the kind, then the id, decides).
    assert subjects(response)[:3] == [f"brand-{world['other'].pk}", f"agency-{agency}",
                                      f"creator-{bad}"]  # fmt: skip
    assert "Complained About" in body and 'data-alerts="2"' in body
    assert "2.00%" in body  # 4 / 200 of the last day


def test_operator_filters_by_kind_and_alerts(world):
    _user, client = operator()
    creators = client.get("/compliance/complaint-rates/?kind=creator", **HTMX)
    assert sorted(subjects(creators)) == sorted(
        [f"creator-{world['bad'].pk}", f"creator-{world['calm'].pk}"]
    )
    assert "<html" not in creators.content.decode()  # the table partial
    alerted = client.get("/compliance/complaint-rates/?alerted=on")
    assert set(subjects(alerted)) == {f"creator-{world['bad'].pk}", f"agency-{world['agency'].pk}"}
    assert client.get("/compliance/complaint-rates/?kind=planet").status_code == 400


def test_the_leaders_are_paginated_in_bounded_queries(world):
    for n in range(40):
        rate("creator", 10_000 + n, 100 + n, 1)
    _user, client = operator()
    with CaptureQueriesContext(connection) as few:
        first = client.get("/compliance/complaint-rates/")
    assert len(subjects(first)) == 25 and "Page 1 of 2" in first.content.decode()
    second = client.get("/compliance/complaint-rates/?page=2")
    assert len(subjects(second)) == 45 - 25
    for n in range(40, 80):
        rate("creator", 10_000 + n, 100 + n, 1)
    with CaptureQueriesContext(connection) as more:
        client.get("/compliance/complaint-rates/")
    assert len(more) == len(few)


def test_the_trend_page_shows_every_stored_day(world):
    _user, client = operator()
    response = client.get(f"/compliance/complaint-rates/creator/{world['bad'].pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    for day in ("2026-06-28", "2026-06-29", "2026-06-30"):
        assert day in body
    assert "1.00%" in body and "2.00%" in body and 'role="alert"' in body


def test_a_brand_sees_its_own_row_and_nobody_elses(world):
    client = member(world["brand"], role="viewer")
    response = client.get("/compliance/complaint-rates/")
    assert subjects(response) == [f"brand-{world['brand'].pk}"]
    assert client.get(f"/compliance/complaint-rates/brand/{world['brand'].pk}/").status_code == 200
    for kind, pk in [("brand", world["other"].pk), ("creator", world["bad"].pk),
                     ("agency", world["agency"].pk)]:  # fmt: skip
        assert client.get(f"/compliance/complaint-rates/{kind}/{pk}/").status_code == 404


def test_an_agency_sees_its_own_and_its_creators_rows(world):
    client = member(world["agency"])
    response = client.get("/compliance/complaint-rates/")
    assert set(subjects(response)) == {f"agency-{world['agency'].pk}", f"creator-{world['bad'].pk}"}
    assert 'data-alerts="2"' in response.content.decode()
    assert client.get(f"/compliance/complaint-rates/creator/{world['bad'].pk}/").status_code == 200
    assert client.get(f"/compliance/complaint-rates/creator/{world['calm'].pk}/").status_code == 404


def test_outsiders_get_404_and_see_no_foreign_rows(world):
    paths = [
        f"/compliance/complaint-rates/brand/{world['brand'].pk}/",
        f"/compliance/complaint-rates/agency/{world['agency'].pk}/",
        f"/compliance/complaint-rates/creator/{world['bad'].pk}/",
        "/compliance/complaint-rates/nation/1/",
    ]
    outsiders = [
        member(OrganizationFactory(kind="brand")),
        member(OrganizationFactory(kind="agency")),
        creator_login(CreatorFactory()),
    ]
    for client in outsiders:
        assert subjects(client.get("/compliance/complaint-rates/")) == []
        for path in paths:
            assert client.get(path).status_code == 404, path
    partner = member(OrganizationFactory(kind="partner"))
    assert partner.get("/compliance/complaint-rates/").status_code == 404


def test_a_creator_sees_its_own_rate_and_the_alert_badge(world):
    client = creator_login(world["bad"])
    response = client.get("/compliance/complaint-rates/")
    assert subjects(response) == [f"creator-{world['bad'].pk}"]
    body = response.content.decode()
    assert 'href="/compliance/complaint-rates/"' in body  # the navigation link
    assert 'role="alert"' in body
    calm = creator_login(world["calm"]).get("/compliance/complaint-rates/").content.decode()
    assert 'role="alert"' not in calm


def test_nothing_stored_yet_says_so():
    _user, client = operator()
    response = client.get("/compliance/complaint-rates/")
    assert response.status_code == 200
    assert "No complaint rate has been stored yet." in response.content.decode()
