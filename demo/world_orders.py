"""Orders from collaborations and brand self-broadcasts, their refunds and complaints.

A collaboration sells in proportion to the creator's reach times exp(sharpness × fit): the
hidden audience-product fit is what a matcher can learn back from the outcomes. The fit
itself never reaches a frame.
"""

import numpy as np
import pandas as pd

from brands import refund_rules
from demo.world_collabs import DAY_S, Deals
from demo.world_metrics import Timeline
from demo.world_people import People, followers_at

FIT_SHARPNESS = 20.0
_FIT_CENTRE = 0.85
_ORDER_RATE = 0.0015  # orders per two weeks per (followers ** 0.8) at the centre fit
_OVERSELLING = 1.6  # bad actors' false claims sell, for a while
SEA_CONVERSION = 1.18  # "东南亚市场网红带货转化率较国内高18%"
_SELF_BROADCAST_DAILY = 4.0  # orders a day of a brand's own live room (demo brands ×3)

REFUND_REASONS = ("no_reason", "quality", "not_as_described", "wrong_item", "damaged")
COMPLAINT_CATEGORIES = ("false_advertising", "quality", "delivery", "service", "counterfeit")
COMPLAINT_STATUSES = ("open", "investigating", "resolved", "rejected")
# Per order. Overall stays under the document's 0.8%; bad actors sit far above it.
_COMPLAINT_RATE = {"normal": 0.003, "bad_actor": 0.08, "self_broadcast": 0.0025}
_REFUND_RATE = {"normal": 0.04, "bad_actor": 0.15}


def make_orders(
    rng: np.random.Generator,
    people: People,
    brands: pd.DataFrame,
    products: pd.DataFrame,
    campaigns: pd.DataFrame,
    deals: Deals,
    timeline: Timeline,
) -> pd.DataFrame:
    """All orders placed in the window, sorted by time; external ids count up per brand."""
    parts = [
        _collaboration_orders(rng, people, products, deals, timeline),
        _self_broadcast_orders(rng, brands, products, campaigns, timeline),
    ]
    orders = pd.concat(parts, ignore_index=True)
    collab = orders["collaboration_index"].to_numpy()
    known = collab >= 0
    orders["product_index"] = np.where(
        known, _of_deal(deals, "product_index", collab), orders["product_index"]
    )
    orders["creator_index"] = np.where(known, _of_deal(deals, "creator_index", collab), -1)
    orders["brand_index"] = products["brand_index"].to_numpy()[orders["product_index"]]
    orders = orders.sort_values(["placed_s", "brand_index"], kind="stable", ignore_index=True)
    return _finish_orders(rng, orders, products, timeline)


def _of_deal(deals: Deals, column: str, collab: np.ndarray) -> np.ndarray:
    """``column`` of each order's deal; -1 where there is none (also when no deal exists)."""
    values = deals.frame[column].to_numpy()
    if len(values) == 0:
        return np.full(len(collab), -1)
    return np.where(collab >= 0, values[np.maximum(collab, 0)], -1)


