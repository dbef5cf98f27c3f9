"""Complaint-rate leaders in Chromium: the beat job's service stores yesterday's rates of the
demo world plus a creator whose buyers complain (3 complaints on 150 orders, 2%); the operator
follows the navigation to the compliance pages, opens the complaint-rate leaders tab, filters to
creators, sees that creator alerted at the top, and opens its trend."""

import datetime

import pytest
from django.utils import timezone

from brands.models import Complaint
from compliance.complaint_rates import complaint_rates_due
from compliance.models import ComplaintRateDaily
from tenancy.scoping import SYSTEM, acting_as
from tests.factories import CollaborationFactory, CreatorFactory, OrderFactory

from .test_walks import RUNS, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def complained_about_creator():
    creator = CreatorFactory(display_name="Complained-about creator")
    collab = CollaborationFactory(creator=creator, status="completed")
    placed = timezone.now() - datetime.timedelta(days=3)
    orders = [OrderFactory(collaboration=collab, placed_at=placed) for _ in range(150)]
    for order in orders[:3]:
        Complaint.objects.unscoped().create(
            organization=order.organization, order=order, category="counterfeit",
            filed_at=placed + datetime.timedelta(hours=5),
        )  # fmt: skip
    with acting_as(SYSTEM):
        complaint_rates_due(actor=SYSTEM)
    return creator


@pytest.mark.parametrize("lang, width", RUNS)
def test_operator_finds_an_alerted_creator_among_the_leaders(walk, live_server, lang, width):
    creator = complained_about_creator()
    row = ComplaintRateDaily.objects.unscoped().get(subject_kind="creator", subject_id=creator.pk)
    assert row.alert and row.orders == 150 and row.complaints == 3
    walk = walk(lang, "operator-complaint-rates", width)
    page = walk.page
    sign_in(walk, live_server, "operator")
    with page.expect_navigation():
        page.click("header nav a[href='/compliance/']")
    with page.expect_navigation():
        page.click("nav.tabs a[href='/compliance/complaint-rates/']")
    page.locator("#complaint-rate-table").wait_for()
    walk.shot("leaders")
    page.select_option("select[name=kind]", "creator")  # htmx swaps the table in place
    page.wait_for_url("**?kind=creator**")  # pushed once the filtered table is in
    page.locator("#complaint-rate-table tr[data-subject^=brand]").first.wait_for(state="detached")
    line = page.locator(f"tr[data-subject='creator-{creator.pk}']")
    line.wait_for()
    assert line.get_attribute("data-alert") is not None
    first = page.locator("#complaint-rate-table tbody tr").first
    assert first.get_attribute("data-subject") == f"creator-{creator.pk}"  # 2%: the top rate
    assert "150" in line.inner_text() and "2.00%" in line.inner_text()
    walk.shot("creators-filtered")
    with page.expect_navigation():
        line.locator("a").click()
    assert page.locator("[data-figure=rate]").inner_text() == "2.00%"
    assert page.locator("p.alert").count() == 1
    walk.shot("trend")
    walk.check()
