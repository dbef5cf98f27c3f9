"""The certification rubric (mcn/engine.py): scores, gates, ties, missing data, the way up."""

import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mcn.engine import Gate, Policy, applied, assess, assess_all, cohort_bounds, score_of

POLICY = Policy(
    weights={
        "active_creators": 2,
        "gmv": 3,
        "gmv_growth": 1,
        "engagement_rate": 1,
        "retention": 1,
        "originality_rate": 1,
        "complaint_rate": 1,
    },
    thresholds={"S": 75, "A": 55, "B": 35},
    gates={
        "S": (
            Gate("S: at least 20 active creators", "active_creators", 20),
            Gate("S: complaint rate below 0.8%", "complaint_rate", 0.008, at_least=False),
            Gate("S: no severe violation", "severe_violations", 1, at_least=False),
        ),
        "A": (Gate("A: at least 8 active creators", "active_creators", 8),),
    },
)


def agency(**values) -> dict:
    base = {
        "active_creators": 10.0,
        "gmv": 1e6,
        "gmv_growth": 0.1,
        "engagement_rate": 0.04,
        "retention": 0.8,
        "originality_rate": math.nan,
        "complaint_rate": 0.005,
        "severe_violations": 0.0,
    }
    return {**base, **values}


def frame(*agencies) -> pd.DataFrame:
    return pd.DataFrame(list(agencies), index=range(1, len(agencies) + 1))


def test_contributions_add_up_to_the_score_and_the_best_agency_on_everything_scores_100():
    world = frame(
        agency(),
        agency(
            active_creators=30,
            gmv=5e6,
            gmv_growth=0.5,
            engagement_rate=0.09,
            retention=0.95,
            complaint_rate=0.001,
        ),
    )
    results = assess_all(world, POLICY)
    best = results[2]
    assert sum(c.contribution for c in best.components) == pytest.approx(best.score)
    # originality is missing for all: neutral (0.5 of its weight) for both
    assert best.score == pytest.approx(100 * (9 + 0.5) / 10)
    assert results[1].score == pytest.approx(100 * 0.5 / 10)


def test_each_gate_holds_a_tier_back_whatever_the_score():
    top = dict(gmv=9e6, gmv_growth=1.0, engagement_rate=0.1, retention=1.0, complaint_rate=0.0)
    low = agency()
    cases = {
        "S": agency(active_creators=40, **top),
        "too few creators for S": agency(active_creators=19, **top),
        "complaints": agency(active_creators=40, **{**top, "complaint_rate": 0.008}),
        "severe": agency(active_creators=40, severe_violations=1, **top),
    }
    world = frame(low, *cases.values(), agency(active_creators=1, gmv=0))
    results = assess_all(world, POLICY)
    tiers = [results[i].tier for i in range(2, 6)]
    assert tiers == ["S", "A", "A", "A"]
    failed = {name for name, passed in results[4].gates if not passed}
    assert failed == {"S: complaint rate below 0.8%"}


def test_ties_score_the_same_and_a_metric_all_share_is_neutral():
    world = frame(agency(), agency(), agency())
    results = assess_all(world, POLICY)
    assert len({r.score for r in results.values()}) == 1
    assert results[1].score == pytest.approx(50.0)


def test_an_agency_without_active_creators_or_data_gets_no_tier_and_no_crash():
    world = frame(agency(), agency(active_creators=0), {"active_creators": math.nan})
    results = assess_all(world, POLICY)
    assert results[2].tier is None and results[2].score is None
    assert results[3].tier is None and results[3].next_tier is None


