"""The product-selection centre (选品中心) clicked through in Chromium: the demo brand opens it
from the navigation, picks a product, narrows the ranked creators with the filters (the list
is swapped in by htmx, no reload), invites one from its card, sends the offer in the composer,
and that creator sees the offer in its portal. A shorter pass in the other language at 390 px.
"""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from brands.models import Campaign, Collaboration, Product
from creators import taxonomy
from creators.models import Creator
from tests.factories import AUDIENCE

from .test_walks import assert_charts_drawn, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
MESSAGE = "Selection: one video with the serum, please."


def selection_product() -> tuple[Product, Campaign]:
    """A new product of the demo brand (no offer open for it yet) and its first live campaign."""
    campaign = (
        Campaign.objects.unscoped()
        .filter(organization__slug="huayang-beauty", status=Campaign.Status.ACTIVE)
        .order_by("pk")
        .first()
    )
    product = Product.objects.unscoped().create(
        organization_id=campaign.organization_id,
        name="Selection serum",
        category="beauty",
        price="129.00",
        **{f"target_{axis}": dict(AUDIENCE[axis]) for axis in taxonomy.AUDIENCE_AXES},
    )
    return product, campaign


def open_selection(walk, product: Product) -> None:
    page = walk.page
    with page.expect_navigation():
        page.click("header nav a[href='/brand/selection/']")
    walk.shot("selection")
    with page.expect_navigation():
        page.click(f"a[href='/brand/selection/products/{product.pk}/']")
    page.locator("#match-results li.match").first.wait_for()
    walk.shot("ranked")


def narrow(walk, campaign: Campaign, tier: str) -> list[str]:
    """Choose a campaign (its budget caps the fee) and a city tier: htmx swaps the list in
    without a reload; every card shown is of that tier and invites into that campaign."""
    page = walk.page
    page.evaluate("window.__sameDocument = true")
    with page.expect_response(lambda r: "campaign=" in r.url and r.status == 200):
        page.select_option("form.filters [name=campaign]", str(campaign.pk))
    with page.expect_response(lambda r: f"city_tier={tier}" in r.url and r.status == 200):
        page.select_option("form.filters [name=city_tier]", tier)
    page.wait_for_function(
        "(tier) => new URL(location.href).searchParams.get('city_tier') === tier", arg=tier
    )
    assert page.evaluate("window.__sameDocument") is True  # no reload
    cards = page.locator("#match-results li.match")
    cards.first.wait_for()
    label = taxonomy.label(tier, walk.lang, axis="city_tier")
    handles = cards.evaluate_all("(cards) => cards.map((card) => card.dataset.creator)")
    assert handles
    tiers = set(Creator.objects.unscoped().filter(handle__in=handles).values_list("city_tier"))
    assert tiers == {(tier,)}
    assert all(label in text for text in cards.all_inner_texts())
    return handles


def invite_first(walk, product: Product, campaign: Campaign, handle: str) -> Collaboration:
    page = walk.page
    card = page.locator(f"#match-results li.match[data-creator='{handle}']")
    with page.expect_navigation():
        card.locator("a.button[href*='/brand/offers/new/']").click()
    walk.shot("composer")
    assert page.input_value("[name=creator]") == handle
    assert page.input_value("[name=campaign]") == str(campaign.pk)
    page.select_option("[name=product]", str(product.pk))
    page.select_option("[name=offer_type]", Collaboration.OfferType.INVITATION)
    page.fill("[name=fee]", "0")
    deadline = timezone.localtime() + datetime.timedelta(days=3)
    page.fill("[name=response_deadline]", deadline.strftime("%Y-%m-%dT%H:%M"))
    page.fill("[name=message]", MESSAGE)
    page.click("#offer-form button[type=submit]")
    page.wait_for_url(f"**/brand/campaigns/{campaign.pk}/")
    walk.shot("offer-sent")
    return Collaboration.objects.unscoped().get(product=product, creator__handle=handle)


def sign_in_as(creator: Creator) -> None:
    """The demo's creator login now acts as the invited creator."""
    user = get_user_model().objects.get(username="creator")
    Creator.objects.unscoped().filter(user=user).update(user=None)
    Creator.objects.unscoped().filter(pk=creator.pk).update(user=user)


def creator_sees_offer(walk, live_server, offer: Collaboration) -> None:
    page = walk.page
    sign_in(walk, live_server, "creator")
    with page.expect_navigation():
        page.click("header nav a[href='/portal/products/']")
    walk.shot("products-for-my-fans")
    with page.expect_navigation():
        page.click("header nav a[href='/portal/offers/']")
    row = page.locator(f"#offer-{offer.pk}")
    row.wait_for()
    assert MESSAGE in row.inner_text() or "Selection serum" in row.inner_text()
    walk.shot("offer-in-portal")


def test_selection_centre_to_invite_to_the_creators_offers(walk, live_server):
    product, campaign = selection_product()
    brand = walk("zh-hans", "selection-brand")
    sign_in(brand, live_server, "brand")
    open_selection(brand, product)
    assert_charts_drawn(brand.page)  # fans vs target, the numbers one click away
    handles = narrow(brand, campaign, "t3")
    offer = invite_first(brand, product, campaign, handles[0])
    assert (offer.campaign_id, offer.status) == (campaign.pk, "offered")
    brand.check()

    sign_in_as(offer.creator)
    them = walk("zh-hans", "selection-creator")
    creator_sees_offer(them, live_server, offer)
    them.check()

    # The other language on a phone: the centre, a product and one filter change.
    phone = walk("en", "selection-brand-phone", 390)
    sign_in(phone, live_server, "brand")
    open_selection(phone, product)
    narrow(phone, campaign, "t4")
    phone.check()
