"""The refund rules, pure (no Django): which refund is approved on the spot, and by when the
brand must decide the others. ``brands.services`` applies them; tests/brands/test_refund_rules.py
checks them at their boundaries.

- **48-hour no-reason return**: a refund with reason ``no_reason`` requested *at most* 48 hours
  after delivery is approved automatically. The boundary is inclusive: at exactly 48:00:00 it is
  still approved, at 48:00:00.000001 it goes to the brand (47:59 yes, 48:01 no).
- A refund of an order not delivered yet (no delivery moment) is never approved automatically:
  the window runs from delivery, and nothing has been delivered.
- Everything else (a later one, any other reason) goes to the brand, who decides within
  ``BRAND_DECISION_WINDOW`` (72 hours) of the platform recording it; after that it escalates
  to the operator.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

NO_REASON = "no_reason"
#: The no-questions-asked return window, counted from delivery (boundary inclusive).
NO_REASON_WINDOW = datetime.timedelta(hours=48)
#: How long the brand has to approve or reject a refund before the operator takes it over.
BRAND_DECISION_WINDOW = datetime.timedelta(hours=72)

# Statuses (the model's choices use the same strings).
PENDING = "pending"  # awaiting the brand's decision
APPROVED = "approved"
REJECTED = "rejected"
DISPUTED = "disputed"  # the buyer disputed the brand's rejection: the operator decides
ESCALATED = "escalated"  # the brand missed its deadline: the operator decides
#: Statuses whose amount is held against the order (counted in its refunded total).
HOLDING = frozenset({PENDING, APPROVED, DISPUTED, ESCALATED})
STATUSES = (PENDING, APPROVED, REJECTED, DISPUTED, ESCALATED)
#: Statuses the operator decides.
FOR_OPERATOR = frozenset({DISPUTED, ESCALATED})

#: Who may move a refund from one status to another (and the services that do it).
TRANSITIONS: dict[tuple[str, str], str] = {
    (PENDING, APPROVED): "brand",
    (PENDING, REJECTED): "brand",
    (PENDING, ESCALATED): "system",
    (REJECTED, DISPUTED): "buyer",
    (DISPUTED, APPROVED): "operator",
    (DISPUTED, REJECTED): "operator",
    (ESCALATED, APPROVED): "operator",
    (ESCALATED, REJECTED): "operator",
}


def auto_approves(
    *, reason: str, requested_at: datetime.datetime, delivered_at: datetime.datetime | None
) -> bool:
    """True for a no-reason refund requested within 48 hours (inclusive) after delivery."""
    if reason != NO_REASON or delivered_at is None or requested_at < delivered_at:
        return False
    return requested_at - delivered_at <= NO_REASON_WINDOW


def initial_status(
    *, reason: str, requested_at: datetime.datetime, delivered_at: datetime.datetime | None
) -> str:
    auto = auto_approves(reason=reason, requested_at=requested_at, delivered_at=delivered_at)
    return APPROVED if auto else PENDING


def brand_deadline(recorded_at: datetime.datetime) -> datetime.datetime:
    """The brand's deadline, counted from when the platform recorded the request."""
    return recorded_at + BRAND_DECISION_WINDOW


def is_overdue(*, status: str, deadline: datetime.datetime | None, now: datetime.datetime) -> bool:
    """A pending refund past its deadline (strictly after it) is the operator's."""
    return status == PENDING and deadline is not None and now > deadline


def who_moves(current: str, to: str) -> str | None:
    """The party allowed to move a refund from ``current`` to ``to``, or None (no such move)."""
    return TRANSITIONS.get((current, to))


def fits(*, paid: Decimal, held: Decimal, amount: Decimal) -> bool:
    """A refund of ``amount`` fits when the refunds already held plus it stay within ``paid``."""
    return amount > 0 and held + amount <= paid
