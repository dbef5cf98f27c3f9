"""Campaigns on the brand's pages and through the API: create, edit what the life cycle
allows, pause / resume / close, budget use from the rows, and the budget refusal
(``campaign.budget_exceeded``) that page and API share, each refusal writing nothing."""

from decimal import Decimal
from html import unescape

import pytest

from brands.models import Campaign
from tests.factories import (
    CampaignFactory,
    CollaborationFactory,
    CreatorFactory,
    ProductFactory,
)
from tests.rowcounts import row_counts
from tests.tenancy_helpers import assert_only_tenant_sees

pytestmark = pytest.mark.django_db
TABLES = ("brands.Campaign", "brands.Collaboration", "tenancy.AuditEvent")
WRITE = ["campaigns:read", "campaigns:write"]
BUDGET = "campaign.budget_exceeded"


def form_body(**overrides) -> dict:
    body = {
        "name": "Double 11",
        "objective": "sales",
        "brief": "Show the serum on camera.",
        "mode": "both",
        "budget": "1000.00",
        "start": "2026-11-01",
        "end": "2026-11-11",
        "status": "draft",
    }
    return {**body, **overrides}


def spend(campaign, **fees_by_status):
    for status, fee in fees_by_status.items():
        CollaborationFactory(campaign=campaign, status=status, fee=Decimal(fee))


def stored(campaign) -> Campaign:
    return Campaign.objects.unscoped().get(pk=campaign.pk)


# --- pages --------------------------------------------------------------------------------


def test_brand_creates_a_campaign_with_a_brief_on_the_page(personas):
    client = personas.client(personas.member)
    assert 'href="/brand/campaigns/new/"' in client.get("/brand/campaigns/").content.decode()
    response = client.post("/brand/campaigns/new/", form_body())
    campaign = Campaign.objects.unscoped().get()
    assert (
        response.status_code == 302 and response["Location"] == f"/brand/campaigns/{campaign.pk}/"
    )
    assert campaign.brief == "Show the serum on camera." and campaign.status == "draft"
    bad = client.post("/brand/campaigns/new/", form_body(end="2026-10-01", name="Bad"))
    assert bad.status_code == 400 and Campaign.objects.unscoped().count() == 1


def test_the_campaign_page_shows_budget_committed_spent_and_remaining(personas):
    campaign = CampaignFactory(organization=personas.tenant, budget=Decimal("10000"))
    spend(campaign, offered="1000", accepted="500", live="2000", completed="300", declined="999")
    response = personas.client(personas.member).get(f"/brand/campaigns/{campaign.pk}/")
    shown = response.context["campaign"]
    assert (shown.committed, shown.spent) == (Decimal("1500"), Decimal("2300"))
    assert response.context["remaining"] == Decimal("6200")
    body = response.content.decode()
    assert "1,500.00" in body and "2,300.00" in body and "6,200.00" in body


def test_edit_changes_what_the_status_allows(personas):
    campaign = CampaignFactory(organization=personas.tenant, status="active", mode="both")
    client = personas.client(personas.member)
    form = client.get(f"/brand/campaigns/{campaign.pk}/edit/").context["form"]
    assert form.fields["start"].disabled and form.fields["mode"].disabled
    assert not form.fields["brief"].disabled
    body = form_body(name="Renamed", brief="New brief", mode="self_broadcast", start="2020-01-01")
    response = client.post(f"/brand/campaigns/{campaign.pk}/edit/", body)
    assert response.status_code == 302
    after = stored(campaign)
    assert (after.name, after.brief, after.mode, after.start) == (
        "Renamed",
        "New brief",
        "both",
        campaign.start,
    )


def test_the_budget_cannot_drop_below_committed_on_the_page(personas):
    campaign = CampaignFactory(organization=personas.tenant, budget=Decimal("5000"))
    spend(campaign, accepted="3000", live="1000")
    before = row_counts(*TABLES)
    response = personas.client(personas.member).post(
        f"/brand/campaigns/{campaign.pk}/edit/", form_body(budget="3999.99")
    )
    assert response.status_code == 400
    assert "above the campaign's budget of 3,999.99" in unescape(response.content.decode())
    assert row_counts(*TABLES) == before and stored(campaign).budget == Decimal("5000")


