"""Creator pages: the directory (filters, htmx, pagination), profiles, the portal; who sees what."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from creators.models import Creator
from mcn.services import contract_accept, contract_offer, contract_today
from tenancy.scoping import Actor, acting_as
from tests.factories import (
    AudienceProfileFactory,
    CreatorFactory,
    MembershipFactory,
    MetricSnapshotFactory,
    OrganizationFactory,
    UserFactory,
)
from tests.tenancy_helpers import make_personas
from tests.ui.charts import of_type
from tests.ui.test_charts import render

pytestmark = pytest.mark.django_db

DIRECTORY = "/creators/"
HTMX = {"HTTP_HX_REQUEST": "true"}
# MetricSnapshotFactory's figures as the pages format them.
PUBLIC_FIGURES = ["50,000", "120,000"]  # followers, views
PRIVATE_FIGURES = ["320.50", "8,800.00"]  # tipping revenue, GMV


def listed(response) -> list[str]:
    return [creator.handle for creator in response.context["page"]]


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def org_client(kind: str) -> Client:
    return client_for(MembershipFactory(organization=OrganizationFactory(kind=kind)).user)


def creator_client(creator: Creator) -> Client:
    """The creator's own portal login."""
    creator.user = UserFactory()
    creator.save(update_fields=["user"])
    return client_for(creator.user)


def sign_with_agency(creator: Creator):
    """An agency offers a contract starting today and the creator accepts it, through the mcn
    services, which keep Creator.agency."""
    membership = MembershipFactory(organization=OrganizationFactory(kind="agency"))
    org = membership.organization
    actor = Actor(user_id=None, organization_id=org.pk, organization_kind="agency", role="owner")
    with acting_as(actor):
        contract = contract_offer(
            actor=actor, creator_id=creator.pk, start=contract_today(), revenue_share_pct="30"
        )
    itself = Actor(user_id=None, creator_id=creator.pk, role="creator")
    with acting_as(itself):
        contract_accept(actor=itself, contract=contract)
    return org, client_for(membership.user)


@pytest.fixture
def brand(personas):
    return personas.client(personas.member)


# --- directory ------------------------------------------------------------------------------


def test_directory_shows_public_fields_humanised_and_a_total(brand):
    CreatorFactory(handle="big", display_name="Big Star", followers=1_250_000, vertical="food")
    CreatorFactory(handle="small", followers=950, city_tier="t5")
    body = brand.get(DIRECTORY).content.decode()
    assert "Big Star" in body and "@big" in body and "1.2M" in body and "950" in body
    assert "Food" in body and "Tier 5 and below" in body and "Active" in body
    assert "Matching creators: 2" in body
    assert 'href="/creators/big/"' in body


@pytest.mark.parametrize(
    "query, expected",
    [
        ("vertical=food", ["foodie"]),
        ("followers_min=100000", ["star", "foodie"]),
        ("followers_max=100000", ["mum", "farmer"]),
        ("followers_min=60000&followers_max=600000", ["foodie"]),
        ("city_tier=t1", ["star"]),
        ("interest=new_farmers", ["farmer"]),
        ("interest=young_mothers", ["foodie", "mum"]),
        ("q=farm", ["farmer"]),
        ("q=Mum", ["mum"]),
        ("vertical=beauty&city_tier=t4", ["mum"]),
    ],
)
def test_directory_filters_narrow_the_list(brand, query, expected):
    farming = {"new_farmers": 0.7, "foodies": 0.3}
    mothers = {"young_mothers": 0.5, "beauty": 0.5}
    CreatorFactory(handle="star", followers=2_000_000, city_tier="t1")
    AudienceProfileFactory(
        creator=CreatorFactory(handle="foodie", vertical="food", followers=500_000),
        interests={"young_mothers": 0.2, "foodies": 0.8},
    )
    AudienceProfileFactory(
        creator=CreatorFactory(handle="mum", display_name="Mum Tips", city_tier="t4"),
        interests=mothers,
    )
    AudienceProfileFactory(
        creator=CreatorFactory(handle="farmer", vertical="agriculture", followers=30_000),
        interests=farming,
    )
    response = brand.get(f"{DIRECTORY}?{query}")
    assert response.status_code == 200
    assert listed(response) == expected  # ordered by followers, largest first


def test_an_interest_below_the_threshold_does_not_count(brand):
    AudienceProfileFactory(
        creator=CreatorFactory(handle="some-tech"),
        interests={"tech": 0.14, "gamers": 0.86},
    )
    response = brand.get(f"{DIRECTORY}?interest=tech")
    assert listed(response) == []
    assert "No creators match these filters." in response.content.decode()


