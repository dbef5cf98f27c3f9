"""The selection centre's API: who may ask, what the answers hold, and that the filters and the
suspensions hold exactly, at a bounded cost (matching/api.py)."""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np
import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from brands.models import Campaign, Collaboration, Product
from creators import taxonomy
from creators.models import AudienceProfile, Creator
from matching import engine, index
from matching.labels import REASON_LABELS
from matching.models import IndexBuild
from matching.services import match_index_build
from tenancy.models import AuditEvent
from tenancy.scoping import SYSTEM, acting_as
from tests.factories import (
    AudienceProfileFactory,
    CampaignFactory,
    CollaborationFactory,
    CreatorFactory,
    MembershipFactory,
    OrganizationFactory,
    ProductFactory,
    UserFactory,
)
from tests.tenancy_helpers import api_key_client

pytestmark = pytest.mark.django_db
VERTICALS = ("beauty", "food", "mother_baby", "apparel")
CREATORS = 40


def _shares(rng, axis: str) -> dict[str, float]:
    keys = taxonomy.keys(axis)
    values = rng.dirichlet(np.full(len(keys), 0.6))
    return {key: float(v) for key, v in zip(keys, values, strict=True)}


def _portrait(rng) -> dict:
    return {axis: _shares(rng, axis) for axis in taxonomy.AUDIENCE_AXES}


