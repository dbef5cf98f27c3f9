"""The brief's closed loop, clicked through by the brand and the creator in Chromium:

product → campaign → invitation from the directory → the creator accepts and submits content →
the brand approves it → the shop pushes orders through /api/v1/orders/ → the dashboard's GMV,
spend and ROI move by exactly those orders (read before and after from its CSV, one click from
the figures, and from the figures themselves).
"""

import csv
import datetime
import json
import urllib.request
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.formats import number_format

from brands.models import Campaign, Collaboration, Product
from creators.models import Creator
from tenancy.models import Organization
from tenancy.scoping import Actor
from tenancy.services import api_key_create
from ui.templatetags.olive_charts import cents

from .test_walks import assert_charts_drawn, fill_new_product, new_campaign, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
FEE, COMMISSION = Decimal("2000.00"), Decimal("10")
#: Chosen so that 10% commission stays in whole cents: the CSV's Decimals compare exactly.
ORDERS = [Decimal("1000.00"), Decimal("250.50")]


def create_product_and_campaign(walk) -> tuple[Product, Campaign]:
    page = walk.page
    page.click("a[href='/brand/products/']")
    fill_new_product(page, "Loop serum", price="199.00", women="70", men="30")
    page.click("form.card button[type=submit]")
    page.wait_for_url("**/brand/products/")
    page.click("a[href='/brand/']")
    campaign = new_campaign(walk, "Loop launch", budget="30000")
    return Product.objects.unscoped().get(name="Loop serum"), campaign


def invite_from_directory(walk, creator: Creator, campaign: Campaign, product: Product):
    page = walk.page
    page.click("a[href='/creators/']")
    with page.expect_response(lambda response: "q=" in response.url):
        page.locator("form.filters [name=q]").press_sequentially(creator.handle)
    page.click(f"a[href='/brand/offers/new/?creator={creator.pk}']")
    page.select_option("[name=campaign]", str(campaign.pk))
    page.select_option("[name=product]", str(product.pk))
    page.select_option("[name=offer_type]", Collaboration.OfferType.INVITATION)
    page.fill("[name=fee]", str(FEE))
    page.fill("[name=commission_pct]", str(COMMISSION))
    deadline = timezone.localtime() + datetime.timedelta(days=3)
    page.fill("[name=response_deadline]", deadline.strftime("%Y-%m-%dT%H:%M"))
    page.fill("[name=message]", "Loop: one video with the serum, please.")
    page.click("#offer-form button[type=submit]")
    page.wait_for_url(f"**/brand/campaigns/{campaign.pk}/")
    walk.shot("invited")
    return Collaboration.objects.unscoped().get(campaign=campaign, creator=creator)


def creator_accepts_and_submits(walk, offer: Collaboration) -> None:
    page = walk.page
    row = page.locator(f"#offer-{offer.pk}")
    row.wait_for()  # the portal loads its offers inbox with htmx
    row.locator("form:has(input[value=accepted]) button").click()
    page.wait_for_selector(f"#offer-{offer.pk} span.status-accepted")
    with page.expect_navigation():
        row.locator(f"a[href='/portal/offers/{offer.pk}/content/']").click()
    page.fill("[name=link]", "https://video.olive.example/loop/1")
    page.fill("[name=caption]", "Loop: thirty days with the serum")
    with page.expect_navigation():
        page.click("form.content-form button[type=submit]")
    page.wait_for_selector(f"#offer-{offer.pk} span.status-content_submitted")
    walk.shot("content-submitted")


def brand_approves(walk, offer: Collaboration) -> None:
    page = walk.page
    with page.expect_navigation():
        page.click("header nav a[href='/brand/reviews/']")
    card = page.locator(f"#review-{offer.pk}")
    with page.expect_navigation():
        card.locator("form:has(input[value=approve]) button").click()
    walk.shot("approved")


def dashboard_totals(walk) -> dict[tuple[str, str], tuple[Decimal, Decimal]]:
    """(period, channel) → (GMV, spend), from the CSV the dashboard offers under its figures."""
    page = walk.page
    with page.expect_navigation():
        page.click("header nav a[href='/']")  # home: the brand's dashboard
    with page.expect_download() as download:
        page.click("#dashboard-totals a[href$='totals.csv']")
    with open(download.value.path(), encoding="utf-8-sig", newline="") as file:
        rows = list(csv.reader(file))[1:]
    return {
        (days, channel): (Decimal(gmv), Decimal(spend)) for days, channel, gmv, spend, _ in rows
    }


def push_orders(live_server, offer: Collaboration) -> None:
    """The brand's shop system, with a key of the brand's own, reports the sales."""
    org = Organization.objects.get(pk=offer.organization_id)
    owner = get_user_model().objects.get(username="brand")
    actor = Actor(
        user_id=owner.pk, organization_id=org.pk, organization_kind=org.kind, role="owner"
    )
    _key, secret = api_key_create(
        actor=actor, organization=org, name="shop", scopes=["orders:write"]
    )
    for number, amount in enumerate(ORDERS):
        body = {
            "external_id": f"loop-{number}",
            "collaboration": offer.pk,
            "amount": str(amount),
            "placed_at": timezone.now().isoformat(),
        }
        request = urllib.request.Request(
            f"{live_server.url}/api/v1/orders/",
            data=json.dumps(body).encode(),
            headers={"Authorization": f"Api-Key {secret}", "Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            assert response.status == 201


def shown(value: Decimal) -> str:
    """Money as the page shows it: rounded half up to the cent, grouped."""
    return number_format(cents(value), 2, force_grouping=True)


def test_the_closed_loop_moves_the_dashboard_by_exactly_its_orders(walk, live_server):
    creator = Creator.objects.unscoped().get(user__username="creator")
    brand = walk("zh-hans", "loop-brand")
    sign_in(brand, live_server, "brand")
    product, campaign = create_product_and_campaign(brand)
    offer = invite_from_directory(brand, creator, campaign, product)
    assert (offer.fee, offer.commission_pct, offer.status) == (FEE, COMMISSION, "offered")

    them = walk("zh-hans", "loop-creator")
    sign_in(them, live_server, "creator")
    creator_accepts_and_submits(them, offer)
    brand_approves(brand, offer)
    offer.refresh_from_db()
    assert offer.status == Collaboration.Status.LIVE

    before = dashboard_totals(brand)
    push_orders(live_server, offer)
    after = dashboard_totals(brand)
    sold = sum(ORDERS)
    commission = sold * COMMISSION / 100
    for days in ("30", "90"):
        for channel in ("all", "creator_distribution"):
            gmv, spend = before[(days, channel)]
            assert after[(days, channel)] == (gmv + sold, spend + commission), (days, channel)
        assert after[(days, "self_broadcast")] == before[(days, "self_broadcast")]

    gmv, spend = after[("30", "all")]
    roi = cents(gmv / spend)
    page = brand.page
    assert page.inner_text("#gmv-30") == shown(gmv)
    assert page.inner_text("#spend-30") == shown(spend)
    assert page.inner_text("#roi-30") == f"1 : {shown(roi)}"
    assert_charts_drawn(page)  # channels, weekly trend, top creators (break-even line)
    brand.shot("dashboard-after-orders")

    page.click(f"#dashboard-campaigns a[href='/brand/campaigns/{campaign.pk}/']")
    campaign_roi = cents(sold / (FEE + commission))
    assert f"1 : {shown(campaign_roi)}" in page.inner_text("main")
    assert shown(sold) in page.inner_text("main")
    brand.shot("campaign-after-orders")
    brand.check()
    them.check()
