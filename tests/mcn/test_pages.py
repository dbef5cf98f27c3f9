"""The agency's creator roster: list and filters, signing and ending contracts."""

import datetime
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from creators.models import Creator
from mcn.models import Contract
from mcn.services import contract_today
from tenancy.models import AuditEvent
from tests.factories import ContractFactory, CreatorFactory
from tests.tenancy_helpers import assert_outsider_gets_404, make_personas

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
START = datetime.date(2026, 3, 1)


@pytest.fixture
def agency():
    return make_personas("agency")


def sign_up(org, **creator) -> Contract:
    """A contract as the service leaves it: the creator's agency set too."""
    contract = ContractFactory(organization=org, creator=CreatorFactory(**creator))
    Creator.objects.unscoped().filter(pk=contract.creator_id).update(agency=org)
    return contract


def end_url(contract) -> str:
    return f"/agency/contracts/{contract.pk}/end/"


def sign_data(handle, share="30", start=None, **more):
    start = start or contract_today().isoformat()
    data = {"handle": handle, "start": start, "revenue_share_pct": share, "expires_in_days": "14"}
    return {**data, **more}


def offer_to(org, **creator) -> Contract:
    """An open offer, as the service leaves it (the creator's agency not set)."""
    until = timezone.now() + datetime.timedelta(days=14)
    return ContractFactory(
        organization=org,
        creator=CreatorFactory(**creator),
        status="offered",
        offer_expires_at=until,
    )


def withdraw_url(contract) -> str:
    return f"/agency/contracts/{contract.pk}/withdraw/"


def body(response) -> str:
    return unescape(response.content.decode())


def audit_actions() -> list[str]:
    return list(AuditEvent.objects.unscoped().order_by("id").values_list("action", flat=True))


# --- list ---------------------------------------------------------------------------------


def test_roster_lists_active_contracts_with_their_terms(agency):
    contract = sign_up(agency.tenant, handle="mei-makeup", display_name="Mei", followers=1234567)
    ended = ContractFactory(organization=agency.tenant, status="ended", end=START)
    response = agency.client(agency.member).get("/agency/roster/")
    assert [c.pk for c in response.context["page"]] == [contract.pk]
    text = body(response)
    for shown in ["Mei", "@mei-makeup", "Beauty", "1,234,567", "2026-01-01", "30%"]:
        assert shown in text
    assert ended.creator.handle not in text
    assert 'href="/agency/roster/?status=ended"' in text


def test_roster_filters_by_name_vertical_and_status(agency):
    org = agency.tenant
    sign_up(org, handle="tea-farmer", display_name="Old Wang", vertical="agriculture")
    sign_up(org, handle="glow-up", display_name="Lin", vertical="beauty")
    ContractFactory(organization=org, status="ended", end=START, creator__handle="gone-girl")
    client = agency.client(agency.member)

    def handles(query):
        page = client.get(f"/agency/roster/{query}").context["page"]
        return sorted(c.creator.handle for c in page)

    assert handles("") == ["glow-up", "tea-farmer"]
    assert handles("?q=wang") == ["tea-farmer"]
    assert handles("?vertical=beauty") == ["glow-up"]
    assert handles("?status=ended") == ["gone-girl"]


def test_roster_htmx_filter_gets_only_the_table(agency):
    sign_up(agency.tenant, handle="in-the-table")
    response = agency.client(agency.member).get("/agency/roster/?q=table", **HTMX)
    assert response.content.decode().lstrip().startswith('<div id="roster">')
    assert "in-the-table" in body(response) and "<html" not in body(response)


def test_roster_empty_state_and_tier_page_link(agency):
    client = agency.client(agency.member)
    assert "No creators signed yet." in body(client.get("/agency/roster/"))
    tier = body(client.get("/agency/tier/"))
    assert 'data-home="agency"' in tier and 'href="/agency/roster/"' in tier


