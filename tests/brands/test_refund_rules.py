"""The pure refund rules (``brands.refund_rules``): the 48-hour window at its boundary
(inclusive: 48:00:00 still auto-approves, 47:59 yes, 48:01 no), undelivered orders never
auto-approved, the brand's 72-hour deadline, and the over-refund arithmetic."""

import datetime
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from brands import refund_rules as rules

DELIVERED = datetime.datetime(2026, 5, 1, 12, 0, tzinfo=datetime.UTC)
H = datetime.timedelta(hours=1)
M = datetime.timedelta(minutes=1)


def auto(reason="no_reason", after=H, delivered=DELIVERED):
    return rules.auto_approves(
        reason=reason, requested_at=DELIVERED + after, delivered_at=delivered
    )


def test_the_boundary_at_47_59_and_48_01():
    assert auto(after=47 * H + 59 * M)
    assert not auto(after=48 * H + 1 * M)


def test_exactly_48_hours_is_inside_and_a_microsecond_later_is_not():
    assert auto(after=48 * H)
    assert not auto(after=48 * H + datetime.timedelta(microseconds=1))


def test_only_the_no_reason_return_is_automatic():
    for reason in ("quality", "not_as_described", "wrong_item", "damaged", "other"):
        assert not auto(reason=reason, after=M)


def test_an_undelivered_order_is_never_auto_approved():
    assert not auto(after=M, delivered=None)
    assert not rules.auto_approves(reason="no_reason", requested_at=DELIVERED, delivered_at=None)


def test_a_request_before_delivery_is_not_within_the_window():
    assert not auto(after=-M)


def test_initial_status_and_deadline():
    assert (
        rules.initial_status(reason="no_reason", requested_at=DELIVERED + H, delivered_at=DELIVERED)
        == rules.APPROVED
    )
    assert (
        rules.initial_status(
            reason="no_reason", requested_at=DELIVERED + 49 * H, delivered_at=DELIVERED
        )
        == rules.PENDING
    )
    assert rules.brand_deadline(DELIVERED) == DELIVERED + 72 * H
    deadline = rules.brand_deadline(DELIVERED)
    assert not rules.is_overdue(status=rules.PENDING, deadline=deadline, now=deadline)
    assert rules.is_overdue(status=rules.PENDING, deadline=deadline, now=deadline + M)
    assert not rules.is_overdue(status=rules.APPROVED, deadline=deadline, now=deadline + M)


def test_who_moves_what():
    assert rules.who_moves(rules.PENDING, rules.APPROVED) == "brand"
    assert rules.who_moves(rules.REJECTED, rules.DISPUTED) == "buyer"
    assert rules.who_moves(rules.PENDING, rules.ESCALATED) == "system"
    assert rules.who_moves(rules.ESCALATED, rules.APPROVED) == "operator"
    assert rules.who_moves(rules.APPROVED, rules.REJECTED) is None
    assert rules.who_moves(rules.PENDING, rules.DISPUTED) is None


@given(st.integers(min_value=0, max_value=200 * 3600))
def test_the_window_is_exactly_48_hours(seconds):
    after = datetime.timedelta(seconds=seconds)
    assert auto(after=after) == (after <= rules.NO_REASON_WINDOW)


money = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999"), places=2)


@given(money, money, money)
def test_fits_never_lets_the_held_total_exceed_what_was_paid(paid, held, amount):
    if rules.fits(paid=paid, held=held, amount=amount):
        assert held + amount <= paid
    else:
        assert held + amount > paid


def test_a_zero_or_negative_refund_never_fits():
    assert not rules.fits(paid=Decimal("10"), held=Decimal("0"), amount=Decimal("0"))
    assert not rules.fits(paid=Decimal("10"), held=Decimal("0"), amount=Decimal("-1"))


def test_the_module_imports_no_django():
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(rules))
    names = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    names += [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    assert not [name for name in names if name and name.startswith("django")]