class World:
    """A brand with a product and a live campaign, creators with varied audiences (some signed
    to agencies, some with paid collaborations so fees differ), and an index built over them."""

    def __init__(self, *, build: bool = True):
        rng = np.random.default_rng(13)
        self.brand = OrganizationFactory(kind="brand")
        self.product = ProductFactory(organization=self.brand, name="Secret serum")
        self.campaign = CampaignFactory(organization=self.brand, budget=Decimal("50000.00"))
        self.agencies = [OrganizationFactory(kind="agency") for _ in range(3)]
        self.creators = []
        for n in range(CREATORS):
            creator = CreatorFactory(
                followers=int(rng.integers(1_000, 2_000_000)),
                vertical=VERTICALS[n % len(VERTICALS)],
                city_tier=taxonomy.CITY_TIER[int(rng.integers(0, 5))],
                agency=self.agencies[n % 3] if n % 2 else None,
            )
            AudienceProfileFactory(creator=creator, **_portrait(rng))
            self.creators.append(creator)
        for creator in self.creators[:12]:
            fee = Decimal(int(creator.followers // 20 + 100))
            CollaborationFactory(creator=creator, fee=fee)
        self.build = self.rebuild() if build else None

    def rebuild(self) -> IndexBuild:
        with acting_as(SYSTEM):
            return match_index_build(actor=SYSTEM)


@pytest.fixture
def world():
    return World()


def session(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def owner(organization) -> APIClient:
    return session(MembershipFactory(organization=organization, role="owner").user)


def path_of(product) -> str:
    return f"/api/v1/matching/products/{product.pk}/creators/"


def ranked(client, product, **params):
    response = client.get(path_of(product), params)
    assert response.status_code == 200, response.content
    return response.json()


# --- The brand's own product ------------------------------------------------------------------


def test_the_owner_brand_gets_ranked_explained_creators(world):
    body = ranked(owner(world.brand), world.product, limit=10)
    assert body["index_version"] == world.build.pk
    results = body["results"]
    assert len(results) == 10
    shown = [round(r["score"], 2) for r in results]
    assert shown == sorted(shown, reverse=True)  # the tie-break reorders equal shown scores only
    first = results[0]
    assert set(first) == {"creator", "score", "reasons", "expected_gmv"}
    assert set(first["creator"]) == {
        "handle", "display_name", "followers", "vertical", "city_tier", "region",
    }  # fmt: skip
    handles = {c.handle for c in world.creators}
    assert {r["creator"]["handle"] for r in results} <= handles
    assert "agency" not in str(results)


def test_the_reasons_add_up_to_the_score_and_carry_labels(world):
    kinds = {*engine.COMPONENTS, engine.OTHER}
    for result in ranked(owner(world.brand), world.product, limit=20)["results"]:
        reasons = result["reasons"]
        assert 1 <= len(reasons) <= engine.REASONS_SHOWN + 1
        assert math.isclose(sum(r["contribution"] for r in reasons), result["score"], abs_tol=1e-9)
        for reason in reasons:
            assert reason["kind"] in kinds
            assert reason["label"] == str(REASON_LABELS[reason["kind"]])
            assert reason["contribution"] > 0
            if reason["kind"].startswith("audience_"):
                axis = reason["kind"].removeprefix("audience_")
                assert reason["detail"] in taxonomy.keys(axis)
            else:
                assert reason["detail"] is None


def test_labels_follow_the_language(world):
    client = owner(world.brand)
    response = client.get(path_of(world.product), HTTP_ACCEPT_LANGUAGE="zh-hans")
    labels = {r["label"] for result in response.json()["results"] for r in result["reasons"]}
    assert labels and all(any("\u4e00" <= ch <= "\u9fff" for ch in label) for label in labels)


def test_the_expected_gmv_is_a_range_or_null(world):
    for result in ranked(owner(world.brand), world.product)["results"]:
        gmv = result["expected_gmv"]
        assert gmv is None or (set(gmv) == {"low", "high"} and 0 <= gmv["low"] <= gmv["high"])


@pytest.mark.parametrize("who", ["other brand", "partner", "agency", "operator", "creator"])
def test_anyone_but_the_owner_brand_gets_404(world, who):
    if who == "creator":
        client = session(CreatorFactory(user=UserFactory()).user)
    else:
        client = owner(OrganizationFactory(kind=who.removeprefix("other ")))
    response = client.get(path_of(world.product))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert "Secret serum" not in response.content.decode()


def test_an_unknown_product_is_the_same_404(world):
    client = owner(world.brand)
    theirs = ProductFactory()
    missing = client.get("/api/v1/matching/products/987654321/creators/")
    other = client.get(path_of(theirs))
    assert missing.status_code == other.status_code == 404
    assert missing.json() == other.json()


def test_a_read_only_member_may_ask(world):
    viewer = session(MembershipFactory(organization=world.brand, role="viewer").user)
    assert viewer.get(path_of(world.product)).status_code == 200


def test_a_key_needs_matching_read(world):
    _key, without = api_key_client(world.brand, ["creators:read", "campaigns:read"])
    response = without.get(path_of(world.product))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert "matching:read" in response.json()["error"]["message"]
    _key, holder = api_key_client(world.brand, ["matching:read"])
    assert holder.get(path_of(world.product)).json()["results"]
    # Another brand's key with the scope: 404, as for its session.
    _key, other = api_key_client(OrganizationFactory(kind="brand"), ["matching:read"])
    assert other.get(path_of(world.product)).status_code == 404


def test_without_an_index_the_answer_is_empty_and_says_so():
    world = World(build=False)
    body = ranked(owner(world.brand), world.product)
    assert body == {"results": [], "index_version": None}


# --- Suspensions and filters -------------------------------------------------------------------


def test_a_creator_suspended_after_the_build_vanishes_at_once(world):
    client = owner(world.brand)
    before = ranked(client, world.product, limit=10)["results"]
    top = before[0]["creator"]["handle"]
    Creator.objects.unscoped().filter(handle=top).update(status=Creator.Status.SUSPENDED)
    after = ranked(client, world.product, limit=10)
    assert after["index_version"] == world.build.pk  # the same index: no rebuild needed
    assert top not in {r["creator"]["handle"] for r in after["results"]}
    assert len(after["results"]) == 10
    # Nor among the lookalikes, nor after a rebuild.
    other = before[1]["creator"]["handle"]
    alike = owner(world.brand).get(f"/api/v1/creators/{other}/lookalikes/?limit=100").json()
    assert top not in {r["creator"]["handle"] for r in alike["results"]}
    world.rebuild()
    again = ranked(client, world.product, limit=100)["results"]
    assert top not in {r["creator"]["handle"] for r in again}


def test_a_restricted_creator_does_not_appear_either(world):
    client = owner(world.brand)
    top = ranked(client, world.product, limit=5)["results"][0]["creator"]["handle"]
    Creator.objects.unscoped().filter(handle=top).update(status=Creator.Status.RESTRICTED)
    assert top not in {r["creator"]["handle"] for r in ranked(client, world.product)["results"]}


def _rows(results) -> list[Creator]:
    handles = [r["creator"]["handle"] for r in results]
    rows = {c.handle: c for c in Creator.objects.unscoped().filter(handle__in=handles)}
    return [rows[h] for h in handles]


def _interest_share(creator: Creator, interest: str) -> float:
    return AudienceProfile.objects.unscoped().get(creator=creator).interests.get(interest, 0.0)


FILTERS = [
    {"min_followers": 500_000},
    {"max_followers": 400_000},
    {"min_followers": 200_000, "max_followers": 900_000},
    {"city_tier": "t3"},
    {"vertical": "food"},
    {"interest": "foodies"},
    {"interest": "gamers", "min_followers": 300_000},
    {"min_followers": 100_000, "city_tier": "t1", "vertical": "mother_baby"},
]


def _label(filters: dict) -> str:
    return ",".join(f"{k}={v}" for k, v in filters.items())


@pytest.mark.parametrize("filters", FILTERS, ids=_label)
def test_every_result_satisfies_every_filter(world, filters):
    results = ranked(owner(world.brand), world.product, limit=100, **filters)["results"]
    for creator in _rows(results):
        assert creator.status == Creator.Status.ACTIVE
        assert creator.followers >= filters.get("min_followers", 0)
        assert creator.followers <= filters.get("max_followers", 10**12)
        assert creator.city_tier == filters.get("city_tier", creator.city_tier)
        assert creator.vertical == filters.get("vertical", creator.vertical)
        if "interest" in filters:
            assert _interest_share(creator, filters["interest"]) >= engine.INTEREST_MIN_SHARE
    # And nothing that passes is missing (a top-100 of 40 creators: the diversity cap of 30
    # per agency does not bite), so the filter is exact both ways.
    eligible = {c.handle for c in world.creators if _passes(c, filters)}
    assert eligible, "a filter nobody passes would prove nothing"
    assert {r["creator"]["handle"] for r in results} == eligible


def _passes(creator: Creator, filters: dict) -> bool:
    return (
        creator.followers >= filters.get("min_followers", 0)
        and creator.followers <= filters.get("max_followers", 10**12)
        and creator.city_tier == filters.get("city_tier", creator.city_tier)
        and creator.vertical == filters.get("vertical", creator.vertical)
        and (
            "interest" not in filters
            or _interest_share(creator, filters["interest"]) >= engine.INTEREST_MIN_SHARE
        )
    )


def test_a_filter_checks_the_current_row_not_the_index(world):
    """Followers changed after the build: the current figure decides."""
    client = owner(world.brand)
    results = ranked(client, world.product, limit=100, min_followers=500_000)["results"]
    handle = results[0]["creator"]["handle"]
    Creator.objects.unscoped().filter(handle=handle).update(followers=10)
    again = ranked(client, world.product, limit=100, min_followers=500_000)["results"]
    assert handle not in {r["creator"]["handle"] for r in again}


def test_the_campaign_caps_the_likely_fee_at_its_remaining_budget(world):
    client = owner(world.brand)
    creators, _model = index.load(settings.MATCH_INDEX_DIR, world.build.pk)
    fee = dict(zip(creators.ids.tolist(), creators.fee.tolist(), strict=True))
    small = CampaignFactory(organization=world.brand, budget=Decimal("3000.00"))
    results = ranked(client, world.product, limit=100, campaign=small.pk)["results"]
    ids = [c.pk for c in _rows(results)]
    assert ids and all(fee[i] <= 3000 for i in ids)
    everyone = ranked(client, world.product, limit=100)["results"]
    assert len(everyone) > len(results)  # some likely fees are above 3,000


BAD = [
    ({"limit": "0"}, "limit"),
    ({"limit": "101"}, "limit"),
    ({"limit": "ten"}, "limit"),
    ({"min_followers": "-1"}, "min_followers"),
    ({"max_followers": "1.5"}, "max_followers"),
    ({"min_followers": "10", "max_followers": "5"}, "max_followers"),
    ({"city_tier": "t9"}, "city_tier"),
    ({"interest": "knitting"}, "interest"),
    ({"vertical": "beauty-x"}, "vertical"),
    ({"campaign": "abc"}, "campaign"),
    ({"campaign": "987654321"}, "campaign"),
]


def _counts() -> dict:
    models = (IndexBuild, AuditEvent, Creator, Product, Collaboration)
    return {m.__name__: m._base_manager.count() for m in models}


@pytest.mark.parametrize("params,field", BAD, ids=[field for _p, field in BAD])
def test_a_bad_parameter_is_a_400_naming_it_and_changes_nothing(world, params, field):
    client = owner(world.brand)
    before = _counts()
    response = client.get(path_of(world.product), params)
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid" and list(error["fields"]) == [field]
    assert _counts() == before


def test_another_brands_campaign_is_refused_like_a_missing_one(world):
    client = owner(world.brand)
    theirs = CampaignFactory()
    other = client.get(path_of(world.product), {"campaign": theirs.pk})
    missing = client.get(path_of(world.product), {"campaign": 987654321})
    assert other.status_code == missing.status_code == 400
    assert other.json()["error"]["fields"].keys() == missing.json()["error"]["fields"].keys()
    assert str(theirs.pk) not in other.content.decode().replace(str(world.product.pk), "")


def test_bad_parameters_on_another_brands_product_are_still_404(world):
    client = owner(OrganizationFactory(kind="brand"))
    assert client.get(path_of(world.product), {"limit": "0"}).status_code == 404


# --- Cost ----------------------------------------------------------------------------------


def _queries(client, path: str, **params) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path, params).status_code == 200
    return len(queries)


def test_the_query_count_does_not_grow_with_the_results(world):
    client = owner(world.brand)
    client.get(path_of(world.product))  # the session's first use
    few = _queries(client, path_of(world.product), limit=2)
    many = _queries(client, path_of(world.product), limit=40)
    assert few == many <= 10, (few, many)
    handle = world.creators[0].handle
    alike_few = _queries(client, f"/api/v1/creators/{handle}/lookalikes/", limit=2)
    alike_many = _queries(client, f"/api/v1/creators/{handle}/lookalikes/", limit=40)
    assert alike_few == alike_many <= 10, (alike_few, alike_many)


# --- Products for a creator ----------------------------------------------------------------


def offered_products(world) -> list[Product]:
    """Two brands placing products through creators now (and one archived product)."""
    live = CampaignFactory(mode="creator_distribution")
    products = [ProductFactory(organization=live.organization, name=f"Offer {n}") for n in (1, 2)]
    ProductFactory(organization=live.organization, name="Gone", archived_at="2026-01-01T00:00Z")
    return products


def products_path(creator) -> str:
    return f"/api/v1/matching/creators/{creator.handle}/products/"


def test_products_for_a_creator_answer_the_creator_its_agency_and_the_operator(world):
    offered = offered_products(world)
    creator = world.creators[1]  # signed to an agency
    user = UserFactory()
    Creator.objects.unscoped().filter(pk=creator.pk).update(user=user)
    callers = {
        "the creator": session(user),
        "its agency": owner(creator.agency),
        "the operator": owner(OrganizationFactory(kind="operator")),
    }
    on_offer = set(
        Product.objects.unscoped()
        .filter(archived_at__isnull=True)
        .filter(organization__in=Campaign.objects.unscoped().values("organization"))
        .values_list("name", flat=True)
    )
    assert {p.name for p in offered} <= on_offer and "Gone" not in on_offer
    for who, client in callers.items():
        response = client.get(products_path(creator), {"limit": 100})
        assert response.status_code == 200, (who, response.content)
        body = response.json()
        assert body["index_version"] == world.build.pk
        shown = [r["product"]["name"] for r in body["results"]]
        assert set(shown) == on_offer, (who, shown)
        for result in body["results"]:
            total = sum(r["contribution"] for r in result["reasons"])
            assert math.isclose(total, result["score"], abs_tol=1e-9)
            assert set(result["product"]) == {
                "id", "name", "category", "price", "brand", "brand_name",
            }  # fmt: skip


@pytest.mark.parametrize("who", ["brand", "partner", "another agency", "another creator"])
def test_products_for_a_creator_are_404_to_everyone_else(world, who):
    offered_products(world)
    creator = world.creators[1]
    if who == "another creator":
        client = session(CreatorFactory(user=UserFactory()).user)
    else:
        client = owner(OrganizationFactory(kind=who.removeprefix("another ")))
    assert client.get(products_path(creator)).status_code == 404
    assert owner(creator.agency).get(products_path(CreatorFactory())).status_code == 404


def test_products_for_a_creator_need_matching_read(world):
    creator = world.creators[1]
    _key, without = api_key_client(creator.agency, ["creators:read"])
    assert without.get(products_path(creator)).status_code == 403
    _key, holder = api_key_client(creator.agency, ["matching:read"])
    assert holder.get(products_path(creator)).status_code == 200
    assert holder.get(products_path(creator), {"limit": "0"}).status_code == 400


# --- Lookalikes ----------------------------------------------------------------------------


def lookalikes_path(creator) -> str:
    return f"/api/v1/creators/{creator.handle}/lookalikes/"


@pytest.mark.parametrize("kind", ["brand", "agency", "partner", "operator"])
def test_lookalikes_answer_every_tenant_with_public_fields(world, kind):
    creator = world.creators[0]
    response = owner(OrganizationFactory(kind=kind)).get(lookalikes_path(creator), {"limit": 5})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["index_version"] == world.build.pk
    results = body["results"]
    assert len(results) == 5
    assert creator.handle not in {r["creator"]["handle"] for r in results}
    similarity = [r["similarity"] for r in results]
    assert similarity == sorted(similarity, reverse=True)
    assert all(set(r["creator"]) == set(results[0]["creator"]) for r in results)
    assert "agency" not in str(results)


def test_lookalikes_are_404_to_a_creator_and_for_an_unknown_handle(world):
    creator = world.creators[0]
    user = UserFactory()
    Creator.objects.unscoped().filter(pk=creator.pk).update(user=user)
    assert session(user).get(lookalikes_path(creator)).status_code == 404
    brand = owner(world.brand)
    assert brand.get("/api/v1/creators/nobody-here/lookalikes/").status_code == 404
    assert brand.get(lookalikes_path(creator), {"limit": "x"}).status_code == 400


def test_lookalikes_need_matching_read(world):
    _key, without = api_key_client(world.brand, ["creators:read"])
    assert without.get(lookalikes_path(world.creators[0])).status_code == 403


# --- The schema ----------------------------------------------------------------------------


def test_the_schema_documents_the_three_endpoints():
    schema = APIClient().get("/api/schema/", HTTP_ACCEPT="application/json").json()
    paths = schema["paths"]
    ranked_op = paths["/api/v1/matching/products/{product_id}/creators/"]["get"]
    assert {p["name"] for p in ranked_op["parameters"]} >= {
        "limit", "min_followers", "max_followers", "city_tier", "interest", "vertical", "campaign",
    }  # fmt: skip
    assert "/api/v1/matching/creators/{handle}/products/" in paths
    assert "/api/v1/creators/{handle}/lookalikes/" in paths
