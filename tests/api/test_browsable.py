"""The browsable API: a browser (``Accept: text/html``) gets the rendered page, never a 500.

DRF renders a response after the view returned; the browsable renderer then builds its forms
and filter forms from scoped querysets, so it has to run inside the actor, and it must work for
an API key's principal, which is no user. Its dropdowns offer only the acting tenant's rows.
"""

import pytest

from brands.models import Campaign
from tenancy.scopes import SCOPES
from tenancy.scoping import current_actor
from tests.factories import CampaignFactory, CollaborationFactory, OrderFactory
from tests.tenancy_helpers import api_key_client

pytestmark = pytest.mark.django_db
HTML = {"HTTP_ACCEPT": "text/html"}


@pytest.fixture
def campaigns(personas):
    CampaignFactory(organization=personas.tenant, name="Own spring launch")
    CampaignFactory(organization=personas.other_tenant, name="Rival spring launch")


def _html(response) -> str:
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith("text/html")
    return response.content.decode()


@pytest.mark.parametrize("path", ["/api/v1/campaigns/", "/api/v1/creators/", "/api/v1/me/"])
def test_session_user_gets_the_browsable_page(personas, campaigns, path):
    page = _html(personas.api_client(personas.member).get(path, **HTML))
    assert "Rival spring launch" not in page
    if path == "/api/v1/campaigns/":
        assert "Own spring launch" in page


@pytest.mark.parametrize("path", ["/api/v1/campaigns/", "/api/v1/creators/", "/api/v1/me/"])
def test_api_key_gets_the_browsable_page(personas, campaigns, path):
    _key, client = api_key_client(personas.tenant, list(SCOPES))
    page = _html(client.get(path, **HTML))
    assert "Rival spring launch" not in page
    assert "api-key " in page  # the key's principal is named in the header, not a user
    if path == "/api/v1/campaigns/":
        assert "Own spring launch" in page
    if path == "/api/v1/me/":
        assert personas.tenant.slug in page


def test_forms_and_filters_offer_only_the_tenants_own_rows(personas):
    own = CollaborationFactory(
        campaign__organization=personas.tenant,
        campaign__name="Own autumn launch",
        product__name="Own serum",
    )
    rival = CollaborationFactory(
        campaign__organization=personas.other_tenant,
        campaign__name="Rival autumn launch",
        product__name="Rival serum",
    )
    OrderFactory(collaboration=own, external_id="OWN-ORDER")
    OrderFactory(collaboration=rival, external_id="RIVAL-ORDER")
    client = personas.api_client(personas.member)
    # The order form and the order filter offer collaborations (named after their product);
    # the collaboration list shows its rows (its input takes ids, so it offers no dropdown).
    collaborations = _html(client.get("/api/v1/collaborations/", **HTML))
    orders = _html(client.get("/api/v1/orders/", **HTML))
    assert 'name="collaboration"' in orders and 'name="campaign"' not in collaborations
    assert str(own.pk) in collaborations
    assert "Own serum" in orders and "OWN-ORDER" in orders
    for page in (collaborations, orders):
        for secret in ("Rival autumn launch", "Rival serum", "RIVAL-ORDER"):
            assert secret not in page


def test_read_only_key_sees_the_page_without_a_write_form(personas, campaigns):
    _key, client = api_key_client(personas.tenant, ["campaigns:read"])
    page = _html(client.get("/api/v1/campaigns/", **HTML))
    assert "Own spring launch" in page
    assert 'name="budget"' not in page  # no POST form: the key may not write


def test_json_is_still_the_default(personas, campaigns):
    response = personas.api_client(personas.member).get("/api/v1/campaigns/")
    assert response["Content-Type"] == "application/json"
    assert [c["name"] for c in response.json()["results"]] == ["Own spring launch"]


def test_the_actor_is_reset_once_the_page_has_rendered(personas, campaigns):
    _html(personas.api_client(personas.member).get("/api/v1/campaigns/", **HTML))
    assert current_actor() is None


CAMPAIGN = {
    "name": "Harvest",
    "mode": "both",
    "budget": "50000.00",
    "start": "2026-11-01",
    "end": "2026-11-30",
}


def test_a_write_whose_page_fails_to_render_is_replayed_not_repeated(personas, monkeypatch):
    """The Idempotency-Key keeps the data of the write, so a retry (as JSON) gets it back."""
    from api.renderers import ScopedBrowsableAPIRenderer

    def broken(self, *args, **kwargs):
        raise RuntimeError("template blew up")

    _key, client = api_key_client(personas.tenant, list(SCOPES))
    with monkeypatch.context() as patch:
        patch.setattr(ScopedBrowsableAPIRenderer, "render", broken)
        with pytest.raises(RuntimeError, match="template blew up"):
            client.post(
                "/api/v1/campaigns/", CAMPAIGN, format="json", HTTP_IDEMPOTENCY_KEY="k-1", **HTML
            )
    assert current_actor() is None
    again = client.post("/api/v1/campaigns/", CAMPAIGN, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json()["name"] == "Harvest"
    assert Campaign.objects.unscoped().filter(organization=personas.tenant).count() == 1
