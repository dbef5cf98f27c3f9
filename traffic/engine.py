"""Gini maths and the traffic allocation engine (pure numpy; no Django here).

Measures
--------
``gini`` is the population Gini coefficient from the sorted-values formula
``G = Σ (2i − n − 1)·x_(i) / (n·Σx)`` (i = 1..n over the ascending values), which equals the mean
absolute difference over twice the mean, exactly, in O(n log n). ``lorenz`` gives the curve whose
trapezoid area A satisfies G = 1 − 2A. ``band_shares`` gives the share of a total held by each
size band (for example tipping revenue by follower band).

Allocation
----------
``allocate`` splits a pool of impressions between eligible creators. Let q_i = pool·m_i/Σm be the
merit-proportional impressions (the *reference*: merit shares over eligible creators; equal shares
if every eligible merit is zero, since nothing then prefers anyone), sorted by merit ascending.
Among the integer allocations x with floor ≤ x_i ≤ cap, Σx = pool, 0 for the ineligible, a higher
merit never getting fewer impressions, and Gini(x) ≤ target, it returns the one nearest to q in
total-variation distance ``TV = Σ|x_i − q_i| / (2·pool)``.

Why the Gini is linear. For a monotone allocation the ascending order of x is the merit order,
known in advance, so G(x) = Σ w_i·x_i / (n·pool) with fixed weights w_i = 2i − n − 1, and the
problem is a linear programme (the tests solve it with ``scipy.optimize.linprog``).

Structure of the optimum. An allocation that adds D impressions to some creators must remove D
from others, so its distance is D/pool: the question is how to spend D for the largest fall in
Gini. Because the weights w_i increase with rank, it is best to add where w is lowest and remove
where it is highest; monotonicity turns "lowest" into a water level: lift the tail to a level a(D)
with Σ(a − q_i)⁺ = D and trim the head to a level b(D) with Σ(q_i − b)⁺ = D, leaving the middle
exactly proportional: x = clip(q, a, b). (Any monotone x that adds D has partial sums of its
additions, counted from the bottom, no larger than the water level's; with increasing weights that
means a Gini no lower. The same holds for removals counted from the top.) Floors and caps force a
minimum move D₀ = max(Σ(floor − q_i)⁺, Σ(q_i − cap)⁺); for D ≥ D₀ the levels satisfy
floor ≤ a(D) ≤ b(D) ≤ cap. G(D) falls continuously and strictly from G(D₀) to 0 at the equal
split, so the optimum moves D* = max(D₀, min{D : G(D) ≤ target}).

The proportional allocation. x(D₀) is what ``proportional_gini`` describes and what a target at or
above it returns. Without binding floors or caps it is q itself. When they bind, pure
proportionality is infeasible and many allocations are equally near (an impression moved costs the
same wherever it comes from); x(D₀) pays for the floors by trimming the head and spreads the cap
excess over the tail, which makes it the nearest allocation with the lowest Gini. (Scaling every
creator by a common factor, the other common reading, is at best as near, never has a lower Gini,
and does not always exist, e.g. when every creator with merit above zero is capped.)

How the levels are found. With q sorted and prefix sums of q and w·q, a(D), b(D) and G(D) each
cost O(log n) (a binary search for the breakpoint, then a closed form), and D* is found by
bisection on D. Total: O(n log n) for the sort, O(n) for the rest (at most three plans, below).

Rounding. Impressions are integers: a fractional floor is rounded up and a fractional cap down.
The continuous optimum is rounded by largest remainder; equal remainders go to the higher-merit
creator, then to the lower index, so the result is deterministic, and monotonicity, floor and cap
survive rounding (each creator gets ⌊x⌋ or ⌊x⌋ + 1, and a tie for the +1 never favours the lower
merit). Rounding moves each creator by less than one impression, which moves the Gini by at most
``gini_tolerance = n_eligible / (2·pool)``: one over twice the mean impressions per creator. When
the target binds and rounding overshoots it, the plan is made again aiming below the target, first
by the overshoot, then by the whole tolerance, so the rounded Gini is at most the target whenever
target ≥ gini_tolerance. Otherwise (a target below the tolerance, or one less than the tolerance
above the proportional Gini, which returns the proportional allocation as it rounds) the Gini is
at most target + gini_tolerance. Nothing of order 1/pool is possible in general: with target 0 and
r = pool mod n ≠ 0, every integer allocation has a Gini of at least r(n − r)/(n·pool).
"""