def test_a_closed_campaign_cannot_be_edited(personas):
    campaign = CampaignFactory(organization=personas.tenant, status="completed", name="Done")
    client = personas.client(personas.member)
    before = row_counts(*TABLES)
    response = client.post(f"/brand/campaigns/{campaign.pk}/edit/", form_body(name="Again"))
    assert response.status_code == 302
    assert stored(campaign).name == "Done" and row_counts(*TABLES) == before
    page = client.get(f"/brand/campaigns/{campaign.pk}/").content.decode()
    assert f"/brand/campaigns/{campaign.pk}/edit/" not in page and "/pause/" not in page


def test_pause_resume_close_on_the_page_are_audited_and_refusals_write_nothing(personas):
    campaign = CampaignFactory(organization=personas.tenant, status="active")
    client = personas.client(personas.member)
    path = f"/brand/campaigns/{campaign.pk}/"
    body = client.get(path).content.decode()
    assert f'action="{path}pause/"' in body and f'action="{path}close/"' in body
    assert "data-confirm" in body and f'action="{path}resume/"' not in body
    assert client.post(path + "pause/").status_code == 302 and stored(campaign).status == "paused"
    before = row_counts(*TABLES)
    refused = client.post(path + "pause/", follow=True)
    assert "Only an active campaign can be paused" in unescape(refused.content.decode())
    assert row_counts(*TABLES) == before
    client.post(path + "resume/")
    client.post(path + "close/")
    assert stored(campaign).status == "completed"
    from tenancy.models import AuditEvent

    actions = AuditEvent.objects.unscoped().filter(action__startswith="campaign.")
    assert list(actions.order_by("id").values_list("action", flat=True)) == [
        "campaign.paused",
        "campaign.resumed",
        "campaign.closed",
    ]
    assert client.get(path + "close/").status_code == 405


def test_viewer_sees_no_buttons_and_cannot_write(personas):
    campaign = CampaignFactory(organization=personas.tenant, status="active")
    viewer = personas.client(personas.viewer)
    body = viewer.get(f"/brand/campaigns/{campaign.pk}/").content.decode()
    assert "/pause/" not in body and "/edit/" not in body
    assert "/brand/campaigns/new/" not in viewer.get("/brand/campaigns/").content.decode()
    before = row_counts(*TABLES)
    assert viewer.get("/brand/campaigns/new/").status_code == 403
    assert viewer.get(f"/brand/campaigns/{campaign.pk}/edit/").status_code == 403
    assert viewer.post("/brand/campaigns/new/", form_body()).status_code == 403
    assert viewer.post(f"/brand/campaigns/{campaign.pk}/pause/").status_code == 403
    assert row_counts(*TABLES) == before and stored(campaign).status == "active"


def test_another_brand_gets_404_on_the_campaign_pages(personas):
    campaign = CampaignFactory(organization=personas.tenant, name="Secret launch")
    member, outsider = personas.client(personas.member), personas.client(personas.outsider)
    edit = f"/brand/campaigns/{campaign.pk}/edit/"
    assert_only_tenant_sees(member, outsider, edit, secrets=["Secret launch"])
    before = row_counts(*TABLES)
    for path in (edit, *(f"/brand/campaigns/{campaign.pk}/{a}/" for a in ("pause", "close"))):
        assert outsider.post(path, form_body(name="Stolen")).status_code == 404
    assert row_counts(*TABLES) == before and stored(campaign).status == "active"


# --- API ----------------------------------------------------------------------------------


def offer_body(campaign, fee) -> dict:
    return {
        "campaign": campaign.pk,
        "product": ProductFactory(organization=campaign.organization).pk,
        "creator": CreatorFactory().handle,
        "offer_type": "direct_order",
        "fee": fee,
    }


