"""Complaint rates (consumer protection): complaints ÷ orders per creator, brand and agency.

Pure pandas, no Django. The input is what the database aggregated: one row per ``(creator,
brand)`` pair with the ``orders`` counted in the window and the ``complaints`` counted on them
(which ones count is said once, in ``compliance.selectors.complaint_counts``); ``creator`` is
missing (NaN) for a brand's self-broadcast orders, which count for the brand only. The agency of
each creator is its current one (``agencies``: creator id → agency id; independent creators
have none, so their orders count for no agency).

* A subject's ``rate`` is ``complaints / orders``; a subject without orders has no row (its rate
  is missing, never 0: nothing sold is not "no complaints").
* ``alert`` is ``rate > COMPLAINT_RATE_ALERT`` (0.8%, the consumer-rights plan's ceiling) on at
  least ``ALERT_MIN_ORDERS`` (100) orders: below that one complaint is already above 1%, so one
  unlucky complaint on 3 orders (33%) is noise, not a signal. With 100 orders the alert needs at
  least one complaint above the line (0.8 complaints would be at it), and the binomial noise of a
  compliant creator at half the ceiling stays under it most of the time.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: The ceiling of the consumer-rights plan: above 0.8% of orders complained about, an alert.
COMPLAINT_RATE_ALERT = 0.008
#: Orders in the window a subject needs before its rate can alert (see the module docstring).
ALERT_MIN_ORDERS = 100
#: Trailing window, in days, ending on (and including) the day the rate is stored for.
WINDOW_DAYS = 30

KINDS = ("creator", "brand", "agency")
COLUMNS = ["subject_kind", "subject_id", "orders", "complaints", "rate", "alert"]


def rates(
    pairs: pd.DataFrame,
    agencies: pd.Series | None = None,
    *,
    alert_rate: float = COMPLAINT_RATE_ALERT,
    min_orders: int = ALERT_MIN_ORDERS,
) -> pd.DataFrame:
    """Every subject with orders: ``subject_kind``, ``subject_id``, ``orders``, ``complaints``
    (ints), ``rate`` (float) and ``alert`` (bool), sorted by kind then id (deterministic).

    ``pairs``: columns ``creator`` (float/nullable id), ``brand``, ``orders``, ``complaints``;
    several rows of one pair are summed. ``agencies``: creator id → agency id (NaN: none)."""
    pairs = _clean(pairs)
    creators = pairs.dropna(subset=["creator"]).astype({"creator": np.int64})
    parts = [
        _by(creators, "creator", "creator"),
        _by(pairs, "brand", "brand"),
    ]
    if agencies is not None and len(creators):
        agency = creators["creator"].map(agencies)
        managed = creators.assign(agency=agency).dropna(subset=["agency"])
        parts.append(_by(managed.astype({"agency": np.int64}), "agency", "agency"))
    parts = [part for part in parts if len(part)]
    if not parts:
        return _with_rates(pd.DataFrame(columns=COLUMNS[:4]), alert_rate, min_orders)
    return _with_rates(pd.concat(parts, ignore_index=True), alert_rate, min_orders)


def rate(complaints, orders) -> pd.Series:
    """``complaints / orders`` elementwise; missing where there are no orders."""
    complaints = pd.Series(complaints, dtype=np.float64)
    orders = pd.Series(orders, dtype=np.float64)
    return complaints / orders.where(orders > 0)


def is_alert(rate_value, orders, *, alert_rate=COMPLAINT_RATE_ALERT, min_orders=ALERT_MIN_ORDERS):
    """Whether a rate alerts (elementwise on arrays; a missing rate never does)."""
    rate_value = np.asarray(rate_value, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        return (np.nan_to_num(rate_value, nan=0.0) > alert_rate) & (
            np.asarray(orders) >= min_orders
        )


def _clean(pairs: pd.DataFrame) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "creator": pd.to_numeric(pairs["creator"], errors="coerce").astype(np.float64),
            "brand": pd.Series(pairs["brand"]).astype(np.int64),
            "orders": pd.Series(pairs["orders"]).astype(np.int64),
            "complaints": pd.Series(pairs["complaints"]).astype(np.int64),
        }
    )
    if (frame[["orders", "complaints"]] < 0).any().any():
        raise ValueError("orders and complaints cannot be negative")
    return frame


def _by(frame: pd.DataFrame, column: str, kind: str) -> pd.DataFrame:
    summed = frame.groupby(column, sort=True)[["orders", "complaints"]].sum()
    summed = summed[summed["orders"] > 0]
    out = summed.reset_index().rename(columns={column: "subject_id"})
    out.insert(0, "subject_kind", kind)
    return out


def _with_rates(frame: pd.DataFrame, alert_rate: float, min_orders: int) -> pd.DataFrame:
    frame = frame.astype({"subject_id": np.int64, "orders": np.int64, "complaints": np.int64})
    frame["rate"] = rate(frame["complaints"].to_numpy(), frame["orders"].to_numpy()).to_numpy()
    frame["alert"] = is_alert(
        frame["rate"].to_numpy(), frame["orders"].to_numpy(),
        alert_rate=alert_rate, min_orders=min_orders,
    )  # fmt: skip
    order = {kind: i for i, kind in enumerate(KINDS)}
    frame = frame.assign(_k=frame["subject_kind"].map(order))
    frame = frame.sort_values(["_k", "subject_id"], kind="stable").drop(columns="_k")
    return frame.reset_index(drop=True)[COLUMNS]