def test_the_next_tier_lists_single_metric_alternatives_cheapest_first():
    low = agency(
        active_creators=4,
        gmv=0,
        gmv_growth=0,
        engagement_rate=0,
        retention=0.5,
        complaint_rate=0.01,
    )
    high = agency(
        active_creators=40,
        gmv=4e6,
        gmv_growth=0.2,
        engagement_rate=0.08,
        retention=1.0,
        complaint_rate=0.0,
    )
    middle = {k: (low[k] + high[k]) / 2 for k in low}  # 50 points: B, 5 short of A
    result = assess_all(frame(low, middle, high), POLICY)[2]
    assert result.tier == "B" and result.score == pytest.approx(50.0)
    ways = result.next_tier.alternatives
    # From the middle a weight-1 metric adds at most 5 points (its top): not past 55. Only
    # gmv (weight 3) and active creators (weight 2) can close the gap alone.
    assert result.next_tier.tier == "A" and [c.metric for c in ways] == ["gmv", "active_creators"]
    assert [c.cost for c in ways] == sorted(c.cost for c in ways)
    assert result.next_tier.changes == (ways[0],)


def test_a_policy_must_name_known_metrics_and_gates_that_follow_their_direction():
    with pytest.raises(ValueError):
        Policy(weights={"charm": 1}, thresholds={"S": 1, "A": 1, "B": 1})
    with pytest.raises(ValueError):
        Policy(
            weights={"gmv": 1},
            thresholds={"S": 1, "A": 1, "B": 1},
            gates={"S": (Gate("bad", "complaint_rate", 0.01, at_least=True),)},
        )


rates = st.floats(0, 0.2, allow_nan=False)
agencies = st.fixed_dictionaries(
    {
        "active_creators": st.integers(0, 60).map(float),
        "gmv": st.floats(0, 1e7, allow_nan=False),
        "gmv_growth": st.floats(-0.5, 2, allow_nan=False),
        "engagement_rate": rates,
        "retention": st.floats(0, 1, allow_nan=False),
        "originality_rate": st.one_of(st.just(math.nan), st.floats(0, 1, allow_nan=False)),
        "complaint_rate": st.floats(0, 0.03, allow_nan=False),
        "severe_violations": st.integers(0, 3).map(float),
    }
)


@settings(max_examples=150, deadline=None)
@given(st.lists(agencies, min_size=2, max_size=12))
def test_applying_the_way_up_reaches_the_next_tier_for_every_agency(world):
    metrics = frame(*world)
    bounds = cohort_bounds(metrics)
    order = ["S", "A", "B", None]
    for values in metrics.to_dict("index").values():
        result = assess(values, POLICY, bounds)
        if result.score is None or result.next_tier is None:
            continue
        score, components = score_of(values, POLICY, bounds)
        assert score == pytest.approx(result.score)
        moved = assess(applied(values, result.next_tier.changes), POLICY, bounds)
        assert order.index(moved.tier) <= order.index(result.next_tier.tier), (values, result)
        assert order.index(result.next_tier.tier) < order.index(result.tier)


def test_a_missing_value_fails_a_floor_gate_and_passes_a_ceiling_gate():
    floor = Gate("at least 20", "active_creators", 20)
    ceiling = Gate("complaints below 0.8%", "complaint_rate", 0.008, at_least=False)
    assert not floor.passes(math.nan) and not floor.passes(None)
    assert ceiling.passes(math.nan) and ceiling.passes(None)
    # An agency without orders (no complaint rate) is not held back from S by complaints.
    top = dict(gmv=9e6, gmv_growth=1.0, engagement_rate=0.1, retention=1.0)
    world = frame(agency(), agency(active_creators=40, complaint_rate=math.nan, **top))
    result = assess_all(world, POLICY)[2]
    assert result.tier == "S"
    assert dict(result.gates)["S: complaint rate below 0.8%"]


def test_moving_a_missing_metric_costs_the_way_from_neutral():
    bounds = {"gmv": (0.0, 1e6), "originality_rate": (0.0, 1.0)}
    policy = Policy(
        weights={"gmv": 1, "originality_rate": 1}, thresholds={"S": 90, "A": 70, "B": 1}
    )
    result = assess(
        {"active_creators": 5.0, "gmv": 5e5, "originality_rate": math.nan}, policy, bounds
    )
    costs = {c.metric: c.cost for c in result.next_tier.alternatives}
    # Both sit at 0.5 normalised: the same move costs the same, missing or not.
    assert costs["originality_rate"] == pytest.approx(costs["gmv"]) and costs["gmv"] > 0
