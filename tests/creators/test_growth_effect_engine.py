"""Property tests of the growth-effect engine (no Django, no database): Kaplan–Meier, the 91-day
reach rate, the growth cycle and the matched (reweighted) comparison."""

import datetime

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from creators.growth_effect import (
    COLUMNS,
    WINDOW_DAYS,
    band_of,
    kaplan_meier,
    matched_rates,
    measure,
)

# No example database: the suite must not write into the work tree.
QUICK = settings(max_examples=150, deadline=None, database=None)
AS_OF = datetime.date(2024, 6, 30)

day = st.integers(0, 400)
samples = st.lists(st.tuples(day, st.booleans()), min_size=1, max_size=60)


def survival_by_definition(durations, t) -> float:
    """Without censoring: the share of creators still below 10k after day t."""
    return float(np.mean(np.asarray(durations) > t))


# --- Kaplan–Meier -------------------------------------------------------------------------------


@QUICK
@given(samples)
def test_km_is_non_increasing_and_within_zero_and_one(sample):
    durations, observed = zip(*sample, strict=True)
    curve = kaplan_meier(durations, observed)
    assert curve.survival[0] == 1.0 and curve.days[0] == 0.0
    assert ((curve.survival >= 0) & (curve.survival <= 1)).all()
    assert (np.diff(curve.survival) <= 1e-12).all()
    assert (np.diff(curve.days[1:]) > 0).all() and (curve.days >= 0).all()
    assert curve.reached == sum(observed)


@QUICK
@given(st.lists(day, min_size=1, max_size=60))
def test_km_without_censoring_is_the_empirical_survival(durations):
    curve = kaplan_meier(durations, [True] * len(durations))
    for t in range(0, 402, 7):
        assert curve.at([t])[0] == pytest.approx(survival_by_definition(durations, t), abs=1e-12)


@QUICK
@given(samples)
def test_km_median_is_the_first_day_at_or_below_one_half(sample):
    durations, observed = zip(*sample, strict=True)
    curve = kaplan_meier(durations, observed)
    below = curve.days[curve.survival <= 0.5]
    assert curve.median == (float(below[0]) if len(below) else None)


@QUICK
@given(st.lists(day, min_size=1, max_size=30), st.lists(day, min_size=1, max_size=30))
def test_km_censoring_late_changes_nothing_before_it(events, late):
    """Creators censored after every event only lower the risk sets' weight, never add a step:
    before the last event the curve equals the uncensored one of the same events plus them."""
    shifted = [401 + d for d in late]
    curve = kaplan_meier(events + shifted, [True] * len(events) + [False] * len(late))
    total = len(events) + len(late)
    for t in sorted(set(events)):
        expected = (total - sum(d <= t for d in events)) / total
        assert curve.at([t])[0] == pytest.approx(expected, abs=1e-12)


def test_km_by_hand():
    # 5 creators: events on days 1, 2, 3; censored on days 2 and 4.
    curve = kaplan_meier([1, 2, 2, 3, 4], [True, False, True, True, False])
    np.testing.assert_allclose(curve.days, [0, 1, 2, 3])
    np.testing.assert_allclose(curve.survival, [1, 0.8, 0.6, 0.3])  # 4/5, ×3/4, ×1/2
    np.testing.assert_array_equal(curve.at_risk, [5, 5, 4, 2])
    assert curve.median == 3.0
    np.testing.assert_allclose(curve.at([0, 1.5, 10]), [1.0, 0.8, 0.3])


def test_km_all_censored_never_falls_and_has_no_median():
    curve = kaplan_meier([10, 20, 30], [False, False, False])
    assert curve.survival.tolist() == [1.0] and curve.median is None


def test_km_refuses_bad_input():
    with pytest.raises(ValueError):
        kaplan_meier([1, 2], [True])
    with pytest.raises(ValueError):
        kaplan_meier([1, -2], [True, True])
    with pytest.raises(ValueError):
        kaplan_meier([1, np.nan], [True, False])


# --- matching -----------------------------------------------------------------------------------


@QUICK
@given(
    st.lists(st.tuples(st.integers(1, 8), st.integers(0, 8)), min_size=1, max_size=8),
    st.integers(1, 4),
    st.randoms(use_true_random=False),
)
def test_matched_equals_raw_when_strata_are_balanced(strata, multiple, random):
    """Untrained counts proportional to trained ones in every stratum: reweighting the untrained
    to the trained creators' strata is then the identity."""
    labels, trained, reached = [], [], []
    for s, (n_trained, _) in enumerate(strata):
        for is_trained, n in ((True, n_trained), (False, multiple * n_trained)):
            labels += [s] * n
            trained += [is_trained] * n
            reached += [random.random() < 0.4 for _ in range(n)]
    trained_, reached_ = np.array(trained), np.array(reached)
    matched = matched_rates(labels, trained_, reached_)
    assert matched.trained.n == matched.trained_total == trained_.sum()
    assert matched.trained_share == pytest.approx(reached_[trained_].mean())
    assert matched.untrained_share == pytest.approx(reached_[~trained_].mean())


def test_matched_reweights_untrained_to_the_trained_strata():
    # Stratum a: 10 trained, 10 untrained (5 reach); b: 30 trained, 10 untrained (1 reaches);
    # c: 5 trained and no untrained creator to compare with.
    labels = ["a"] * 20 + ["b"] * 40 + ["c"] * 5
    trained = [True] * 10 + [False] * 10 + [True] * 30 + [False] * 10 + [True] * 5
    reached = (
        [True] * 8 + [False] * 2 + [True] * 5 + [False] * 5
        + [True] * 15 + [False] * 15 + [True] + [False] * 9 + [True] * 5
    )  # fmt: skip
    matched = matched_rates(labels, trained, reached)
    assert matched.trained_total == 45 and matched.trained.n == 40 and matched.strata == 2
    assert matched.untrained_share == pytest.approx((10 * 0.5 + 30 * 0.1) / 40)  # raw: 6/20
    assert matched.trained_share == pytest.approx(23 / 40)
    assert matched.untrained_n == 20