def _collaboration_orders(
    rng: np.random.Generator,
    people: People,
    products: pd.DataFrame,
    deals: Deals,
    timeline: Timeline,
) -> pd.DataFrame:
    """Poisson orders over each live deal's sales window (clipped to the snapshot window)."""
    frame = deals.frame
    selling = np.flatnonzero(frame["status"].isin(["live", "completed"]).to_numpy())
    now = (timeline.end_day + 1) * DAY_S
    start = np.maximum(deals.live_at[selling], timeline.first_day * DAY_S)
    length = np.maximum(np.minimum(deals.done_at[selling], now) - start, 0)
    creator = frame["creator_index"].to_numpy()[selling]
    reach = followers_at(people, creator, deals.live_at[selling] // DAY_S).astype(float) ** 0.8
    lift = np.exp(FIT_SHARPNESS * (deals.fit[selling] - _FIT_CENTRE))
    traits = np.where(people.sea[creator], SEA_CONVERSION, 1.0) * np.where(
        people.bad_actor[creator], _OVERSELLING, 1.0
    )
    expected = (
        _ORDER_RATE * reach * lift * length / (14 * DAY_S) * traits
        * rng.lognormal(-0.045, 0.3, len(selling))
    )  # fmt: skip
    tools = deals.data_tools[selling]
    expected[tools] = _data_tools_orders(rng, deals, products, selling[tools]) * traits[tools]
    count = rng.poisson(expected)
    which = np.repeat(np.arange(len(selling)), count)
    placed = start[which] + (rng.random(len(which)) * length[which]).astype(np.int64)
    return pd.DataFrame(
        {"collaboration_index": selling[which], "product_index": -1, "placed_s": placed}
    )


# The data-tools brand's GMV per yuan of fee at the fit centre: calibrated so that creators
# picked without looking at the audience return about 1:3 and the best-fitting ones 1:7.
# (measured in tests/demo/test_realism.py). Milder than FIT_SHARPNESS so that a quarter's few
# dozen deals, not one lucky creator, set the brand's ROI.
DATA_TOOLS_GMV_PER_FEE = 5.0
DATA_TOOLS_SHARPNESS = 12.0
DATA_TOOLS_CENTRE = 0.8
_MEAN_BASKET = (1 * 0.8 + 2 * 0.15 + 3 * 0.05) * 0.925  # mean quantity × mean discount


def _data_tools_orders(
    rng: np.random.Generator,
    deals: Deals,
    products: pd.DataFrame,
    rows: np.ndarray,
) -> np.ndarray:
    """Expected orders of the data-tools brand's deals: GMV = fee × rate × fit lift.

    Creators are priced by reach (the fee), and what a fee buys in sales is the audience's fit
    to the product; a post sells its GMV over its window, however long the campaign runs.
    """
    fee = deals.frame["fee"].to_numpy()[rows]
    price = products["price"].to_numpy()[deals.frame["product_index"].to_numpy()[rows]]
    lift = np.exp(DATA_TOOLS_SHARPNESS * (deals.fit[rows] - DATA_TOOLS_CENTRE))
    gmv = fee * DATA_TOOLS_GMV_PER_FEE * lift * rng.lognormal(-0.01, 0.15, len(rows))
    return gmv / (price * _MEAN_BASKET)


def _self_broadcast_orders(
    rng: np.random.Generator,
    brands: pd.DataFrame,
    products: pd.DataFrame,
    campaigns: pd.DataFrame,
    timeline: Timeline,
) -> pd.DataFrame:
    """The brand's own live room sells every day of its self-broadcast campaigns."""
    own = campaigns[
        campaigns["mode"].isin(["self_broadcast", "both"])
        & campaigns["status"].isin(["active", "completed"])
    ]
    now = (timeline.end_day + 1) * DAY_S
    start = np.maximum(own["start_day"].to_numpy(), timeline.first_day) * DAY_S
    length = np.maximum(np.minimum((own["end_day"].to_numpy() + 1) * DAY_S, now) - start, 0)
    brand = own["brand_index"].to_numpy()
    scale = np.where(brands["demo"].to_numpy()[brand], 3.0, 1.0)
    count = rng.poisson(_SELF_BROADCAST_DAILY * scale * length / DAY_S)
    which = np.repeat(np.arange(len(own)), count)
    per_brand = products.groupby("brand_index").size().to_numpy()
    first = np.cumsum(per_brand) - per_brand
    offset = np.floor(rng.random(len(which)) * per_brand[brand[which]]).astype(np.int64)
    return pd.DataFrame(
        {
            "collaboration_index": -1,
            "product_index": first[brand[which]] + offset,
            "placed_s": start[which] + (rng.random(len(which)) * length[which]).astype(np.int64),
        }
    )


def _finish_orders(
    rng: np.random.Generator, orders: pd.DataFrame, products: pd.DataFrame, timeline: Timeline
) -> pd.DataFrame:
    """Amounts (price × quantity, small discounts), delivery, and per-brand external ids."""
    size = len(orders)
    now = (timeline.end_day + 1) * DAY_S
    placed = orders["placed_s"].to_numpy()
    quantity = rng.choice([1, 2, 3], size, p=[0.8, 0.15, 0.05])
    price = products["price"].to_numpy()[orders["product_index"].to_numpy()]
    amount = np.round(price * quantity * rng.uniform(0.85, 1.0, size), 2)
    delivered = placed + rng.integers(1 * DAY_S, 5 * DAY_S, size)
    brand = orders["brand_index"].to_numpy()
    sequence = orders.groupby("brand_index").cumcount().to_numpy() + 1
    prefix = np.char.add(np.char.add("B", np.char.zfill(brand.astype(str), 3)), "-")
    return pd.DataFrame(
        {
            "order_index": np.arange(size),
            "brand_index": brand,
            "collaboration_index": orders["collaboration_index"].to_numpy(),
            "creator_index": orders["creator_index"].to_numpy(),
            "product_index": orders["product_index"].to_numpy(),
            "amount": amount,
            "placed_at": placed.astype("datetime64[s]"),
            "delivered_at": np.where(
                delivered < now, delivered.astype("datetime64[s]"), np.datetime64("NaT")
            ),
            "external_id": np.char.add(prefix, np.char.zfill(sequence.astype(str), 9)),
        }
    )


def _order_risk(people: People, orders: pd.DataFrame) -> np.ndarray:
    """'bad_actor', 'normal' or 'self_broadcast' for each order (who sold it)."""
    creator = orders["creator_index"].to_numpy()
    bad = np.where(creator >= 0, people.bad_actor[np.maximum(creator, 0)], False)
    return np.where(creator < 0, "self_broadcast", np.where(bad, "bad_actor", "normal"))


def make_refunds(
    rng: np.random.Generator, people: People, orders: pd.DataFrame, timeline: Timeline
) -> pd.DataFrame:
    """Refunds of delivered orders; 'no_reason' ones come within 48 hours of delivery."""
    risk = _order_risk(people, orders)
    rate = np.where(risk == "bad_actor", _REFUND_RATE["bad_actor"], _REFUND_RATE["normal"])
    delivered = orders["delivered_at"].notna().to_numpy()
    chosen = np.flatnonzero(delivered & (rng.random(len(orders)) < rate))
    bad = risk[chosen] == "bad_actor"
    reason = np.where(
        bad,
        rng.choice(REFUND_REASONS, len(chosen), p=[0.3, 0.15, 0.4, 0.05, 0.1]),
        rng.choice(REFUND_REASONS, len(chosen), p=[0.45, 0.2, 0.15, 0.1, 0.1]),
    )
    window = np.where(reason == "no_reason", 2 * DAY_S, 7 * DAY_S)
    delivered_s = _seconds(orders["delivered_at"].to_numpy()[chosen])
    requested = delivered_s + (rng.random(len(chosen)) * window).astype(np.int64)
    share = np.where(reason == "not_as_described", rng.uniform(0.3, 1.0, len(chosen)), 1.0)
    amount = np.round(orders["amount"].to_numpy()[chosen] * share, 2)
    now = (timeline.end_day + 1) * DAY_S
    keep = requested < now
    frame = pd.DataFrame(
        {
            "refund_index": np.arange(keep.sum()),
            "order_index": chosen[keep],
            "amount": amount[keep],
            "reason": reason[keep],
            "requested_at": requested[keep].astype("datetime64[s]"),
        }
    )
    return frame.assign(
        **_refund_outcomes(rng, reason[keep], requested[keep], delivered_s[keep], now)
    )


#: The brand's decisions on the refunds it decided: mostly approved, some rejected (and of those
#: some disputed by the buyer), a few left past the deadline (escalated to the operator).
_BRAND_OUTCOMES = ("approved", "rejected", "disputed", "escalated")
_BRAND_OUTCOME_P = (0.72, 0.14, 0.08, 0.06)
REJECTION_NOTES = ("商品已拆封使用，不符合退款条件", "Returned item does not match the order")
DISPUTE_NOTES = ("买家坚持商品与描述不符", "Buyer says the item was faulty on arrival")


def _refund_outcomes(rng, reason, requested, delivered, now) -> dict:
    """Each refund's status as ``brands.refund_rules`` would have made it: a no-reason one within
    48 hours of delivery approved on the spot; the rest pending while their deadline runs (the
    last 72 hours), else decided by the brand, disputed, or escalated at the deadline."""
    n = len(reason)
    window = int(refund_rules.NO_REASON_WINDOW.total_seconds())
    deadline_s = int(refund_rules.BRAND_DECISION_WINDOW.total_seconds())
    auto = (reason == refund_rules.NO_REASON) & (requested - delivered <= window)
    deadline = requested + deadline_s
    pending = ~auto & (deadline > now)
    outcome = rng.choice(_BRAND_OUTCOMES, n, p=_BRAND_OUTCOME_P)
    status = np.where(auto, "approved", np.where(pending, "pending", outcome))
    brand_decided = ~auto & ~pending & (outcome != "escalated")
    decided = np.where(
        auto, requested, requested + (rng.random(n) * deadline_s * 0.9).astype(np.int64)
    )
    disputed = np.minimum(decided + rng.integers(3600, DAY_S, n), now - 1)
    rejected = brand_decided & (outcome != "approved")
    notes = np.asarray(REJECTION_NOTES)[rng.integers(0, len(REJECTION_NOTES), n)]
    dispute_notes = np.asarray(DISPUTE_NOTES)[rng.integers(0, len(DISPUTE_NOTES), n)]

    def dated(values, where):
        out = pd.Series(values.astype("datetime64[s]"))
        return out.where(where, pd.NaT)

    return {
        "status": status,
        "auto_approved": auto,
        "decision_deadline": dated(deadline, ~auto),
        "decided_at": dated(decided, auto | brand_decided),
        "decision_note": np.where(rejected, notes, ""),
        "disputed_at": dated(disputed, brand_decided & (outcome == "disputed")),
        "dispute_note": np.where(brand_decided & (outcome == "disputed"), dispute_notes, ""),
        "escalated_at": dated(deadline, ~auto & ~pending & (outcome == "escalated")),
    }


def make_complaints(
    rng: np.random.Generator, people: People, orders: pd.DataFrame, timeline: Timeline
) -> pd.DataFrame:
    """Complaints about orders: rare overall, frequent (and about false claims) for bad actors."""
    risk = _order_risk(people, orders)
    rate = np.select(
        [risk == "bad_actor", risk == "self_broadcast"],
        [_COMPLAINT_RATE["bad_actor"], _COMPLAINT_RATE["self_broadcast"]],
        _COMPLAINT_RATE["normal"],
    )
    chosen = np.flatnonzero(rng.random(len(orders)) < rate)
    bad = risk[chosen] == "bad_actor"
    category = np.where(
        bad,
        rng.choice(COMPLAINT_CATEGORIES, len(chosen), p=[0.6, 0.15, 0.1, 0.05, 0.1]),
        rng.choice(COMPLAINT_CATEGORIES, len(chosen), p=[0.15, 0.35, 0.25, 0.15, 0.1]),
    )
    placed = _seconds(orders["placed_at"].to_numpy()[chosen])
    now = (timeline.end_day + 1) * DAY_S
    filed = np.minimum(placed + rng.integers(DAY_S, 12 * DAY_S, len(chosen)), now - 1)
    settled = rng.choice(COMPLAINT_STATUSES[1:], len(chosen), p=[0.15, 0.7, 0.15])
    status = np.where(now - filed < 7 * DAY_S, "open", settled)
    return pd.DataFrame(
        {
            "complaint_index": np.arange(len(chosen)),
            "order_index": chosen,
            "category": category,
            "status": status,
            "filed_at": filed.astype("datetime64[s]"),
        }
    )


def add_collaboration_sales(
    snapshots: pd.DataFrame, orders: pd.DataFrame, timeline: Timeline
) -> pd.DataFrame:
    """Snapshot gmv/orders also count each collaboration order in the week it was placed."""
    sold = orders[orders["creator_index"] >= 0]
    placed_day = _seconds(sold["placed_at"].to_numpy()) // DAY_S
    week = -((timeline.snapshot_days[0] - placed_day) // 7)
    order_keys = sold["creator_index"].to_numpy() * timeline.weeks + week
    snapshot_day = _seconds(snapshots["date"].to_numpy()) // DAY_S
    snapshot_week = (snapshot_day - timeline.snapshot_days[0]) // 7
    snapshot_keys = snapshots["creator_index"].to_numpy() * timeline.weeks + snapshot_week
    rows = np.searchsorted(snapshot_keys, order_keys)
    # Holds by construction (creators join before their offers); a silent miss would misbook.
    if not np.array_equal(snapshot_keys[np.minimum(rows, len(snapshot_keys) - 1)], order_keys):
        raise RuntimeError("a collaboration order falls outside its creator's snapshots")
    gmv = snapshots["gmv"].to_numpy().copy()
    count = snapshots["orders"].to_numpy().copy()
    np.add.at(gmv, rows, sold["amount"].to_numpy())
    np.add.at(count, rows, 1)
    return snapshots.assign(gmv=np.round(gmv, 2), orders=count)


def _seconds(instants: np.ndarray) -> np.ndarray:
    """datetime64 values → integer seconds since 1970-01-01."""
    return instants.astype("datetime64[s]").astype(np.int64)
