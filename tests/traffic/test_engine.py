"""Property tests for the Gini maths and the allocation engine (no Django, no database).

The allocation is checked against the linear programme it solves (``scipy.optimize.linprog``):
for a monotone allocation the Gini is linear, so "nearest to merit-proportional in total-variation
distance, subject to floor, cap, monotonicity and a Gini ceiling" is an LP over shares.
"""

import dataclasses
import math
from dataclasses import dataclass

import numpy as np
import pytest
import scipy.sparse as sparse
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from traffic.engine import (
    Allocation,
    InfeasibleAllocation,
    _merit_order,
    allocate,
    band_labels,
    band_shares,
    gini,
    lorenz,
)

# No example database: the suite must not write into the work tree; no deadline: LP times vary.
QUICK = settings(max_examples=150, deadline=None, database=None)
SLOW = settings(max_examples=60, deadline=None, database=None)

HUGE_POOL = 10**12  # makes rounding negligible (tolerance n / 2e12) when comparing with the LP

amount = st.one_of(
    st.sampled_from([0.0, 1.0, 2.0, 10.0]),  # ties and zeros
    st.floats(1e-9, 1e6),  # no subnormals: they carry too few digits to compare
)
amounts = st.lists(amount, min_size=1, max_size=40).filter(any)


def gini_by_definition(values: list[float]) -> float:
    """O(n²) population Gini: mean absolute difference over twice the mean."""
    x = np.asarray(values, dtype=np.float64)
    return float(np.abs(x[:, None] - x[None, :]).sum() / (2 * x.size * x.sum()))


# ---------------------------------------------------------------------------------------------
# gini
# ---------------------------------------------------------------------------------------------


@QUICK
@given(amounts)
def test_gini_matches_mean_absolute_difference(values: list[float]) -> None:
    assert gini(values) == pytest.approx(gini_by_definition(values), rel=1e-9, abs=1e-12)


@QUICK
@given(st.floats(1e-300, 1e300), st.integers(1, 50))
def test_gini_of_equal_values_is_exactly_zero(value: float, n: int) -> None:
    assert gini([value] * n) == 0.0


@QUICK
@given(st.integers(1, 200), st.floats(1e-6, 1e9))
def test_gini_when_one_holds_everything_is_n_minus_one_over_n(n: int, value: float) -> None:
    assert gini([0.0] * (n - 1) + [value]) == pytest.approx((n - 1) / n, rel=1e-12)


@QUICK
@given(amounts, st.floats(1e-3, 1e3), st.randoms(use_true_random=False))
def test_gini_ignores_scale_and_order(values: list[float], scale: float, rnd) -> None:
    shuffled = [v * scale for v in values]
    rnd.shuffle(shuffled)
    assert gini(shuffled) == pytest.approx(gini(values), rel=1e-9, abs=1e-12)


def test_gini_of_large_power_law_samples_matches_theory() -> None:
    rng = np.random.default_rng(7)
    # Exponential: G = 1/2. Pareto with shape α (on [1, ∞)): G = 1/(2α − 1).
    assert gini(rng.exponential(size=400_000)) == pytest.approx(0.5, abs=0.005)
    assert gini(rng.pareto(3.0, size=400_000) + 1) == pytest.approx(0.2, abs=0.005)


