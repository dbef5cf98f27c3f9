"""Traffic packages (星火计划 tier benefits) as pure arithmetic: numpy only, no Django.

An allocation run reserves each certified agency's monthly package out of the pool *before*
the Gini step (``traffic.engine.allocate`` then splits what is left), and spreads each package
over the agency's eligible signed creators by merit. ``traffic.services`` reads the tiers and
the creators; this module only does the sums, so every rule is tested here on its own
(``tests/traffic/test_packages.py``).

Rules
-----
* **Reservation** (:func:`reserve`). The packages asked for are granted in full while they fit
  in ``PACKAGE_SHARE_MAX`` (half) of the pool, so the Gini step always keeps the majority of it;
  and never so much that the floors of the Gini step stop fitting in what is left
  (``pool − reserved ≥ floor · eligible creators``). Beyond that limit every package is scaled
  down by the same factor, the whole impressions by the largest-remainder method (ties to the
  earlier package): the grants sum exactly to the limit and none exceeds what was asked.
* **Spread** (:func:`split`, :func:`spread`). An agency's grant goes to its creators in
  proportion to their merit, whole impressions by the largest-remainder method (ties to the
  earlier creator in input order); when every eligible creator of the agency has merit 0 the
  grant is split equally the same way. Ineligible creators get nothing; an agency without an
  eligible creator gets nothing reserved (the service does not ask for it).

Everything is deterministic: the same inputs give the same integers, whatever the platform.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

#: The most of a pool the packages may take together: the Gini step keeps at least the rest.
PACKAGE_SHARE_MAX = 0.5


def reservable(pool: int, *, floor: int = 0, eligible: int = 0) -> int:
    """The most impressions packages may take from ``pool``: ``PACKAGE_SHARE_MAX`` of it, and
    no more than leaves every one of ``eligible`` creators its ``floor`` in the Gini step."""
    limit = int(np.floor(PACKAGE_SHARE_MAX * pool))
    return max(0, min(limit, int(pool) - int(floor) * int(eligible)))


def _largest_remainder(total: int, weights: np.ndarray) -> np.ndarray:
    """``total`` whole units in proportion to non-negative ``weights`` (Σ > 0): the floors of
    the exact shares, then one more to the largest remainders (stable: earlier first)."""
    exact = weights / weights.sum() * total
    counts = np.floor(exact).astype(np.int64)
    left = int(total - counts.sum())
    if left > 0:
        remainders = exact - counts
        # Stable sort of −remainder: equal remainders keep input order (the earlier wins).
        order = np.argsort(-remainders, kind="stable")[:left]
        counts[order] += 1
    return counts


def split(total: int, weights: ArrayLike, eligible: ArrayLike | None = None) -> np.ndarray:
    """``total`` impressions over the creators of one agency, in proportion to ``weights``
    (their merit) among the ``eligible`` ones, as int64 summing exactly to ``total``; equally
    when every eligible weight is 0; all zeros when nobody is eligible or ``total`` is 0."""
    weights = np.asarray(weights, dtype=np.float64)
    if eligible is None:
        eligible = np.ones(weights.shape, dtype=bool)
    eligible = np.asarray(eligible, dtype=bool)
    if weights.ndim != 1 or eligible.shape != weights.shape:
        raise ValueError("weights and eligible must be one-dimensional and of the same length")
    if total < 0 or not np.isfinite(weights).all() or (weights < 0).any():
        raise ValueError("the total and the weights must be finite and not negative")
    counts = np.zeros(weights.shape, dtype=np.int64)
    where = np.flatnonzero(eligible)
    if total == 0 or where.size == 0:
        return counts
    chosen = weights[where]
    if chosen.sum() <= 0:
        chosen = np.ones(where.size)
    counts[where] = _largest_remainder(int(total), chosen)
    return counts


def reserve(asked: ArrayLike, limit: int) -> tuple[np.ndarray, float]:
    """``(granted, scale)``: the packages ``asked`` (whole impressions, one per agency) as
    granted within ``limit``: in full when Σ asked ≤ limit (scale 1), else scaled down to sum
    exactly to ``limit`` (largest remainder; scale = limit ÷ Σ asked)."""
    asked = np.asarray(asked, dtype=np.int64)
    if (asked < 0).any() or limit < 0:
        raise ValueError("packages and the limit cannot be negative")
    total = int(asked.sum())
    if total <= limit:
        return asked.copy(), 1.0
    return _largest_remainder(int(limit), asked.astype(np.float64)), limit / total


def spread(
    groups: ArrayLike, merit: ArrayLike, eligible: ArrayLike, granted: ArrayLike
) -> np.ndarray:
    """Per creator, its share of its agency's package: ``groups[i]`` is the index into
    ``granted`` of creator ``i``'s agency (−1: no package), each grant :func:`split` over the
    group's creators by ``merit`` among the ``eligible``. int64, in input order."""
    groups = np.asarray(groups, dtype=np.int64)
    merit = np.asarray(merit, dtype=np.float64)
    eligible = np.asarray(eligible, dtype=bool)
    granted = np.asarray(granted, dtype=np.int64)
    if not (groups.shape == merit.shape == eligible.shape) or groups.ndim != 1:
        raise ValueError("groups, merit and eligible must be of the same length")
    if (groups >= granted.size).any():
        raise ValueError("a group points past the packages")
    out = np.zeros(groups.shape, dtype=np.int64)
    members = np.flatnonzero(groups >= 0)
    if members.size == 0:
        return out
    # Creators grouped by agency, input order kept within each group (stable sort).
    order = members[np.argsort(groups[members], kind="stable")]
    starts = np.flatnonzero(np.r_[True, np.diff(groups[order]) != 0])
    for begin, end in zip(starts, np.r_[starts[1:], order.size], strict=True):
        at = order[begin:end]
        out[at] = split(int(granted[groups[at[0]]]), merit[at], eligible[at])
    return out
