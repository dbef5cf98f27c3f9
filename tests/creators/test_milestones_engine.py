"""Property tests of the milestone engine (no Django, no database): what is reached, on which
day, and the progress towards the next milestone, checked against a plain re-statement."""

import datetime

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from creators.milestones import Rule, current, progress, reached, streaks

QUICK = settings(max_examples=150, deadline=None, database=None)
START = datetime.date(2026, 1, 5)
AS_OF = START + datetime.timedelta(weeks=30)

week = st.integers(0, 40)  # some observations fall after AS_OF (week 30)
observation = st.tuples(st.integers(1, 4), st.sampled_from(["followers", "first_sale"]), week,
                        st.integers(0, 20_000))  # fmt: skip
observations = st.lists(observation, max_size=60, unique_by=lambda o: (o[0], o[1], o[2]))
thresholds = st.lists(st.integers(1, 20_000), min_size=1, max_size=5, unique=True)


def frame(rows) -> pd.DataFrame:
    return pd.DataFrame(
        [
            (creator, kind, "", START + datetime.timedelta(weeks=w), 0, value)
            for creator, kind, w, value in rows
        ],
        columns=["creator_id", "kind", "key", "date", "seq", "value"],
    )


def rules_of(levels, kind="followers") -> list[Rule]:
    return [Rule(milestone_id=i + 1, kind=kind, threshold=t) for i, t in enumerate(levels)]


def first_day_by_hand(rows, creator, rule):
    days = [
        START + datetime.timedelta(weeks=w)
        for c, kind, w, value in rows
        if c == creator and kind == rule.kind and value >= rule.threshold
        and START + datetime.timedelta(weeks=w) <= AS_OF
    ]  # fmt: skip
    return min(days) if days else None


@QUICK
@given(observations, thresholds)
def test_a_milestone_is_reached_on_the_first_day_the_data_shows_it(rows, levels):
    rules = rules_of(levels)
    got = reached(frame(rows), rules, as_of=AS_OF)
    by_pair = {(r.creator_id, r.milestone_id): r.achieved_on for r in got.itertuples()}
    for creator in range(1, 5):
        for rule in rules:
            assert by_pair.get((creator, rule.milestone_id)) == first_day_by_hand(
                rows, creator, rule
            )


@QUICK
@given(observations, thresholds)
def test_higher_thresholds_are_never_reached_earlier(rows, levels):
    rules = rules_of(sorted(levels))
    got = reached(frame(rows), rules, as_of=AS_OF)
    days = {(r.creator_id, r.milestone_id): r.achieved_on for r in got.itertuples()}
    for creator in range(1, 5):
        for low, high in zip(rules, rules[1:], strict=False):
            if (creator, high.milestone_id) in days:
                assert days[(creator, low.milestone_id)] <= days[(creator, high.milestone_id)]


@QUICK
@given(observations, thresholds, st.randoms(use_true_random=False))
def test_the_order_of_the_rows_does_not_matter(rows, levels, rnd):
    rules = rules_of(levels)
    shuffled = list(rows)
    rnd.shuffle(shuffled)
    a = reached(frame(rows), rules, as_of=AS_OF)
    b = reached(frame(shuffled), rules, as_of=AS_OF)
    pd.testing.assert_frame_equal(a, b, check_dtype=False)


@QUICK
@given(observations, thresholds, st.integers(0, 20_000))
def test_what_happens_after_the_day_is_not_read(rows, levels, value):
    rules = rules_of(levels)
    later = [*rows, (1, "followers", 35, value), (9, "followers", 31, value)]
    before = reached(frame(rows), rules, as_of=AS_OF)
    after = reached(frame(later), rules, as_of=AS_OF)
    pd.testing.assert_frame_equal(before, after, check_dtype=False)


@QUICK
@given(observations, thresholds)
def test_progress_names_the_lowest_unreached_milestone_and_stays_below_it(rows, levels):
    rules = rules_of(levels)
    facts = frame(rows)
    got = progress(facts, rules, as_of=AS_OF, creator_ids=range(1, 6))
    done = reached(facts, rules, as_of=AS_OF)
    for creator in range(1, 6):
        reached_ids = set(done[done["creator_id"] == creator]["milestone_id"])
        open_rules = [r for r in rules if r.milestone_id not in reached_ids]
        mine = got[got["creator_id"] == creator]
        if not open_rules:
            assert mine.empty
            continue
        (row,) = mine.itertuples()
        assert row.threshold == min(r.threshold for r in open_rules)
        assert 0 <= row.value < row.threshold
        observed = [(w, v) for c, k, w, v in rows if c == creator and k == "followers" and w <= 30]
        assert row.value == (max(observed)[1] if observed else 0)