def test_outsiders_roster_shows_none_of_ours_and_brands_get_404(agency):
    sign_up(agency.tenant, handle="our-secret-star")
    outsider_page = agency.client(agency.outsider).get("/agency/roster/?status=active")
    assert "our-secret-star" not in body(outsider_page)
    brand = make_personas("brand")
    assert brand.client(brand.member).get("/agency/roster/").status_code == 404


# --- offering -----------------------------------------------------------------------------


def test_offering_a_contract_signs_nobody_yet_and_is_audited(agency):
    creator = CreatorFactory(handle="new-face")
    client = agency.client(agency.member)
    data = sign_data("new-face", share="25.5", message="Welcome aboard")
    response = client.post("/agency/roster/", data)
    assert response.status_code == 302 and response["Location"] == "/agency/roster/"
    contract = Contract.objects.unscoped().get(creator=creator)
    assert contract.organization == agency.tenant and contract.revenue_share_pct == 25.5
    assert (contract.status, contract.message) == ("offered", "Welcome aboard")
    creator.refresh_from_db()
    assert creator.agency is None
    assert audit_actions() == ["contract.offered"]
    assert "Offer sent to @new-face" in body(client.get("/agency/roster/"))
    offers = body(client.get("/agency/roster/?status=offered"))
    assert "@new-face" in offers and withdraw_url(contract) in offers and "open until" in offers


def test_offering_to_a_creator_under_contract_is_a_clear_form_error(agency):
    theirs = sign_up(agency.other_tenant, handle="taken")
    response = agency.client(agency.member).post("/agency/roster/", sign_data("taken"))
    assert response.status_code == 200
    errors = response.context["offer_form"].errors
    assert errors["handle"] == ["This creator already has an active contract."]
    assert "This creator already has an active contract." in body(response)
    assert Contract.objects.unscoped().get().pk == theirs.pk
    assert Creator.objects.unscoped().get(handle="taken").agency == agency.other_tenant
    assert not audit_actions()


@pytest.mark.parametrize(
    "data, field, message",
    [
        (sign_data("nobody-here"), "handle", "No creator has this handle."),
        (sign_data("real-one", share="100.5"), "revenue_share_pct", "less than or equal to 100"),
        (sign_data("real-one", share="-1"), "revenue_share_pct", "greater than or equal to 0"),
        (sign_data("real-one", start="someday"), "start", "Enter a valid date."),
        (sign_data("real-one", start="2020-01-01"), "start", "cannot be in the past"),
        (sign_data("real-one", expires_in_days="0"), "expires_in_days", "greater than or equal"),
    ],
)
def test_bad_offer_input_is_a_form_error_and_changes_nothing(agency, data, field, message):
    CreatorFactory(handle="real-one")
    response = agency.client(agency.member).post("/agency/roster/", data)
    assert response.status_code == 200
    assert message in " ".join(response.context["offer_form"].errors[field])
    assert not Contract.objects.unscoped().exists() and not audit_actions()


def test_withdrawing_an_offer_with_htmx_and_without(agency):
    one, two = offer_to(agency.tenant, handle="first-pick"), offer_to(agency.tenant)
    client = agency.client(agency.member)
    response = client.post(withdraw_url(one), **HTMX)
    assert response.status_code == 200 and "Withdrawn" in body(response)
    assert withdraw_url(one) not in body(response)
    again = client.post(withdraw_url(one), **HTMX)
    assert "Only an open offer can be withdrawn" in body(again)
    plain = client.post(withdraw_url(two))
    assert plain.status_code == 302 and plain["Location"] == "/agency/roster/?status=offered"
    assert client.post(withdraw_url(two)).status_code == 400
    assert set(Contract.objects.unscoped().values_list("status", flat=True)) == {"withdrawn"}
    assert audit_actions().count("contract.withdrawn") == 2


def test_another_agency_gets_404_on_withdrawing_our_offer(agency):
    contract = offer_to(agency.tenant, handle="courted", display_name="Courted One")
    assert_outsider_gets_404(
        agency.client(agency.outsider),
        withdraw_url(contract),
        secrets=["courted", "Courted One"],
        method="post",
    )
    contract.refresh_from_db()
    assert contract.status == "offered"


