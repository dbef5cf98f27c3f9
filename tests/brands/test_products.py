"""Products on the brand's pages and through the API: one service, the same rules, refusals that
write nothing, archiving instead of deleting what has history, and 404 for another brand."""

from html import unescape

import pytest

from brands.models import Product
from tenancy.models import AuditEvent
from tests.factories import (
    AUDIENCE,
    CampaignFactory,
    CollaborationFactory,
    CreatorFactory,
    OrderFactory,
    ProductFactory,
)
from tests.rowcounts import row_counts
from tests.tenancy_helpers import api_key_client, assert_only_tenant_sees

pytestmark = pytest.mark.django_db
TABLES = ("brands.Product", "tenancy.AuditEvent")
WRITE = ["campaigns:read", "campaigns:write"]


def form_body(**overrides) -> dict:
    """The page's form: percentages per taxonomy key, each axis adding up to 100."""
    body = {"name": "Glow serum", "category": "beauty", "price": "129.00", "claims": "A\nB"}
    for axis, shares in AUDIENCE.items():
        body.update({f"{axis}__{key}": str(round(share * 100, 2)) for key, share in shares.items()})
    return {**body, **overrides}


def api_body(**overrides) -> dict:
    body = {"name": "Glow serum", "category": "beauty", "price": "129.00", "claims": ["A"]}
    body.update({f"target_{axis}": shares for axis, shares in AUDIENCE.items()})
    return {**body, **overrides}


def audit_actions() -> list[str]:
    rows = AuditEvent.objects.unscoped().filter(action__startswith="product.").order_by("id")
    return list(rows.values_list("action", flat=True))


# --- pages --------------------------------------------------------------------------------


def test_brand_creates_a_product_on_the_page_with_percentages(personas):
    client = personas.client(personas.member)
    assert client.get("/brand/products/new/").status_code == 200
    response = client.post("/brand/products/new/", form_body())
    assert response.status_code == 302 and response["Location"] == "/brand/products/"
    product = Product.objects.unscoped().get()
    assert product.organization == personas.tenant and product.claims == ["A", "B"]
    assert product.target_gender == {"female": 0.6, "male": 0.4}
    assert product.target_interests == AUDIENCE["interests"]
    assert audit_actions() == ["product.created"]
    assert "Glow serum" in client.get("/brand/products/").content.decode()


def test_an_axis_not_adding_up_to_100_is_refused_on_that_axis_and_nothing_is_written(personas):
    client = personas.client(personas.member)
    before = row_counts(*TABLES)
    response = client.post("/brand/products/new/", form_body(gender__female="50"))
    assert response.status_code == 400
    body = unescape(response.content.decode())
    assert "Gender: the percentages add up to 90; they must add up to 100." in body
    assert "Age:" not in body  # the other axes were right
    assert row_counts(*TABLES) == before


def test_the_edit_form_shows_percentages_and_saves_a_change(personas):
    product = ProductFactory(organization=personas.tenant, name="Old name")
    client = personas.client(personas.member)
    form = client.get(f"/brand/products/{product.pk}/edit/").context["form"]
    assert form["gender__female"].value() == 60 and form["name"].value() == "Old name"
    ages = {"age__18_24": "100", "age__25_30": "", "age__31_40": ""}
    changed = form_body(name="New name", price="99.50", **ages)
    response = client.post(f"/brand/products/{product.pk}/edit/", changed)
    assert response.status_code == 302
    product.refresh_from_db()
    assert (product.name, str(product.price), product.target_age) == (
        "New name",
        "99.50",
        {"18_24": 1.0},
    )
    assert audit_actions() == ["product.updated"]


def test_a_page_edit_refused_by_the_database_rules_writes_nothing(personas):
    ProductFactory(organization=personas.tenant, name="Taken")
    product = ProductFactory(organization=personas.tenant, name="Mine")
    before = row_counts(*TABLES)
    response = personas.client(personas.member).post(
        f"/brand/products/{product.pk}/edit/", form_body(name="Taken")
    )
    assert response.status_code == 400
    assert "You already have a product with this name." in unescape(response.content.decode())
    product.refresh_from_db()
    assert product.name == "Mine" and row_counts(*TABLES) == before


def test_archive_and_restore_on_the_page_are_audited_and_archived_take_no_offers(personas):
    product = ProductFactory(organization=personas.tenant)
    client = personas.client(personas.member)
    page = client.get("/brand/products/").content.decode()
    assert f'action="/brand/products/{product.pk}/archive/"' in page and "data-confirm" in page
    assert client.post(f"/brand/products/{product.pk}/archive/").status_code == 302
    product.refresh_from_db()
    assert product.archived_at is not None
    offer = personas.key_client(personas.tenant, WRITE).post(
        "/api/v1/collaborations/",
        {
            "campaign": CampaignFactory(organization=personas.tenant).pk,
            "product": product.pk,
            "creator": CreatorFactory().handle,
            "offer_type": "direct_order",
        },
        format="json",
    )
    assert offer.status_code == 400
    assert "archived" in offer.json()["error"]["fields"]["product"][0]
    assert client.post(f"/brand/products/{product.pk}/unarchive/").status_code == 302
    product.refresh_from_db()
    assert product.archived_at is None
    assert audit_actions() == ["product.archived", "product.unarchived"]
    assert client.get(f"/brand/products/{product.pk}/archive/").status_code == 405


