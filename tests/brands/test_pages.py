"""Brand campaign pages, collaboration row actions and the creator's offers inbox."""

import datetime
from html import unescape

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from brands.models import Collaboration
from tenancy.models import AuditEvent
from tests.factories import (
    CampaignFactory,
    CollaborationFactory,
    ContentSubmissionFactory,
    CreatorFactory,
    OrganizationFactory,
    UserFactory,
)
from tests.tenancy_helpers import assert_only_tenant_sees, assert_outsider_gets_404

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def status_of(collab) -> str:
    return Collaboration.objects.unscoped().get(pk=collab.pk).status


def actions() -> list[str]:
    return list(AuditEvent.objects.unscoped().order_by("id").values_list("action", flat=True))


def creator_client(creator=None):
    """A creator signed in to the portal; returns (client, creator)."""
    user = UserFactory()
    if creator is None:
        creator = CreatorFactory(user=user)
    else:
        creator.user = user
        creator.save(update_fields=["user"])
    client = Client()
    client.force_login(user)
    return client, creator


def transition_url(collab) -> str:
    return f"/brand/collaborations/{collab.pk}/transition/"


def respond_url(collab) -> str:
    return f"/portal/offers/{collab.pk}/respond/"


def count_queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


# --- campaign list ------------------------------------------------------------------------


def test_campaign_list_filters_by_status_mode_and_name(personas):
    org = personas.tenant
    CampaignFactory(organization=org, name="Spring glow", status="active", mode="both")
    CampaignFactory(organization=org, name="Summer tea", status="draft", mode="self_broadcast")
    CampaignFactory(organization=org, name="Autumn glow", status="draft", mode="both")
    client = personas.client(personas.member)

    def names(query):
        page = client.get(f"/brand/campaigns/{query}").context["page"]
        return sorted(campaign.name for campaign in page)

    assert names("") == ["Autumn glow", "Spring glow", "Summer tea"]
    assert names("?status=draft") == ["Autumn glow", "Summer tea"]
    assert names("?mode=self_broadcast") == ["Summer tea"]
    assert names("?q=GLOW&status=draft") == ["Autumn glow"]


def test_campaign_list_shows_counts_and_links(personas):
    campaign = CampaignFactory(organization=personas.tenant, name="Count me")
    for status in ["offered", "live", "completed", "cancelled"]:
        CollaborationFactory(campaign=campaign, status=status)
    response = personas.client(personas.member).get("/brand/campaigns/")
    row = response.context["page"][0]
    assert (row.collaboration_count, row.live_count) == (4, 2)
    assert f'href="/brand/campaigns/{campaign.pk}/"' in response.content.decode()


def test_campaign_list_empty_states(personas):
    client = personas.client(personas.member)
    assert "No campaigns yet." in client.get("/brand/campaigns/").content.decode()
    CampaignFactory(organization=personas.tenant, status="active")
    body = client.get("/brand/campaigns/?status=cancelled").content.decode()
    assert "No campaigns match these filters." in body


def test_htmx_filter_change_gets_only_the_table(personas):
    CampaignFactory(organization=personas.tenant, name="Only the table")
    response = personas.client(personas.member).get("/brand/campaigns/?status=active", **HTMX)
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="campaign-table">')
    assert "<html" not in body and "Only the table" in body
    assert "HX-Request" in response["Vary"]


def test_full_page_filter_form_swaps_the_table_and_pushes_the_url(personas):
    body = personas.client(personas.member).get("/brand/campaigns/").content.decode()
    assert 'hx-target="#campaign-table"' in body and 'hx-push-url="true"' in body
    assert 'data-home="brand"' not in body
    dashboard = personas.client(personas.member).get("/brand/").content.decode()
    assert 'data-home="brand"' in dashboard and 'href="/brand/campaigns/"' in dashboard