def test_progress_reads_each_series_of_a_kind_on_its_own():
    facts = pd.DataFrame(
        [(1, "track_completed", "live_selling", START, 0, 1),
         (1, "track_completed", "compliance", START, 0, 2)],
        columns=["creator_id", "kind", "key", "date", "seq", "value"],
    )  # fmt: skip
    rules = [
        Rule(1, "track_completed", 2, key="live_selling"),
        Rule(2, "track_completed", 2, key="compliance"),
    ]
    got = progress(facts, rules, as_of=AS_OF, creator_ids=[1])
    assert got[["key", "milestone_id", "value", "threshold"]].values.tolist() == [
        ["live_selling", 1, 1, 2]
    ]
    assert reached(facts, rules, as_of=AS_OF)["milestone_id"].tolist() == [2]


def test_a_lost_figure_does_not_undo_a_milestone_and_the_current_one_is_the_latest():
    rows = [(1, "followers", 0, 900), (1, "followers", 1, 1_200), (1, "followers", 2, 950)]
    facts = frame(rows)
    rules = rules_of([1_000, 10_000])
    got = reached(facts, rules, as_of=AS_OF)
    assert got[["milestone_id", "achieved_on", "value"]].values.tolist() == [
        [1, START + datetime.timedelta(weeks=1), 1_200]
    ]
    assert current(facts, as_of=AS_OF)["value"].tolist() == [950]
    assert progress(facts, rules, as_of=AS_OF, creator_ids=[1])["threshold"].tolist() == [10_000]


def test_a_threshold_below_one_is_refused():
    with pytest.raises(ValueError, match="at least 1"):
        Rule(milestone_id=1, kind="followers", threshold=0)


def test_facts_without_their_columns_are_refused():
    with pytest.raises(ValueError, match="lack the columns"):
        reached(pd.DataFrame({"creator_id": [1]}), rules_of([1]), as_of=AS_OF)


def test_nothing_in_nothing_out():
    empty = frame([])
    assert reached(empty, rules_of([1]), as_of=AS_OF).empty
    got = progress(empty, rules_of([5, 1]), as_of=AS_OF, creator_ids=[7])
    assert got[["creator_id", "value", "threshold"]].values.tolist() == [[7, 0, 1]]


# --- streaks ---------------------------------------------------------------------------------

items = st.lists(st.tuples(st.integers(1, 3), st.integers(0, 10), st.booleans()), max_size=40)


@QUICK
@given(items)
def test_a_streak_counts_the_original_items_in_a_row_ending_at_each_item(rows):
    frame_ = pd.DataFrame(
        [(c, START + datetime.timedelta(days=d), i, o) for i, (c, d, o) in enumerate(rows)],
        columns=["creator_id", "date", "order", "original"],
    )
    got = streaks(frame_)
    for creator in {c for c, _d, _o in rows}:
        mine = [o for c, _d, o in rows if c == creator]
        expected, run = [], 0
        for original in mine:
            run = run + 1 if original else 0
            expected.append(run)
        assert got[got["creator_id"] == creator]["value"].tolist() == expected


def test_a_streak_is_reached_on_the_day_of_its_nth_original_item_even_if_broken_that_day():
    days = [0, 1, 2, 2]
    originals = [True, True, True, False]
    items_ = pd.DataFrame(
        {"creator_id": 1, "date": [START + datetime.timedelta(days=d) for d in days],
         "order": range(4), "original": originals}
    )  # fmt: skip
    facts = streaks(items_).assign(kind="original_streak", key="")
    rules = [Rule(1, "original_streak", 3)]
    got = reached(facts, rules, as_of=AS_OF)
    assert got["achieved_on"].tolist() == [START + datetime.timedelta(days=2)]
    assert current(facts, as_of=AS_OF)["value"].tolist() == [0]
    assert streaks(items_.iloc[:0]).empty
