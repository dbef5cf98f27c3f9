"""The effect of growth programmes on new creators (pure numpy / pandas; no Django here).

Input: one row per *new* creator (whose start the data shows), columns

    creator_id        int
    joined            date (datetime64 or ``datetime.date``)
    vertical          str
    start_followers   followers in the creator's first snapshot
    trained           bool: completed an academy course early enough to count (the selector
                      decides; ``creators.selectors_growth`` documents its rule)
    days_to_10k       days from joining to the first snapshot with >= 10,000 followers; NaN
                      when no snapshot shows it (yet)
    observed_days     days from joining to the creator's last snapshot (how long we watched)

and an ``as_of`` date: nothing after it counts (a later crossing is censored, a later joiner
dropped), so re-running the report for an old date gives that date's figures.

What :func:`measure` computes
-----------------------------
Rate within the window (``WINDOW_DAYS`` = 91, "within 3 months"). A creator counts only when its
first 91 days are observable (``observed_days >= 91``), so young creators do not drag the rate
down; it *reached* when ``days_to_10k <= 91``.

Kaplan–Meier survival of time-to-10k per group: the event is the first snapshot at 10k; a creator
that has not got there is right-censored at its last observed day. At each event day t,
``S(t) = S(t-) · (1 − d_t / n_t)`` with d_t events on day t and n_t creators still at risk (time
>= t; a creator censored on day t is still at risk then, the usual convention). The KM median is
the first day with S <= 0.5, undefined (None) when the curve never gets there.

Growth cycle: the median days from joining to 10k among creators who reached it, trained and not,
and the relative change ``trained / untrained − 1`` (the brief's −40%). It only sees creators who
got there, so it is a description, not an estimate of anyone's time-to-10k; the KM median is.

Matched comparison (the selection check). Trained creators may differ from the rest before any
training: they may start bigger or sit in faster verticals. Creators are grouped into strata of
vertical × starting-followers band (``band_of``: half-decade log10 bins, coarsened exact
matching); a trained creator is *matched* when its stratum holds an untrained creator. The
untrained rate is then reweighted to the matched trained creators' strata,
``Σ_s t_s · r_u(s) / Σ_s t_s`` — the untrained rate the trained would have had if they grew like
untrained creators of their own stratum (the average effect on the treated, ATT, under "no hidden
confounders", which an observational comparison cannot check). The trained rate is taken over the
same matched trained creators. When every stratum holds trained and untrained creators in the same
proportion, matched equals raw (the tests check it); a gap between raw and matched differences
is the part of the raw gap that was selection on these two traits.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

TEN_K = 10_000
WINDOW_DAYS = 91  # 13 weeks: "within 3 months" of joining
#: Starting-followers bands per decade: 2 → bins 1–3, 3–10, 10–31, 31–100, … followers.
BANDS_PER_DECADE = 2
COLUMNS = (
    "creator_id",
    "joined",
    "vertical",
    "start_followers",
    "trained",
    "days_to_10k",
    "observed_days",
)


@dataclass(frozen=True)
class Rate:
    """``reached`` of ``n`` creators; ``share`` is None when nobody counts."""

    reached: int
    n: int

    @property
    def share(self) -> float | None:
        return self.reached / self.n if self.n else None

    @property
    def standard_error(self) -> float | None:
        """The binomial standard error of the share (None below two creators)."""
        if self.n < 2:
            return None
        p = self.reached / self.n
        return math.sqrt(p * (1 - p) / self.n)


@dataclass(frozen=True)
class Curve:
    """A Kaplan–Meier curve: ``survival[i]`` is the share still below 10k just after
    ``days[i]`` (``days[0] = 0``, ``survival[0] = 1``); steps only at event days."""

    days: np.ndarray
    survival: np.ndarray
    at_risk: np.ndarray  # creators at risk on each step's day (n at day 0 for the first)
    events: np.ndarray  # creators reaching 10k on each step's day (0 for the first)
    n: int
    median: float | None
    horizon: float  # the longest time anyone was watched: the curve says nothing after it

    def at(self, days) -> np.ndarray:
        """S(t) at each of ``days`` (a step function, right-continuous; flat past the last step,
        though past ``horizon`` nobody is watched any more)."""
        positions = np.searchsorted(self.days, np.asarray(days, dtype=float), side="right") - 1
        return self.survival[np.maximum(positions, 0)]

    @property
    def reached(self) -> int:
        return int(self.events.sum())


@dataclass(frozen=True)
class Cycle:
    """Median days to 10k among creators who reached it, trained and not."""

    trained: float | None
    untrained: float | None
    trained_n: int
    untrained_n: int

    @property
    def change(self) -> float | None:
        """``trained / untrained − 1``: −0.4 is a growth cycle 40% shorter."""
        if self.trained is None or not self.untrained:
            return None
        return self.trained / self.untrained - 1


@dataclass(frozen=True)
class Matched:
    """The rates over matched trained creators, the untrained one reweighted to their strata."""

    trained: Rate  # matched trained creators
    untrained_share: float | None  # ATT-reweighted untrained rate
    untrained_n: int  # untrained creators in the matched strata
    trained_total: int  # trained creators that count in the rate, matched or not
    strata: int  # strata holding both

    @property
    def trained_share(self) -> float | None:
        return self.trained.share

    @property
    def difference(self) -> float | None:
        if self.trained.share is None or self.untrained_share is None:
            return None
        return self.trained.share - self.untrained_share


@dataclass(frozen=True)
class Cohort:
    """Creators who joined in one calendar month."""

    month: datetime.date  # the first day of the month
    creators: int
    trained: int
    trained_rate: Rate
    untrained_rate: Rate

    @property
    def untrained(self) -> int:
        return self.creators - self.trained


@dataclass(frozen=True)
class GrowthEffect:
    as_of: datetime.date
    creators: int
    trained: int
    cohorts: list[Cohort]  # oldest month first
    trained_rate: Rate
    untrained_rate: Rate
    matched: Matched
    curves: dict[str, Curve]  # "trained", "untrained"
    cycle: Cycle

    @property
    def raw_difference(self) -> float | None:
        if self.trained_rate.share is None or self.untrained_rate.share is None:
            return None
        return self.trained_rate.share - self.untrained_rate.share


def kaplan_meier(durations, observed, *, watched=None) -> Curve:
    """The KM curve of ``durations`` (days), ``observed`` False where right-censored.
    ``watched``: how long each creator was watched (an event can come before the end of the
    watch); the curve's ``horizon`` is its longest, else the longest duration."""
    durations = np.asarray(durations, dtype=float)
    observed = np.asarray(observed, dtype=bool)
    if durations.shape != observed.shape:
        raise ValueError("durations and observed must have the same length")
    if np.isnan(durations).any() or (durations < 0).any():
        raise ValueError("durations must be known and not negative")
    n = len(durations)
    days, counts = np.unique(durations[observed], return_counts=True)
    # At risk on day t: everyone whose time is t or later.
    at_risk = n - np.searchsorted(np.sort(durations), days, side="left")
    survival = np.cumprod(1.0 - counts / at_risk) if len(days) else np.array([])
    below = np.flatnonzero(survival <= 0.5)
    return Curve(
        days=np.concatenate([[0.0], days]),
        survival=np.concatenate([[1.0], survival]),
        at_risk=np.concatenate([[n], at_risk]).astype(np.int64),
        events=np.concatenate([[0], counts]).astype(np.int64),
        n=n,
        median=float(days[below[0]]) if len(below) else None,
        horizon=float(np.max(durations if watched is None else watched)) if n else 0.0,
    )


