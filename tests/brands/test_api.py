import pytest
from rest_framework.test import APIClient

from brands.models import Campaign, Collaboration, Order, Product, Refund
from tests.factories import (
    AUDIENCE,
    CampaignFactory,
    CollaborationFactory,
    CreatorFactory,
    MembershipFactory,
    OrderFactory,
    OrganizationFactory,
    ProductFactory,
)
from tests.tenancy_helpers import api_key_client, assert_only_tenant_sees

pytestmark = pytest.mark.django_db
ALL = ["campaigns:read", "campaigns:write", "orders:write"]


def key_client(org, scopes=ALL):
    return api_key_client(org, scopes)[1]


@pytest.fixture
def brand():
    return OrganizationFactory(kind="brand")


def product_body(**overrides):
    return {
        "name": "Rice",
        "category": "agriculture",
        "price": "39.90",
        **{f"target_{axis}": shares for axis, shares in AUDIENCE.items()},
        **overrides,
    }


def test_product_create_validates_distributions_and_stores_nothing_bad(brand):
    client = key_client(brand)
    bad = client.post(
        "/api/v1/products/", product_body(target_gender={"female": 0.9}), format="json"
    )
    assert bad.status_code == 400 and "target_gender" in bad.json()["error"]["fields"]
    assert not Product.objects.unscoped().exists()
    good = client.post("/api/v1/products/", product_body(), format="json")
    assert good.status_code == 201 and good.json()["price"] == "39.90"
    assert Product.objects.unscoped().get().organization == brand


def test_campaign_create_list_and_bad_dates(brand):
    client = key_client(brand)
    body = {
        "name": "Harvest",
        "mode": "both",
        "budget": "50000.00",
        "start": "2026-12-01",
        "end": "2026-11-01",
    }
    assert client.post("/api/v1/campaigns/", body, format="json").status_code == 400
    created = client.post("/api/v1/campaigns/", {**body, "end": "2026-12-31"}, format="json")
    assert created.status_code == 201 and created.json()["collaboration_count"] == 0
    listed = client.get("/api/v1/campaigns/", {"q": "harv"}).json()["results"]
    assert [c["name"] for c in listed] == ["Harvest"]
    assert Campaign.objects.unscoped().count() == 1


def test_offer_then_agency_accepts_for_its_creator_and_the_brand_completes(brand):
    agency = OrganizationFactory(kind="agency")
    creator = CreatorFactory(agency=agency)
    campaign = CampaignFactory(organization=brand)
    product = ProductFactory(organization=brand)
    brand_client, agency_client = key_client(brand), key_client(agency)
    offer = brand_client.post(
        "/api/v1/collaborations/",
        {
            "campaign": campaign.pk,
            "product": product.pk,
            "creator": creator.handle,
            "offer_type": "direct_order",
            "fee": "800.00",
        },
        format="json",
    )
    assert offer.status_code == 201, offer.content
    path = f"/api/v1/collaborations/{offer.json()['id']}/"
    refused = brand_client.post(path + "accept/")
    assert refused.status_code == 403
    assert agency_client.post(path + "accept/").json()["status"] == "accepted"
    illegal = brand_client.post(path + "complete/")
    assert illegal.status_code == 400 and "cannot become" in str(illegal.json())
    bare = agency_client.post(path + "submit-content/")
    assert bare.status_code == 400 and {"link", "caption"} <= set(bare.json()["error"]["fields"])
    content = {"link": "https://v.example.com/1", "caption": "Try it"}
    submitted = agency_client.post(path + "submit-content/", content, format="json")
    assert submitted.json()["status"] == "content_submitted"
    assert brand_client.post(path + "go-live/").json()["status"] == "live"
    assert brand_client.post(path + "complete/").json()["status"] == "completed"


def test_offers_need_own_campaign_and_product(brand):
    other = OrganizationFactory(kind="brand")
    response = key_client(brand).post(
        "/api/v1/collaborations/",
        {
            "campaign": CampaignFactory(organization=other).pk,
            "product": ProductFactory(organization=brand).pk,
            "creator": CreatorFactory().handle,
            "offer_type": "direct_order",
        },
        format="json",
    )
    assert response.status_code == 404
    assert not Collaboration.objects.unscoped().exists()