def test_pages_keep_filters_in_their_page_links(personas):
    for n in range(27):
        CampaignFactory(organization=personas.tenant, name=f"Bulk {n:02d}", status="draft")
    body = personas.client(personas.member).get("/brand/campaigns/?status=draft").content.decode()
    assert "?status=draft&amp;page=2" in body


def test_only_brands_see_campaign_pages(personas):
    client, _creator = creator_client()
    assert client.get("/brand/campaigns/").status_code == 404
    agency = OrganizationFactory(kind="agency")
    from tests.factories import MembershipFactory

    agent = MembershipFactory(organization=agency).user
    assert personas.client(agent).get("/brand/campaigns/").status_code == 404


# --- campaign detail and row actions -------------------------------------------------------


def test_outsider_gets_404_on_another_brands_campaign(personas):
    campaign = CampaignFactory(organization=personas.tenant, name="Secret launch")
    collab = CollaborationFactory(campaign=campaign, creator=CreatorFactory(handle="hidden-star"))
    assert_only_tenant_sees(
        personas.client(personas.member),
        personas.client(personas.outsider),
        f"/brand/campaigns/{campaign.pk}/",
        secrets=["Secret launch", "hidden-star", collab.product.name],
    )
    outsider_list = personas.client(personas.outsider).get("/brand/campaigns/")
    assert "Secret launch" not in outsider_list.content.decode()


def test_outsider_gets_404_on_a_transition_and_nothing_changes(personas):
    collab = CollaborationFactory(
        campaign=CampaignFactory(organization=personas.tenant), status="content_submitted"
    )
    assert_outsider_gets_404(
        personas.client(personas.outsider),
        transition_url(collab),
        secrets=[collab.creator.handle],
        method="post",
        data={"to": "live"},
    )
    assert status_of(collab) == "content_submitted" and not actions()


def test_campaign_detail_filters_collaborations_by_status(personas):
    campaign = CampaignFactory(organization=personas.tenant)
    live = CollaborationFactory(campaign=campaign, status="live")
    CollaborationFactory(campaign=campaign, status="offered")
    CollaborationFactory(status="live")  # another brand's
    page = personas.client(personas.member).get(f"/brand/campaigns/{campaign.pk}/?status=live")
    assert [c.pk for c in page.context["page"]] == [live.pk]


@pytest.mark.parametrize(
    "status, buttons",
    [
        ("offered", ["cancelled"]),  # accepting is the creator's move, not the brand's
        ("accepted", ["cancelled"]),
        ("content_submitted", ["cancelled"]),  # live only through the content review
        ("live", ["completed"]),
        ("completed", []),
        ("declined", []),
    ],
)
def test_row_buttons_are_the_moves_the_service_allows_the_brand(personas, status, buttons):
    collab = CollaborationFactory(
        campaign=CampaignFactory(organization=personas.tenant), status=status
    )
    response = personas.client(personas.member).get(f"/brand/campaigns/{collab.campaign_id}/")
    row = response.context["page"][0]
    assert [to for to, _label in row.actions] == buttons
    body = response.content.decode()
    for to in buttons:
        assert f'name="to" value="{to}"' in body


def test_brand_approves_the_content_then_completes_it_with_htmx(personas):
    collab = CollaborationFactory(
        campaign=CampaignFactory(organization=personas.tenant), status="content_submitted"
    )
    ContentSubmissionFactory(collaboration=collab)
    client = personas.client(personas.member)
    refused = client.post(transition_url(collab), {"to": "live"}, **HTMX)
    assert "approves the submission" in refused.content.decode() and status_of(collab) != "live"
    approved = client.post(f"/brand/collaborations/{collab.pk}/review/", {"decision": "approve"})
    assert approved.status_code == 302 and status_of(collab) == "live"
    response = client.get(f"/brand/campaigns/{collab.campaign_id}/")
    assert 'value="completed"' in response.content.decode()  # the row now offers the next move
    client.post(transition_url(collab), {"to": "completed"}, **HTMX)
    assert status_of(collab) == "completed"
    assert actions() == ["collaboration.live", "content.approved", "collaboration.completed"]
    event = AuditEvent.objects.unscoped().last()
    assert event.actor_user == personas.member and event.target_id == str(collab.pk)


