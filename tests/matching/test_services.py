"""Index builds (claimed once, written whole, failures keep the index in force, refresh only on
change, audited) and the selectors over them: the owner's product only, a suspended creator
never shown, filters honoured on the current rows, diversity, lookalikes, creators' products."""

import io
from datetime import timedelta
from decimal import Decimal

import numpy as np
import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.http import Http404
from django.utils import timezone

from creators.models import Creator
from matching import engine, index, services
from matching.models import IndexBuild
from matching.selectors import (
    creator_for_products,
    creators_for_product,
    lookalikes,
    product_for_matching,
    products_for_creator,
)
from tenancy.models import AuditEvent
from tenancy.scoping import SYSTEM, Actor, acting_as
from tests.factories import (
    AudienceProfileFactory,
    CampaignFactory,
    CollaborationFactory,
    CreatorFactory,
    OrderFactory,
    OrganizationFactory,
    ProductFactory,
)

pytestmark = pytest.mark.django_db
VERTICALS = ["beauty", "food", "apparel", "gaming"]
TIERS = ["t1", "t2", "t3", "t4", "t5"]


def org_actor(org, role="owner"):
    return Actor(user_id=None, organization_id=org.pk, organization_kind=org.kind, role=role)


def creator_actor(creator):
    return Actor(user_id=None, creator_id=creator.pk, role="creator")


def audience(rng):
    portrait = {}
    for axis, keys in engine.AXIS_KEYS.items():
        shares = np.round(rng.dirichlet(np.ones(len(keys))), 4)
        shares[-1] = round(1 - shares[:-1].sum(), 4)
        portrait[axis] = {k: float(v) for k, v in zip(keys, shares, strict=True) if v > 0}
        if min(portrait[axis].values()) < 0:  # rounding pushed the last below zero: redo
            return audience(rng)
    return portrait


@pytest.fixture
def market():
    """Two brands, one product each (campaign active), 40 creators with portraits, 2 agencies."""
    rng = np.random.default_rng(0)
    brand, other = OrganizationFactory(kind="brand"), OrganizationFactory(kind="brand")
    agencies = [OrganizationFactory(kind="agency") for _ in range(2)]
    product = ProductFactory(organization=brand, category="beauty")
    foreign = ProductFactory(organization=other, category="food")
    campaign = CampaignFactory(organization=brand, mode="creator_distribution")
    creators = []
    for i in range(40):
        creator = CreatorFactory(
            vertical=VERTICALS[i % 4],
            city_tier=TIERS[i % 5],
            followers=10_000 * (i + 1),
            agency=agencies[i % 3] if i % 3 < 2 else None,
        )
        AudienceProfileFactory(creator=creator, **audience(rng))
        creators.append(creator)
    return {
        "brand": brand,
        "other": other,
        "product": product,
        "foreign": foreign,
        "campaign": campaign,
        "creators": creators,
        "agencies": agencies,
    }


def past_deals(market, count, *, seed):
    """``count`` completed collaborations, one a day, with 0-3 orders each."""
    rng = np.random.default_rng(seed)
    creators = market["creators"]
    for i in range(count):
        deal = CollaborationFactory(
            campaign=market["campaign"],
            product=market["product"],
            creator=creators[i % len(creators)],
            status="completed",
            offered_at=timezone.now() - timedelta(days=count + 30 - i),
        )
        for _ in range(int(rng.integers(0, 4))):
            OrderFactory(collaboration=deal, amount=Decimal("99.00"))


def build():
    with acting_as(SYSTEM):
        return services.match_index_build(actor=SYSTEM)


def ranked(actor, product, filters=None, limit=20):
    filters = filters or engine.Filters()
    with acting_as(actor):
        return creators_for_product(actor=actor, product=product, filters=filters, limit=limit)


