"""Collaborations: brand offers to creators, the creators' answers and how far each deal got.

Times inside the generator are integer seconds since 1970-01-01 (naive UTC); "now" is the
end of end_date. Statuses follow from the timeline, never from a lookup table:
offered → (declined | expired | accepted) → content_submitted → live → completed,
and accepted deals of a cancelled campaign (or 4% of the rest) end as cancelled.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from demo.world_audience import fit_scores
from demo.world_catalog import DATA_TOOLS_BRAND
from demo.world_metrics import YEAR_DAYS, Timeline
from demo.world_people import People

DAY_S = 86_400
OFFER_TYPES = ("direct_order", "invitation")
COLLABORATION_STATUSES = (
    "offered", "accepted", "declined", "expired",
    "content_submitted", "live", "completed", "cancelled",
)  # fmt: skip
# The document's "unit price of commercial cooperation ×2.3" over three years.
FEE_GROWTH = np.log(2.3) / 3
_IN_VERTICAL_SHARE = 0.7  # offers that go to creators of the product's own vertical
_MAX_CANDIDATES = 6  # the data-tools brand compares up to this many creators per offer


@dataclass(frozen=True)
class Deals:
    """Collaborations frame plus the hidden and timing arrays the order generator needs."""

    frame: pd.DataFrame
    fit: np.ndarray  # hidden audience-product fit per collaboration
    data_tools: np.ndarray  # bool: a deal of the data-tools brand (its ROI story)
    live_at: np.ndarray  # seconds; when the creator's content went live (if it did)
    done_at: np.ndarray  # seconds; end of the sales window


def make_collaborations(
    rng: np.random.Generator,
    people: People,
    audiences: dict[str, np.ndarray],
    products: pd.DataFrame,
    targets: dict[str, np.ndarray],
    campaigns: pd.DataFrame,
    timeline: Timeline,
) -> Deals:
    """Offers for every creator-distribution campaign that has started, and their fate."""
    campaign, offered_at = _offers(rng, len(people.joined), campaigns, timeline)
    brand = campaigns["brand_index"].to_numpy()[campaign]
    product = _brand_products(rng, products, brand)
    candidates = _candidates(rng, people, products["category"].cat.codes.to_numpy()[product])
    fits = np.column_stack([_fit(audiences, targets, c, product) for c in candidates.T])
    best = _best_seen(fits, brand, offered_at, timeline)
    creator, fit = _take(candidates, best), _take(fits, best)
    keep = _first_offer_only(campaign, creator) & (people.joined[creator] * DAY_S <= offered_at)
    campaign, product, offered_at = campaign[keep], product[keep], offered_at[keep]
    creator, fit = creator[keep], fit[keep]
    direct = rng.random(len(campaign)) < 0.4
    deadline = offered_at + np.where(direct, 3, 7) * DAY_S
    status, submitted_at, live_at, done_at = _fates(
        rng, campaigns, campaign, offered_at, deadline, direct, timeline
    )
    data_tools = campaigns["brand_index"].to_numpy()[campaign] == DATA_TOOLS_BRAND
    fee, commission = _terms(rng, people, creator, direct, offered_at, timeline, data_tools)
    frame = pd.DataFrame(
        {
            "collaboration_index": np.arange(len(campaign)),
            "campaign_index": campaign,
            "product_index": product,
            "creator_index": creator,
            "offer_type": pd.Categorical.from_codes(np.where(direct, 0, 1), OFFER_TYPES),
            "offered_at": _instants(offered_at),
            "response_deadline": _instants(deadline),
            "fee": fee,
            "commission_pct": commission,
            "status": pd.Categorical(status, categories=COLLABORATION_STATUSES),
            **_content_times(status, submitted_at, live_at),
        }
    )
    return Deals(frame=frame, fit=fit, data_tools=data_tools, live_at=live_at, done_at=done_at)


def _content_times(status: np.ndarray, submitted_at: np.ndarray, live_at: np.ndarray) -> dict:
    """When the content was submitted and, once live, approved by the brand (it goes live on
    approval); NaT for a deal that has no content yet (or was cancelled before any)."""
    submitted = np.isin(status, ["content_submitted", "live", "completed"])
    approved = np.isin(status, ["live", "completed"])
    return {
        "content_submitted_at": np.where(
            submitted, _instants(submitted_at), np.datetime64("NaT", "s")
        ),
        "content_approved_at": np.where(approved, _instants(live_at), np.datetime64("NaT", "s")),
    }


def offers_per_campaign(creators: int) -> float:
    """About 20 offers a campaign for 3000 creators, growing mildly with the population."""
    return 20 * (creators / 3000) ** 0.25


def _offers(
    rng: np.random.Generator, creators: int, campaigns: pd.DataFrame, timeline: Timeline
) -> tuple[np.ndarray, np.ndarray]:
    """(campaign, offered_at) per offer.

    Offers trickle out from a week before a campaign starts until a week before it ends (or
    end_date), so an active campaign always has fresh offers in its pipeline.
    """
    eligible = (campaigns["mode"] != "self_broadcast") & (campaigns["status"] != "draft")
    chosen = campaigns[eligible]
    start, end = chosen["start_day"].to_numpy(), chosen["end_day"].to_numpy()
    # The data-tools brand is the demo's main brand: it works with three times as many creators.
    scale = np.where(chosen["brand_index"].to_numpy() == DATA_TOOLS_BRAND, 3.0, 1.0)
    mean = offers_per_campaign(creators) * scale * (end - start) / 35
    campaign = np.repeat(chosen["campaign_index"].to_numpy(), rng.poisson(mean))
    first = campaigns["start_day"].to_numpy()[campaign] - 7
    last = np.minimum(campaigns["end_day"].to_numpy()[campaign] - 7, timeline.end_day)
    day = first + np.floor(rng.random(len(campaign)) * (last - first + 1)).astype(np.int64)
    return campaign, day * DAY_S + rng.integers(9 * 3600, 21 * 3600, len(campaign))


def _brand_products(
    rng: np.random.Generator, products: pd.DataFrame, brand: np.ndarray
) -> np.ndarray:
    """A uniformly chosen product of each offer's brand (products are grouped by brand)."""
    per_brand = products.groupby("brand_index").size().to_numpy()
    first = np.cumsum(per_brand) - per_brand
    return first[brand] + np.floor(rng.random(len(brand)) * per_brand[brand]).astype(np.int64)


