"""The milestone engine of the incentive plan (光合计划): pure pandas, no Django.

Inputs
------
*Facts*: a frame with one row per observation of a creator's figure, columns

* ``creator_id`` (int), ``kind`` (a milestone kind: ``followers``, ``first_sale``,
  ``original_streak``, ``track_completed``), ``key`` (the series within the kind: an academy
  track for ``track_completed``, ``""`` for the kinds with one series),
* ``date`` (a ``datetime.date``), ``seq`` (int: the order of observations of one series on one
  day, 0 when there is one a day), ``value`` (int: the figure observed).

What each kind observes is its source's business (``creators.milestone_sources``): followers
per weekly snapshot; 1 on the first snapshot with orders; the length of the run of original
content items ending at each item; the number of the track's courses completed at each
completion.

*Rules*: :class:`Rule` per milestone: the series it reads (kind, key) and the ``threshold`` its
value must reach.

What it decides
---------------
* :func:`reached`: a milestone is reached by a creator on the first day (on or before ``as_of``)
  when an observation of its series is at least its threshold — "the first day the data shows
  it". Later observations (even lower ones: a streak broken, followers lost) do not undo it;
  observations after ``as_of`` are not read, so evaluating a past day gives what that day knew.
* :func:`progress`: per creator and series, the next milestone not yet reached (the lowest
  threshold not reached; ties by milestone id) and the creator's current figure, which is the
  latest observation on or before ``as_of`` (the last ``seq`` of its last day), 0 without one.
  The current figure is always below that threshold: had an observation reached it, it would
  be reached.
* :func:`streaks`: the run-length series that ``original_streak`` observes, from items in
  publication order and whether each is original.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import numpy as np
import pandas as pd

FACT_COLUMNS = ["creator_id", "kind", "key", "date", "seq", "value"]
REACHED_COLUMNS = ["milestone_id", "creator_id", "achieved_on", "value"]
PROGRESS_COLUMNS = ["creator_id", "kind", "key", "milestone_id", "value", "threshold"]


@dataclass(frozen=True)
class Rule:
    """One milestone as the engine reads it."""

    milestone_id: int
    kind: str
    threshold: int
    key: str = ""

    def __post_init__(self):
        if int(self.threshold) < 1:
            raise ValueError(f"milestone {self.milestone_id}: the threshold must be at least 1")


def empty_facts() -> pd.DataFrame:
    return pd.DataFrame({column: pd.Series(dtype=object) for column in FACT_COLUMNS})


def _known(facts: pd.DataFrame, as_of: datetime.date) -> pd.DataFrame:
    """The observations made on or before ``as_of``, with the columns typed."""
    if facts.empty:
        return empty_facts()
    missing = set(FACT_COLUMNS) - set(facts.columns)
    if missing:
        raise ValueError(f"facts lack the columns {sorted(missing)}")
    facts = facts[FACT_COLUMNS]
    return facts[facts["date"] <= as_of].astype({"creator_id": np.int64, "value": np.int64})


def reached(facts: pd.DataFrame, rules: list[Rule], *, as_of: datetime.date) -> pd.DataFrame:
    """``milestone_id, creator_id, achieved_on, value`` per milestone reached by a creator on or
    before ``as_of``: the first day an observation of its series reached its threshold, and the
    highest value seen that day. Sorted by day, creator, milestone."""
    known = _known(facts, as_of)
    parts = []
    for rule in rules:
        series = known[(known["kind"] == rule.kind) & (known["key"] == rule.key)]
        hits = series[series["value"] >= int(rule.threshold)]
        if hits.empty:
            continue
        first = hits.groupby("creator_id", sort=False)["date"].min().rename("achieved_on")
        same_day = hits.merge(first, left_on="creator_id", right_index=True)
        same_day = same_day[same_day["date"] == same_day["achieved_on"]]
        top = same_day.groupby("creator_id", sort=False)["value"].max()
        part = pd.DataFrame({"achieved_on": first, "value": top}).reset_index()
        part["milestone_id"] = rule.milestone_id
        parts.append(part)
    if not parts:
        return pd.DataFrame({column: pd.Series(dtype=object) for column in REACHED_COLUMNS})
    result = pd.concat(parts, ignore_index=True)[REACHED_COLUMNS]
    result = result.astype({"milestone_id": np.int64, "creator_id": np.int64, "value": np.int64})
    return result.sort_values(["achieved_on", "creator_id", "milestone_id"], ignore_index=True)


def current(facts: pd.DataFrame, *, as_of: datetime.date) -> pd.DataFrame:
    """``creator_id, kind, key, value``: the latest observation of each series on or before
    ``as_of`` (the last ``seq`` of its last day)."""
    known = _known(facts, as_of).sort_values(["date", "seq"], kind="stable")
    latest = known.groupby(["creator_id", "kind", "key"], sort=True).tail(1)
    return latest[["creator_id", "kind", "key", "value"]].reset_index(drop=True)


def progress(
    facts: pd.DataFrame,
    rules: list[Rule],
    *,
    as_of: datetime.date,
    creator_ids,
) -> pd.DataFrame:
    """Per creator of ``creator_ids`` and per series the rules read: the next milestone not
    reached (lowest threshold, then lowest id), with the creator's current ``value`` (0 without
    an observation) and the ``threshold``. A series whose milestones are all reached has no row.
    """
    ids = pd.Index(sorted({int(i) for i in creator_ids}), dtype=np.int64, name="creator_id")
    done = reached(facts, rules, as_of=as_of)
    done_pairs = set(zip(done["creator_id"], done["milestone_id"], strict=True))
    now = current(facts, as_of=as_of).set_index(["creator_id", "kind", "key"])["value"]
    ordered = sorted(
        rules, key=lambda rule: (rule.kind, rule.key, rule.threshold, rule.milestone_id)
    )
    rows = []
    for creator in ids:
        chosen: dict[tuple[str, str], Rule] = {}
        for rule in ordered:
            series = (rule.kind, rule.key)
            if series not in chosen and (creator, rule.milestone_id) not in done_pairs:
                chosen[series] = rule
        for (kind, key), rule in chosen.items():
            value = int(now.get((creator, kind, key), 0))
            rows.append((int(creator), kind, key, rule.milestone_id, value, int(rule.threshold)))
    return pd.DataFrame(rows, columns=PROGRESS_COLUMNS)


def streaks(items: pd.DataFrame) -> pd.DataFrame:
    """The ``original_streak`` observations of content items: ``creator_id, date, seq, value``.

    ``items`` holds ``creator_id``, ``date``, ``order`` (anything that sorts the items of a
    creator in publication order, ties impossible) and ``original`` (bool). The value at an
    item is the number of original items in a row ending at it (0 at an item that is not
    original); ``seq`` numbers a creator's items within one day. Vectorised over creators.
    """
    columns = ["creator_id", "date", "seq", "value"]
    if items.empty:
        return pd.DataFrame({column: pd.Series(dtype=object) for column in columns})
    items = items.sort_values(["creator_id", "order"], kind="stable").reset_index(drop=True)
    original = items["original"].astype(bool)
    # A new run starts at every item that is not original (and at each creator's first item).
    breaks = (~original).astype(np.int64).groupby(items["creator_id"]).cumsum()
    run = original.astype(np.int64).groupby([items["creator_id"], breaks]).cumsum()
    seq = items.groupby(["creator_id", "date"]).cumcount()
    return pd.DataFrame(
        {
            "creator_id": items["creator_id"].astype(np.int64),
            "date": items["date"],
            "seq": seq.astype(np.int64),
            "value": run.astype(np.int64),
        }
    )