def band_of(followers) -> np.ndarray:
    """Starting-followers band: ``floor(BANDS_PER_DECADE · log10(followers))`` (0 for < 1)."""
    values = np.maximum(np.asarray(followers, dtype=float), 1.0)
    return np.floor(BANDS_PER_DECADE * np.log10(values) + 1e-9).astype(np.int64)


def matched_rates(strata, trained, reached) -> Matched:
    """Coarsened exact matching on ``strata`` labels: see the module docstring."""
    frame = pd.DataFrame(
        {"stratum": np.asarray(strata), "trained": trained, "reached": reached}
    ).astype({"trained": bool, "reached": bool})
    table = frame.groupby(["stratum", "trained"]).agg(n=("reached", "size"), hit=("reached", "sum"))
    table = table.unstack("trained", fill_value=0)
    for column in [("n", True), ("n", False), ("hit", True), ("hit", False)]:
        if column not in table.columns:
            table[column] = 0
    both = table[(table[("n", True)] > 0) & (table[("n", False)] > 0)]
    weights = both[("n", True)].to_numpy()
    untrained_rates = both[("hit", False)].to_numpy() / np.maximum(both[("n", False)], 1)
    return Matched(
        trained=Rate(reached=int(both[("hit", True)].sum()), n=int(weights.sum())),
        untrained_share=float(weights @ untrained_rates / weights.sum()) if len(both) else None,
        untrained_n=int(both[("n", False)].sum()),
        trained_total=int(table[("n", True)].sum()),
        strata=len(both),
    )


