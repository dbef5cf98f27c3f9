"""People of the demo world: MCN agencies and creators, with their hidden growth curves.

Days are integer day numbers (days since 1970-01-01) inside the generator; frames get
datetime64 columns at the end. Hidden traits (growth curve, bad actor, propensities) live in
:class:`People` next to the public creators frame and never reach a public column.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from creators import taxonomy as tx
from demo.world_audience import VERTICAL_PROFILES

TEN_K = 10_000
QUARTER_DAYS = 91  # "within 3 months" of joining: 13 weeks
MAX_AGE_DAYS = 5 * 365  # the oldest creators joined five years before end_date
MIN_AGE_DAYS = 7

# Final followers: a piecewise power law through these (followers, share of creators below)
# knots, then a Pareto tail. 100k–1M holds 10% of creators and 0.3% are above 1M.
_FOLLOWER_KNOTS = np.array([100, 1_000, 10_000, 100_000, 1_000_000], dtype=float)
_SHARE_BELOW = np.array([0.0, 0.18, 0.55, 0.897, 0.997])
_TAIL_ALPHA = 1.5
_MAX_FOLLOWERS = 60_000_000
SHARE_AT_LEAST_10K = 1.0 - _SHARE_BELOW[2]

# The document's growth figures: 68% of academy-trained creators reach 10k followers within
# 3 months, against 12% of those growing naturally. TRAINED_SHARE is this demo's choice.
TRAINED_SHARE = 0.35
FAST_RATE_TRAINED = 0.68
FAST_RATE_UNTRAINED = 0.12

# Days a "fast" creator needs to reach 10k: uniform in this range (at most 12 weeks, so the
# 13-week snapshot shows it). It sets the growth cycle, the median days to 10k among creators
# who got there, trained against untrained. At the default demo size (3000 creators, 104 weeks)
# and measured as creators.selectors_growth reads the rows, seeds 1-8 of the generator give -38%
# to -46%, mean -40% (the brief's -40%; seed 1 from the seeded rows: 62 vs 100 days, -38%); the
# former (14, 84) gave a mean near -46% (-47% for seed 1). The reach rates (68% / 12%) do not
# depend on it. tests/demo/test_growth_effect.py measures it from the rows.
QUICK_DAYS = (32, 84)

BAD_ACTOR_SHARE = 0.04

# Chinese provinces only: city tiers (t1–t5) describe Chinese cities, so every creator lives
# in one. Cross-border creators ("国内创作者输出+海外本地化运营": domestic creators with local
# operations in South-East Asia) are a hidden trait of some creators of the southern
# provinces next to that market, not a foreign region.
REGIONS = (
    "CN-GD", "CN-ZJ", "CN-SD", "CN-HA", "CN-SC", "CN-HL", "CN-JS", "CN-HN",
    "CN-GX", "CN-YN", "CN-FJ",
)  # fmt: skip
SEA_GATEWAYS = ("CN-GD", "CN-GX", "CN-YN", "CN-FJ")
_SEA_SHARE_OF_GATEWAYS = 0.2
_REGION_WEIGHTS = np.array([18, 12, 12, 11, 10, 9, 10, 10, 3, 3, 2], dtype=float)
_VERTICAL_WEIGHTS = {
    "agriculture": 10,
    "beauty": 9,
    "apparel": 9,
    "food": 12,
    "mother_baby": 7,
    "electronics": 5,
    "home": 6,
    "education": 6,
    "gaming": 9,
    "entertainment": 16,
    "sports": 6,
    "travel": 5,
}

_SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭")
_GIVEN = list("小晓子梓欣思雨佳俊浩宇明婷琳悦阳芳娜强伟磊静丽敏杰涛超鑫萌甜春秋")
_NICK_PREFIX = {
    "agriculture": ("农人", "乡村", "山里"),
    "beauty": ("美妆", "护肤"),
    "apparel": ("穿搭",),
    "food": ("吃货", "厨房"),
    "mother_baby": ("宝妈", "育儿"),
    "electronics": ("数码",),
    "home": ("好物", "收纳"),
    "education": ("学霸", "老师"),
    "gaming": ("游戏", "电竞"),
    "entertainment": ("快乐", "搞笑"),
    "sports": ("健身", "跑者"),
    "travel": ("旅行", "远方"),
}
_AGENCY_WORDS = list("星火光合云海天辰锦华乐盛远达启明新知映像")
_AGENCY_SUFFIXES = ("传媒", "文化", "网络科技", "娱乐", "文化传播")


@dataclass(frozen=True)
class People:
    """Creators as arrays, public (frame) and hidden (the rest), all indexed by creator_index."""

    frame: pd.DataFrame
    end_day: int
    joined: np.ndarray  # int day numbers
    start_followers: np.ndarray  # followers on the day of joining
    days_to_10k: np.ndarray  # days from joining to 10k followers; inf if never
    vertical: np.ndarray  # codes into taxonomy.VERTICAL
    sea: np.ndarray  # bool: cross-border creator in South-East Asia
    head_agency: np.ndarray  # bool: signed to one of the head agencies
    bad_actor: np.ndarray  # bool: oversells; its orders draw complaints and refunds
    live_hours: np.ndarray  # usual live hours a week; 0 = never goes live
    tip_appeal: np.ndarray  # how generously viewers tip per unit of reach (mean 1)
    shop_appeal: np.ndarray  # how well the creator's own shop window sells (lognormal)

    @property
    def final(self) -> np.ndarray:
        return self.frame["followers"].to_numpy()


def agency_count(creators: int) -> int:
    """About 20 agencies for 3000 creators, growing mildly with the population."""
    return max(3, round(20 * (creators / 3000) ** 0.3))


#: How strongly a signing creator is drawn to the bigger agencies: the pick weight is
#: ``size_weight ** (PICK_BASE + PICK_SLOPE * follower percentile)``. Set with
#: ``demo.world_metrics.HEAD_AGENCY_DRIFT`` so that the head agencies' share of the agency
#: market's GMV moves from about 32% to about 47% over the demo's two years, as the brief's
#: 2021 → 2023 (``tests/demo/test_concentration.py`` measures it from the seeded rows).
PICK_BASE, PICK_SLOPE = 0.55, 0.6
HEAD_SIGNING_LATER = 1.0  # head agencies' contract starts: uniform ** this (< 1: later)


def head_agency_count(agencies: int) -> int:
    """The "head" agencies whose market share the document follows: the top 15% by size."""
    return max(1, round(0.15 * agencies))


def make_agencies(rng: np.random.Generator, count: int) -> pd.DataFrame:
    """Agencies by descending size weight: Zipf-like, so a few are much larger than the rest."""
    weights = np.arange(1, count + 1, dtype=float) ** -1.1 * rng.lognormal(0, 0.15, count)
    weights = np.sort(weights)[::-1] / weights.sum()
    return pd.DataFrame(
        {
            "agency_index": np.arange(count),
            "name": _agency_names(rng, count),
            "size_weight": weights.round(6),
        }
    )


def _agency_names(rng: np.random.Generator, count: int) -> list[str]:
    """Unique names from two words and a suffix ("星火传媒"); numbered once combos run out."""
    combos = [
        f"{a}{b}{suffix}"
        for a in _AGENCY_WORDS
        for b in _AGENCY_WORDS
        if a != b
        for suffix in _AGENCY_SUFFIXES
    ]
    picked = [combos[i] for i in rng.permutation(len(combos))[:count]]
    return picked + [f"{combos[i % len(combos)]}{i}" for i in range(len(picked), count)]


def draw_final_followers(rng: np.random.Generator, count: int) -> np.ndarray:
    """Followers on end_date: power law pieces between the knots, Pareto tail above 1M."""
    below = rng.random(count)
    log_followers = np.interp(below, _SHARE_BELOW, np.log(_FOLLOWER_KNOTS))
    tail = below > _SHARE_BELOW[-1]
    above = (1.0 - below[tail]) / (1.0 - _SHARE_BELOW[-1])
    log_followers[tail] = np.log(_FOLLOWER_KNOTS[-1]) - np.log(above) / _TAIL_ALPHA
    return np.minimum(np.rint(np.exp(log_followers)), _MAX_FOLLOWERS).astype(np.int64)


def make_people(
    rng: np.random.Generator, count: int, end_day: int, agencies: pd.DataFrame
) -> People:
    """Draw every creator: who they are, how they grew, where they are signed."""
    vertical = rng.choice(len(tx.VERTICAL), count, p=_normalised(_VERTICAL_WEIGHTS.values()))
    region = rng.choice(len(REGIONS), count, p=_REGION_WEIGHTS / _REGION_WEIGHTS.sum())
    final = draw_final_followers(rng, count)
    joined = end_day - rng.integers(MIN_AGE_DAYS, MAX_AGE_DAYS + 1, count)
    trained, days_to_10k = _growth(rng, final, end_day - joined)
    agency, contract_start, share = _contracts(rng, final, joined, end_day, agencies)
    # Big accounts are watched closely; the bad actors are small and mid-sized sellers.
    bad_actor = (rng.random(count) < BAD_ACTOR_SHARE) & (final < 200_000)
    frame = pd.DataFrame(
        {
            "creator_index": np.arange(count),
            "handle": _handles(count),
            "display_name": _display_names(rng, vertical),
            "vertical": pd.Categorical.from_codes(vertical, tx.VERTICAL),
            "region": pd.Categorical.from_codes(region, REGIONS),
            "city_tier": pd.Categorical.from_codes(_home_tiers(rng, vertical), tx.CITY_TIER),
            "followers": final,
            "joined": _dates(joined),
            "agency_index": agency,
            "contract_start": _dates(contract_start),
            "revenue_share_pct": share,
            "trained": trained,
            "status": _statuses(rng, bad_actor),
        }
    )
    return People(
        frame=frame,
        end_day=end_day,
        joined=joined,
        start_followers=_start_followers(rng, final),
        days_to_10k=days_to_10k,
        vertical=vertical,
        sea=np.isin(region, [REGIONS.index(r) for r in SEA_GATEWAYS])
        & (rng.random(count) < _SEA_SHARE_OF_GATEWAYS),
        head_agency=(agency >= 0) & (agency < head_agency_count(len(agencies))),
        bad_actor=bad_actor,
        live_hours=_live_hours(rng, vertical),
        tip_appeal=rng.lognormal(-0.125, 0.5, count),
        shop_appeal=rng.lognormal(-0.5, 1.0, count),
    )


def _growth(
    rng: np.random.Generator, final: np.ndarray, age: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Who took the academy, and how many days each creator needed to reach 10k followers.

    "Fast" creators reach 10k within 12 weeks (``QUICK_DAYS``), so the 13-week snapshot already
    shows it; the others need more than 13 weeks (or never get there). Fast is drawn among
    creators that end at 10k or more, and training is then drawn given fast (Bayes), so that the
    follower marginal stays as drawn while P(fast | trained) = 68% and P(fast | untrained) = 12%.
    """
    count = len(final)
    fast_rate = FAST_RATE_TRAINED * TRAINED_SHARE + FAST_RATE_UNTRAINED * (1 - TRAINED_SHARE)
    big = final >= TEN_K
    # Creators younger than the quarter that already passed 10k did so fast.
    fast = big & ((rng.random(count) < fast_rate / SHARE_AT_LEAST_10K) | (age <= QUARTER_DAYS + 1))
    trained_if_fast = FAST_RATE_TRAINED * TRAINED_SHARE / fast_rate
    trained_if_slow = (1 - FAST_RATE_TRAINED) * TRAINED_SHARE / (1 - fast_rate)
    trained = rng.random(count) < np.where(fast, trained_if_fast, trained_if_slow)
    quick = rng.uniform(*QUICK_DAYS, count)
    slow = QUARTER_DAYS + 1 + (age - QUARTER_DAYS - 1) * rng.uniform(0, 0.6, count)
    days = np.where(fast, quick, slow)
    days = np.minimum(days, age - 1)  # 10k is passed before end_date, when final is reached
    return trained, np.where(big, days, np.inf)