def test_huge_values_do_not_overflow() -> None:
    huge = [0.0, 1e308, 1e308]
    assert gini(huge) == pytest.approx(1 / 3)
    np.testing.assert_allclose(lorenz(huge)[1], [0, 0, 0.5, 1])
    assert band_shares(huge, [1, 2, 3], [2]) == pytest.approx({"<2": 0.0, ">=2": 1.0})
    assert allocate(huge, 10, 1.0).impressions.tolist() == [0, 5, 5]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ([], "non-empty"),
        ([[1.0, 2.0]], "1-D"),
        ([1.0, -0.5], "non-negative"),
        ([1.0, math.nan], "finite"),
        ([1.0, math.inf], "finite"),
        ([0.0, 0.0], "all zero"),
    ],
)
def test_gini_rejects_bad_input(values: list, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        gini(values)


# ---------------------------------------------------------------------------------------------
# lorenz
# ---------------------------------------------------------------------------------------------


@QUICK
@given(amounts)
def test_lorenz_is_a_monotone_convex_curve_from_origin_to_one(values: list[float]) -> None:
    population, held = lorenz(values)
    n = len(values)
    assert population.shape == held.shape == (n + 1,)
    assert (population[0], held[0]) == (0.0, 0.0)
    assert (population[-1], held[-1]) == (1.0, 1.0)
    np.testing.assert_allclose(population, np.arange(n + 1) / n)
    assert (np.diff(held) >= 0).all()
    assert (np.diff(held, 2) >= -1e-12).all()  # convex: each step holds at least the last
    assert (held <= population + 1e-12).all()


@QUICK
@given(amounts)
def test_lorenz_area_gives_the_gini(values: list[float]) -> None:
    _, held = lorenz(values)
    trapezoids = (held[1:] + held[:-1]).sum() / len(values)  # 2 × area under the curve
    assert 1 - trapezoids == pytest.approx(gini(values), abs=1e-9)


def test_lorenz_rejects_bad_input() -> None:
    for values in ([], [0.0], [-1.0, 1.0], [math.nan]):
        with pytest.raises(ValueError):
            lorenz(values)


# ---------------------------------------------------------------------------------------------
# band_shares
# ---------------------------------------------------------------------------------------------

FOLLOWER_EDGES = [10_000, 100_000, 1_000_000]


def test_band_labels_read_like_follower_bands() -> None:
    assert band_labels(FOLLOWER_EDGES) == ["<10k", "10k-100k", "100k-1M", ">=1M"]
    assert band_labels([500, 2_500, 3e9]) == ["<500", "500-2.5k", "2.5k-3B", ">=3B"]


def test_band_edges_belong_to_the_upper_band() -> None:
    sizes = [9_999, 10_000, 99_999, 100_000, 999_999, 1_000_000]
    shares = band_shares([1, 2, 4, 8, 16, 32], sizes, FOLLOWER_EDGES)
    assert list(shares) == ["<10k", "10k-100k", "100k-1M", ">=1M"]
    assert shares == pytest.approx(
        {"<10k": 1 / 63, "10k-100k": 6 / 63, "100k-1M": 24 / 63, ">=1M": 32 / 63}
    )


@QUICK
@given(
    st.lists(st.tuples(amount, st.integers(0, 5_000_000)), min_size=1, max_size=60).filter(
        lambda rows: any(value for value, _ in rows)
    ),
    st.lists(st.integers(1, 5_000_000), min_size=1, max_size=5, unique=True).map(sorted),
)
def test_band_shares_sum_to_one_and_match_a_direct_count(rows, edges) -> None:
    values = np.array([value for value, _ in rows])
    sizes = np.array([size for _, size in rows])
    shares = band_shares(values, sizes, edges)
    assert list(shares) == band_labels(edges)
    assert sum(shares.values()) == pytest.approx(1.0, abs=1e-12)
    bounds = [-math.inf, *edges, math.inf]
    for (low, high), share in zip(
        zip(bounds, bounds[1:], strict=False), shares.values(), strict=True
    ):
        inside = (sizes >= low) & (sizes < high)
        assert share == pytest.approx(values[inside].sum() / values.sum(), abs=1e-12)


def test_band_shares_takes_custom_labels() -> None:
    shares = band_shares([3, 1], [5, 50], [10], labels=["small", "large"])
    assert shares == {"small": 0.75, "large": 0.25}


@pytest.mark.parametrize(
    ("values", "sizes", "edges", "labels", "message"),
    [
        ([1, 2], [1], [10], None, "same length"),
        ([1, 2], [1, math.nan], [10], None, "finite"),
        ([1, 2], [1, 2], [], None, "non-empty"),
        ([1, 2], [1, 2], [10, 10], None, "strictly increasing"),
        ([1, 2], [1, 2], [10], ["only one"], "distinct names"),
        ([1, 2], [1, 2], [10], ["same", "same"], "distinct names"),
        ([0, 0], [1, 2], [10], None, "all zero"),
    ],
)
def test_band_shares_rejects_bad_input(values, sizes, edges, labels, message) -> None:
    with pytest.raises(ValueError, match=message):
        band_shares(values, sizes, edges, labels=labels)


# ---------------------------------------------------------------------------------------------
# allocate: instances and the reference linear programme
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Instance:
    merit: np.ndarray
    pool: int
    target: float
    floor: int
    cap: int | None
    eligible: np.ndarray

    def run(self, target: float | None = None) -> Allocation:
        return allocate(
            self.merit,
            self.pool,
            self.target if target is None else target,
            floor=self.floor,
            cap=self.cap,
            eligible=self.eligible,
        )


@st.composite
def instances(
    draw, *, huge_pool: bool = False, distinct: bool = False, rich: bool = False
) -> Instance:
    """Feasible requests: floors fit in the pool and caps can absorb it.

    ``rich`` draws at least two creators and 20+ impressions each, so that targets below the
    proportional Gini and above the rounding tolerance exist.
    """
    n = draw(st.integers(2 if rich else 1, 30))
    merit_values = st.floats(1e-9, 1e6) if distinct else amount
    merit = np.array(draw(st.lists(merit_values, min_size=n, max_size=n, unique=distinct)))
    eligible = np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n).filter(any)))
    n_eligible = int(eligible.sum())
    least_pool = 20 * n_eligible if rich else 1
    pool = HUGE_POOL if huge_pool else draw(st.integers(least_pool, 200 * n_eligible))
    floor = int(draw(st.floats(0, 1)) * (pool // n_eligible))
    cap = draw(st.none() | st.floats(1, n_eligible).map(lambda k: math.ceil(k * pool / n_eligible)))
    target = draw(st.floats(0, 1))
    return Instance(merit, pool, target, floor, cap, eligible)


def lp_distance(case: Instance, target: float | None = None) -> float:
    """The optimum's total-variation distance, by linprog over shares (pool = 1, well scaled).

    Variables: shares x (sorted by merit) and slacks t ≥ |x − p|; minimise Σt / 2.
    """
    merit = np.sort(case.merit[case.eligible])
    n = merit.size
    reference = merit / merit.sum() if merit.sum() > 0 else np.full(n, 1 / n)
    weights = 2.0 * np.arange(1, n + 1) - n - 1  # Gini = weights · x / n for ascending x
    eye = sparse.identity(n, format="csr")
    ascending = sparse.diags([np.ones(n - 1), -np.ones(n - 1)], [0, 1], shape=(n - 1, n))
    rows = sparse.vstack(
        [
            sparse.hstack([eye, -eye]),  # x − t ≤ p
            sparse.hstack([-eye, -eye]),  # −x − t ≤ −p
            sparse.hstack([ascending, sparse.csr_matrix((n - 1, n))]),  # x_i ≤ x_{i+1}
            sparse.csr_matrix(np.r_[weights, np.zeros(n)][None, :]),  # Gini ≤ target
        ]
    )
    limits = np.r_[
        reference, -reference, np.zeros(n - 1), (case.target if target is None else target) * n
    ]
    cap = case.pool if case.cap is None else case.cap
    solution = linprog(
        np.r_[np.zeros(n), np.ones(n)],
        A_ub=rows.tocsr(),
        b_ub=limits,
        A_eq=sparse.csr_matrix(np.r_[np.ones(n), np.zeros(n)][None, :]),
        b_eq=[1.0],
        bounds=[(case.floor / case.pool, cap / case.pool)] * n + [(0, None)] * n,
        method="highs",
        # Floors can be tiny shares of a huge pool: HiGHS's default 1e-7 would blur them.
        options={"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10},
    )
    assert solution.status == 0, solution.message
    return solution.fun / 2


def power_law_case(seed: int, n: int, pool_per_creator: int, target: float) -> Instance:
    """A realistic request: lognormal merit with zeros, a floor, a cap, some sanctioned."""
    rng = np.random.default_rng(seed)
    merit = rng.lognormal(0, 2, n) * (rng.random(n) > 0.1)
    eligible = rng.random(n) > 0.05
    pool = pool_per_creator * n
    mean = pool / eligible.sum()
    return Instance(merit, pool, target, int(0.1 * mean), int(40 * mean), eligible)


def assert_monotone_in_merit(case: Instance, impressions: np.ndarray) -> None:
    merit, counts = case.merit[case.eligible], impressions[case.eligible]
    order = np.lexsort((counts, merit))  # by merit, equal merits by impressions
    assert (np.diff(counts[order]) >= 0).all(), "a higher merit got fewer impressions"


# ---------------------------------------------------------------------------------------------
# allocate: invariants
# ---------------------------------------------------------------------------------------------


@QUICK
@given(instances())
def test_allocation_respects_every_constraint(case: Instance) -> None:
    result = case.run()
    counts = result.impressions
    assert counts.dtype == np.int64 and counts.shape == case.merit.shape
    assert int(counts.sum()) == case.pool
    assert (counts[~case.eligible] == 0).all()
    assert (counts[case.eligible] >= case.floor).all()
    if case.cap is not None:
        assert (counts[case.eligible] <= case.cap).all()
    assert_monotone_in_merit(case, counts)
    assert result.gini <= case.target + result.gini_tolerance + 1e-12
    assert result.gini_tolerance == case.eligible.sum() / (2 * case.pool)


@QUICK
@given(instances())
def test_reported_figures_describe_the_impressions(case: Instance) -> None:
    result = case.run()
    counts = result.impressions[case.eligible].astype(float)
    merit = case.merit[case.eligible]
    shares = merit / merit.sum() if merit.sum() else np.full(merit.size, 1 / merit.size)
    assert result.gini == pytest.approx(gini(counts), abs=1e-12)
    assert result.distance == pytest.approx(0.5 * np.abs(counts / case.pool - shares).sum())
    if merit.sum():
        retained = (merit @ counts) / (merit @ (shares * case.pool))
        assert result.merit_retained == pytest.approx(retained)
    assert result.low_level <= result.high_level
    assert result.target_gini == case.target


@QUICK
@given(instances(rich=True), st.floats(0, 1, exclude_max=True))
def test_a_binding_target_is_met_after_rounding(case: Instance, fraction: float) -> None:
    proportional = case.run(target=1.0)
    tolerance = proportional.gini_tolerance
    assume(proportional.proportional_gini > tolerance)
    target = tolerance + fraction * (proportional.proportional_gini - tolerance)
    assume(target < proportional.proportional_gini)  # float rounding can land on it
    assert case.run(target=target).gini <= target


@QUICK
@given(instances(), st.floats(0, 1))
def test_a_target_at_or_above_the_proportional_gini_returns_the_proportional_allocation(
    case: Instance, slack: float
) -> None:
    proportional = case.run(target=1.0)
    at_level = case.run(target=proportional.proportional_gini)
    above = case.run(
        target=proportional.proportional_gini + slack * (1 - proportional.proportional_gini)
    )
    np.testing.assert_array_equal(at_level.impressions, proportional.impressions)
    np.testing.assert_array_equal(above.impressions, proportional.impressions)


@QUICK
@given(instances())
def test_without_floor_or_cap_the_proportional_allocation_is_the_rounded_merit_share(
    case: Instance,
) -> None:
    result = allocate(case.merit, case.pool, 1.0, eligible=case.eligible)
    merit = case.merit[case.eligible]
    ideal = (
        merit / merit.sum() * case.pool
        if merit.sum()
        else np.full(merit.size, case.pool / merit.size)
    )
    assert (np.abs(result.impressions[case.eligible] - ideal) < 1 + 1e-9).all()
    assert result.lifted == result.trimmed == 0


@QUICK
@given(instances(distinct=True), st.randoms(use_true_random=False))
def test_distinct_merits_make_the_allocation_order_free(case: Instance, rnd) -> None:
    order = np.array(rnd.sample(range(case.merit.size), case.merit.size))
    shuffled = dataclasses.replace(case, merit=case.merit[order], eligible=case.eligible[order])
    np.testing.assert_array_equal(shuffled.run().impressions, case.run().impressions[order])


def test_equal_merits_break_rounding_ties_by_index() -> None:
    assert allocate([1, 1, 1], 4, 1.0).impressions.tolist() == [2, 1, 1]
    assert allocate([1, 1, 1], 5, 1.0).impressions.tolist() == [2, 2, 1]
    again = allocate([5, 1, 5, 1], 7, 0.0).impressions.tolist()
    assert again == allocate([5, 1, 5, 1], 7, 0.0).impressions.tolist()


@pytest.mark.parametrize(
    "make",
    [
        lambda rng, n: rng.lognormal(0, 2, n),
        # distinct merits a few ulps apart share their leading bits: the fix-up path
        lambda rng, n: 1.0 + rng.integers(0, 8, n) * 2.0**-52,
        lambda rng, n: np.where(
            rng.random(n) < 0.5, 1.0 + rng.integers(0, 4096, n) * 2.0**-52, rng.random(n)
        ),
        lambda rng, n: rng.choice([0.0, -0.0, 5e-324, 1e-310, 1.0, np.nextafter(1.0, 2)], n),
        lambda rng, n: rng.integers(0, 3, n).astype(np.float64),
    ],
)
@pytest.mark.parametrize("n", [1, 2, 7, 1000, 20_000])
def test_merit_order_is_exactly_the_stable_argsort(make, n: int) -> None:
    # allocate's tie-breaking rests on this order; the fast path must never differ from it.
    merit = make(np.random.default_rng(n), n)
    order, ranked = _merit_order(merit)
    expected = np.argsort(merit, kind="stable")
    np.testing.assert_array_equal(order, expected)
    np.testing.assert_array_equal(ranked.view(np.uint64), merit[expected].view(np.uint64))


def test_rounding_ties_favour_the_higher_merit() -> None:
    # Target 0: everyone at 10/3; the two extra impressions go to the highest merits.
    assert allocate([3, 1, 2], 11, 0.0).impressions.tolist() == [4, 3, 4]


def test_all_zero_merit_among_the_eligible_splits_equally() -> None:
    result = allocate([0, 0, 0, 9], 9, 0.5, eligible=np.array([True, True, True, False]))
    assert result.impressions.tolist() == [3, 3, 3, 0]
    assert result.gini == result.distance == 0.0
    assert result.merit_retained == 1.0


def test_sanctioned_creators_get_nothing_whatever_their_merit() -> None:
    result = allocate([1, 1e9, 2], 100, 1.0, eligible=np.array([True, False, True]))
    assert result.impressions.tolist() == [33, 0, 67]


def test_target_zero_gives_the_least_unequal_integer_split() -> None:
    n, pool = 7, 7 * 13 + 3
    result = allocate(np.arange(1, n + 1), pool, 0.0)
    spare = pool % n
    assert result.impressions.tolist() == [13] * (n - spare) + [14] * spare
    assert result.gini == pytest.approx(spare * (n - spare) / (n * pool))
    assert result.gini <= result.gini_tolerance


def test_fractional_floor_rounds_up_and_fractional_cap_down() -> None:
    result = allocate([1, 2, 3, 100], 40, 1.0, floor=4.2, cap=19.9)
    assert result.impressions.min() >= 5 and result.impressions.max() <= 19
    assert int(result.impressions.sum()) == 40


def test_allocation_is_frozen() -> None:
    result = allocate([1, 2], 3, 1.0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.gini = 0.0  # type: ignore[misc]
    with pytest.raises(ValueError):
        result.impressions[0] = 7


@QUICK
@given(instances(huge_pool=True), st.floats(0, 1), st.floats(0, 1))
def test_a_lower_target_never_brings_the_allocation_nearer(
    case: Instance, a: float, b: float
) -> None:
    lower, higher = sorted((a, b))
    assert case.run(target=lower).distance >= case.run(target=higher).distance - 1e-9


# ---------------------------------------------------------------------------------------------
# allocate: optimality against the linear programme
# ---------------------------------------------------------------------------------------------


@SLOW
@given(instances(huge_pool=True))
def test_allocation_is_the_linear_programme_optimum(case: Instance) -> None:
    result = case.run()
    optimum = lp_distance(case)
    assert result.distance == pytest.approx(optimum, rel=1e-6, abs=1e-8)
    assert result.gini <= case.target + 1e-9


@SLOW
@given(instances(huge_pool=True))
def test_optimum_lifts_the_tail_trims_the_head_and_keeps_the_middle(case: Instance) -> None:
    result = case.run()
    merit = case.merit[case.eligible]
    ideal = (
        merit / merit.sum() * case.pool
        if merit.sum()
        else np.full(merit.size, case.pool / merit.size)
    )
    expected = np.clip(ideal, result.low_level, result.high_level)
    assert np.abs(result.impressions[case.eligible] - expected).max() <= 1 + 1e-6 * case.pool


@pytest.mark.parametrize(("seed", "target"), [(1, 0.3), (2, 0.5), (3, 0.65), (4, 0.05), (5, 0.9)])
def test_thousands_of_creators_match_the_linear_programme(seed: int, target: float) -> None:
    case = power_law_case(seed, n=3000, pool_per_creator=1000, target=target)
    result = case.run()
    optimum = lp_distance(case)
    assert result.distance == pytest.approx(optimum, rel=0.01)
    assert result.gini <= case.target + result.gini_tolerance
    exact = power_law_case(seed, n=3000, pool_per_creator=HUGE_POOL // 3000, target=target)
    assert exact.run().distance == pytest.approx(lp_distance(exact), rel=1e-6)


# ---------------------------------------------------------------------------------------------
# allocate: infeasible and malformed requests
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"floor": 40}, "floors exceed the pool"),
        ({"cap": 20}, "caps cannot absorb the pool"),
        ({"floor": 30, "cap": 20}, "cap 20 is below floor 30"),
        ({"eligible": np.array([False, False, False])}, "no eligible creators"),
    ],
)
def test_infeasible_requests_name_the_constraint(kwargs: dict, message: str) -> None:
    with pytest.raises(InfeasibleAllocation, match=message):
        allocate([1, 2, 3], 100, 0.3, **kwargs)


def test_infeasible_allocation_is_a_value_error() -> None:
    assert issubclass(InfeasibleAllocation, ValueError)


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "message"),
    [
        (([1, -2], 10, 0.3), {}, ValueError, "non-negative"),
        (([1, math.nan], 10, 0.3), {}, ValueError, "finite"),
        (([], 10, 0.3), {}, ValueError, "non-empty"),
        (([1, 2], 0, 0.3), {}, ValueError, "at least 1"),
        (([1, 2], 10.5, 0.3), {}, TypeError, "integer"),
        (([1, 2], True, 0.3), {}, TypeError, "integer"),
        (([1, 2], 10, 1.5), {}, ValueError, "target_gini"),
        (([1, 2], 10, math.nan), {}, ValueError, "target_gini"),
        (([1, 2], 10, 0.3), {"floor": -1}, ValueError, "floor"),
        (([1, 2], 10, 0.3), {"cap": math.inf}, ValueError, "cap"),
        (([1, 2], 10, 0.3), {"eligible": [1, 0]}, ValueError, "boolean mask"),
        (([1, 2], 10, 0.3), {"eligible": [True]}, ValueError, "boolean mask"),
    ],
)
def test_malformed_requests_are_refused(args, kwargs, error, message) -> None:
    with pytest.raises(error, match=message):
        allocate(*args, **kwargs)