def test_plain_form_post_redirects_back_to_the_campaign(personas):
    collab = CollaborationFactory(campaign=CampaignFactory(organization=personas.tenant))
    response = personas.client(personas.member).post(transition_url(collab), {"to": "cancelled"})
    assert response.status_code == 302
    assert response["Location"] == f"/brand/campaigns/{collab.campaign_id}/"
    assert status_of(collab) == "cancelled" and actions() == ["collaboration.cancelled"]


@pytest.mark.parametrize(
    "status, to, code, message",
    [
        ("offered", "completed", 400, "cannot become 'completed'"),
        ("live", "cancelled", 400, "cannot become 'cancelled'"),
        ("offered", "accepted", 403, "You cannot mark this collaboration 'accepted'"),
        ("offered", "bogus", 400, "Unknown status"),
    ],
)
def test_a_refused_transition_shows_why_and_changes_nothing(personas, status, to, code, message):
    collab = CollaborationFactory(
        campaign=CampaignFactory(organization=personas.tenant), status=status
    )
    client = personas.client(personas.member)
    htmx = client.post(transition_url(collab), {"to": to}, **HTMX)
    assert htmx.status_code == 200  # htmx swaps only 2xx: the row carries the message
    assert message in unescape(htmx.content.decode()) and "row-error" in htmx.content.decode()
    plain = client.post(transition_url(collab), {"to": to})
    assert plain.status_code == code and message in unescape(plain.content.decode())
    assert status_of(collab) == status and not actions()


def test_viewer_sees_no_buttons_and_cannot_post(personas):
    collab = CollaborationFactory(
        campaign=CampaignFactory(organization=personas.tenant), status="content_submitted"
    )
    viewer = personas.client(personas.viewer)
    page = viewer.get(f"/brand/campaigns/{collab.campaign_id}/")
    assert page.status_code == 200 and 'name="to"' not in page.content.decode()
    assert viewer.post(transition_url(collab), {"to": "live"}, **HTMX).status_code == 403
    assert viewer.post(transition_url(collab), {"to": "live"}).status_code == 403
    assert status_of(collab) == "content_submitted" and not actions()


def test_transition_answers_only_post(personas):
    collab = CollaborationFactory(campaign=CampaignFactory(organization=personas.tenant))
    assert personas.client(personas.member).get(transition_url(collab)).status_code == 405


# --- creator offers inbox ------------------------------------------------------------------


def test_inbox_lists_open_offers_first_with_their_deadline():
    client, creator = creator_client()
    done = CollaborationFactory(creator=creator, status="completed")
    fresh = CollaborationFactory(
        creator=creator, status_changed_at=timezone.now() - datetime.timedelta(days=3)
    )
    CollaborationFactory(status="offered")  # another creator's
    response = client.get("/portal/offers/")
    assert [c.pk for c in response.context["page"]] == [fresh.pk, done.pk]
    body = response.content.decode()
    # The page shows the deadline in the site's time zone (Asia/Shanghai), as the template does.
    assert timezone.localtime(fresh.response_deadline).strftime("%Y-%m-%d") in body
    assert fresh.campaign.organization.name in body


def test_creator_accepts_an_offer_with_htmx_and_it_is_audited():
    client, creator = creator_client()
    collab = CollaborationFactory(creator=creator)
    page = client.get("/portal/offers/").content.decode()
    assert 'value="accepted"' in page and 'value="declined"' in page
    response = client.post(respond_url(collab), {"to": "accepted"}, **HTMX)
    assert response.status_code == 200 and f'id="offer-{collab.pk}"' in response.content.decode()
    assert f'href="/portal/offers/{collab.pk}/content/"' in response.content.decode()
    assert status_of(collab) == "accepted" and actions() == ["collaboration.accepted"]
    event = AuditEvent.objects.unscoped().get()
    assert event.organization_id == collab.organization_id  # the brand sees it in its trail