def test_a_build_writes_a_version_the_selectors_read(market, settings):
    out = io.StringIO()
    call_command("build_match_index", stdout=out)
    build_row = IndexBuild.objects.unscoped().get()
    assert build_row.status == "succeeded" and build_row.creators == 40
    assert f"match index v{build_row.pk}: 40 creators" in out.getvalue()
    assert "no conversion model" in out.getvalue()  # no collaborations yet: fit alone
    assert (index.version_dir(settings.MATCH_INDEX_DIR, build_row.pk) / "vectors.npy").is_file()
    assert AuditEvent.objects.unscoped().filter(action="matching.index_build_created").exists()
    result = ranked(org_actor(market["brand"]), market["product"])
    assert result.index_version == build_row.pk and len(result.results) == 20
    shown = [round(m.score, 2) for m in result.results]  # ties as shown go to brand priority
    assert shown == sorted(shown, reverse=True)
    for match in result.results:
        assert sum(r.contribution for r in match.reasons) == pytest.approx(match.score)
        assert match.expected_gmv is None  # no model, no sales range


def test_without_an_index_the_answer_is_empty_not_an_error(market):
    result = ranked(org_actor(market["brand"]), market["product"])
    assert result.results == [] and result.index_version is None


def test_another_brands_product_is_not_found(market):
    actor = org_actor(market["brand"])
    with acting_as(actor):
        assert product_for_matching(actor=actor, product_id=market["product"].pk)
        with pytest.raises(Http404):
            product_for_matching(actor=actor, product_id=market["foreign"].pk)
        with pytest.raises(Http404):
            product_for_matching(actor=actor, product_id=10**9)


def test_a_creator_suspended_after_the_build_never_appears(market):
    build()
    actor = org_actor(market["brand"])
    shown = [m.subject.pk for m in ranked(actor, market["product"], limit=40).results]
    victim = shown[0]
    Creator.objects.unscoped().filter(pk=victim).update(status="suspended")
    again = [m.subject.pk for m in ranked(actor, market["product"], limit=40).results]
    assert victim not in again and again
    with acting_as(actor):
        near = lookalikes(actor=actor, creator=market["creators"][1], limit=40)
    assert victim not in [entry.creator.pk for entry in near]


def test_filters_are_honoured_on_the_current_rows(market):
    build()
    actor = org_actor(market["brand"])
    # A follower count changed after the build: the live row decides.
    moved = market["creators"][5]
    Creator.objects.unscoped().filter(pk=moved.pk).update(followers=5)
    chosen = engine.Filters(min_followers=50_000, max_followers=300_000, city_tier=2)
    results = ranked(actor, market["product"], chosen, limit=40).results
    assert results
    for match in results:
        assert 50_000 <= match.subject.followers <= 300_000
        assert match.subject.city_tier == "t3"
    assert moved.pk not in [m.subject.pk for m in ranked(actor, market["product"], chosen).results]
    food = engine.Filters(vertical=engine.VERTICALS.index("food"))
    by_vertical = ranked(actor, market["product"], food, limit=40).results
    assert len(by_vertical) == 10 and {m.subject.vertical for m in by_vertical} == {"food"}


def test_no_agency_holds_more_than_its_share_of_the_top_k(market, settings):
    build()
    settings.MATCH_MAX_AGENCY_SHARE = 0.2
    results = ranked(org_actor(market["brand"]), market["product"], limit=10).results
    agencies = [m.subject.agency_id for m in results if m.subject.agency_id]
    assert all(agencies.count(a) <= 2 for a in set(agencies))
    assert len(results) <= 10


def test_a_failed_build_keeps_the_index_in_force(market, monkeypatch):
    first = build()

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services.features, "indexed_creators", broken)
    with acting_as(SYSTEM), pytest.raises(RuntimeError):
        services.match_index_build(actor=SYSTEM)
    failed = IndexBuild.objects.unscoped().order_by("-pk").first()
    assert failed.status == "failed" and "database went away" in failed.error
    assert services.index_in_force().pk == first.pk