def _candidates(rng: np.random.Generator, people: People, category: np.ndarray) -> np.ndarray:
    """(offers, _MAX_CANDIDATES) creators a brand could send each offer to."""
    return np.column_stack([_draw_creators(rng, people, category) for _ in range(_MAX_CANDIDATES)])


def _best_seen(
    fits: np.ndarray, brand: np.ndarray, offered_at: np.ndarray, timeline: Timeline
) -> np.ndarray:
    """Which candidate each offer goes to.

    The data-tools brand first picks by reach and price alone and lands on poorly fitting
    audiences (the worst of three candidates) through the window's first quarter; then it
    compares more candidates (1 → 6, reached at the last quarter) and takes the best hidden
    fit: the selection centre raising its ROI. Everyone else takes the first.
    """
    progress = np.clip((offered_at / DAY_S - timeline.first_day) / (7 * timeline.weeks), 0, 1)
    adoption = np.clip((progress - 0.25) / 0.5, 0, 1)
    tools = brand == DATA_TOOLS_BRAND
    compared = np.where(tools, 1 + np.rint(5 * adoption), 1)
    best = np.where(np.arange(_MAX_CANDIDATES) < compared[:, None], fits, -1.0).argmax(axis=1)
    worst = fits[:, :3].argmin(axis=1)
    return np.where(tools & (adoption <= 0), worst, best)


def _take(table: np.ndarray, column: np.ndarray) -> np.ndarray:
    return table[np.arange(len(table)), column]


def _draw_creators(rng: np.random.Generator, people: People, category: np.ndarray) -> np.ndarray:
    """One creator per offer, weighted by sqrt(followers).

    Head agencies' creators come first more often (brand-cooperation priority, ×1.5), and so
    do bad actors (×3): cheap, eager and over-promising is what makes them a compliance case.
    """
    weight = (
        np.sqrt(people.final.astype(float))
        * np.where(people.head_agency, 1.5, 1.0)
        * np.where(people.bad_actor, 3.0, 1.0)
    )
    in_vertical = rng.random(len(category)) < _IN_VERTICAL_SHARE
    picked = _weighted(rng, weight, len(category))
    for v in np.unique(category[in_vertical]):
        pool = np.flatnonzero(people.vertical == v)
        if len(pool) == 0:
            continue
        offers = np.flatnonzero(in_vertical & (category == v))
        picked[offers] = pool[_weighted(rng, weight[pool], len(offers))]
    return picked