def test_an_htmx_request_gets_only_the_results_partial(brand):
    CreatorFactory(handle="only-one", vertical="travel")
    CreatorFactory(handle="other")
    response = brand.get(f"{DIRECTORY}?vertical=travel", **HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body and "<form" not in body
    assert "@only-one" in body and "@other" not in body and "Matching creators: 1" in body
    assert "HX-Request" in response["Vary"]
    full = brand.get(f"{DIRECTORY}?vertical=travel").content.decode()
    assert "<html" in full and 'hx-get="/creators/"' in full and 'hx-push-url="true"' in full


def test_a_history_restore_gets_the_whole_page(brand):
    response = brand.get(DIRECTORY, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert "<html" in response.content.decode()


def test_pagination_keeps_the_filters_and_works_with_htmx(brand):
    CreatorFactory.create_batch(30, vertical="gaming")
    CreatorFactory.create_batch(3, vertical="food")
    first = brand.get(f"{DIRECTORY}?vertical=gaming")
    body = first.content.decode()
    assert len(listed(first)) == 25 and "Matching creators: 30" in body and "Page 1 of 2" in body
    assert 'href="/creators/?vertical=gaming&amp;page=2"' in body
    assert 'hx-boost="true"' in body and 'hx-target="#directory-results"' in body
    second = brand.get(f"{DIRECTORY}?vertical=gaming&page=2", **HTMX)
    assert len(listed(second)) == 5 and "<html" not in second.content.decode()
    assert (
        Creator.objects.unscoped().filter(handle__in=listed(second), vertical="gaming").count() == 5
    )
    assert 'href="/creators/?vertical=gaming&amp;page=1"' in second.content.decode()


@pytest.mark.parametrize(
    "query, message",
    [
        ("followers_min=abc", "Followers from: Enter a whole number."),
        ("followers_max=-5", "Followers up to: Ensure this value is greater than or equal to 0."),
        ("followers_min=500&followers_max=10", "Must be at least the minimum followers."),
        ("interest=knitting", "Select a valid choice."),
        ("vertical=nonsense", "Select a valid choice."),
    ],
)
def test_bad_filter_input_is_a_form_error_not_a_500(brand, query, message):
    CreatorFactory.create_batch(3)
    before = list(Creator.objects.unscoped().values_list("handle", "followers"))
    for extra in ({}, HTMX):
        response = brand.get(f"{DIRECTORY}?{query}", **extra)
        body = response.content.decode()
        assert response.status_code == 200
        assert "Some filters could not be applied:" in body and message in body
        assert len(listed(response)) == 3  # the broken filter is ignored, not half-applied
    assert list(Creator.objects.unscoped().values_list("handle", "followers")) == before


def test_the_directory_is_for_tenants_not_portal_creators():
    creator = CreatorFactory()
    assert creator_client(creator).get(DIRECTORY).status_code == 404
    for kind in ["brand", "agency", "operator", "partner"]:
        assert org_client(kind).get(DIRECTORY).status_code == 200, kind


def test_signed_out_visitors_are_sent_to_sign_in():
    CreatorFactory(handle="someone")
    for path in [DIRECTORY, "/creators/someone/", "/portal/"]:
        response = Client().get(path)
        assert response.status_code == 302 and response["Location"].startswith("/login/"), path


def test_the_directory_runs_the_same_number_of_queries_for_5_or_40_creators(brand):
    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert brand.get(f"{DIRECTORY}?vertical=beauty&followers_min=1").status_code == 200
        return len(queries)

    for index in range(5):
        AudienceProfileFactory(creator=CreatorFactory(followers=1000 + index))
    five = count_queries()
    for index in range(35):
        AudienceProfileFactory(creator=CreatorFactory(followers=2000 + index))
    forty = count_queries()
    assert five == forty, f"5 creators: {five} queries, 40 creators: {forty}"
    # Three are the brand's navigation badges (open offers, refunds to decide, complaint-rate
    # alerts), one query each whatever the page.
    assert forty <= 11


# --- profile page ---------------------------------------------------------------------------


def test_the_profile_shows_public_fields_and_audience_numbers(brand):
    creator = CreatorFactory(handle="mia", display_name="Mia Cooks", followers=50_000)
    AudienceProfileFactory(creator=creator)
    body = brand.get("/creators/mia/").content.decode()
    assert "Mia Cooks" in body and "50K" in body and "Beauty" in body
    for label, share in [("Female", "60.0%"), ("Male", "40.0%"), ("25–30", "40.0%")]:
        assert f"<td>{label}</td><td>{share}</td>" in body  # the numbers behind the chart
    assert "<td>Young mothers</td><td>50.0%</td>" in body
    assert "<td>Gamers</td>" not in body  # interests the audience does not have are left out
    assert len(of_type(body, "bar")) == 4  # gender, age, city tier, interests
    assert body.count("<details") >= 4


def test_audience_labels_follow_the_active_language(personas, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    AudienceProfileFactory(creator=CreatorFactory(handle="zh-labels"))
    client = personas.client(personas.member)
    body = client.get("/creators/zh-labels/").content.decode()
    assert "<td>女性</td><td>60.0%</td>" in body and "<td>宝妈</td>" in body and "美妆" in body
    directory = client.get(DIRECTORY).content.decode()
    assert '<option value="agriculture">三农</option>' in directory
    assert "<td>三线城市</td>" in directory


def test_a_creator_without_audience_or_figures_shows_empty_states(brand):
    CreatorFactory(handle="newbie")
    body = brand.get("/creators/newbie/").content.decode()
    assert "No audience portrait yet." in body and "No weekly figures yet." in body


def test_an_unknown_handle_is_404(brand):
    assert brand.get("/creators/nobody-here/").status_code == 404


def test_the_trend_covers_the_last_26_snapshots(brand):
    creator = CreatorFactory(handle="steady")
    start = datetime.date(2023, 1, 1)
    for week in range(30):
        MetricSnapshotFactory(
            creator=creator, date=start + datetime.timedelta(weeks=week), followers=1000 + week
        )
    body = brand.get("/creators/steady/").content.decode()
    assert "2023-01-22" not in body and "2023-01-29" in body  # weeks 4..29 of 0..29
    lines = of_type(body, "scatter")
    assert len(lines) == 2  # followers and views for a brand
    followers = lines[0]["data"][0]["y"]
    assert (min(followers), max(followers), len(followers)) == (1004, 1029, 26)


def _creator_with_figures(handle: str) -> Creator:
    creator = CreatorFactory(handle=handle)
    MetricSnapshotFactory.create_batch(3, creator=creator)
    return creator


def test_income_is_hidden_from_a_brand(brand):
    _creator_with_figures("earner")
    body = brand.get("/creators/earner/").content.decode()
    for figure in PUBLIC_FIGURES:
        assert figure in body
    for figure in PRIVATE_FIGURES + ["Tipping revenue", "GMV"]:
        assert figure not in body
    assert "Income figures are shown only to the creator" in body


def test_income_is_shown_to_the_agency_the_operator_and_the_creator():
    creator = _creator_with_figures("earner")
    _org, agency = sign_with_agency(creator)
    other_agency = org_client("agency")
    viewers = {
        "agency": agency,
        "operator": org_client("operator"),
        "creator": creator_client(creator),
    }
    for who, client in viewers.items():
        body = client.get("/creators/earner/").content.decode()
        for figure in PUBLIC_FIGURES + PRIVATE_FIGURES + ["Tipping revenue", "GMV", "Orders"]:
            assert figure in body, f"{who} does not see {figure}"
        assert len(of_type(body, "scatter")) == 5, who
    body = other_agency.get("/creators/earner/").content.decode()
    assert not any(figure in body for figure in PRIVATE_FIGURES)


def test_a_portal_creator_sees_its_own_profile_but_no_one_elses():
    mine, theirs = CreatorFactory(handle="mine"), _creator_with_figures("theirs")
    client = creator_client(mine)
    assert client.get("/creators/mine/").status_code == 200
    response = client.get("/creators/theirs/")
    assert response.status_code == 404 and "320.50" not in response.content.decode()
    assert theirs.handle  # exists: the 404 is about who asks


def test_the_profile_page_runs_a_bounded_number_of_queries(brand):
    creator = CreatorFactory(handle="counted")
    AudienceProfileFactory(creator=creator)

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert brand.get("/creators/counted/").status_code == 200
        return len(queries)

    MetricSnapshotFactory.create_batch(2, creator=creator)
    few = count_queries()
    MetricSnapshotFactory.create_batch(30, creator=creator)
    assert count_queries() == few <= 10


# --- portal ---------------------------------------------------------------------------------


def test_the_portal_shows_the_creators_own_data_and_nobody_elses():
    mine = _creator_with_figures("mine")
    MetricSnapshotFactory(creator=mine, date=datetime.date(2024, 6, 3), gmv=Decimal("1234.56"))
    AudienceProfileFactory(creator=mine)
    agency, _client = sign_with_agency(mine)
    other = CreatorFactory(handle="someone-else", display_name="Someone Else")
    MetricSnapshotFactory(creator=other, gmv=Decimal("999999.99"))
    body = creator_client(mine).get("/portal/").content.decode()
    assert 'data-home="creator"' in body and "@mine" in body and agency.name in body
    assert "1,234.56" in body and "320.50" in body and "<td>Female</td><td>60.0%</td>" in body
    assert "Likes" in body and "Live minutes" in body  # all metrics in the portal table
    assert "Someone Else" not in body and "999,999.99" not in body
    assert 'hx-get="/portal/offers/"' in body and 'href="/portal/offers/"' in body


def test_an_independent_creator_is_shown_as_such_in_the_portal():
    body = creator_client(CreatorFactory()).get("/portal/").content.decode()
    assert "Independent" in body and "No weekly figures yet." in body


def test_the_portal_is_for_creators_only():
    make_personas("brand")
    assert org_client("brand").get("/portal/").status_code == 404


@pytest.mark.parametrize(
    "value, lang, expected",
    [
        (950, "en", "950"),
        (12_345, "en", "12.3K"),
        (1_250_000, "en", "1.2M"),
        (50_000, "zh-hans", "5万"),
        (123_456_789, "zh-hans", "1.2亿"),
    ],
)
def test_compact_numbers(value, lang, expected):
    with translation.override(lang):
        assert render("{{ n|compact }}", n=value) == expected
