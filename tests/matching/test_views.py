"""The selection centre's pages: tenancy, roles, filters through htmx, errors, empty states."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from matching.services import match_index_build
from tenancy.scoping import SYSTEM, acting_as
from tests.factories import (
    AudienceProfileFactory,
    CampaignFactory,
    CreatorFactory,
    MembershipFactory,
    ProductFactory,
    UserFactory,
)
from tests.tenancy_helpers import make_personas

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def build_index():
    with acting_as(SYSTEM):
        return match_index_build(actor=SYSTEM)


@pytest.fixture
def world():
    personas = make_personas("brand")
    product = ProductFactory(organization=personas.tenant, name="Glow serum")
    for n, (tier, followers) in enumerate([("t1", 10_000), ("t3", 80_000), ("t3", 300_000)]):
        AudienceProfileFactory(
            creator__handle=f"fan-{n}", creator__city_tier=tier, creator__followers=followers
        )
    return personas, product


def url(product) -> str:
    return f"/brand/selection/products/{product.pk}/"


def handles(response) -> list[str]:
    return [row["creator"].handle for row in response.context["results"]]


def test_member_sees_ranked_creators_with_reasons_and_invite(world):
    personas, product = world
    build = build_index()
    response = personas.client(personas.member).get(url(product))
    assert response.status_code == 200
    assert sorted(handles(response)) == ["fan-0", "fan-1", "fan-2"]
    body = response.content.decode()
    assert f"index version {build.pk}" in body
    assert 'data-kind="audience_' in body and "Fans&#x27; " in body
    row = response.context["results"][0]
    score = row["match"].score
    assert f"{score:.2f}" in body
    assert sum(r.contribution for r in row["reasons"]) == pytest.approx(score)
    assert f"/brand/offers/new/?creator={row['creator'].pk}" in body
    assert "Not enough history" in body  # no past collaborations: no conversion model
    assert 'class="plot"' in body  # fans vs target chart, with its numbers
    assert "Show the numbers" in body


def test_outsider_gets_404_for_another_brands_product(world):
    personas, product = world
    build_index()
    outsider = personas.client(personas.outsider)
    assert outsider.get(url(product)).status_code == 404
    assert outsider.get(url(product), **HTMX).status_code == 404
    assert outsider.get("/brand/selection/products/999999/").status_code == 404
    assert "Glow serum" not in outsider.get("/brand/selection/").content.decode()


def test_viewer_sees_the_list_without_invite(world):
    personas, product = world
    build_index()
    response = personas.client(personas.viewer).get(url(product))
    assert response.status_code == 200 and len(handles(response)) == 3
    assert "/brand/offers/new/" not in response.content.decode()


def test_filters_through_htmx_partial_are_honoured(world):
    personas, product = world
    build_index()
    client = personas.client(personas.member)
    response = client.get(url(product), {"city_tier": "t3", "min_followers": 100_000}, **HTMX)
    assert response.status_code == 200
    assert handles(response) == ["fan-2"]
    assert "<html" not in response.content.decode()  # the partial only
    assert "HX-Request" in response["Vary"]
    assert handles(client.get(url(product), {"limit": 1}, **HTMX)) != []
    assert len(handles(client.get(url(product), {"limit": 1}, **HTMX))) == 1


def test_campaign_filter_carries_into_the_invite(world):
    personas, product = world
    campaign = CampaignFactory(organization=personas.tenant, status="active")
    build_index()
    response = personas.client(personas.member).get(url(product), {"campaign": campaign.pk})
    assert response.status_code == 200
    assert f"&amp;campaign={campaign.pk}" in response.content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"min_followers": "many"},
        {"min_followers": 10, "max_followers": 5},
        {"city_tier": "t9"},
        {"limit": 0},
        {"campaign": 999999},
    ],
)
def test_bad_filter_answers_400_with_the_errors(world, params):
    personas, product = world
    build_index()
    client = personas.client(personas.member)
    for extra in ({}, HTMX):
        response = client.get(url(product), params, **extra)
        assert response.status_code == 400
        assert "data-errors" in response.content.decode()


def test_another_brands_campaign_is_a_bad_filter(world):
    personas, product = world
    theirs = CampaignFactory(organization=personas.other_tenant, status="active")
    build_index()
    response = personas.client(personas.member).get(url(product), {"campaign": theirs.pk})
    assert response.status_code == 400


def test_empty_states(world):
    personas, product = world
    client = personas.client(personas.member)
    assert 'data-empty="no-index"' in client.get(url(product)).content.decode()
    assert 'data-empty="no-index"' in client.get("/brand/selection/").content.decode()
    build_index()
    response = client.get(url(product), {"min_followers": 10**9})
    assert 'data-empty="no-results"' in response.content.decode()
    stranger = make_personas("brand")
    body = stranger.client(stranger.member).get("/brand/selection/").content.decode()
    assert 'data-empty="no-product"' in body


def test_landing_lists_own_products_and_the_target_form(world):
    personas, product = world
    body = personas.client(personas.member).get("/brand/selection/").content.decode()
    assert f'href="{url(product)}"' in body
    assert 'action="/brand/selection/target/"' in body


def test_described_target_is_ranked(world):
    personas, _product = world
    build_index()
    client = personas.client(personas.member)
    params = {"category": "beauty", "gender": "female", "age": "25_30", "target_city_tier": "t3"}
    response = client.get("/brand/selection/target/", params)
    assert response.status_code == 200
    assert sorted(handles(response)) == ["fan-0", "fan-1", "fan-2"]
    response = client.get("/brand/selection/target/", {**params, "city_tier": "t1"}, **HTMX)
    assert handles(response) == ["fan-0"]
    assert client.get("/brand/selection/target/", {"age": "teen"}).status_code == 400


def test_query_count_is_bounded(world):
    personas, product = world
    build_index()
    client = personas.client(personas.member)
    client.get(url(product))

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url(product)).status_code == 200
        return len(queries)

    few = count()
    for n in range(8):
        AudienceProfileFactory(creator__handle=f"more-{n}")
    build_index()
    assert count() <= few
    assert few < 25


def test_suspended_creator_disappears_at_once(world):
    personas, product = world
    build_index()
    CreatorFactory._meta.model.objects.unscoped().filter(handle="fan-1").update(status="suspended")
    response = personas.client(personas.member).get(url(product))
    assert "fan-1" not in handles(response)


def test_pages_are_for_brands_only(world):
    _personas, product = world
    agency = MembershipFactory(organization__kind="agency").user
    client = Client()
    client.force_login(agency)
    assert client.get("/brand/selection/").status_code == 404
    assert client.get(url(product)).status_code == 404


# --- the creator portal ---------------------------------------------------------------------


def creator_login(creator) -> Client:
    creator.user = UserFactory()
    creator.save(update_fields=["user"])
    client = Client()
    client.force_login(creator.user)
    return client


def test_portal_products_ranked_with_reasons():
    brand = make_personas("brand")
    ProductFactory(organization=brand.tenant, name="Baby wipes")
    CampaignFactory(organization=brand.tenant, status="active", mode="creator_distribution")
    me = AudienceProfileFactory(creator__handle="me").creator
    client = creator_login(me)
    assert 'data-empty="no-index"' in client.get("/portal/products/").content.decode()
    build_index()
    response = client.get("/portal/products/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Baby wipes" in body and 'data-kind="' in body
    row = response.context["results"][0]
    assert sum(r.contribution for r in row["reasons"]) == pytest.approx(row["match"].score)


def test_portal_products_is_for_creators_only(world):
    personas, _product = world
    assert personas.client(personas.member).get("/portal/products/").status_code == 404


def test_portal_without_products_on_offer():
    me = AudienceProfileFactory(creator__handle="me").creator
    client = creator_login(me)
    build_index()
    assert 'data-empty="no-results"' in client.get("/portal/products/").content.decode()


# --- the creator page's lookalikes ------------------------------------------------------------


def test_creator_page_shows_lookalikes(world):
    personas, _product = world
    build_index()
    body = personas.client(personas.member).get("/creators/fan-0/").content.decode()
    assert "Lookalike creators" in body
    assert 'data-creator="fan-1"' in body and 'data-creator="fan-2"' in body
    assert 'data-creator="fan-0"' not in body  # not itself


def test_lookalikes_leave_out_suspended_creators(world):
    personas, _product = world
    build_index()
    CreatorFactory._meta.model.objects.unscoped().filter(handle="fan-2").update(status="suspended")
    body = personas.client(personas.member).get("/creators/fan-0/").content.decode()
    assert 'data-creator="fan-2"' not in body


def test_creator_page_before_the_index_is_built(world):
    personas, _product = world
    body = personas.client(personas.member).get("/creators/fan-0/").content.decode()
    assert "No lookalike creators yet." in body


def test_target_page_without_any_choice_ranks_for_an_open_audience(world):
    personas, _product = world
    build_index()
    response = personas.client(personas.member).get("/brand/selection/target/")
    assert response.status_code == 200 and len(handles(response)) == 3


def test_pages_in_chinese(world):
    personas, product = world
    build_index()
    zh = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
    client = personas.client(personas.member)
    body = client.get(url(product), **zh).content.decode()
    assert "选品中心" in body and "契合度得分" in body and "粉丝" in body
    assert "三线城市" in body  # taxonomy choices and labels in Chinese
    assert "Fit score" not in body and "Tier 3 city" not in body
    body = client.get("/creators/fan-0/", **zh).content.decode()
    assert "相似创作者" in body