def followers_at(people: People, rows: np.ndarray, days: np.ndarray) -> np.ndarray:
    """Followers of creators ``rows`` on ``days``: a monotone curve from joining to final.

    Creators that never reach 10k climb concavely from their start to the final count. The
    others rise log-linearly to 10k (on ``days_to_10k``), then slow down (the elapsed share of
    time to the power 0.35) towards the final count on end_date: creators grow fast early and
    plateau, so most spend the window in the follower band they end in.
    """
    age = np.maximum(days - people.joined[rows], 0).astype(float)
    span = (people.end_day - people.joined[rows]).astype(float)
    log_start = np.log(people.start_followers[rows])
    log_final = np.log(people.final[rows].astype(float))
    log_10k = np.log(TEN_K)
    small = ~np.isfinite(people.days_to_10k[rows])
    to_10k = np.where(small, span, people.days_to_10k[rows])
    before = age < to_10k
    climb = log_start + (log_final - log_start) * (age / span) ** 0.6
    rise = log_start + (log_10k - log_start) * np.minimum(age / to_10k, 1.0)
    elapsed = np.clip((age - to_10k) / np.maximum(span - to_10k, 1.0), 0.0, 1.0)
    settle = log_10k + (log_final - log_10k) * elapsed**0.35
    followers = np.rint(np.exp(np.where(small, climb, np.where(before, rise, settle))))
    # Keep the 10k crossing exact under rounding: below it before the day, at least 10k after.
    crossing = np.where(before, np.minimum(followers, TEN_K - 1), np.maximum(followers, TEN_K))
    return np.where(small, followers, crossing).astype(np.int64)