# --- ending -------------------------------------------------------------------------------


def test_ending_a_contract_with_htmx_returns_the_ended_row(agency):
    contract = sign_up(agency.tenant, handle="moving-on")
    client = agency.client(agency.member)
    data = {"end": "2026-06-30", "reason": "Creator went independent"}
    response = client.post(end_url(contract), data, **HTMX)
    text = body(response)
    assert response.status_code == 200 and text.startswith(f'<tr id="contract-{contract.pk}">')
    assert "Ended" in text and "2026-06-30" in text and "Creator went independent" in text
    contract.refresh_from_db()
    assert (contract.status, contract.end) == ("ended", datetime.date(2026, 6, 30))
    assert Creator.objects.unscoped().get(pk=contract.creator_id).agency is None
    assert audit_actions() == ["contract.ended"]


def test_ending_a_contract_with_a_plain_form_redirects(agency):
    contract = sign_up(agency.tenant)
    response = agency.client(agency.member).post(end_url(contract), {"end": "2026-06-30"})
    assert response.status_code == 302 and response["Location"] == "/agency/roster/"
    contract.refresh_from_db()
    assert contract.status == "ended"


@pytest.mark.parametrize(
    "data, message",
    [
        ({"end": "2025-12-31"}, "A contract cannot end before it starts."),
        ({"end": ""}, "This field is required."),
    ],
)
def test_a_refused_end_shows_why_and_changes_nothing(agency, data, message):
    contract = sign_up(agency.tenant)
    client = agency.client(agency.member)
    htmx = client.post(end_url(contract), data, **HTMX)
    assert htmx.status_code == 200 and message in body(htmx) and "row-error" in body(htmx)
    plain = client.post(end_url(contract), data)
    assert plain.status_code == 400 and message in body(plain)
    contract.refresh_from_db()
    assert contract.status == "active" and not audit_actions()


def test_ending_an_ended_contract_is_refused(agency):
    contract = ContractFactory(organization=agency.tenant, status="ended", end=START)
    response = agency.client(agency.member).post(end_url(contract), {"end": "2026-06-30"}, **HTMX)
    assert "This contract has already ended." in body(response)
    contract.refresh_from_db()
    assert contract.end == START


def test_another_agency_gets_404_on_ending_our_contract(agency):
    contract = sign_up(agency.tenant, handle="loyal-star", display_name="Loyal Star")
    assert_outsider_gets_404(
        agency.client(agency.outsider),
        end_url(contract),
        secrets=["loyal-star", "Loyal Star"],
        method="post",
        data={"end": "2026-06-30"},
    )
    contract.refresh_from_db()
    assert contract.status == "active" and not audit_actions()


def test_viewer_sees_no_forms_and_every_post_is_403(agency):
    contract = sign_up(agency.tenant, handle="watched")
    CreatorFactory(handle="unsigned")
    viewer = agency.client(agency.viewer)
    page = body(viewer.get("/agency/roster/"))
    assert "watched" in page and end_url(contract) not in page and 'name="handle"' not in page
    assert "Sign a creator" not in page and "End contract" not in page
    assert viewer.post("/agency/roster/", sign_data("unsigned")).status_code == 403
    assert viewer.post(end_url(contract), {"end": "2026-06-30"}, **HTMX).status_code == 403
    pending = offer_to(agency.tenant)
    assert viewer.post(withdraw_url(pending), **HTMX).status_code == 403
    assert Contract.objects.unscoped().get(pk=pending.pk).status == "offered"
    contract.refresh_from_db()
    assert contract.status == "active" and Contract.objects.unscoped().count() == 2
    assert not audit_actions()


# --- bounded queries ----------------------------------------------------------------------


def count_queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_roster_queries_do_not_grow_with_rows(agency):
    client = agency.client(agency.member)
    for _ in range(3):
        sign_up(agency.tenant)
    small = count_queries(client, "/agency/roster/")
    for _ in range(27):
        sign_up(agency.tenant)
    assert count_queries(client, "/agency/roster/") == small