def test_viewer_sees_products_without_buttons_and_cannot_write(personas):
    product = ProductFactory(organization=personas.tenant, name="Viewed")
    viewer = personas.client(personas.viewer)
    page = viewer.get("/brand/products/").content.decode()
    assert "Viewed" in page and "/archive/" not in page and "/brand/products/new/" not in page
    before = row_counts(*TABLES)
    assert viewer.get("/brand/products/new/").status_code == 403
    assert viewer.get(f"/brand/products/{product.pk}/edit/").status_code == 403
    assert viewer.post("/brand/products/new/", form_body(name="Sneaky")).status_code == 403
    assert viewer.post(f"/brand/products/{product.pk}/archive/").status_code == 403
    assert row_counts(*TABLES) == before
    product.refresh_from_db()
    assert product.archived_at is None


def test_another_brand_gets_404_on_the_products_pages(personas):
    product = ProductFactory(organization=personas.tenant, name="Secret serum")
    member, outsider = personas.client(personas.member), personas.client(personas.outsider)
    edit = f"/brand/products/{product.pk}/edit/"
    assert_only_tenant_sees(member, outsider, edit, secrets=["Secret serum"])
    assert "Secret serum" not in outsider.get("/brand/products/").content.decode()
    for path in (edit, f"/brand/products/{product.pk}/archive/"):
        assert outsider.post(path, form_body(name="Stolen")).status_code == 404
    product.refresh_from_db()
    assert product.name == "Secret serum" and product.archived_at is None


# --- API ----------------------------------------------------------------------------------


def test_api_patch_changes_a_product_with_the_same_rules(personas):
    product = ProductFactory(organization=personas.tenant)
    client = personas.key_client(personas.tenant, WRITE)
    path = f"/api/v1/products/{product.pk}/"
    before = row_counts(*TABLES)
    bad = client.patch(path, {"target_age": {"18_24": 0.5}}, format="json")
    assert bad.status_code == 400 and "target_age" in bad.json()["error"]["fields"]
    assert "age" in bad.json()["error"]["fields"]["target_age"][0]
    assert row_counts(*TABLES) == before
    good = client.patch(path, {"price": "10.00", "claims": ["Cheap"]}, format="json")
    assert good.status_code == 200 and good.json()["price"] == "10.00"
    product.refresh_from_db()
    assert product.claims == ["Cheap"] and audit_actions() == ["product.updated"]
    assert client.put(path, api_body(), format="json").status_code == 405


def test_api_create_is_audited(personas):
    client = personas.key_client(personas.tenant, WRITE)
    assert client.post("/api/v1/products/", api_body(), format="json").status_code == 201
    assert audit_actions() == ["product.created"]


def test_api_archive_unarchive_and_delete_rules(personas):
    client = personas.key_client(personas.tenant, WRITE)
    sold = CollaborationFactory(campaign__organization=personas.tenant)
    OrderFactory(collaboration=sold)
    offered = CollaborationFactory(campaign__organization=personas.tenant).product
    fresh = ProductFactory(organization=personas.tenant)
    before = row_counts(*TABLES)
    for product, message in [
        (sold.product, "This product has orders: archive it instead of deleting it."),
        (offered, "This product has collaborations: archive it instead of deleting it."),
    ]:
        refused = client.delete(f"/api/v1/products/{product.pk}/")
        assert refused.status_code == 400
        assert refused.json()["error"]["fields"] == {"product": [message]}
    assert row_counts(*TABLES) == before
    archived = client.post(f"/api/v1/products/{sold.product_id}/archive/")
    assert archived.status_code == 200 and archived.json()["archived_at"]
    back = client.post(f"/api/v1/products/{sold.product_id}/unarchive/")
    assert back.status_code == 200 and back.json()["archived_at"] is None
    assert client.delete(f"/api/v1/products/{fresh.pk}/").status_code == 204
    assert not Product.objects.unscoped().filter(pk=fresh.pk).exists()
    assert audit_actions() == ["product.archived", "product.unarchived", "product.deleted"]


def test_api_another_brand_gets_404_and_a_read_key_403(personas):
    product = ProductFactory(organization=personas.tenant, name="Secret serum")
    outsider = api_key_client(personas.other_tenant, WRITE)[1]
    reader = personas.key_client(personas.tenant, ["campaigns:read"])
    path = f"/api/v1/products/{product.pk}/"
    before = row_counts(*TABLES)
    for client, code in ((outsider, 404), (reader, 403)):
        assert client.patch(path, {"name": "Stolen"}, format="json").status_code == code
        assert client.delete(path).status_code == code
        assert client.post(path + "archive/").status_code == code
    assert row_counts(*TABLES) == before
    product.refresh_from_db()
    assert product.name == "Secret serum" and product.archived_at is None


def test_the_product_list_queries_do_not_grow_with_rows(personas):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = personas.client(personas.member)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/brand/products/").status_code == 200
        return len(captured)

    ProductFactory.create_batch(3, organization=personas.tenant)
    small = queries()
    ProductFactory.create_batch(22, organization=personas.tenant)
    assert queries() == small