import math
import operator
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

# Bisection on the moved mass halves an interval of doubles; 200 halvings exhaust any of them.
_BISECTION_STEPS = 200
# All bits of a double but the sign: for non-negative doubles, ordered like their values.
_MAGNITUDE_BITS = (1 << 63) - 1


class InfeasibleAllocation(ValueError):
    """No allocation satisfies the constraints; the message names the one that fails."""


# ---------------------------------------------------------------------------------------------
# Measures
# ---------------------------------------------------------------------------------------------


def gini(values: ArrayLike) -> float:
    """Population Gini coefficient of non-negative values (0 = all equal, (n−1)/n = one has all).

    Raises ValueError for an empty input, a negative or non-finite value, or an all-zero input.
    """
    amounts = _as_amounts(values, "values")
    _require_positive_total(amounts, "values")
    return _gini_of_sorted(np.sort(amounts))


def lorenz(values: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Lorenz curve: (population_share, value_share), n + 1 points from (0, 0) to (1, 1).

    Same input rules as ``gini``.
    """
    amounts = _as_amounts(values, "values")
    _require_positive_total(amounts, "values")
    held = np.cumsum(_relative(np.sort(amounts)))
    # Dividing by the last cumulative sum (not a separately summed total) ends the curve at
    # exactly 1 and keeps every earlier point at or below it.
    value_share = np.concatenate(([0.0], held / held[-1]))
    population_share = np.arange(amounts.size + 1, dtype=np.float64) / amounts.size
    return population_share, value_share


def band_shares(
    values: ArrayLike,
    sizes: ArrayLike,
    edges: ArrayLike,
    labels: list[str] | None = None,
) -> dict[str, float]:
    """Share of the total of ``values`` held by each band of ``sizes``, keyed by band label.

    ``edges`` (strictly increasing) cut the sizes into len(edges) + 1 bands, each closed below and
    open above: edges [10_000, 100_000, 1_000_000] give "<10k", "10k-100k", "100k-1M", ">=1M"
    (see ``band_labels``), so a creator with exactly 10 000 followers is in "10k-100k". Pass
    ``labels`` (one per band, in order) to name them otherwise. The shares sum to 1; the dict
    keeps band order. ``values`` follow the rules of ``gini``; ``sizes`` must be finite.
    """
    amounts = _as_amounts(values, "values")
    _require_positive_total(amounts, "values")
    cuts = _as_edges(edges)
    names = _check_labels(band_labels(cuts) if labels is None else labels, cuts.size + 1)
    band = np.searchsorted(cuts, _as_sizes(sizes, amounts.size), side="right")
    held = np.bincount(band, weights=_relative(amounts), minlength=cuts.size + 1)
    return dict(zip(names, (held / held.sum()).tolist(), strict=True))


def band_labels(edges: ArrayLike) -> list[str]:
    """Readable labels for the bands cut by ``edges``: ["<10k", "10k-100k", ..., ">=1M"]."""
    cuts = [_compact_number(edge) for edge in _as_edges(edges)]
    middle = [f"{low}-{high}" for low, high in zip(cuts, cuts[1:], strict=False)]
    return [f"<{cuts[0]}", *middle, f">={cuts[-1]}"]


def _gini_of_sorted(ascending: FloatArray) -> float:
    n = ascending.size
    if ascending[0] == ascending[-1]:
        return 0.0  # exact for all-equal input, where the formula leaves float dust
    with np.errstate(over="ignore"):  # an overflow is caught just below
        total = ascending.sum()
        fits = math.isfinite(total * n)  # the rank-weighted sum stays below n·total
    if not fits:
        ascending = _relative(ascending)
        total = ascending.sum()
    ranks = np.arange(1, n + 1, dtype=np.float64)
    value = (2.0 * float(ranks @ ascending) - (n + 1) * total) / (n * total)
    return min(max(value, 0.0), 1.0)


def _relative(amounts: FloatArray) -> FloatArray:
    """Amounts over the largest one: shares are unchanged and sums can no longer overflow."""
    largest = amounts.max()
    return amounts / largest if largest > 0 else amounts


# ---------------------------------------------------------------------------------------------
# Allocation
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Allocation:
    """The result of ``allocate``. Levels are in impressions, before rounding."""

    impressions: IntArray  # per creator, in input order, read-only; ineligible creators get 0
    gini: float  # Gini of the (rounded) impressions over eligible creators
    distance: float  # total-variation distance from the merit shares, over eligible creators
    merit_retained: float  # Σ merit·impressions ÷ Σ merit·(merit-proportional impressions)
    low_level: float  # the tail was lifted to this level (≤ the lowest share: nobody lifted)
    high_level: float  # the head was trimmed to this level (≥ the highest share: nobody trimmed)
    proportional_gini: float  # Gini of the proportional allocation under floor/cap (see module)
    target_gini: float
    gini_tolerance: float  # n_eligible / (2·pool): how far rounding can move the Gini
    lifted: int  # eligible creators whose proportional share was below low_level
    trimmed: int  # eligible creators whose proportional share was above high_level


def allocate(
    merit: ArrayLike,
    pool: int,
    target_gini: float,
    *,
    floor: float = 0,
    cap: float | None = None,
    eligible: ArrayLike | None = None,
) -> Allocation:
    """Split ``pool`` impressions: nearest to merit-proportional with a Gini of at most target.

    ``merit`` (non-negative, finite) and the optional boolean ``eligible`` mask are per creator;
    ineligible (e.g. sanctioned) creators get 0 and do not count in the Gini or the distance.
    ``floor`` and ``cap`` bound every eligible creator's impressions. See the module docstring for
    the objective, the method and the rounding tolerance. Raises InfeasibleAllocation (a
    ValueError) naming the constraint when no allocation satisfies them, and ValueError or
    TypeError for malformed input.
    """
    merit_values = _as_amounts(merit, "merit")
    chosen = _eligible_positions(eligible, merit_values.size)
    pool = _as_pool(pool)
    target = _as_target(target_gini)
    low_bound, high_bound = _as_bounds(floor, cap, pool)
    _require_feasible(chosen.size, pool, low_bound, high_bound)

    # Work on the eligible merits last first, so that a tie in merit goes to the lower index.
    last_first = merit_values[chosen[::-1]]
    rank_order, ranked_merit = _merit_order(last_first)
    largest = ranked_merit[-1]  # ascending: the last is the largest (see ``_relative``)
    if largest > 0:
        np.divide(ranked_merit, largest, out=ranked_merit)
    ideal = _Ideal.build(_proportional_impressions(ranked_merit, pool), pool)
    plan, counts, achieved = _plan_and_round(ideal, pool, low_bound, high_bound, target)
    # Undo the merit order with one scatter, then the last-first order with a plain copy.
    unranked = np.empty_like(counts)
    unranked[rank_order] = counts
    impressions = np.zeros(merit_values.size, dtype=np.int64)
    impressions[chosen] = unranked[::-1]
    impressions.flags.writeable = False
    return _result(impressions, ranked_merit, ideal, plan, counts, achieved, target)


@dataclass(frozen=True)
class _Ideal:
    """Merit-proportional impressions q (ascending) with prefix sums for O(log n) queries."""

    shares: FloatArray  # q, ascending
    prefix: FloatArray  # prefix[k] = Σ_{j<k} q_j
    weighted_prefix: FloatArray  # Σ_{j<k} w_j·q_j, Gini weights w_j = 2j − n + 1 (0-based j)
    lift_breaks: FloatArray  # mass needed to lift the tail to q_k
    trim_breaks: FloatArray  # mass removed by trimming the head to q_{n−1−k}
    pool: float

    @classmethod
    def build(cls, shares: FloatArray, pool: int) -> "_Ideal":
        # Each array is written in place into one buffer (out=): the same float operations in
        # the same order as the plain expressions in the comments, without their temporaries.
        n = shares.size
        prefix = _prefix_sums(shares)
        # weights 2j − n + 1, exact integers in float64 whichever way they are formed
        weighted = np.arange(1 - n, n, 2, dtype=np.float64)
        weighted_prefix = _prefix_sums(np.multiply(weighted, shares, out=weighted))
        counts = np.arange(n, dtype=np.float64)
        # The breakpoints rise in exact arithmetic; the running maximum irons out float noise
        # so that binary search on them stays valid.
        # lift = max.accumulate(q·k − prefix[k])
        lift = np.multiply(shares, counts)
        np.subtract(lift, prefix[:-1], out=lift)
        np.maximum.accumulate(lift, out=lift)
        # trim = max.accumulate(top_sums − k·q_{n−1−k}), top_sums[k] = the sum of the k largest
        trim = np.subtract(prefix[-1], prefix[:0:-1])
        np.subtract(trim, np.multiply(counts, shares[::-1], out=counts), out=trim)
        np.maximum.accumulate(trim, out=trim)
        return cls(shares, prefix, weighted_prefix, lift, trim, float(pool))

    @property
    def size(self) -> int:
        return self.shares.size

    def lift_level(self, moved: float) -> float:
        """Level a with Σ(a − q_i)⁺ = moved."""
        k = int(np.searchsorted(self.lift_breaks, moved, side="right"))
        return (moved + self.prefix[k]) / k

    def trim_level(self, moved: float) -> float:
        """Level b with Σ(q_i − b)⁺ = moved."""
        k = int(np.searchsorted(self.trim_breaks, moved, side="right"))
        return (self.prefix[-1] - self.prefix[self.size - k] - moved) / k

    def levels(self, moved: float) -> tuple[float, float]:
        if moved <= 0:
            return float(self.shares[0]), float(self.shares[-1])  # exactly q: nothing moves
        # At the equal split the two levels meet; float dust must not let them cross.
        mean = self.pool / self.size
        return min(self.lift_level(moved), mean), max(self.trim_level(moved), mean)

    def gini_of_clip(self, low: float, high: float) -> float:
        """Gini of clip(q, low, high): weights times the lifted, middle and trimmed parts."""
        n = self.size
        lifted = int(np.searchsorted(self.shares, low, side="left"))
        kept_end = int(np.searchsorted(self.shares, high, side="right"))
        middle = self.weighted_prefix[kept_end] - self.weighted_prefix[lifted]
        # Σ_{j<k} w_j = k(k − n); the weights of the trimmed top sum to kept_end·(n − kept_end).
        total = low * lifted * (lifted - n) + middle + high * kept_end * (n - kept_end)
        return max(0.0, total / (n * self.pool))

    def gini_at(self, moved: float) -> float:
        return self.gini_of_clip(*self.levels(moved))

    def clipped(self, low: float, high: float) -> FloatArray:
        return np.clip(self.shares, low, high)

    def lifted_below(self, level: float) -> int:
        """How many shares are below ``level`` (the shares ascend)."""
        return int(np.searchsorted(self.shares, level, side="left"))

    def trimmed_above(self, level: float) -> int:
        """How many shares are above ``level``."""
        return self.size - int(np.searchsorted(self.shares, level, side="right"))

    def moved_to(self, level: float, *, up: bool) -> float:
        """Mass needed to lift everyone to ``level`` (up) or to trim everyone to it."""
        gap = np.subtract(level, self.shares) if up else np.subtract(self.shares, level)
        return float(np.maximum(gap, 0.0, out=gap).sum())


@dataclass(frozen=True)
class _Plan:
    low: float
    high: float
    proportional_gini: float


def _plan(ideal: _Ideal, floor: int, cap: int, target: float) -> _Plan:
    """Choose the moved mass D* and so the two levels (see the module docstring)."""
    # No share exceeds the pool, so a cap of the whole pool never binds (skip its float dust).
    over_cap = ideal.moved_to(cap, up=False) if cap < ideal.pool else 0.0
    least = max(ideal.moved_to(floor, up=True), over_cap)
    proportional_gini = ideal.gini_at(least)
    moved = least
    if target < proportional_gini:
        most = ideal.moved_to(ideal.pool / ideal.size, up=True)  # equal split, Gini 0
        moved = _least_move_for(ideal, least, most, target)
    low, high = ideal.levels(moved)
    # Float noise aside, a ≥ floor and b ≤ cap already hold once D ≥ D₀.
    return _Plan(max(low, floor), min(high, cap), proportional_gini)


def _plan_and_round(
    ideal: _Ideal, pool: int, floor: int, cap: int, target: float
) -> tuple[_Plan, IntArray, float]:
    """Plan and round; if rounding overshoots a binding target, plan again below it.

    The second pass aims below the target by the overshoot (usually enough); the third by the
    whole rounding tolerance, which rounding cannot undo, unless the target is below it.
    """
    plan, counts, achieved = _planned_counts(ideal, pool, floor, cap, target)
    if achieved <= target or target >= plan.proportional_gini:
        return plan, counts, achieved
    tolerance = ideal.size / (2 * ideal.pool)
    for aim in (2 * target - achieved, target - tolerance):
        plan, counts, achieved = _planned_counts(ideal, pool, floor, cap, max(aim, 0.0))
        if achieved <= target:
            break
    return plan, counts, achieved


def _planned_counts(
    ideal: _Ideal, pool: int, floor: int, cap: int, aim: float
) -> tuple[_Plan, IntArray, float]:
    plan = _plan(ideal, floor, cap, aim)
    counts = _round_monotone(ideal.clipped(plan.low, plan.high), pool, cap)
    return plan, counts, _gini_of_sorted(counts.astype(np.float64))  # counts ascend already


def _least_move_for(ideal: _Ideal, low: float, high: float, target: float) -> float:
    """Smallest moved mass in [low, high] whose Gini is at most target (G falls as D grows)."""
    for _ in range(_BISECTION_STEPS):
        middle = 0.5 * (low + high)
        if not low < middle < high:
            break
        if ideal.gini_at(middle) <= target:
            high = middle
        else:
            low = middle
    return high


def _round_monotone(amounts: FloatArray, pool: int, cap: int) -> IntArray:
    """Largest-remainder rounding of merit-ordered amounts that keeps order, floor and cap.

    Equal remainders go to the later (higher-merit) position, so a creator never ends above one
    of higher merit; a creator already at the cap gets no extra impression.
    """
    remainders = np.floor(amounts)
    counts = remainders.astype(np.int64)
    short = pool - int(counts.sum())
    np.subtract(amounts, remainders, out=remainders)  # in [0, 1)
    # The amounts ascend, so the creators at the cap are the last ones: they take no extra.
    open_ = int(np.searchsorted(counts, cap, side="left"))
    if not 0 <= short <= open_:
        raise RuntimeError(f"rounding lost track of the pool ({short} impressions short)")
    if short == 0:
        return counts
    candidates = remainders[:open_]
    threshold = np.partition(candidates, open_ - short)[open_ - short]
    above = candidates > threshold
    extra = short - int(np.count_nonzero(above))
    counts[:open_] += above
    if extra:
        tied = np.flatnonzero(candidates == threshold)
        counts[tied[tied.size - extra :]] += 1
    return counts


def _result(
    impressions: IntArray,
    ranked_merit: FloatArray,
    ideal: _Ideal,
    plan: _Plan,
    counts: IntArray,
    achieved: float,
    target: float,
) -> Allocation:
    reference = ideal.shares
    whole = counts.astype(np.float64)  # exact: counts stay far below 2**53
    gaps = np.subtract(whole, reference)
    return Allocation(
        impressions=impressions,
        gini=achieved,
        distance=float(np.abs(gaps, out=gaps).sum() / (2 * ideal.pool)),
        merit_retained=_merit_retained(ranked_merit, whole, reference),
        low_level=plan.low,
        high_level=plan.high,
        proportional_gini=plan.proportional_gini,
        target_gini=target,
        gini_tolerance=counts.size / (2 * ideal.pool),
        lifted=ideal.lifted_below(plan.low),
        trimmed=ideal.trimmed_above(plan.high),
    )


def _merit_retained(merit: FloatArray, counts: FloatArray, reference: FloatArray) -> float:
    # With no merit at all there is nothing to lose: report 1.
    proportional = float(merit @ reference)
    return float(merit @ counts) / proportional if proportional > 0 else 1.0


def _merit_order(merit: FloatArray) -> tuple[IntArray, FloatArray]:
    """Positions sorted by merit ascending, equal merits by position ascending; and the merits.

    Exactly the order of a stable argsort (0.0 and −0.0 are equal merits), found faster: one
    plain sort of 64-bit keys, each a merit's bits with its low bits replaced by its position
    (the bits of non-negative doubles order like the doubles). That orders by the merit's leading
    bits, then by position; the rare runs of distinct merits sharing their leading bits are then
    sorted by (merit, position). ``allocate`` passes the merits last first, so that, since later
    positions win rounding ties, the lower original index is favoured among equal merits.
    """
    n = merit.size
    shift = (n - 1).bit_length()  # bits for a position
    if shift > 32:  # keep at least 31 bits of the merit; such sizes do not occur
        order = np.argsort(merit, kind="stable")
        return order, merit[order]
    keys = merit.view(np.uint64) & np.uint64(_MAGNITUDE_BITS)  # −0.0 keys like 0.0
    keys >>= np.uint64(shift)
    keys <<= np.uint64(shift)
    keys |= np.arange(n, dtype=np.uint64)
    keys.sort()
    order = (keys & np.uint64((1 << shift) - 1)).view(np.int64)
    ranked = merit[order]
    keys >>= np.uint64(shift)  # now each position's leading bits
    shared = keys[1:] == keys[:-1]
    mixed = shared & (ranked[1:] != ranked[:-1])
    if not mixed.any():
        return order, ranked  # every run of shared leading bits holds one merit, by position
    # Run r spans starts[r]:starts[r + 1]; gather the runs holding a mixed pair.
    starts = np.concatenate(([0], np.flatnonzero(~shared) + 1, [n]))
    runs = np.unique(np.searchsorted(starts, np.flatnonzero(mixed), side="right") - 1)
    members = np.concatenate([np.arange(starts[r], starts[r + 1]) for r in runs.tolist()])
    # The runs ascend in merit, so sorting their members by (merit, position) keeps each run
    # in its place and orders it.
    positions = order[members]
    positions = positions[np.lexsort((positions, ranked[members]))]
    order[members] = positions
    ranked[members] = merit[positions]
    return order, ranked


def _prefix_sums(values: FloatArray) -> FloatArray:
    """prefix[k] = Σ_{j<k} values_j, k = 0..n (the same sums as np.cumsum, with a leading 0)."""
    prefix = np.empty(values.size + 1)
    prefix[0] = 0.0
    np.cumsum(values, out=prefix[1:])
    return prefix


def _proportional_impressions(ranked_merit: FloatArray, pool: int) -> FloatArray:
    total = ranked_merit.sum()  # merit is relative to the largest, so the sum cannot overflow
    if total == 0:
        return np.full(ranked_merit.size, pool / ranked_merit.size)
    # In exact arithmetic no share exceeds the pool; keep float dust from making one do so.
    return np.minimum(ranked_merit * (pool / total), pool)


# ---------------------------------------------------------------------------------------------
# Input checks
# ---------------------------------------------------------------------------------------------


def _as_amounts(values: ArrayLike, name: str) -> FloatArray:
    amounts = np.asarray(values, dtype=np.float64)
    if amounts.ndim != 1 or amounts.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array")
    if not np.isfinite(amounts).all():
        raise ValueError(f"{name} must be finite (no NaN or infinity)")
    if (amounts < 0).any():
        raise ValueError(f"{name} must be non-negative")
    return amounts


def _require_positive_total(amounts: FloatArray, name: str) -> None:
    if not amounts.any():
        raise ValueError(f"{name} are all zero: the Gini and shares are undefined")


def _as_sizes(sizes: ArrayLike, n: int) -> FloatArray:
    array = np.asarray(sizes, dtype=np.float64)
    if array.shape != (n,):
        raise ValueError(f"sizes must have the same length as values ({n})")
    if not np.isfinite(array).all():
        raise ValueError("sizes must be finite")
    return array


def _as_edges(edges: ArrayLike) -> FloatArray:
    cuts = np.asarray(edges, dtype=np.float64)
    if cuts.ndim != 1 or cuts.size == 0 or not np.isfinite(cuts).all():
        raise ValueError("edges must be a non-empty 1-D array of finite numbers")
    if (np.diff(cuts) <= 0).any():
        raise ValueError("edges must be strictly increasing")
    return cuts


def _check_labels(labels: list[str], n_bands: int) -> list[str]:
    names = list(labels)
    if len(names) != n_bands or len(set(names)) != n_bands:
        raise ValueError(f"labels must be {n_bands} distinct names, one per band")
    return names


def _compact_number(value: float) -> str:
    for unit, scale in (("B", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(value) >= scale:
            return f"{value / scale:g}{unit}"
    return f"{value:g}"


def _eligible_positions(eligible: ArrayLike | None, n: int) -> IntArray:
    if eligible is None:
        return np.arange(n)
    mask = np.asarray(eligible)
    if mask.dtype != np.bool_ or mask.shape != (n,):
        raise ValueError(f"eligible must be a boolean mask of length {n}")
    return np.flatnonzero(mask)


def _as_pool(pool: int) -> int:
    if isinstance(pool, bool):
        raise TypeError("pool must be an integer number of impressions")
    count = operator.index(pool)
    if count < 1:
        raise ValueError(f"pool must be at least 1 impression, got {count}")
    return count


def _as_target(target_gini: float) -> float:
    target = float(target_gini)
    if not 0.0 <= target <= 1.0:
        raise ValueError(f"target_gini must be within [0, 1], got {target_gini}")
    return target


def _as_bounds(floor: float, cap: float | None, pool: int) -> tuple[int, int]:
    """Integer floor (rounded up) and cap (rounded down; None means the whole pool)."""
    if not (math.isfinite(floor) and floor >= 0):
        raise ValueError(f"floor must be a finite non-negative number, got {floor}")
    if cap is not None and not (math.isfinite(cap) and cap >= 0):
        raise ValueError(f"cap must be None or a finite non-negative number, got {cap}")
    low = math.ceil(floor)
    high = pool if cap is None else min(math.floor(cap), pool)
    if high < low:
        if cap is None:  # no cap: the pool itself is the ceiling
            raise InfeasibleAllocation(f"floors exceed the pool: floor {floor} > pool {pool}")
        raise InfeasibleAllocation(f"cap {cap} is below floor {floor}")
    return low, high


def _require_feasible(n_eligible: int, pool: int, floor: int, cap: int) -> None:
    if n_eligible == 0:
        raise InfeasibleAllocation(f"no eligible creators to receive a pool of {pool}")
    if floor * n_eligible > pool:
        raise InfeasibleAllocation(
            f"floors exceed the pool: floor {floor} × {n_eligible} eligible creators"
            f" = {floor * n_eligible} > pool {pool}"
        )
    if cap * n_eligible < pool:
        raise InfeasibleAllocation(
            f"caps cannot absorb the pool: cap {cap} × {n_eligible} eligible creators"
            f" = {cap * n_eligible} < pool {pool}"
        )