def test_creator_declines_an_offer_with_a_plain_form():
    client, creator = creator_client()
    collab = CollaborationFactory(creator=creator)
    response = client.post(respond_url(collab), {"to": "declined"})
    assert response.status_code == 302 and response["Location"] == "/portal/offers/"
    assert status_of(collab) == "declined"


def test_a_past_deadline_offer_has_no_buttons_and_cannot_be_answered():
    client, creator = creator_client()
    late = CollaborationFactory(
        creator=creator, response_deadline=timezone.now() - datetime.timedelta(hours=1)
    )
    body = client.get("/portal/offers/").content.decode()
    assert 'name="to"' not in body and "deadline passed" in body
    response = client.post(respond_url(late), {"to": "accepted"}, **HTMX)
    assert "The response deadline has passed." in unescape(response.content.decode())
    assert status_of(late) == "offered"


def test_the_creator_cannot_do_the_brands_moves():
    client, creator = creator_client()
    collab = CollaborationFactory(creator=creator)
    response = client.post(respond_url(collab), {"to": "cancelled"})
    assert response.status_code == 403 and status_of(collab) == "offered"


def test_another_creators_offer_is_404():
    client, _me = creator_client()
    theirs = CollaborationFactory(creator=CreatorFactory(handle="someone-else"))
    assert_outsider_gets_404(
        client,
        respond_url(theirs),
        secrets=[theirs.campaign.name, theirs.product.name],
        method="post",
        data={"to": "accepted"},
    )
    assert theirs.campaign.name not in client.get("/portal/offers/").content.decode()
    assert status_of(theirs) == "offered"


def test_inbox_is_a_fragment_for_htmx_and_a_page_otherwise():
    client, creator = creator_client()
    CollaborationFactory(creator=creator)
    fragment = client.get("/portal/offers/", **HTMX).content.decode()
    assert fragment.lstrip().startswith('<section id="offers">') and "<html" not in fragment
    assert "<html" in client.get("/portal/offers/").content.decode()


def test_brands_have_no_offers_inbox(personas):
    assert personas.client(personas.member).get("/portal/offers/").status_code == 404


# --- bounded queries ----------------------------------------------------------------------


def fill_campaigns(org, n):
    for _ in range(n):
        CollaborationFactory.create_batch(2, campaign=CampaignFactory(organization=org))


def test_campaign_list_queries_do_not_grow_with_rows(personas):
    client = personas.client(personas.member)
    fill_campaigns(personas.tenant, 3)
    small = count_queries(client, "/brand/campaigns/")
    fill_campaigns(personas.tenant, 27)
    assert count_queries(client, "/brand/campaigns/") == small


def test_campaign_detail_queries_do_not_grow_with_rows(personas):
    client = personas.client(personas.member)
    campaign = CampaignFactory(organization=personas.tenant)
    CollaborationFactory.create_batch(3, campaign=campaign)
    small = count_queries(client, f"/brand/campaigns/{campaign.pk}/")
    CollaborationFactory.create_batch(27, campaign=campaign)
    assert count_queries(client, f"/brand/campaigns/{campaign.pk}/") == small


def test_offers_inbox_queries_do_not_grow_with_rows():
    client, creator = creator_client()
    CollaborationFactory.create_batch(3, creator=creator)
    small = count_queries(client, "/portal/offers/")
    CollaborationFactory.create_batch(27, creator=creator)
    assert count_queries(client, "/portal/offers/") == small


def test_only_a_signed_in_creator_may_answer_offers(personas):
    collab = CollaborationFactory(campaign=CampaignFactory(organization=personas.tenant))
    brand_member = personas.client(personas.member)
    assert brand_member.post(respond_url(collab), {"to": "accepted"}).status_code == 404
    signed_out = Client().post(respond_url(collab), {"to": "accepted"})
    assert signed_out.status_code == 302 and signed_out["Location"].startswith("/login/")
    assert status_of(collab) == "offered"