def test_a_build_is_claimed_once(market):
    done = build()
    with acting_as(SYSTEM):
        again = services.index_build_execute(actor=SYSTEM, build_id=done.pk)
    assert again.status == "succeeded" and again.claims == 1
    stale = IndexBuild.objects.unscoped().create(status="running", claims=1)
    IndexBuild.objects.unscoped().filter(pk=stale.pk).update(
        heartbeat_at=timezone.now() - services.BUILD_LEASE - timedelta(minutes=1)
    )
    with acting_as(SYSTEM):
        taken = services.index_build_execute(actor=SYSTEM, build_id=stale.pk)
    assert taken.status == "succeeded" and taken.claims == 2


def test_only_the_operator_builds(market):
    brand = org_actor(market["brand"])
    with acting_as(brand), pytest.raises(PermissionDenied):
        services.index_build_create(actor=brand)
    assert not IndexBuild.objects.unscoped().exists()


def test_refresh_builds_only_when_the_inputs_changed(
    market, settings, django_capture_on_commit_callbacks
):
    with acting_as(SYSTEM):
        first = services.match_index_refresh(actor=SYSTEM)
        assert first is not None
        assert services.match_index_refresh(actor=SYSTEM) is None
        # A new portrait (counted: under a frozen clock an edit keeps its updated_at).
        AudienceProfileFactory(creator=CreatorFactory())
        second = services.match_index_refresh(actor=SYSTEM)
    assert second is not None and second != first
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):  # old versions go after commit
            build()
    kept = sorted(int(p.name[1:]) for p in settings.MATCH_INDEX_DIR.iterdir())
    assert len(kept) == services.KEEP_VERSIONS and first not in kept


def test_a_model_is_trained_once_there_is_history(market):
    past_deals(market, engine.MIN_TRAINING_PAIRS + 10, seed=1)
    made = build()
    assert made.has_model and made.training_pairs == engine.MIN_TRAINING_PAIRS + 10
    results = ranked(org_actor(market["brand"]), market["product"]).results
    assert all(m.expected_gmv is not None for m in results)
    assert all(m.fit["conversion"] >= 0 for m in results)


def test_a_creator_sees_the_products_that_fit_and_others_do_not(market):
    build()
    creator = market["creators"][0]
    me = creator_actor(creator)
    with acting_as(me):
        mine = creator_for_products(actor=me, handle=creator.handle)
        fits = products_for_creator(actor=me, creator=mine).results
        with pytest.raises(Http404):
            creator_for_products(actor=me, handle=market["creators"][1].handle)
    # Only the brand with an active creator-distribution campaign places its product.
    assert [m.subject.pk for m in fits] == [market["product"].pk]
    assert sum(r.contribution for r in fits[0].reasons) == pytest.approx(fits[0].score)
    brand = org_actor(market["brand"])
    with acting_as(brand), pytest.raises(Http404):
        creator_for_products(actor=brand, handle=creator.handle)
    agency = org_actor(market["agencies"][0])
    with acting_as(agency):
        assert creator_for_products(actor=agency, handle=creator.handle).pk == creator.pk


def test_evaluate_matcher_prints_one_line_per_ranking(market):
    past_deals(market, 60, seed=2)
    out = io.StringIO()
    call_command("evaluate_matcher", stdout=out)
    lines = out.getvalue().splitlines()
    assert [line.split()[0] for line in lines[:3]] == ["matcher", "followers", "random"]
    assert all("ndcg@20" in line and "precision@20" in line for line in lines[:3])
    assert "fit alone" in lines[3]


def test_evaluate_matcher_refuses_bad_input():
    err = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("evaluate_matcher", test_share=1.5, stderr=err)
    assert exit_.value.code == 2 and "between 0 and 1" in err.getvalue()
    with pytest.raises(SystemExit) as exit_:
        call_command("evaluate_matcher", stderr=err)
    assert exit_.value.code == 1 and "too few" in err.getvalue()
