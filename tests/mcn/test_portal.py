"""The creator's contract offers in its portal: see them, accept or decline; nobody else can."""

import datetime
from html import unescape

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from creators.models import Creator
from mcn.models import Contract
from mcn.services import contract_today
from tenancy.models import AuditEvent
from tests.factories import ContractFactory, CreatorFactory, OrganizationFactory, UserFactory
from tests.tenancy_helpers import assert_outsider_gets_404, make_personas

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
PAGE = "/portal/contracts/"


def portal_client(creator) -> Client:
    creator.user = UserFactory()
    creator.save(update_fields=["user"])
    client = Client()
    client.force_login(creator.user)
    return client


def an_offer(
    creator, *, agency_name="星火传媒", start=None, expires_in=datetime.timedelta(days=14)
):
    return ContractFactory(
        organization=OrganizationFactory(kind="agency", name=agency_name),
        creator=creator,
        start=start or contract_today(),
        revenue_share_pct="35.00",
        status="offered",
        message="We grow farmers",
        offer_expires_at=timezone.now() + expires_in,
    )


def url(contract, answer) -> str:
    return f"/portal/contracts/{contract.pk}/{answer}/"


def body(response) -> str:
    return unescape(response.content.decode())


def test_the_portal_links_the_contract_offers():
    text = body(portal_client(CreatorFactory()).get("/portal/"))
    assert f'hx-get="{PAGE}"' in text and f'href="{PAGE}"' in text


def test_a_creator_sees_its_own_offers_only():
    mine, other = CreatorFactory(), CreatorFactory()
    an_offer(mine, agency_name="Good MCN")
    an_offer(other, agency_name="Secret MCN")
    client = portal_client(mine)
    text = body(client.get(PAGE))
    assert "Good MCN" in text and "35%" in text and "We grow farmers" in text
    assert "Secret MCN" not in text and "<html" in text
    fragment = body(client.get(PAGE, **HTMX))
    assert fragment.lstrip().startswith('<section id="contracts">')
    assert "<html" not in fragment and "Good MCN" in fragment


def test_accepting_with_htmx_signs_the_creator_and_is_audited():
    creator = CreatorFactory()
    contract = an_offer(creator)
    response = portal_client(creator).post(url(contract, "accept"), **HTMX)
    text = body(response)
    assert response.status_code == 200 and text.startswith(
        f'<tr id="portal-contract-{contract.pk}"'
    )
    assert "Active" in text and url(contract, "accept") not in text
    assert Creator.objects.unscoped().get(pk=creator.pk).agency_id == contract.organization_id
    event = AuditEvent.objects.unscoped().get()
    assert (event.action, event.organization_id) == ("contract.accepted", contract.organization_id)


def test_declining_with_a_plain_form_redirects_and_signs_nobody():
    creator = CreatorFactory()
    contract = an_offer(creator)
    client = portal_client(creator)
    response = client.post(url(contract, "decline"))
    assert response.status_code == 302 and response["Location"] == PAGE
    assert "Offer declined." in body(client.get(PAGE))
    assert Contract.objects.unscoped().get().status == "declined"
    assert Creator.objects.unscoped().get(pk=creator.pk).agency_id is None


def test_a_refused_answer_says_why_and_changes_nothing():
    creator = CreatorFactory()
    first, second = an_offer(creator), an_offer(creator, agency_name="Other MCN")
    client = portal_client(creator)
    client.post(url(first, "accept"))
    htmx = client.post(url(second, "accept"), **HTMX)
    assert htmx.status_code == 200 and "already have an active contract" in body(htmx)
    plain = client.post(url(second, "accept"))
    assert plain.status_code == 400 and "already have an active contract" in body(plain)
    assert Contract.objects.unscoped().get(pk=second.pk).status == "offered"
    assert Creator.objects.unscoped().get(pk=creator.pk).agency_id == first.organization_id


def test_an_expired_offer_has_no_buttons_and_cannot_be_accepted():
    creator = CreatorFactory()
    contract = an_offer(creator, expires_in=-datetime.timedelta(hours=1))
    client = portal_client(creator)
    text = body(client.get(PAGE))
    assert "deadline passed" in text and url(contract, "accept") not in text
    assert client.post(url(contract, "accept")).status_code == 400
    assert Creator.objects.unscoped().get(pk=creator.pk).agency_id is None


def test_another_creator_gets_404_and_agencies_have_no_such_page():
    mine = CreatorFactory()
    contract = an_offer(mine, agency_name="Private Terms MCN")
    intruder = portal_client(CreatorFactory())
    for answer in ("accept", "decline"):
        assert_outsider_gets_404(
            intruder,
            url(contract, answer),
            secrets=["Private Terms MCN", "We grow farmers"],
            method="post",
        )
    agency = make_personas("agency")
    member = agency.client(agency.member)
    assert member.get(PAGE).status_code == 404
    assert member.post(url(contract, "accept")).status_code == 404
    assert Contract.objects.unscoped().get().status == "offered"
    assert not AuditEvent.objects.unscoped().exists()


def test_the_portal_page_queries_do_not_grow_with_offers():
    creator = CreatorFactory()
    client = portal_client(creator)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(PAGE).status_code == 200
        return len(queries)

    an_offer(creator)
    small = count()
    for n in range(5):
        an_offer(creator, agency_name=f"MCN {n}")
    assert count() == small