def _weighted(rng: np.random.Generator, weight: np.ndarray, count: int) -> np.ndarray:
    """``count`` positions drawn with probability proportional to ``weight``."""
    cumulative = np.cumsum(weight)
    picks = np.searchsorted(cumulative, rng.random(count) * cumulative[-1], side="right")
    return np.minimum(picks, len(weight) - 1)


def _fit(
    audiences: dict[str, np.ndarray],
    targets: dict[str, np.ndarray],
    creator: np.ndarray,
    product: np.ndarray,
) -> np.ndarray:
    return fit_scores(
        {axis: shares[creator] for axis, shares in audiences.items()},
        {axis: shares[product] for axis, shares in targets.items()},
    )


def _first_offer_only(campaign: np.ndarray, creator: np.ndarray) -> np.ndarray:
    """A creator gets at most one offer per campaign."""
    pairs = pd.DataFrame({"campaign": campaign, "creator": creator})
    return ~pairs.duplicated().to_numpy()


def _fates(
    rng: np.random.Generator,
    campaigns: pd.DataFrame,
    campaign: np.ndarray,
    offered_at: np.ndarray,
    deadline: np.ndarray,
    direct: np.ndarray,
    timeline: Timeline,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Status on end_date from the offer's timeline; also when the content was submitted, when
    it went live and when the deal closed."""
    now = (timeline.end_day + 1) * DAY_S
    size = len(campaign)
    answered = rng.random(size) < 0.85
    answered_at = offered_at + rng.random(size) * (deadline - offered_at)
    accepted = answered & (rng.random(size) < np.where(direct, 0.75, 0.6))
    campaign_end = (campaigns["end_day"].to_numpy()[campaign] + 1) * DAY_S
    live_at = np.minimum(answered_at + rng.uniform(3, 12, size) * DAY_S, campaign_end - DAY_S)
    live_at = np.maximum(live_at, answered_at + 3600)
    submitted_at = answered_at + 0.6 * (live_at - answered_at)
    done_at = np.maximum(campaign_end, live_at + DAY_S)
    progress = np.select(
        [now < submitted_at, now < live_at, now < done_at],
        ["accepted", "content_submitted", "live"],
        "completed",
    )
    campaign_cancelled = campaigns["status"].to_numpy()[campaign] == "cancelled"
    cancelled = campaign_cancelled | (rng.random(size) < 0.04)
    unanswered = np.where(deadline <= now, "expired", "offered")
    status = np.select(
        [~answered | (answered_at > now), ~accepted, cancelled],
        [unanswered, "declined", "cancelled"],
        progress,
    )
    times = (submitted_at, live_at, done_at)
    return status, *(moment.astype(np.int64) for moment in times)


def _terms(
    rng: np.random.Generator,
    people: People,
    creator: np.ndarray,
    direct: np.ndarray,
    offered_at: np.ndarray,
    timeline: Timeline,
    data_tools: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Fee and commission: direct orders pay a fee that grows with reach and over time.

    Invitations are mostly commission-only (60% with no fee at all). The data-tools brand
    pays every creator a fee at the market rate and a low 3–8% commission, so its ROI
    (GMV ÷ fees and commissions) is what its choice of creators makes of it.
    """
    years = (offered_at / DAY_S - timeline.end_day) / YEAR_DAYS
    base = 0.05 * people.final[creator].astype(float) ** 0.85 * np.exp(FEE_GROWTH * years)
    fee = base * rng.lognormal(0, 0.3, len(creator))
    fee = np.where(
        direct | data_tools, fee, np.where(rng.random(len(creator)) < 0.6, 0.0, 0.5 * fee)
    )
    commission = np.where(
        direct, rng.uniform(5, 15, len(creator)), rng.uniform(15, 35, len(creator))
    )
    commission = np.where(data_tools, rng.uniform(3, 8, len(creator)), commission)
    return np.round(fee, -1), np.round(commission, 1)


def _instants(seconds: np.ndarray) -> np.ndarray:
    return seconds.astype("datetime64[s]")