def test_matched_without_any_untrained_has_no_rate():
    matched = matched_rates(["a", "a"], [True, True], [True, False])
    assert matched.trained.n == 0 and matched.untrained_share is None
    assert matched.difference is None and matched.trained_total == 2


def test_bands_are_half_decades():
    assert band_of([0, 1, 3, 3.17, 9, 10, 31, 32, 100]).tolist() == [0, 0, 0, 1, 1, 2, 2, 3, 4]


# --- the report ---------------------------------------------------------------------------------


def creators_frame(rows) -> pd.DataFrame:
    """rows: (joined, vertical, start, trained, days_to_10k or None, observed_days)."""
    return pd.DataFrame(
        [
            {
                "creator_id": i + 1,
                "joined": pd.Timestamp(joined),
                "vertical": vertical,
                "start_followers": start,
                "trained": trained,
                "days_to_10k": np.nan if days is None else days,
                "observed_days": observed,
            }
            for i, (joined, vertical, start, trained, days, observed) in enumerate(rows)
        ],
        columns=list(COLUMNS),
    )


creator_rows = st.lists(
    st.tuples(
        st.dates(datetime.date(2023, 1, 1), AS_OF),
        st.sampled_from(["food", "beauty"]),
        st.integers(5, 5000),
        st.booleans(),
        st.one_of(st.none(), st.integers(0, 300)),
        st.integers(0, 400),
    ).map(lambda r: (*r[:4], None if r[4] is None or r[4] > r[5] else r[4], r[5])),
    max_size=40,
)


@QUICK
@given(creator_rows)
def test_rates_count_only_creators_whose_first_91_days_are_observable(rows):
    report = measure(creators_frame(rows), AS_OF)
    for flag, rate in ((True, report.trained_rate), (False, report.untrained_rate)):
        mine = [
            r for r in rows
            if r[3] == flag and min(r[5], (AS_OF - r[0]).days) >= WINDOW_DAYS
        ]  # fmt: skip
        assert rate.n == len(mine)
        assert rate.reached == sum(r[4] is not None and r[4] <= WINDOW_DAYS for r in mine)
        assert rate.share is None or 0 <= rate.share <= 1
    assert sum(c.creators for c in report.cohorts) == report.creators == len(rows)
    assert sum(c.trained for c in report.cohorts) == report.trained
    assert [c.month for c in report.cohorts] == sorted({r[0].replace(day=1) for r in rows})
    assert report.curves["trained"].n + report.curves["untrained"].n == len(rows)


def test_cycle_is_the_median_among_creators_who_reached_10k():
    rows = [
        ("2024-01-01", "food", 50, True, 40, 150),
        ("2024-01-01", "food", 50, True, 60, 150),
        ("2024-01-01", "food", 50, True, None, 150),  # never: not in the cycle
        ("2024-01-01", "food", 50, False, 90, 150),
        ("2024-01-01", "food", 50, False, 110, 150),
    ]
    report = measure(creators_frame(rows), AS_OF)
    assert report.cycle.trained == 50 and report.cycle.untrained == 100
    assert report.cycle.change == pytest.approx(-0.5)
    assert report.cycle.trained_n == 2 and report.cycle.untrained_n == 2
    assert report.trained_rate.reached == 2 and report.trained_rate.n == 3
    assert report.untrained_rate.reached == 1  # 110 days is outside the window


def test_as_of_censors_what_came_after_it():
    rows = [
        ("2024-01-01", "food", 50, True, 40, 170),
        ("2024-01-01", "food", 50, False, 100, 170),
        ("2024-06-01", "food", 50, False, 10, 20),  # joined after the earlier as_of
    ]
    early = measure(creators_frame(rows), datetime.date(2024, 3, 1))  # 60 days in
    assert early.creators == 2
    assert early.trained_rate.n == 0  # nobody watched for 91 days yet on 1 March
    assert early.cycle.trained == 40 and early.cycle.untrained is None
    assert early.curves["untrained"].reached == 0
    later = measure(creators_frame(rows), AS_OF)
    assert later.creators == 3 and later.cycle.untrained == 55


def test_empty_frame_gives_an_empty_report():
    report = measure(pd.DataFrame({column: [] for column in COLUMNS}), AS_OF)
    assert report.creators == 0 and report.cohorts == []
    assert report.trained_rate.share is None and report.cycle.change is None
    assert report.matched.untrained_share is None and report.curves["trained"].median is None


def test_bad_frames_are_refused():
    with pytest.raises(ValueError, match="lacks columns"):
        measure(pd.DataFrame({"creator_id": [1]}), AS_OF)
    with pytest.raises(ValueError, match="negative"):
        measure(creators_frame([("2024-01-01", "food", 50, True, -3, 100)]), AS_OF)


@QUICK
@given(samples)
def test_km_horizon_is_the_longest_watch(sample):
    durations, observed = zip(*sample, strict=True)
    assert kaplan_meier(durations, observed).horizon == max(durations)


def test_km_horizon_follows_the_watch_when_given():
    curve = kaplan_meier([10, 20], [True, True], watched=[150, 90])
    assert curve.horizon == 150 and curve.at([149])[0] == 0.0
