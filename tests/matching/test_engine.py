"""The matcher's pure engine: retrieval vectors, fit, scores whose reasons add up, filters
honoured exactly, top-k by argpartition equal to a full sort, the diversity rule, the model."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from creators import taxonomy as tx
from matching import engine

N_VERTICALS = len(engine.VERTICALS)


def portraits(rng, n):
    blocks = [rng.dirichlet(np.ones(len(keys)) * 0.8, n) for keys in engine.AXIS_KEYS.values()]
    return np.hstack(blocks)


def world(seed=0, n=300, agencies=5):
    rng = np.random.default_rng(seed)
    shares = portraits(rng, n)
    vertical = rng.integers(0, N_VERTICALS, n)
    bands = rng.dirichlet(np.ones(len(engine.PRICE_BANDS)), n)
    bands[rng.random(n) < 0.3] = 0  # no sales yet
    conversion = np.where(rng.random(n) < 0.5, rng.random(n), np.nan)
    return engine.Creators(
        ids=np.arange(1, n + 1, dtype=np.int64),
        shares=shares.astype(np.float32),
        vectors=engine.retrieval_vectors(shares, vertical),
        followers=rng.integers(1_000, 2_000_000, n),
        vertical=vertical.astype(np.int8),
        city_tier=rng.integers(0, len(tx.CITY_TIER), n).astype(np.int8),
        agency=rng.integers(0, agencies + 1, n).astype(np.int64),
        active=rng.random(n) > 0.1,
        engagement=rng.random(n).astype(np.float32),
        price_bands=bands.astype(np.float32),
        conversion=conversion.astype(np.float32),
        fee=rng.uniform(100, 50_000, n).astype(np.float32),
    )


def product(seed=1, category=3, price=99.0):
    rng = np.random.default_rng(seed)
    return engine.Product(shares=portraits(rng, 1)[0], category=category, price=price)


def trained_model(creators, seed=0, pairs=400):
    rng = np.random.default_rng(seed)
    rows = rng.integers(0, len(creators), pairs)
    targets = portraits(rng, pairs)
    paired = engine.Pairs(
        creators.take(rows),
        targets,
        rng.integers(0, N_VERTICALS, pairs),
        rng.uniform(10, 900, pairs),
    )
    fit = paired.fit()
    gmv = np.exp(6 * fit.mean(axis=1)) * rng.lognormal(0, 0.2, pairs)
    return engine.train_conversion_model(paired.features(), gmv, seed=seed)


def test_retrieval_rows_are_unit_and_their_dot_is_the_weighted_cosine():
    rng = np.random.default_rng(3)
    shares = portraits(rng, 2)
    vectors = engine.retrieval_vectors(shares, np.array([2, 2]))
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-6)
    assert vectors.dtype == np.float32 and vectors.shape == (2, engine.DIM)
    expected = engine.RETRIEVAL_CATEGORY_WEIGHT
    for axis, weight in engine.AXIS_WEIGHTS.items():
        a, b = shares[0, engine.AXIS_SLICES[axis]], shares[1, engine.AXIS_SLICES[axis]]
        cosine = a @ b / np.linalg.norm(a) / np.linalg.norm(b)
        expected += weight * (1 - engine.RETRIEVAL_CATEGORY_WEIGHT) * cosine
    assert float(vectors[0] @ vectors[1]) == pytest.approx(expected, abs=1e-5)


def test_identical_audiences_fit_fully_and_disjoint_ones_not_at_all():
    rng = np.random.default_rng(4)
    shares = portraits(rng, 1)
    assert np.allclose(engine.audience_fit(shares, shares[0]), 1.0)
    one, other = np.zeros((1, engine.SHARES_DIM)), np.zeros(engine.SHARES_DIM)
    for axis in engine.AUDIENCE_AXES:
        block = engine.AXIS_SLICES[axis]
        one[0, block.start] = 1.0
        other[block.start + 1] = 1.0
    assert np.allclose(engine.audience_fit(one, other), 0.0)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), with_model=st.booleans())
def test_reasons_add_up_to_the_score(seed, with_model):
    creators = world(seed, n=120)
    model = trained_model(creators, seed) if with_model else None
    scored = engine.score_pairs(engine.Pairs.of_product(creators, product(seed + 1)), model)
    assert np.allclose(scored.components.sum(axis=1), scored.score)
    assert (scored.score >= 0).all() and (scored.score <= 1 + 1e-9).all()
    for row in range(len(creators)):
        reasons = engine.reasons_of(scored, row)
        assert sum(r.contribution for r in reasons) == pytest.approx(scored.score[row])
        shown = [r for r in reasons if r.kind != engine.OTHER]
        assert len(shown) <= engine.REASONS_SHOWN
        assert [r.contribution for r in shown] == sorted(
            (r.contribution for r in shown), reverse=True
        )
        others = sorted(scored.components[row], reverse=True)[engine.REASONS_SHOWN :]
        assert all(r.contribution >= max(others, default=0) - 1e-12 for r in shown)


def test_without_a_model_the_conversion_weight_goes_to_fit_and_there_is_no_gmv():
    creators = world(5, n=50)
    scored = engine.score_pairs(engine.Pairs.of_product(creators, product()), None)
    assert (scored.components[:, engine.COMPONENTS.index("conversion")] == 0).all()
    assert np.isnan(scored.gmv).all()
    assert sum(engine.FIT_ONLY_WEIGHTS.values()) == pytest.approx(1.0)
    assert sum(engine.MODEL_WEIGHTS.values()) == pytest.approx(1.0)


def test_thin_history_trains_no_model_and_enough_history_learns_the_link():
    creators = world(6, n=300)
    few = np.zeros((engine.MIN_TRAINING_PAIRS - 1, len(engine.FEATURES)))
    assert engine.train_conversion_model(few, np.ones(len(few))) is None
    model = trained_model(creators, pairs=600)
    assert model is not None and model.r2 > 0.5
    low, high = model.gmv_range(np.array([1.0]), np.array([10_000]))[0]
    assert 0 <= low <= high


filters = st.builds(
    engine.Filters,
    min_followers=st.none() | st.integers(0, 1_000_000),
    max_followers=st.none() | st.integers(500_000, 2_500_000),
    city_tier=st.none() | st.integers(0, len(tx.CITY_TIER) - 1),
    interest=st.none() | st.integers(0, len(tx.INTEREST) - 1),
    vertical=st.none() | st.integers(0, N_VERTICALS - 1),
    max_fee=st.none() | st.floats(100, 60_000),
)


@settings(max_examples=60, deadline=None)
@given(chosen=filters, seed=st.integers(0, 1000), k=st.integers(1, 30))
def test_every_ranked_creator_passes_every_filter(chosen, seed, k):
    creators = world(seed)
    ranked = engine.rank_for_product(creators, product(seed), chosen, None, k)
    rows = ranked.rows
    interests = engine.AXIS_SLICES["interests"].start
    assert creators.active[rows].all()
    if chosen.min_followers is not None:
        assert (creators.followers[rows] >= chosen.min_followers).all()
    if chosen.max_followers is not None:
        assert (creators.followers[rows] <= chosen.max_followers).all()
    if chosen.city_tier is not None:
        assert (creators.city_tier[rows] == chosen.city_tier).all()
    if chosen.vertical is not None:
        assert (creators.vertical[rows] == chosen.vertical).all()
    if chosen.interest is not None:
        shares = creators.shares[rows, interests + chosen.interest]
        assert (shares >= engine.INTEREST_MIN_SHARE).all()
    if chosen.max_fee is not None:
        assert (creators.fee[rows] <= chosen.max_fee).all()
    # Nobody who passes is missing from a shortlist that is not full.
    passing = np.flatnonzero(chosen.mask(creators))
    if len(passing) <= engine.shortlist_size(k):
        assert sorted(rows.tolist()) == passing.tolist()
    assert (np.diff(ranked.scored.score) <= 1e-12).all()


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10_000), k=st.integers(0, 60))
def test_top_rows_equal_a_full_sort(seed, k):
    rng = np.random.default_rng(seed)
    similarity = np.round(rng.random(50), 1)  # many ties
    keep = rng.random(50) > 0.3
    expected = [i for i in np.lexsort((np.arange(50), -similarity)) if keep[i]][:k]
    assert engine.top_rows(similarity, keep, k).tolist() == expected


def test_lookalikes_exclude_the_creator_and_rank_by_similarity():
    creators = world(7)
    rows, similarity = engine.lookalike_rows(creators, 0, 10)
    assert 0 not in rows.tolist() and len(rows) == 10
    assert (np.diff(similarity) <= 1e-7).all()
    assert creators.active[rows].all()
    every = creators.vectors @ creators.vectors[0]
    every[0] = -np.inf
    every[~creators.active] = -np.inf
    assert similarity[0] == pytest.approx(every.max(), abs=1e-6)


@settings(max_examples=80, deadline=None)
@given(
    agencies=st.lists(st.integers(0, 4), min_size=0, max_size=60),
    k=st.integers(1, 20),
    share=st.floats(0.05, 1.0),
)
def test_diversity_caps_each_agency_and_keeps_the_order(agencies, k, share):
    chosen = engine.diversified(np.array(agencies, dtype=np.int64), k, share)
    cap = max(1, int(np.floor(share * k)))
    picked = [agencies[i] for i in chosen]
    assert len(chosen) <= k and chosen.tolist() == sorted(chosen.tolist())
    for agency in set(picked) - {0}:
        assert picked.count(agency) <= cap
    # Greedy: a skipped creator was skipped only because its agency was full.
    for position in set(range(len(agencies))) - set(chosen.tolist()):
        if len(chosen) < k or position < chosen[-1]:
            before = [agencies[i] for i in chosen if i < position]
            assert agencies[position] and before.count(agencies[position]) >= cap


def test_ranking_quality_prefers_the_right_order():
    relevance = np.array([3.0, 2.0, 1.0, 0.0])
    best = engine.ranking_quality([(relevance, -np.arange(4.0))], k=20, relevant_above=0.5)
    worst = engine.ranking_quality([(relevance, np.arange(4.0))], k=20, relevant_above=0.5)
    assert best[0] == pytest.approx(1.0) and worst[0] < best[0]
    assert np.isnan(engine.ranking_quality([(relevance[:1], np.ones(1))], relevant_above=0)[0])


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_the_fit_is_one_minus_scipys_jensen_shannon_distance(seed):
    from scipy.spatial.distance import jensenshannon

    rng = np.random.default_rng(seed)
    creators, target = portraits(rng, 5), portraits(rng, 1)[0]
    fit = engine.audience_fit(creators, target)
    for column, axis in enumerate(engine.AUDIENCE_AXES):
        block = engine.AXIS_SLICES[axis]
        wide = np.broadcast_to(target[block], creators[:, block].shape)
        expected = 1 - jensenshannon(creators[:, block], wide, base=2, axis=1)
        assert np.allclose(fit[:, column], expected, atol=1e-9)
