"""Audience portraits for the demo world, and the hidden audience-product fit.

A portrait is one distribution per audience axis. Many portraits are held densely: a dict
``axis -> float64 array (rows, keys of the axis)``, every row summing to 1. Creator audiences
and product targets are drawn around a per-vertical profile, so audiences follow verticals
(三农 → 新农人 and lower-tier cities, 母婴 → 宝妈 aged 25–40, gaming → young men …).
"""

from collections.abc import Mapping

import numpy as np
import pandas as pd

from creators import taxonomy as tx

AXIS_KEYS: dict[str, tuple[str, ...]] = {axis: tx.keys(axis) for axis in tx.AUDIENCE_AXES}

# How much each axis weighs in the hidden fit: interests say most about what people buy.
FIT_WEIGHTS: dict[str, float] = {"gender": 0.2, "age": 0.25, "city_tier": 0.15, "interests": 0.4}

# Dirichlet concentration around the vertical profile: lower = portraits vary more.
_CONCENTRATION = {"gender": 12.0, "age": 14.0, "city_tier": 14.0, "interests": 10.0}
_SHARE_DECIMALS = 4

_FEMALE_SHARE = {
    "agriculture": 0.45,
    "beauty": 0.85,
    "apparel": 0.7,
    "food": 0.55,
    "mother_baby": 0.9,
    "electronics": 0.25,
    "home": 0.6,
    "education": 0.55,
    "gaming": 0.2,
    "entertainment": 0.5,
    "sports": 0.3,
    "travel": 0.55,
}
# under_18, 18_24, 25_30, 31_40, 41_50, over_50
_AGE = {
    "agriculture": (3, 10, 17, 28, 24, 18),
    "beauty": (6, 34, 30, 20, 7, 3),
    "apparel": (5, 28, 30, 22, 10, 5),
    "food": (5, 20, 25, 25, 15, 10),
    "mother_baby": (1, 8, 42, 40, 6, 3),
    "electronics": (8, 32, 28, 20, 8, 4),
    "home": (2, 10, 25, 33, 18, 12),
    "education": (20, 25, 20, 25, 7, 3),
    "gaming": (22, 42, 20, 11, 4, 1),
    "entertainment": (10, 28, 24, 20, 10, 8),
    "sports": (8, 28, 28, 22, 9, 5),
    "travel": (3, 22, 28, 25, 13, 9),
}
# t1 .. t5; t3–t5 are the lower-tier ("下沉") markets.
_CITY_TIER = {
    "agriculture": (4, 8, 22, 32, 34),
    "beauty": (22, 28, 22, 16, 12),
    "apparel": (15, 25, 25, 20, 15),
    "food": (12, 20, 25, 23, 20),
    "mother_baby": (12, 22, 26, 22, 18),
    "electronics": (25, 28, 22, 15, 10),
    "home": (15, 22, 25, 21, 17),
    "education": (18, 25, 24, 19, 14),
    "gaming": (12, 20, 26, 23, 19),
    "entertainment": (8, 15, 25, 27, 25),
    "sports": (18, 25, 24, 19, 14),
    "travel": (25, 28, 22, 15, 10),
}
# Interests a vertical's audience leans to (weight over a baseline of 1 for every interest).
_INTEREST_LEAN = {
    "agriculture": {"new_farmers": 9, "foodies": 3, "silver_age": 2, "home_living": 2},
    "beauty": {"beauty": 9, "fashion": 5, "white_collar": 2, "young_mothers": 1.5},
    "apparel": {"fashion": 9, "beauty": 3, "white_collar": 2, "students": 2},
    "food": {"foodies": 9, "young_mothers": 2, "home_living": 2, "new_farmers": 1.5},
    "mother_baby": {"young_mothers": 10, "home_living": 3, "education": 2},
    "electronics": {"tech": 9, "gamers": 3, "white_collar": 2, "students": 2},
    "home": {"home_living": 9, "young_mothers": 3, "silver_age": 2},
    "education": {"education": 9, "students": 5, "young_mothers": 2},
    "gaming": {"gamers": 10, "students": 5, "tech": 2},
    "entertainment": {"fashion": 2, "foodies": 2, "students": 2, "silver_age": 2},
    "sports": {"sports": 9, "students": 2, "white_collar": 2},
    "travel": {"foodies": 3, "white_collar": 3, "fashion": 2, "sports": 1.5},
}


def _profile_rows(axis: str) -> np.ndarray:
    if axis == "gender":
        rows = [(_FEMALE_SHARE[v], 1 - _FEMALE_SHARE[v]) for v in tx.VERTICAL]
    elif axis == "age":
        rows = [_AGE[v] for v in tx.VERTICAL]
    elif axis == "city_tier":
        rows = [_CITY_TIER[v] for v in tx.VERTICAL]
    else:
        rows = [[_INTEREST_LEAN[v].get(key, 1.0) for key in tx.INTEREST] for v in tx.VERTICAL]
    table = np.asarray(rows, dtype=float)
    return table / table.sum(axis=1, keepdims=True)


