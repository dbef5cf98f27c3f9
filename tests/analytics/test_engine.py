"""The reports' pure arithmetic (``analytics.engine``), property-tested where it means something."""

import datetime

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analytics import engine
from traffic import engine as traffic_engine

EDGES = [10_000, 100_000, 1_000_000]
NAMES = {"<10k": "tail", "10k-100k": "waist", "100k-1M": "mid", ">=1M": "head"}
amounts = st.lists(st.floats(0, 1e9, allow_nan=False), min_size=1, max_size=200)


@given(amounts)
def test_inequality_is_the_traffic_gini_and_its_lorenz_curve(values):
    measured = engine.inequality(values)
    if sum(values) <= 0:
        assert measured is None
        return
    assert measured["gini"] == traffic_engine.gini(values)
    curve = np.array(measured["lorenz"])
    assert curve[0].tolist() == [0.0, 0.0] and curve[-1].tolist() == [1.0, 1.0]
    assert (np.diff(curve[:, 0]) > 0).all() and (np.diff(curve[:, 1]) >= -1e-12).all()
    assert (curve[:, 1] <= curve[:, 0] + 1e-9).all()  # below the diagonal
    assert measured["n"] == len(values)


def test_inequality_without_a_distribution_is_none():
    assert engine.inequality([]) is None
    assert engine.inequality([0, 0]) is None


@given(amounts, st.lists(st.integers(0, 5_000_000), min_size=200, max_size=200))
def test_named_band_shares_sum_to_one_in_the_bands_names(values, sizes):
    shares = engine.named_band_shares(values, sizes[: len(values)], EDGES, NAMES)
    if sum(values) <= 0:
        assert shares is None
        return
    assert list(shares) == ["tail", "waist", "mid", "head"]
    assert sum(shares.values()) == pytest.approx(1.0)


def test_a_band_starts_at_its_edge():
    shares = engine.named_band_shares([1, 3], [99_999, 100_000], EDGES, NAMES)
    assert shares == {"tail": 0.0, "waist": 0.25, "mid": 0.75, "head": 0.0}
    assert engine.band_counts([5, 5, 2_000_000], EDGES, NAMES)["tail"] == pytest.approx(2 / 3)


def test_complete_months_leave_out_the_first_and_an_unfinished_last():
    months = engine.complete_months(datetime.date(2025, 1, 15), datetime.date(2025, 4, 29))
    assert [str(m) for m in months] == ["2025-02", "2025-03"]
    months = engine.complete_months(datetime.date(2025, 1, 1), datetime.date(2025, 4, 30))
    assert [str(m) for m in months] == ["2025-02", "2025-03", "2025-04"]
    assert engine.complete_months(datetime.date(2025, 1, 3), datetime.date(2025, 1, 31)).empty


def _months(totals, actives, start="2024-11-01"):
    days = pd.date_range(start, periods=len(totals), freq="MS")
    return pd.DataFrame({"month": days, "total": totals, "active": actives})


@given(
    st.lists(st.floats(0, 1e7, allow_nan=False), min_size=3, max_size=30),
    st.floats(0.1, 100),
)
def test_monthly_income_scales_with_income_and_is_a_mean_of_months(totals, factor):
    months = _months(totals, [4] * len(totals))
    last = (months["month"].iloc[-1] + pd.offsets.MonthEnd(0)).date()
    base = engine.monthly_income_by_year(months, datetime.date(2024, 11, 5), last)
    scaled = engine.monthly_income_by_year(
        months.assign(total=months["total"] * factor), datetime.date(2024, 11, 5), last
    )
    assert base.keys() == scaled.keys()
    for year in base:
        assert scaled[year] == pytest.approx(base[year] * factor, rel=1e-9, abs=1e-6)
    expected = pd.Series(totals[1:]) / 4  # the first month is left out
    years = months["month"].iloc[1:].dt.year.to_numpy()
    for year, value in expected.groupby(years).mean().items():
        assert base[int(year)] == pytest.approx(value, rel=1e-9, abs=1e-9)


def test_first_to_last_needs_two_years():
    assert engine.first_to_last({2024: 10.0}) is None
    assert engine.first_to_last({2024: 10.0, 2026: 23.0, 2025: 1.0}) == {
        "from": 2024, "to": 2026, "ratio": 2.3
    }  # fmt: skip


def test_roi_by_sums_then_divides_and_has_none_without_spend():
    frame = pd.DataFrame(
        {"mode": ["a", "a", "b"], "gmv": [100.0, 50.0, 30.0], "spend": [10.0, 20.0, 0.0]}
    )
    assert engine.roi_by(frame, "mode") == {
        "a": {"gmv": 150.0, "spend": 30.0, "roi": 5.0},
        "b": {"gmv": 30.0, "spend": 0.0, "roi": None},
    }


@given(
    st.lists(
        st.tuples(st.floats(0, 1e6, allow_nan=False), st.floats(0, 1)), min_size=1, max_size=40
    )
)
def test_segment_reach_splits_views_by_audience_share(rows):
    views = [v for v, _share in rows]
    portraits = [{"young_mothers": s, "new_farmers": 1 - s} for _v, s in rows]
    reach = engine.segment_reach(views, portraits, ["young_mothers", "new_farmers", "gamers"])
    total = sum(r["views"] for r in reach.values())
    assert total == pytest.approx(sum(views), rel=1e-9, abs=1e-6)
    nobody = None if not sum(views) else 0.0
    assert reach["gamers"] == {"views": 0.0, "share": nobody, "creators": 0}
    expected = sum(1 for _v, s in rows if s >= engine.SEGMENT_MIN_SHARE)
    assert reach["young_mothers"]["creators"] == expected
