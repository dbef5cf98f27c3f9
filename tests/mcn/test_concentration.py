"""Market concentration (``mcn.engine.concentration``): CR5, CR10 and HHI of one period."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mcn.engine import concentration

GMV = st.floats(min_value=0, max_value=1e9, allow_nan=False)


@given(st.lists(GMV, min_size=1, max_size=40), st.floats(min_value=0, max_value=1e10))
def test_bounds_of_cr_and_hhi(agency_gmv, independent):
    """HHI in [1/n, 1] for n agencies with GMV; CR5 ≤ CR10 ≤ 1; CR10 is all the agencies' share
    when there are at most ten; the shares are of a market at least the agencies' sum."""
    result = concentration(agency_gmv, sum(agency_gmv) + independent)
    selling = [v for v in agency_gmv if v > 0]
    if not selling:
        assert result.hhi is None and result.agencies == 0
        return
    n = len(selling)
    assert result.agencies == n
    assert 1 / n - 1e-9 <= result.hhi <= 1 + 1e-9
    assert 0 <= result.cr5 <= result.cr10 <= 1 + 1e-9
    agencies_share = sum(selling) / (sum(agency_gmv) + independent)
    assert result.cr10 <= agencies_share + 1e-9
    if n <= 10:
        assert result.cr10 == pytest.approx(agencies_share)
    if n <= 5:
        assert result.cr5 == pytest.approx(result.cr10)


@given(st.lists(st.floats(min_value=1, max_value=1e6), min_size=1, max_size=30))
def test_hhi_is_one_over_n_exactly_when_equal(values):
    equal = concentration([values[0]] * len(values), values[0] * len(values))
    assert equal.hhi == pytest.approx(1 / len(values))
    assert concentration(values, sum(values)).hhi >= equal.hhi - 1e-9


def test_a_worked_example_and_the_undefined_cases():
    result = concentration([60, 50, 40, 30, 20, 10, 0], 300)
    assert result.cr5 == pytest.approx(200 / 300) and result.cr10 == pytest.approx(210 / 300)
    assert result.hhi == pytest.approx(sum((v / 210) ** 2 for v in [60, 50, 40, 30, 20, 10]))
    assert result.agencies == 6
    assert concentration([], 100).hhi is None and concentration([], 100).cr5 is None
    no_market = concentration([5, 5], 0)
    assert no_market.cr5 is None and no_market.hhi == pytest.approx(0.5)
    # A market total below the agencies' sum (rounding) is taken as their sum: shares ≤ 1.
    assert concentration([5, 5], 9).cr5 == pytest.approx(1.0)
