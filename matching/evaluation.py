"""An honest offline evaluation of the matcher on a time split of past collaborations.

The model is trained on collaborations offered before the split and everything it reads
(price bands, past conversion) stops there; the later collaborations are the test. Per product,
its test collaborations are ranked three ways: by the matcher's score, by follower count, and at
random; each ranking is judged by what the collaborations actually sold per 1k followers
(NDCG@20 with that as the gain; precision@20 counting those above the test set's median as
relevant).

The rankings are per brand: all of a brand's test collaborations, whatever the product, as
a brand choosing its next deals would weigh them. Per product the demo world has about five
test collaborations each, fewer than the 20 the cut-off looks at, so a per-product "@20" would
not test the cut at all (every ranking keeps every pair). Brands with one test collaboration
say nothing about order and are skipped.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from brands.models import Product

from . import engine, features

TEST_SHARE = 0.3
K = 20
RANDOM_DRAWS = 20


@dataclass(frozen=True)
class Line:
    name: str
    ndcg: float
    precision: float


@dataclass(frozen=True)
class Evaluation:
    lines: list[Line]
    train_pairs: int
    test_pairs: int
    groups: int
    model: bool


def evaluate(*, test_share: float = TEST_SHARE, k: int = K, seed: int = 0) -> Evaluation:
    everything = features.history().frame
    if len(everything) < 4:
        return Evaluation([], len(everything), 0, 0, False)
    split = everything["offered_at"].iloc[int(len(everything) * (1 - test_share))]
    creators = features.indexed_creators(before=split)
    training = features.training_set(creators, before=split)
    model = engine.train_conversion_model(training.features, training.gmv_per_1k, seed=seed)
    # The creators as they stood at the split: no test outcome is in any feature.
    frame = features.known_pairs(creators, everything[everything["offered_at"] >= split])
    test = features.aligned_pairs(creators, frame)
    scored = engine.score_pairs(test, model)
    relevance = frame["gmv_per_1k"].to_numpy()
    brand_of = dict(Product.objects.unscoped().values_list("pk", "organization_id"))
    frame = frame.assign(brand=frame["product"].map(brand_of))
    threshold = float(np.median(relevance)) if len(relevance) else 0.0
    rng = np.random.default_rng(seed)
    rankings = {
        "matcher": scored.score,
        "followers": test.creators.followers.astype(np.float64),
    }
    lines = [
        _line(name, frame, relevance, values, k, threshold) for name, values in rankings.items()
    ]
    draws = [
        _line("random", frame, relevance, rng.random(len(frame)), k, threshold)
        for _ in range(RANDOM_DRAWS)
    ]
    lines.append(
        Line(
            "random",
            float(np.mean([d.ndcg for d in draws])),
            float(np.mean([d.precision for d in draws])),
        )
    )
    groups = int((frame.groupby("brand").size() > 1).sum())
    return Evaluation(lines, len(training.gmv_per_1k), len(frame), groups, model is not None)


def _line(name, frame, relevance, values, k, threshold) -> Line:
    groups = [
        (relevance[rows], np.asarray(values)[rows])
        for rows in frame.groupby("brand").indices.values()
    ]
    ndcg, precision = engine.ranking_quality(groups, k=k, relevant_above=threshold)
    return Line(name, ndcg, precision)