def _contracts(
    rng: np.random.Generator,
    final: np.ndarray,
    joined: np.ndarray,
    end_day: int,
    agencies: pd.DataFrame,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Agency, contract start and the agency's revenue share for each creator (-1 = none).

    Bigger creators sign more often and with bigger agencies: the pick weight is
    size_weight ** (PICK_BASE + PICK_SLOPE * follower percentile). Head agencies' contracts may
    start later on average (``HEAD_SIGNING_LATER`` below 1: they grow by recruiting); with the
    drift calibrated as it is, they start when everyone else's do.
    """
    count = len(final)
    percentile = _percentile(final)
    signed = rng.random(count) < 0.15 + 0.7 / (1 + np.exp(-2.5 * (np.log10(final) - 4.8)))
    agency = np.full(count, -1, dtype=np.int64)
    weights = agencies["size_weight"].to_numpy()
    bins = np.minimum((percentile * 8).astype(int), 7)
    for b in range(8):
        rows = np.flatnonzero(signed & (bins == b))
        p = weights ** (PICK_BASE + PICK_SLOPE * (b + 0.5) / 8)
        agency[rows] = rng.choice(len(weights), len(rows), p=p / p.sum())
    head = (agency >= 0) & (agency < head_agency_count(len(agencies)))
    elapsed = rng.random(count) ** np.where(head, HEAD_SIGNING_LATER, 1.0)
    start = joined + np.rint((end_day - joined) * (0.05 + 0.9 * elapsed)).astype(np.int64)
    share = np.clip(rng.normal(45 - 20 * percentile, 5), 10, 60).round(1)
    return agency, np.where(agency >= 0, start, -1), np.where(agency >= 0, share, 0.0)


def _start_followers(rng: np.random.Generator, final: np.ndarray) -> np.ndarray:
    """Followers on the day of joining: a few dozen, below half the final count and below 5k."""
    start = rng.lognormal(np.log(60), 0.8, len(final))
    return np.clip(np.minimum(start, 0.5 * np.minimum(final, TEN_K)), 5, None)


def _live_hours(rng: np.random.Generator, vertical: np.ndarray) -> np.ndarray:
    """Usual weekly live hours; live-heavy verticals go live more often (0 = never live)."""
    live_share = np.array([0.75, 0.7, 0.75, 0.7, 0.6, 0.5, 0.5, 0.45, 0.85, 0.9, 0.5, 0.4])
    goes_live = rng.random(len(vertical)) < live_share[vertical]
    return np.where(goes_live, rng.lognormal(np.log(6), 0.6, len(vertical)), 0.0)


def _statuses(rng: np.random.Generator, bad_actor: np.ndarray) -> np.ndarray:
    """Mostly active; a few restricted (reach limited); some bad actors already suspended."""
    draw = rng.random(len(bad_actor))
    status = np.where(draw < 0.04, "restricted", "active")
    return np.where(bad_actor & (draw > 0.7), "suspended", status)


def _home_tiers(rng: np.random.Generator, vertical: np.ndarray) -> np.ndarray:
    """Creators mostly live where their vertical's audience lives (三农 in lower tiers)."""
    cumulative = VERTICAL_PROFILES["city_tier"].cumsum(axis=1)[vertical]
    tiers = (rng.random(len(vertical))[:, None] > cumulative).sum(axis=1)
    return np.minimum(tiers, len(tx.CITY_TIER) - 1)


def _handles(count: int) -> np.ndarray:
    width = max(6, len(str(count)))
    return np.char.add("c", np.char.zfill(np.arange(1, count + 1).astype(str), width))


def _display_names(rng: np.random.Generator, vertical: np.ndarray) -> np.ndarray:
    """Chinese-looking nicknames: optional vertical prefix + surname + one or two given chars."""
    count = len(vertical)
    surname = np.array(_SURNAMES)[rng.integers(len(_SURNAMES), size=count)]
    given = np.array(_GIVEN)[rng.integers(len(_GIVEN), size=(count, 2))]
    second = np.where(rng.random(count) < 0.6, given[:, 1], "")
    prefixes = [_NICK_PREFIX[v] for v in tx.VERTICAL]
    prefix_table = np.array([[p[i % len(p)] for i in range(3)] for p in prefixes])
    prefix = prefix_table[vertical, rng.integers(3, size=count)]
    prefix = np.where(rng.random(count) < 0.4, prefix, "")
    return np.char.add(np.char.add(prefix, surname), np.char.add(given[:, 0], second))


def _percentile(values: np.ndarray) -> np.ndarray:
    """Rank of each value in [0, 1)."""
    return np.argsort(np.argsort(values, kind="stable"), kind="stable") / max(len(values), 1)


def _normalised(weights) -> np.ndarray:
    array = np.fromiter(weights, dtype=float)
    return array / array.sum()


def _dates(days: np.ndarray) -> np.ndarray:
    """Day numbers → datetime64[s] at midnight; -1 (none) becomes NaT."""
    dates = days.astype("datetime64[D]").astype("datetime64[s]")
    return np.where(days >= 0, dates, np.datetime64("NaT"))
