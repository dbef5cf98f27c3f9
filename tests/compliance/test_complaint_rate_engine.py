"""The pure complaint-rate engine: sums per subject, missing without orders, the alert rule."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compliance.engine import complaint_rates as engine

pair = st.tuples(
    st.one_of(st.none(), st.integers(1, 6)),  # creator (None: a brand's self-broadcast)
    st.integers(100, 103),  # brand
    st.integers(0, 400),  # orders
    st.integers(0, 6),  # complaints (may exceed orders: several on one order)
)


def frame(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["creator", "brand", "orders", "complaints"])


AGENCIES = pd.Series({1: 900.0, 2: 900.0, 3: 901.0})  # 4–6 independent


@settings(max_examples=150, deadline=None)
@given(st.lists(pair, max_size=25))
def test_each_subject_sums_its_rows(rows):
    pairs = frame(rows)
    result = engine.rates(pairs, AGENCIES).set_index(["subject_kind", "subject_id"])
    for (kind, subject), got in result.iterrows():
        if kind == "creator":
            mine = pairs[pairs["creator"] == subject]
        elif kind == "brand":
            mine = pairs[pairs["brand"] == subject]
        else:
            mine = pairs[pairs["creator"].map(AGENCIES) == subject]
        assert got["orders"] == mine["orders"].sum() > 0
        assert got["complaints"] == mine["complaints"].sum()
        assert got["rate"] == pytest.approx(got["complaints"] / got["orders"])
        assert got["alert"] == (got["rate"] > 0.008 and got["orders"] >= engine.ALERT_MIN_ORDERS)
    # Every brand's orders are counted once at the brand, self-broadcasts included.
    brands = result.loc["brand"] if "brand" in result.index.get_level_values(0) else result[:0]
    assert brands["orders"].sum() == pairs["orders"].sum()


@settings(max_examples=100, deadline=None)
@given(st.lists(pair, max_size=25), st.randoms(use_true_random=False))
def test_the_result_does_not_depend_on_row_order(rows, rnd):
    shuffled = list(rows)
    rnd.shuffle(shuffled)
    pd.testing.assert_frame_equal(
        engine.rates(frame(rows), AGENCIES), engine.rates(frame(shuffled), AGENCIES)
    )


@settings(max_examples=100, deadline=None)
@given(st.lists(pair, max_size=25))
def test_a_subject_without_orders_has_no_row_never_a_zero_rate(rows):
    result = engine.rates(frame(rows), AGENCIES)
    assert (result["orders"] > 0).all()
    assert np.isfinite(result["rate"]).all()


def test_self_broadcasts_count_for_the_brand_only():
    result = engine.rates(frame([(None, 100, 200, 4)]), AGENCIES)
    assert result[["subject_kind", "subject_id", "orders", "complaints"]].values.tolist() == [
        ["brand", 100, 200, 4]
    ]


def test_independent_creators_count_for_no_agency():
    result = engine.rates(frame([(5, 100, 10, 1), (1, 100, 30, 0)]), AGENCIES)
    agencies = result[result["subject_kind"] == "agency"]
    assert agencies[["subject_id", "orders", "complaints"]].values.tolist() == [[900, 30, 0]]


def test_the_alert_needs_the_rate_above_the_line_and_enough_orders():
    rows = [(1, 100, 3, 1), (2, 101, 100, 1), (3, 102, 125, 1), (4, 103, 100, 0)]
    result = engine.rates(frame(rows)).set_index(["subject_kind", "subject_id"])["alert"]
    assert not result[("creator", 1)]  # 33% on 3 orders: too few orders to mean anything
    assert result[("creator", 2)]  # 1% on 100 orders
    assert not result[("creator", 3)]  # exactly 0.8%: at the line, not above it
    assert not result[("creator", 4)]


def test_nothing_in_nothing_out_and_negative_counts_refused():
    assert engine.rates(frame([]), AGENCIES).empty
    assert list(engine.rates(frame([]), AGENCIES).columns) == engine.COLUMNS
    with pytest.raises(ValueError):
        engine.rates(frame([(1, 100, -1, 0)]))


def test_rate_is_missing_without_orders():
    rates = engine.rate([1, 0], [0, 10])
    assert np.isnan(rates[0]) and rates[1] == 0.0
