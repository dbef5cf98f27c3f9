"""Brand priority (星火计划 tier benefit) as the matcher's tie-breaker.

The matcher ranks creators by score, best first. Among creators whose scores are equal (exactly,
or as the ranking displays them: ``decimals`` rounds the scores before comparing, so two fits
shown as 0.83 count as tied), the creator whose agency holds the higher
``TierBenefit.brand_priority`` comes first: the priority of the agency's *public* tier, the
effective tier of the latest certification cycle (``mcn.selectors.brand_priority_of_creators``;
a creator without an agency or whose agency has no tier has priority 0). Among equal scores and
equal priorities the existing order (the order the candidates came in) stays. A higher
priority never lifts a creator above a higher score.

:func:`tie_broken_order` is the pure rule (numpy); :func:`rank_creators` reads the priorities
and applies it.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from mcn.selectors import brand_priority_of_creators


def tie_broken_order(
    scores: ArrayLike, priorities: ArrayLike, *, decimals: int | None = None
) -> np.ndarray:
    """Indices of the candidates best first: score descending (rounded to ``decimals`` when
    given), then brand priority descending, then input order."""
    scores = np.asarray(scores, dtype=np.float64)
    priorities = np.asarray(priorities, dtype=np.int64)
    if scores.shape != priorities.shape or scores.ndim != 1:
        raise ValueError("scores and priorities must be one-dimensional and of the same length")
    if decimals is not None:
        scores = np.round(scores, decimals)
    # lexsort sorts by the last key first: score, then priority, then position.
    return np.lexsort((np.arange(scores.size), -priorities, -scores))


def rank_creators(
    creator_ids: ArrayLike, scores: ArrayLike, *, decimals: int | None = None
) -> list[int]:
    """``creator_ids`` best first by ``scores`` with the brand-priority tie-break."""
    ids = [int(i) for i in np.asarray(creator_ids, dtype=np.int64)]
    priority = brand_priority_of_creators(ids)
    order = tie_broken_order(scores, [priority.get(i, 0) for i in ids], decimals=decimals)
    return [ids[i] for i in order]