# axis -> (len(VERTICAL), keys): the mean portrait of each vertical's audience.
VERTICAL_PROFILES: dict[str, np.ndarray] = {axis: _profile_rows(axis) for axis in AXIS_KEYS}


def draw_portraits(
    rng: np.random.Generator,
    verticals: np.ndarray,
    *,
    home_tiers: np.ndarray | None = None,
    spread: float = 1.0,
) -> dict[str, np.ndarray]:
    """One portrait per row around its vertical's profile (``verticals``: codes into VERTICAL).

    ``home_tiers`` (codes into CITY_TIER) pulls the city-tier axis towards where the creator
    lives; ``spread`` > 1 makes portraits vary more around the profile.
    """
    portraits = {}
    for axis, profiles in VERTICAL_PROFILES.items():
        mean = profiles[verticals]
        if axis == "city_tier" and home_tiers is not None:
            mean = 0.7 * mean + 0.3 * np.eye(len(tx.CITY_TIER))[home_tiers]
        # The small floor keeps every key possible, so no portrait is certain to miss a segment.
        shape = _CONCENTRATION[axis] / spread * mean + 0.05
        portraits[axis] = round_shares(rng.standard_gamma(shape))
    return portraits


def round_shares(weights: np.ndarray) -> np.ndarray:
    """Rows normalised and rounded to 4 decimals; the largest share absorbs the rounding.

    Rounded shares store compactly (JSON) and each row still sums to 1 within 1e-12.
    """
    shares = np.round(weights / weights.sum(axis=1, keepdims=True), _SHARE_DECIMALS)
    largest = shares.argmax(axis=1)
    rows = np.arange(len(shares))
    others = shares.sum(axis=1) - shares[rows, largest]
    shares[rows, largest] = np.round(1.0 - others, _SHARE_DECIMALS)
    return shares


def portrait_columns(axis: str, prefix: str = "") -> list[str]:
    """Dense column names of one axis: ``f"{prefix}{axis}.{key}"``."""
    return [f"{prefix}{axis}.{key}" for key in AXIS_KEYS[axis]]


def portrait_frame(portraits: dict[str, np.ndarray], prefix: str = "") -> pd.DataFrame:
    """The dense portraits as one float64 column per (axis, key)."""
    blocks = [
        pd.DataFrame(portraits[axis], columns=portrait_columns(axis, prefix)) for axis in AXIS_KEYS
    ]
    return pd.concat(blocks, axis=1)


def portraits_of(frame: pd.DataFrame, prefix: str = "") -> dict[str, np.ndarray]:
    """Back from dense columns to ``axis -> array`` (the inverse of :func:`portrait_frame`)."""
    return {axis: frame[portrait_columns(axis, prefix)].to_numpy() for axis in AXIS_KEYS}


def portrait_dicts(frame: pd.DataFrame, axis: str, prefix: str = "") -> list[dict[str, float]]:
    """One ``{key: share}`` dict per row for ``axis``, zero shares left out (JSON-ready)."""
    keys = AXIS_KEYS[axis]
    values = frame[portrait_columns(axis, prefix)].to_numpy().tolist()
    return [{key: share for key, share in zip(keys, row, strict=True) if share} for row in values]


def fit_scores(audiences: dict[str, np.ndarray], targets: dict[str, np.ndarray]) -> np.ndarray:
    """Row-wise hidden fit in [0, 1]: the weighted Bhattacharyya coefficient over the axes.

    The coefficient sum(sqrt(p * q)) is 1 for identical distributions and 0 for disjoint ones.
    """
    total = np.zeros(len(audiences["gender"]))
    for axis, weight in FIT_WEIGHTS.items():
        total += weight * np.sqrt(audiences[axis] * targets[axis]).sum(axis=1)
    return total


def audience_fit(audience: Mapping[str, Mapping[str, float]], product: Mapping) -> float:
    """The hidden fit of one creator audience to one product's target, in [0, 1].

    ``audience``: ``{axis: {key: share}}`` for the four audience axes. ``product``: a product row
    (mapping) with ``target_<axis>`` dicts, or a plain ``{axis: {key: share}}``.
    """
    audiences = {axis: _dense(audience[axis], axis) for axis in AXIS_KEYS}
    targets = {axis: _dense(_target(product, axis), axis) for axis in AXIS_KEYS}
    return float(fit_scores(audiences, targets)[0])


def _target(product: Mapping, axis: str) -> Mapping[str, float]:
    key = f"target_{axis}"
    return product[key] if key in product else product[axis]


def _dense(distribution: Mapping[str, float], axis: str) -> np.ndarray:
    return np.array([[float(distribution.get(key, 0.0)) for key in AXIS_KEYS[axis]]])