def test_orders_refunds_and_limits(brand):
    client = key_client(brand)
    body = {"external_id": "SHOP-1", "amount": "100.00", "placed_at": "2026-11-20T10:00:00Z"}
    order = client.post("/api/v1/orders/", body, format="json")
    assert order.status_code == 201
    duplicate = client.post("/api/v1/orders/", body, format="json")
    assert duplicate.status_code == 400 and Order.objects.unscoped().count() == 1
    refunds = f"/api/v1/orders/{order.json()['id']}/refunds/"
    first = {"amount": "60.00", "reason": "no_reason", "requested_at": "2026-11-21T10:00:00Z"}
    assert client.post(refunds, first, format="json").status_code == 201
    too_much = client.post(refunds, first, format="json")
    assert too_much.status_code == 400 and "exceed" in str(too_much.json())
    assert Refund.objects.unscoped().count() == 1
    foreign = CollaborationFactory()
    bad = client.post(
        "/api/v1/orders/",
        {**body, "external_id": "SHOP-2", "collaboration": foreign.pk},
        format="json",
    )
    assert bad.status_code == 400 and "collaboration" in bad.json()["error"]["fields"]


def test_outsider_gets_404_on_every_brand_object(brand):
    collab = CollaborationFactory(campaign__organization=brand, campaign__name="Secret launch")
    order = OrderFactory(collaboration=collab, external_id="SECRET-ORDER")
    mine, outsider = key_client(brand), key_client(OrganizationFactory(kind="brand"))
    for path, secret in [
        (f"/api/v1/campaigns/{collab.campaign_id}/", "Secret launch"),
        (f"/api/v1/collaborations/{collab.pk}/", collab.creator.handle),
        (f"/api/v1/products/{collab.product_id}/", collab.product.name),
        (f"/api/v1/orders/{order.pk}/", "SECRET-ORDER"),
    ]:
        assert_only_tenant_sees(mine, outsider, path, secrets=[secret])
    assert outsider.post(f"/api/v1/collaborations/{collab.pk}/cancel/").status_code == 404
    assert Collaboration.objects.unscoped().get(pk=collab.pk).status == "offered"


def test_read_only_key_cannot_write(brand):
    reader = key_client(brand, ["campaigns:read"])
    response = reader.post("/api/v1/campaigns/", {"name": "x"}, format="json")
    assert response.status_code == 403


def _missing_collaboration_id() -> int:
    return (Collaboration.objects.unscoped().order_by("-pk").values_list("pk", flat=True)[0]) + 1000


def test_order_filter_by_collaboration_lists_only_that_collaborations_orders(brand):
    first, second = CollaborationFactory.create_batch(2, campaign__organization=brand)
    mine = OrderFactory(collaboration=first, external_id="FIRST")
    OrderFactory(collaboration=second, external_id="SECOND")
    response = key_client(brand).get("/api/v1/orders/", {"collaboration": first.pk})
    assert response.status_code == 200
    assert [row["external_id"] for row in response.json()["results"]] == [mine.external_id]


def test_order_filter_answers_another_brands_collaboration_like_a_missing_one(brand):
    """Not an existence oracle: another brand's id (with orders) and an id that exists nowhere
    give the same 400 and the same body, through a key and through a session."""
    foreign = OrderFactory(external_id="THEIR-ORDER").collaboration
    CollaborationFactory(campaign__organization=brand)
    member = MembershipFactory(organization=brand, role="owner").user
    session = APIClient()
    session.force_login(member)
    for client in (key_client(brand), session):
        theirs = client.get("/api/v1/orders/", {"collaboration": foreign.pk})
        missing = client.get("/api/v1/orders/", {"collaboration": _missing_collaboration_id()})
        assert theirs.status_code == missing.status_code == 400
        assert theirs.content == missing.content
        error = theirs.json()["error"]
        assert error["code"] == "invalid" and set(error["fields"]) == {"collaboration"}
        assert "THEIR-ORDER" not in theirs.content.decode()
        assert client.get("/api/v1/orders/", {"collaboration": "abc"}).status_code == 400
