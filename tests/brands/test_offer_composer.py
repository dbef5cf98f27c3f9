"""The offer composer (``/brand/offers/new/``) and the API's offers: one service, the same
refusals on both (each writing nothing), the entry points, the creator's badge of open offers,
and expiry seen by both sides."""

import datetime
import zoneinfo
from decimal import Decimal
from html import unescape

import pytest
import time_machine
from django.conf import settings
from django.test import Client

from brands.models import Collaboration
from brands.services import collaborations_expire
from tenancy.models import AuditEvent
from tenancy.scoping import SYSTEM
from tests.factories import (
    CampaignFactory,
    CollaborationFactory,
    CreatorFactory,
    MembershipFactory,
    ProductFactory,
    UserFactory,
)
from tests.rowcounts import row_counts

pytestmark = pytest.mark.django_db
TABLES = ("brands.Collaboration", "tenancy.AuditEvent")
WRITE = ["campaigns:read", "campaigns:write"]
NEW = "/brand/offers/new/"
API = "/api/v1/collaborations/"
LOCAL = zoneinfo.ZoneInfo(settings.TIME_ZONE)
#: The clock of the tests that date things: a deadline "tomorrow" means the same at any hour.
NOW = datetime.datetime(2026, 11, 20, 23, 30, tzinfo=datetime.UTC)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def deal(personas):
    """The brand's campaign (budget 1,000, 600 committed) and product, and an active creator."""
    campaign = CampaignFactory(organization=personas.tenant, budget=Decimal("1000"))
    CollaborationFactory(campaign=campaign, status="accepted", fee=Decimal("600"))
    product = ProductFactory(organization=personas.tenant, name="Serum")
    return campaign, product, CreatorFactory(handle="mei")


def local_input(moment: datetime.datetime) -> str:
    """What a datetime-local input sends for ``moment``, on the platform's clock."""
    return moment.astimezone(LOCAL).strftime("%Y-%m-%dT%H:%M")


def page_body(campaign, product, creator, **overrides) -> dict:
    body = {
        "campaign": campaign.pk,
        "product": product.pk,
        "creator": creator.handle,
        "offer_type": "invitation",
        "fee": "300.00",
        "commission_pct": "12.5",
        "response_deadline": local_input(NOW + datetime.timedelta(days=3)),
        "message": "Show the serum on camera, please.",
    }
    return {**body, **overrides}


def api_body(campaign, product, creator, **overrides) -> dict:
    body = page_body(campaign, product, creator)
    body["response_deadline"] = (NOW + datetime.timedelta(days=3)).isoformat()
    return {**body, **overrides}


def creator_client(creator) -> Client:
    creator.user = UserFactory()
    creator.save(update_fields=["user"])
    client = Client()
    client.force_login(creator.user)
    return client


# --- the page ------------------------------------------------------------------------------


def test_the_composer_presets_campaign_and_creator_and_shows_the_remaining_budget(personas, deal):
    campaign, _product, creator = deal
    client = personas.client(personas.member)
    response = client.get(f"{NEW}?campaign={campaign.pk}&creator={creator.pk}")
    assert response.status_code == 200
    form = response.context["form"]
    assert form["campaign"].value() == campaign.pk and form["creator"].value() == "mei"
    assert response.context["remaining"] == Decimal("400")
    body = unescape(response.content.decode())
    assert "Remaining budget of this campaign: 400.00" in body
    assert 'type="datetime-local"' in body


def test_an_offer_sent_from_the_page_is_stored_audited_and_shown_to_both_sides(
    personas, deal, frozen
):
    campaign, product, creator = deal
    client = personas.client(personas.member)
    response = client.post(NEW, page_body(campaign, product, creator))
    assert response.status_code == 302
    assert response["Location"] == f"/brand/campaigns/{campaign.pk}/"
    offer = Collaboration.objects.unscoped().get(creator=creator)
    assert (offer.fee, offer.commission_pct) == (Decimal("300"), Decimal("12.5"))
    # The datetime-local value is read on the active timezone's clock.
    assert offer.response_deadline == NOW + datetime.timedelta(days=3)
    assert offer.message == "Show the serum on camera, please."
    audit = AuditEvent.objects.unscoped().get(action="collaboration.offered")
    assert audit.target_id == str(offer.pk) and audit.organization_id == personas.tenant.pk
    page = client.get(response["Location"])
    assert "Offer sent to @mei." in unescape(page.content.decode())
    assert "Show the serum on camera, please." in page.content.decode()
    inbox = creator_client(creator).get("/portal/offers/")
    assert "Show the serum on camera, please." in inbox.content.decode()


