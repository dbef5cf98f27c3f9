"""The 星火计划 certification rubric: agencies' metrics → score, gates, tier and the way up.
Pure numpy and pandas; no Django here (``mcn.services`` will feed it rows and store results).

Score
-----
Each scored metric is normalised against the cycle's cohort of agencies: with the cohort's
lowest and highest value ``lo`` and ``hi``, a higher-is-better metric scores
``n = (v − lo) / (hi − lo)`` and a lower-is-better one ``n = (hi − v) / (hi − lo)``, clipped to
[0, 1] (a metric on which every agency is equal scores 0.5 for all: it separates nobody). A
missing value scores 0.5, *neutral*: that is how metrics that later issues provide
(originality, violations) enter before they exist. The score is ``100 · Σ wₘ·nₘ / Σ wₘ``; a
component's contribution is its share of it, so the contributions add up to the score.

The bounds are fixed per cycle and kept with the result (``Assessment.bounds``), so a what-if
that changes one agency's metrics is scored against the same cohort, and the way up computed
here is exactly what applying it yields.

Tiers and gates
---------------
A tier is reached when the score is at least its threshold and every gate of that tier passes
(``Gate``: a metric at least, or below, a bound; a missing value fails an "at least" gate and
passes a "below" one). The tier is the highest one reached (S above A
above B), or None. An agency without data (no active signed creators) gets no tier and no score.

The way up
----------
``next_tier`` is the tier just above the one held. Its ``changes`` applied together reach it:
first each failing gate's metric moved just past its bound, then, if the score still falls
short, the one metric whose move closes the gap at the lowest cost (cost: the distance moved as a
share of the cohort's range). ``alternatives`` lists every single-metric way of closing the score
gap, cheapest first. A move that the range cannot give (a normalised value above 1) is no way.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

#: Metric → True when higher is better. ``severe_violations`` is gated, not scored.
METRICS: dict[str, bool] = {
    "active_creators": True,
    "gmv": True,
    "gmv_growth": True,
    "engagement_rate": True,
    "retention": True,
    "originality_rate": True,
    "violation_rate": False,
    "complaint_rate": False,
    "severe_violations": False,
}
#: Counted metrics: a gate's fix moves them to a whole number.
COUNTS = frozenset({"active_creators", "severe_violations"})
TIERS = ("S", "A", "B")  # best first
NEUTRAL = 0.5
#: How far past an exclusive bound ("below 0.8%") a fix moves a rate.
STEP = 1e-6


@dataclass(frozen=True)
class Gate:
    """``metric`` must be at least ``bound`` (``at_least``) or strictly below it."""

    name: str
    metric: str
    bound: float
    at_least: bool = True

    def passes(self, value: float) -> bool:
        """A missing value fails a floor ("at least 20 creators": none shown) and passes a
        ceiling ("complaints below 0.8%": none recorded, as for an agency without orders)."""
        if value is None or math.isnan(value):
            return not self.at_least
        return value >= self.bound if self.at_least else value < self.bound

    def fixed(self, value: float) -> float:
        """The nearest value to ``value`` that passes."""
        if self.passes(value):
            return value
        if self.at_least:
            return math.ceil(self.bound) if self.metric in COUNTS else self.bound
        if self.metric in COUNTS:
            return math.ceil(self.bound) - 1.0
        return self.bound - STEP


@dataclass(frozen=True)
class Policy:
    weights: dict[str, float]
    thresholds: dict[str, float]  # tier → minimum score
    gates: dict[str, tuple[Gate, ...]] = field(default_factory=dict)  # tier → its gates

    def __post_init__(self):
        unknown = set(self.weights) - set(METRICS)
        if unknown:
            raise ValueError(f"unknown metrics: {sorted(unknown)}")
        if any(w < 0 for w in self.weights.values()) or not sum(self.weights.values()) > 0:
            raise ValueError("weights must be non-negative with a positive sum")
        if set(self.thresholds) != set(TIERS):
            raise ValueError(f"one threshold per tier {TIERS}")
        for gates in self.gates.values():
            for gate in gates:
                if gate.metric not in METRICS or gate.at_least != METRICS[gate.metric]:
                    # A gate against a metric's direction could be broken by improving it.
                    raise ValueError(f"gate {gate.name} must follow {gate.metric}'s direction")


@dataclass(frozen=True)
class Component:
    metric: str
    value: float | None
    weight: float
    contribution: float


@dataclass(frozen=True)
class Change:
    metric: str
    before: float | None
    after: float
    cost: float


@dataclass(frozen=True)
class NextTier:
    tier: str
    changes: tuple[Change, ...]
    alternatives: tuple[Change, ...]


@dataclass(frozen=True)
class Assessment:
    tier: str | None
    score: float | None
    components: tuple[Component, ...]
    gates: tuple[tuple[str, bool], ...]
    next_tier: NextTier | None


def cohort_bounds(metrics: pd.DataFrame) -> dict[str, tuple[float, float]]:
    """Per metric column, the cohort's (lowest, highest) value, NaN ignored."""
    return {
        m: (float(metrics[m].min()), float(metrics[m].max()))
        for m in metrics.columns
        if m in METRICS and metrics[m].notna().any()
    }


def _normalised(metric: str, value, bounds) -> float:
    if value is None or (isinstance(value, float) and math.isnan(value)) or metric not in bounds:
        return NEUTRAL
    lo, hi = bounds[metric]
    if hi <= lo:
        return NEUTRAL
    n = (value - lo) / (hi - lo) if METRICS[metric] else (hi - value) / (hi - lo)
    return float(np.clip(n, 0.0, 1.0))