def _median(values: np.ndarray) -> float | None:
    return float(np.median(values)) if len(values) else None


def prepared(frame: pd.DataFrame, as_of: datetime.date) -> pd.DataFrame:
    """The frame cut at ``as_of``: later joiners dropped, watching stops at ``as_of``, a crossing
    after it unknown. Refuses a frame without the columns or with negative days."""
    missing = [column for column in COLUMNS if column not in frame.columns]
    if missing:
        raise ValueError(f"growth frame lacks columns: {', '.join(missing)}")
    joined = pd.to_datetime(frame["joined"]).dt.normalize()
    horizon = (pd.Timestamp(as_of) - joined).dt.days.to_numpy()
    keep = horizon >= 0
    observed = np.minimum(frame["observed_days"].to_numpy(dtype=float), horizon)[keep]
    days = frame["days_to_10k"].to_numpy(dtype=float)[keep]
    if (observed < 0).any() or (days < 0).any():
        raise ValueError("days from joining cannot be negative")
    days = np.where(days <= observed, days, np.nan)  # not yet seen on as_of
    return pd.DataFrame(
        {
            "creator_id": frame["creator_id"].to_numpy()[keep],
            "month": joined[keep].dt.to_period("M").to_numpy(),
            "vertical": frame["vertical"].astype(str).to_numpy()[keep],
            "start_followers": frame["start_followers"].to_numpy(dtype=float)[keep],
            "trained": frame["trained"].to_numpy(dtype=bool)[keep],
            "days_to_10k": days,
            "observed_days": observed,
            "countable": observed >= WINDOW_DAYS,
            "reached": days <= WINDOW_DAYS,
        }
    )


def _rate(rows: pd.DataFrame) -> Rate:
    counted = rows[rows["countable"]]
    return Rate(reached=int(counted["reached"].sum()), n=len(counted))


def cohorts(rows: pd.DataFrame) -> list[Cohort]:
    """One :class:`Cohort` per join month with creators, oldest first."""
    out = []
    for month, group in rows.groupby("month", sort=True):
        trained = group[group["trained"]]
        out.append(
            Cohort(
                month=month.to_timestamp().date(),
                creators=len(group),
                trained=len(trained),
                trained_rate=_rate(trained),
                untrained_rate=_rate(group[~group["trained"]]),
            )
        )
    return out


def measure(frame: pd.DataFrame, as_of: datetime.date) -> GrowthEffect:
    """Every figure of the report from the new creators' frame; see the module docstring."""
    rows = prepared(frame, as_of)
    trained = rows["trained"].to_numpy()
    reached_ever = ~np.isnan(rows["days_to_10k"].to_numpy())
    curves = {}
    for name, group in (("trained", trained), ("untrained", ~trained)):
        part = rows[group]
        curves[name] = kaplan_meier(
            np.where(np.isnan(part["days_to_10k"]), part["observed_days"], part["days_to_10k"]),
            ~np.isnan(part["days_to_10k"].to_numpy()),
            watched=part["observed_days"].to_numpy(),
        )
    days = rows["days_to_10k"].to_numpy()
    countable = rows[rows["countable"]]
    strata = countable["vertical"] + ":" + band_of(countable["start_followers"]).astype(str)
    return GrowthEffect(
        as_of=as_of,
        creators=len(rows),
        trained=int(trained.sum()),
        cohorts=cohorts(rows),
        trained_rate=_rate(rows[trained]),
        untrained_rate=_rate(rows[~trained]),
        matched=matched_rates(strata.to_numpy(), countable["trained"], countable["reached"]),
        curves=curves,
        cycle=Cycle(
            trained=_median(days[trained & reached_ever]),
            untrained=_median(days[~trained & reached_ever]),
            trained_n=int((trained & reached_ever).sum()),
            untrained_n=int((~trained & reached_ever).sum()),
        ),
    )