def refused_on_page(personas, body, field: str, text: str):
    client = personas.client(personas.member)
    before = row_counts(*TABLES)
    response = client.post(NEW, body)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert any(text in error for error in errors.get(field, [])), errors
    assert row_counts(*TABLES) == before


def refused_by_api(personas, body, field: str, text: str, code: str = "invalid"):
    client = personas.key_client(personas.tenant, WRITE)
    before = row_counts(*TABLES)
    response = client.post(API, body, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == code
    assert any(text in message for message in error["fields"][field]), error
    assert row_counts(*TABLES) == before


PAST = "The response deadline must be in the future."
BUDGET = "above the campaign's budget of 1,000.00"
INACTIVE = "This creator cannot take offers right now."
TWIN = "This creator already has an open offer for this product in this campaign."


def test_a_past_deadline_is_refused_on_page_and_api(personas, deal, frozen):
    campaign, product, creator = deal
    past = NOW - datetime.timedelta(minutes=1)
    page = page_body(campaign, product, creator, response_deadline=local_input(past))
    refused_on_page(personas, page, "response_deadline", PAST)
    api = api_body(campaign, product, creator, response_deadline=past.isoformat())
    refused_by_api(personas, api, "response_deadline", PAST)


def test_a_fee_above_the_remaining_budget_is_refused_on_page_and_api(personas, deal, frozen):
    campaign, product, creator = deal
    page = page_body(campaign, product, creator, fee="400.01")
    refused_on_page(personas, page, "fee", BUDGET)
    api = api_body(campaign, product, creator, fee="400.01")
    refused_by_api(personas, api, "fee", BUDGET, code="campaign.budget_exceeded")


def test_a_suspended_creator_is_refused_on_page_and_api(personas, deal, frozen):
    campaign, product, _creator = deal
    suspended = CreatorFactory(status="suspended")
    refused_on_page(personas, page_body(campaign, product, suspended), "creator", INACTIVE)
    refused_by_api(personas, api_body(campaign, product, suspended), "creator", INACTIVE)


def test_a_second_open_offer_is_refused_on_page_and_api(personas, deal, frozen):
    campaign, product, creator = deal
    CollaborationFactory(campaign=campaign, product=product, creator=creator, fee=Decimal("0"))
    refused_on_page(personas, page_body(campaign, product, creator), "creator", TWIN)
    refused_by_api(personas, api_body(campaign, product, creator), "creator", TWIN)


@pytest.mark.parametrize(
    ("field", "value", "text"),
    [
        ("fee", "abc", "number"),
        ("fee", "-1", "greater than or equal to 0"),
        ("fee", "1.234", "decimal places"),
        ("commission_pct", "150", "less than or equal to 100"),
        ("commission_pct", "-5", "greater than or equal to 0"),
    ],
)
def test_invalid_fee_or_commission_is_refused_on_page_and_api(
    personas, deal, frozen, field, value, text
):
    campaign, product, creator = deal
    refused_on_page(personas, page_body(campaign, product, creator, **{field: value}), field, text)
    refused_by_api(personas, api_body(campaign, product, creator, **{field: value}), field, text)


def test_a_message_over_2000_characters_is_refused_on_page_and_api(personas, deal, frozen):
    campaign, product, creator = deal
    long = "x" * 2001
    text = "2000 characters"
    refused_on_page(personas, page_body(campaign, product, creator, message=long), "message", text)
    refused_by_api(personas, api_body(campaign, product, creator, message=long), "message", text)


def test_the_service_itself_refuses_a_message_over_2000_characters(personas, deal, frozen):
    from django.core.exceptions import ValidationError

    from brands.services import collaboration_offer
    from tenancy.scoping import Actor, acting_as

    campaign, product, creator = deal
    actor = Actor(
        user_id=None, organization_id=personas.tenant.pk, organization_kind="brand", role="owner"
    )
    before = row_counts(*TABLES)
    with acting_as(actor), pytest.raises(ValidationError) as refused:
        collaboration_offer(
            actor=actor,
            campaign=campaign,
            product=product,
            creator=creator,
            offer_type="direct_order",
            message="x" * 2001,
        )
    assert "message" in refused.value.message_dict
    assert row_counts(*TABLES) == before


def test_an_invitation_needs_a_deadline_and_a_bad_one_is_refused(personas, deal, frozen):
    campaign, product, creator = deal
    body = page_body(campaign, product, creator, response_deadline="")
    refused_on_page(personas, body, "response_deadline", "An invitation needs a response deadline")
    body = page_body(campaign, product, creator, response_deadline="tomorrow")
    refused_on_page(personas, body, "response_deadline", "Enter a valid date/time.")


def test_an_unknown_handle_is_a_clear_error_and_an_unknown_preset_404(personas, deal):
    campaign, product, creator = deal
    body = {**page_body(campaign, product, creator), "creator": "nobody-here"}
    refused_on_page(personas, body, "creator", "No creator with the handle “nobody-here”")
    client = personas.client(personas.member)
    for query in ("creator=999999", "creator=abc", "campaign=999999", "campaign=-1"):
        assert client.get(f"{NEW}?{query}").status_code == 404, query


def test_the_api_answers_with_the_message(personas, deal, frozen):
    campaign, product, creator = deal
    client = personas.key_client(personas.tenant, WRITE)
    response = client.post(API, api_body(campaign, product, creator, message="Hi"), format="json")
    assert response.status_code == 201 and response.json()["message"] == "Hi"
    stored = Collaboration.objects.unscoped().get(pk=response.json()["id"])
    assert stored.message == "Hi"
    assert AuditEvent.objects.unscoped().filter(action="collaboration.offered").count() == 1


def test_a_viewer_is_refused_the_composer(personas, deal, frozen):
    campaign, product, creator = deal
    viewer = personas.client(personas.viewer)
    before = row_counts(*TABLES)
    assert viewer.get(NEW).status_code == 403
    assert viewer.get(f"{NEW}?campaign={campaign.pk}").status_code == 403
    assert viewer.post(NEW, page_body(campaign, product, creator)).status_code == 403
    assert row_counts(*TABLES) == before


def test_another_brand_cannot_preset_or_offer_into_the_brands_campaign(personas, deal, frozen):
    campaign, product, creator = deal
    outsider = personas.client(personas.outsider)
    api = personas.key_client(personas.other_tenant, WRITE)
    response = outsider.get(f"{NEW}?campaign={campaign.pk}")
    assert response.status_code == 404 and campaign.name not in response.content.decode()
    before = row_counts(*TABLES)
    response = outsider.post(NEW, page_body(campaign, product, creator))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "campaign" in errors and "product" in errors
    assert campaign.name not in response.content.decode()
    assert "Serum" not in response.content.decode()
    assert api.post(API, api_body(campaign, product, creator), format="json").status_code == 404
    assert row_counts(*TABLES) == before


def test_a_paused_campaign_or_archived_product_is_no_choice(personas, deal, frozen):
    campaign, product, creator = deal
    paused = CampaignFactory(organization=personas.tenant, status="paused")
    archived = ProductFactory(organization=personas.tenant, archived_at=NOW)
    body = page_body(paused, product, creator)
    refused_on_page(personas, body, "campaign", "Select a valid choice")
    body = page_body(campaign, archived, creator)
    refused_on_page(personas, body, "product", "Select a valid choice")


# --- entry points --------------------------------------------------------------------------


def invite(creator) -> str:
    return f'href="{NEW}?creator={creator.pk}"'


def test_invite_links_on_the_directory_and_creator_page_for_brand_writers_only(personas):
    creator = CreatorFactory(handle="lan")
    suspended = CreatorFactory(handle="gone", status="suspended")
    member = personas.client(personas.member)
    directory = member.get("/creators/").content.decode()
    assert invite(creator) in directory and invite(suspended) not in directory
    assert invite(creator) in member.get("/creators/lan/").content.decode()
    viewer = personas.client(personas.viewer)
    assert NEW not in viewer.get("/creators/").content.decode()
    assert NEW not in viewer.get("/creators/lan/").content.decode()
    agency = Client()
    agency.force_login(MembershipFactory(organization__kind="agency").user)
    assert NEW not in agency.get("/creators/").content.decode()
    assert NEW not in agency.get("/creators/lan/").content.decode()


def test_the_campaign_page_invites_a_creator_into_itself(personas, deal):
    campaign, _product, _creator = deal
    page = f"/brand/campaigns/{campaign.pk}/"
    link = f'href="{NEW}?campaign={campaign.pk}"'
    assert link in personas.client(personas.member).get(page).content.decode()
    assert link not in personas.client(personas.viewer).get(page).content.decode()
    paused = CampaignFactory(organization=personas.tenant, status="paused")
    paused_page = personas.client(personas.member).get(f"/brand/campaigns/{paused.pk}/")
    assert NEW not in paused_page.content.decode()


# --- the creator's badge -------------------------------------------------------------------


def badge(response) -> str | None:
    body = response.content.decode()
    link = body.split('href="/portal/offers/"', 1)[1].split("</a>", 1)[0]
    if 'class="badge"' not in link:
        return None
    return link.split('class="badge"', 1)[1].split(">", 1)[1].split("<", 1)[0]


def test_the_offers_link_counts_the_creators_open_offers_only(frozen):
    me, other = CreatorFactory(), CreatorFactory()
    client = creator_client(me)
    assert badge(client.get("/portal/")) is None  # none: no badge at all
    soon = NOW + datetime.timedelta(days=1)
    CollaborationFactory(creator=me, response_deadline=soon)
    CollaborationFactory(creator=me, offer_type="direct_order", response_deadline=None)
    CollaborationFactory(creator=me, response_deadline=NOW - datetime.timedelta(seconds=1))
    CollaborationFactory(creator=me, status="accepted")
    CollaborationFactory(creator=other, response_deadline=soon)
    assert badge(client.get("/portal/")) == "2"
    assert badge(client.get("/portal/offers/")) == "2"


def test_the_badge_costs_one_query_and_none_for_htmx_fragments(frozen):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    me = CreatorFactory()
    CollaborationFactory(creator=me, response_deadline=NOW + datetime.timedelta(days=1))
    client = creator_client(me)
    with CaptureQueriesContext(connection) as page:
        client.get("/portal/offers/")
    with CaptureQueriesContext(connection) as fragment:
        client.get("/portal/offers/", HTTP_HX_REQUEST="true")

    # The offers badge's count (other apps' badges, such as the complaint rate's, count theirs).
    def offers_counts(queries):
        return [q["sql"] for q in queries if "COUNT(*)" in q["sql"] and "brands_coll" in q["sql"]]

    counted = offers_counts(page.captured_queries)
    fragment_counts = offers_counts(fragment.captured_queries)
    assert len(counted) == len(fragment_counts) + 1


# --- expiry, both sides --------------------------------------------------------------------


def test_an_expired_offer_shows_expired_with_its_deadline_on_both_sides(personas, deal):
    campaign, product, creator = deal
    deadline = NOW + datetime.timedelta(hours=2)
    with time_machine.travel(NOW, tick=False):
        offer = CollaborationFactory(
            campaign=campaign, product=product, creator=creator, response_deadline=deadline
        )
    with time_machine.travel(deadline + datetime.timedelta(minutes=1), tick=False):
        assert collaborations_expire(actor=SYSTEM) == 1
        shown = deadline.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M")
        inbox = creator_client(creator).get("/portal/offers/").content.decode()
        page = personas.client(personas.member).get(f"/brand/campaigns/{campaign.pk}/")
        for body, row in ((inbox, f"offer-{offer.pk}"), (page.content.decode(), None)):
            row = body.split(f'id="{row or f"collaboration-{offer.pk}"}"', 1)[1]
            row = row.split("</tr>", 1)[0]
            assert "Expired" in row and f"since {shown}" in row, row
        assert badge(creator_client(creator).get("/portal/")) is None


def test_the_composer_and_its_refusals_speak_chinese(personas, deal, frozen):
    campaign, product, _creator = deal
    client = personas.client(personas.member)
    zh = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
    page = client.get(f"{NEW}?campaign={campaign.pk}", **zh).content.decode()
    assert "邀请加入营销活动" in page and "该营销活动的剩余预算：400.00" in page
    suspended = CreatorFactory(status="suspended")
    refused = client.post(NEW, page_body(campaign, product, suspended), **zh)
    assert refused.status_code == 400 and "该创作者目前不能接受邀约。" in refused.content.decode()