def score_of(values: dict, policy: Policy, bounds) -> tuple[float, tuple[Component, ...]]:
    total = sum(policy.weights.values())
    components = tuple(
        Component(m, values.get(m), w, 100.0 * w * _normalised(m, values.get(m), bounds) / total)
        for m, w in policy.weights.items()
    )
    return sum(c.contribution for c in components), components


def _reached(tier: str, score: float, values: dict, policy: Policy) -> bool:
    gates = policy.gates.get(tier, ())
    return score >= policy.thresholds[tier] and all(g.passes(values.get(g.metric)) for g in gates)


def _value_for(metric: str, normalised: float, bounds) -> float:
    lo, hi = bounds[metric]
    if METRICS[metric]:
        value = lo + normalised * (hi - lo)
        return float(math.ceil(value) if metric in COUNTS else value)
    value = hi - normalised * (hi - lo)
    return float(math.floor(value) if metric in COUNTS else value)


def _score_moves(values: dict, gap: float, policy: Policy, bounds) -> list[Change]:
    """Every single-metric move that adds at least ``gap`` points, cheapest first."""
    total = sum(policy.weights.values())
    moves = []
    for metric, weight in policy.weights.items():
        if weight <= 0 or metric not in bounds or bounds[metric][1] <= bounds[metric][0]:
            continue
        now = _normalised(metric, values.get(metric), bounds)
        needed = now + gap * total / (100.0 * weight) + 1e-9
        if needed > 1.0:
            continue
        after = _value_for(metric, needed, bounds)
        before = values.get(metric)
        # A missing value sits at the neutral point: moving it costs the way from there.
        missing = before is None or math.isnan(before)
        start = _value_for(metric, NEUTRAL, bounds) if missing else before
        lo, hi = bounds[metric]
        moves.append(Change(metric, before, after, abs(after - start) / (hi - lo)))
    return sorted(moves, key=lambda c: (c.cost, c.metric))


def _way_up(tier: str, values: dict, policy: Policy, bounds) -> NextTier | None:
    fixed = dict(values)
    changes = []
    for gate in policy.gates.get(tier, ()):
        now = fixed.get(gate.metric, math.nan)
        if not gate.passes(now):
            after = gate.fixed(now)
            changes.append(Change(gate.metric, values.get(gate.metric), after, 0.0))
            fixed[gate.metric] = after
    score, _ = score_of(fixed, policy, bounds)
    gap = policy.thresholds[tier] - score
    alternatives = _score_moves(fixed, gap, policy, bounds) if gap > 0 else []
    if gap > 0:
        if not alternatives:
            return None  # out of reach within the cohort's range
        best = alternatives[0]
        changes = [c for c in changes if c.metric != best.metric]
        changes.append(Change(best.metric, values.get(best.metric), best.after, best.cost))
    return NextTier(tier, tuple(changes), tuple(alternatives))


def assess(values: dict, policy: Policy, bounds: dict) -> Assessment:
    """One agency's assessment from its metric ``values`` and the cohort's ``bounds``."""
    creators = values.get("active_creators")
    if creators is None or math.isnan(creators) or creators <= 0:
        return Assessment(None, None, (), (), None)
    score, components = score_of(values, policy, bounds)
    tier = next((t for t in TIERS if _reached(t, score, values, policy)), None)
    gates = tuple(
        (g.name, g.passes(values.get(g.metric))) for t in TIERS for g in policy.gates.get(t, ())
    )
    above = TIERS[: TIERS.index(tier)] if tier else TIERS
    next_tier = _way_up(above[-1], values, policy, bounds) if above else None
    return Assessment(tier, score, components, gates, next_tier)


def assess_all(metrics: pd.DataFrame, policy: Policy) -> dict:
    """Every agency (the frame's index) assessed against the cohort the frame holds."""
    bounds = cohort_bounds(metrics)
    rows = metrics.astype(float).to_dict("index")
    return {agency: assess(values, policy, bounds) for agency, values in rows.items()}


def applied(values: dict, changes) -> dict:
    """``values`` with ``changes`` made (what the what-if form does)."""
    return {**values, **{c.metric: c.after for c in changes}}


# --- market concentration --------------------------------------------------------------------


@dataclass(frozen=True)
class Concentration:
    """One period's concentration: ``cr5``/``cr10`` the top 5/10 agencies' share of the whole
    market's GMV (independent creators included), ``hhi`` the Herfindahl–Hirschman index of the
    agencies' shares of the *agency* market (Σ sᵢ² with Σ sᵢ = 1, so in [1/n, 1]), ``agencies``
    how many agencies had GMV."""

    cr5: float | None
    cr10: float | None
    hhi: float | None
    agencies: int


def concentration(agency_gmv, market_gmv: float) -> Concentration:
    """CR5, CR10 and HHI of one period from each agency's GMV (any iterable of non-negative
    numbers; zeros are no share) and the market's total (every creator's GMV). Undefined figures
    are None: no agency GMV gives no HHI, no market GMV no CR."""
    values = np.asarray([float(v) for v in agency_gmv], dtype=np.float64)
    values = np.sort(values[values > 0])[::-1]
    total = float(values.sum())
    if total <= 0:
        return Concentration(None, None, None, 0)
    shares = values / total
    hhi = float(np.square(shares).sum())
    market = float(market_gmv)
    if market <= 0:
        return Concentration(None, None, hhi, len(values))
    market = max(market, total)  # the agencies' part of the market cannot exceed it
    cr5, cr10 = (float(values[:k].sum() / market) for k in (5, 10))
    return Concentration(cr5, cr10, hhi, len(values))
