"""Weekly metric snapshots of the demo world: reach, engagement, live tipping and shop sales.

Calibration, by construction rather than by luck:
- Live tipping is a weekly pool split over creators. The pool follows the document's income
  curve: mean tipping per active creator is ¥8,700 a month (per week × 52/12) on end_date and
  grows by (8700 / 3200) ** (1 / 3) a year (¥3,200 in 2020 → ¥8,700 in 2023).
- The traffic hub (the "Gini-coefficient algorithm") hands creators with 100k–1M followers
  that week 64.5% of the pool: the document's 65%. Banded by followers on end_date instead,
  the share moves by a few points with who crossed a band (66–68% at the demo size).
- Within a band a creator's slice grows with reach: linearly in followers up to a knee, then
  only as followers ** 0.3 (the cap on the head), times tipping appeal, vertical and hours live.
- Head-agency creators' slices drift upwards over the window (exclusive traffic packages):
  ``HEAD_AGENCY_DRIFT`` a year, with ``demo.world_people.PICK_BASE``/``PICK_SLOPE`` (how
  strongly big creators sign with big agencies) setting the level. Measured from the seeded
  rows (3000 creators, 104 weeks, seed 1; ``tests/demo/test_concentration.py``), the head
  agencies' share of the agency market's GMV moves 31% → 45% over the two years and CR5 of the
  whole market 30% → 49%: the document's 32% (2021) → 47% (2023). The former 0.4 with the
  flatter pick (0.3 + 0.6·percentile) and later head signing gave 11% → 32%.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from demo.world_people import People, followers_at

YEAR_DAYS = 365.25
MONTHLY_INCOME_AT_END = 8_700.0
INCOME_GROWTH = np.log(8_700 / 3_200) / 3  # per year
MID_BAND = (100_000, 1_000_000)
MID_BAND_TIP_SHARE = 0.645  # of each week's pool, by the follower band in that week
HEAD_AGENCY_DRIFT = 0.35  # per year: how fast head agencies' creators gain on the rest
_TIP_KNEE = 450_000
_TIP_HEAD_EXPONENT = 0.3
_GMV_SCALE = 0.25

# Per vertical, in taxonomy.VERTICAL order.
_TIP_LEAN = np.array([0.9, 0.8, 0.7, 0.8, 0.6, 0.6, 0.6, 0.7, 1.5, 1.8, 0.8, 0.7])
_SHOP_LEAN = np.array([1.2, 1.5, 1.5, 1.3, 1.2, 1.0, 1.0, 0.5, 0.3, 0.5, 0.8, 0.4])
CATEGORY_PRICE = np.array([49, 129, 159, 39, 99, 699, 89, 299, 68, 59, 199, 999], dtype=float)


@dataclass(frozen=True)
class Timeline:
    """Weekly snapshot dates ending on end_date (day numbers)."""

    end_day: int
    weeks: int

    @property
    def snapshot_days(self) -> np.ndarray:
        return self.end_day - 7 * np.arange(self.weeks - 1, -1, -1)

    @property
    def first_day(self) -> int:
        """The first day the snapshots cover (each snapshot closes a 7-day week)."""
        return self.end_day - 7 * self.weeks + 1

    def years_before_end(self, days: np.ndarray) -> np.ndarray:
        return (days - self.end_day) / YEAR_DAYS


def snapshot_grid(people: People, timeline: Timeline) -> tuple[np.ndarray, np.ndarray]:
    """(creator row, week number) of every snapshot: each week from the creator's joining on."""
    first_day = timeline.snapshot_days[0]
    first_week = np.clip(-((first_day - people.joined) // 7), 0, timeline.weeks - 1)
    counts = timeline.weeks - first_week
    rows = np.repeat(np.arange(len(counts)), counts)
    offsets = np.repeat(np.cumsum(counts) - counts, counts)
    return rows, first_week[rows] + np.arange(len(rows)) - offsets


def make_snapshots(rng: np.random.Generator, people: People, timeline: Timeline) -> pd.DataFrame:
    """One row per creator and snapshot date: metrics of the week that ends on that date."""
    rows, week = snapshot_grid(people, timeline)
    days = timeline.snapshot_days[week]
    followers = followers_at(people, rows, days)
    activity = np.where(people.frame["status"].to_numpy()[rows] == "restricted", 0.2, 1.0)
    views, likes, comments, shares = _engagement(rng, followers, activity)
    live_minutes = _live_minutes(rng, people.live_hours[rows] * activity)
    drift = _head_drift(people, rows, timeline.years_before_end(days))
    tipping = _tipping(rng, people, rows, week, followers, live_minutes, drift, timeline)
    gmv, orders = _shop_sales(rng, people, rows, followers, live_minutes, drift, timeline, days)
    return pd.DataFrame(
        {
            "creator_index": rows,
            "date": days.astype("datetime64[D]").astype("datetime64[s]"),
            "followers": followers,
            "views": views,
            "likes": likes,
            "comments": comments,
            "shares": shares,
            "live_minutes": live_minutes,
            "tipping_revenue": tipping,
            "gmv": gmv,
            "orders": orders,
        }
    )


def _engagement(
    rng: np.random.Generator, followers: np.ndarray, activity: np.ndarray
) -> tuple[np.ndarray, ...]:
    """Views grow a little slower than followers; likes, comments and shares follow views."""
    size = len(followers)
    views = 4.0 * followers**0.92 * activity * rng.lognormal(-0.08, 0.4, size)
    likes = views * rng.uniform(0.02, 0.06, size)
    comments = likes * rng.uniform(0.04, 0.1, size)
    shares = likes * rng.uniform(0.02, 0.07, size)
    return tuple(np.rint(v).astype(np.int64) for v in (views, likes, comments, shares))


def _live_minutes(rng: np.random.Generator, usual_hours: np.ndarray) -> np.ndarray:
    """Weekly live minutes around the creator's usual hours; some weeks are skipped."""
    hours = usual_hours * rng.gamma(4.0, 0.25, len(usual_hours))
    skipped = rng.random(len(usual_hours)) < 0.12
    return np.where(skipped, 0, np.rint(hours * 60)).astype(np.int64)


def _head_drift(people: People, rows: np.ndarray, years_before_end: np.ndarray) -> np.ndarray:
    """Multiplier < 1 in the past for head-agency creators, 1 for everyone else."""
    return np.where(people.head_agency[rows], np.exp(HEAD_AGENCY_DRIFT * years_before_end), 1.0)


def tip_potential(followers: np.ndarray) -> np.ndarray:
    """Tipping reach: linear in followers up to the knee, then capped to followers ** 0.3."""
    followers = followers.astype(float)
    capped = _TIP_KNEE * (followers / _TIP_KNEE) ** _TIP_HEAD_EXPONENT
    return np.where(followers <= _TIP_KNEE, followers, capped)


def _tipping(
    rng: np.random.Generator,
    people: People,
    rows: np.ndarray,
    week: np.ndarray,
    followers: np.ndarray,
    live_minutes: np.ndarray,
    drift: np.ndarray,
    timeline: Timeline,
) -> np.ndarray:
    """Split each week's tipping pool by reach, tipping appeal, vertical and hours live."""
    slice_weight = (
        tip_potential(followers)
        * people.tip_appeal[rows]
        * _TIP_LEAN[people.vertical[rows]]
        * np.sqrt(live_minutes / 360.0)
        * drift
        * rng.lognormal(-0.045, 0.3, len(rows))
    )
    pool = np.bincount(week, minlength=timeline.weeks) * weekly_mean_income(
        timeline.years_before_end(timeline.snapshot_days)
    )
    mid = (followers >= MID_BAND[0]) & (followers < MID_BAND[1])
    mid_weight = np.bincount(week, weights=slice_weight * mid, minlength=timeline.weeks)
    rest_weight = np.bincount(week, weights=slice_weight * ~mid, minlength=timeline.weeks)
    # The hub hands the mid band its share of the pool; a band nobody is in gets nothing.
    mid_pool = np.where(rest_weight > 0, MID_BAND_TIP_SHARE * pool, pool) * (mid_weight > 0)
    mid_rate = _safe_ratio(mid_pool, mid_weight)
    rest_rate = _safe_ratio(pool - mid_pool, rest_weight)
    return np.round(slice_weight * np.where(mid, mid_rate[week], rest_rate[week]), 2)


def _safe_ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    return np.divide(numerator, denominator, out=np.zeros_like(numerator), where=denominator > 0)


def weekly_mean_income(years_before_end: np.ndarray) -> np.ndarray:
    """Mean weekly tipping per active creator on the document's income curve."""
    return MONTHLY_INCOME_AT_END * 12 / 52 * np.exp(INCOME_GROWTH * years_before_end)


def _shop_sales(
    rng: np.random.Generator,
    people: People,
    rows: np.ndarray,
    followers: np.ndarray,
    live_minutes: np.ndarray,
    drift: np.ndarray,
    timeline: Timeline,
    days: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Sales in the creator's own shop window: orders are Poisson, GMV = orders x basket."""
    vertical = people.vertical[rows]
    price = CATEGORY_PRICE[vertical]
    live_boost = 0.5 + 0.5 * np.minimum(live_minutes / 360.0, 2.0)
    trend = np.exp(INCOME_GROWTH * timeline.years_before_end(days))
    expected_gmv = (
        _GMV_SCALE
        * followers.astype(float) ** 0.95
        * _SHOP_LEAN[vertical]
        * people.shop_appeal[rows]
        * live_boost
        * trend
        * drift
    )
    orders = rng.poisson(expected_gmv / price)
    gmv = orders * price * rng.lognormal(0, 0.15, len(rows))
    return np.round(gmv, 2), orders.astype(np.int64)