def test_an_offer_above_the_remaining_budget_is_refused_with_its_code(personas):
    campaign = CampaignFactory(organization=personas.tenant, budget=Decimal("1000"))
    spend(campaign, accepted="600", live="300", cancelled="5000")
    client = personas.key_client(personas.tenant, WRITE)
    before = row_counts(*TABLES)
    refused = client.post("/api/v1/collaborations/", offer_body(campaign, "100.01"), format="json")
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert error["code"] == BUDGET
    assert error["fields"] == {
        "fee": ["This would commit 1,000.01 in fees, above the campaign's budget of 1,000.00."]
    }
    assert row_counts(*TABLES) == before
    fits = client.post("/api/v1/collaborations/", offer_body(campaign, "100.00"), format="json")
    assert fits.status_code == 201


def test_api_patch_edits_and_refuses_a_budget_below_committed(personas):
    campaign = CampaignFactory(organization=personas.tenant, budget=Decimal("5000"))
    spend(campaign, offered="2000")
    client = personas.key_client(personas.tenant, WRITE)
    path = f"/api/v1/campaigns/{campaign.pk}/"
    before = row_counts(*TABLES)
    low = client.patch(path, {"budget": "1999.99"}, format="json")
    assert low.status_code == 400 and low.json()["error"]["code"] == BUDGET
    assert set(low.json()["error"]["fields"]) == {"budget"}
    frozen = client.patch(path, {"start": "2026-01-01"}, format="json")
    assert frozen.status_code == 400 and "start" in frozen.json()["error"]["fields"]
    status = client.patch(path, {"status": "completed"}, format="json")
    assert status.status_code == 400 and "status" in status.json()["error"]["fields"]
    assert row_counts(*TABLES) == before
    good = client.patch(path, {"budget": "2000.00", "brief": "Go"}, format="json")
    assert good.status_code == 200
    assert (good.json()["budget"], good.json()["brief"], good.json()["committed"]) == (
        "2000.00",
        "Go",
        "2000.00",
    )
    assert client.put(path, {}, format="json").status_code == 405


def test_api_pause_resume_close_and_refusals(personas):
    campaign = CampaignFactory(organization=personas.tenant, status="active")
    client = personas.key_client(personas.tenant, WRITE)
    path = f"/api/v1/campaigns/{campaign.pk}/"
    assert client.post(path + "pause/").json()["status"] == "paused"
    before = row_counts(*TABLES)
    refused = client.post(path + "pause/")
    assert refused.status_code == 400 and "status" in refused.json()["error"]["fields"]
    assert row_counts(*TABLES) == before
    assert client.post(path + "resume/").json()["status"] == "active"
    assert client.post(path + "close/").json()["status"] == "completed"
    closed = client.patch(path, {"name": "x"}, format="json")
    assert closed.status_code == 400 and stored(campaign).name == campaign.name
    offer = client.post("/api/v1/collaborations/", offer_body(campaign, "1"), format="json")
    assert offer.status_code == 400


def test_api_another_brand_gets_404_and_a_read_key_403(personas):
    campaign = CampaignFactory(organization=personas.tenant, name="Secret launch")
    outsider = personas.key_client(personas.other_tenant, WRITE)
    reader = personas.key_client(personas.tenant, ["campaigns:read"])
    path = f"/api/v1/campaigns/{campaign.pk}/"
    before = row_counts(*TABLES)
    for client, code in ((outsider, 404), (reader, 403)):
        assert client.patch(path, {"name": "Stolen"}, format="json").status_code == code
        for action in ("pause", "resume", "close"):
            assert client.post(f"{path}{action}/").status_code == code
    assert row_counts(*TABLES) == before
    assert stored(campaign).name == "Secret launch" and stored(campaign).status == "active"


def test_a_fee_free_offer_fits_even_a_spent_campaign(personas):
    campaign = CampaignFactory(organization=personas.tenant, budget=Decimal("100"))
    spend(campaign, live="100")
    client = personas.key_client(personas.tenant, WRITE)
    free = client.post("/api/v1/collaborations/", offer_body(campaign, "0"), format="json")
    assert free.status_code == 201
    paid = client.post("/api/v1/collaborations/", offer_body(campaign, "0.01"), format="json")
    assert paid.status_code == 400 and paid.json()["error"]["code"] == BUDGET
