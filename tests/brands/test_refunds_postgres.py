"""Concurrent refund requests cannot over-refund (PostgreSQL: real row locks and the check
constraint), each request in a thread of its own with its own connection."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from brands import services_orders
from brands.models import Order, Refund
from tenancy.scoping import Actor, acting_as
from tests.concurrency import race
from tests.factories import MembershipFactory, OrderFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def brand_of(order) -> Actor:
    user = MembershipFactory(organization=order.organization, role="owner").user
    return Actor(
        user_id=user.pk,
        organization_id=order.organization_id,
        organization_kind="brand",
        role="owner",
    )


@pytest.fixture
def order():
    now = timezone.now()
    return OrderFactory(
        amount=Decimal("199.00"),
        placed_at=now - datetime.timedelta(days=5),
        delivered_at=now - datetime.timedelta(days=4),
    )


def refund(actor, order, amount, external_id="", requested_at=None):
    moment = requested_at or timezone.now()
    fields = dict(amount=Decimal(amount), reason="quality", requested_at=moment)

    def call():
        with acting_as(actor):
            stale = Order.objects.unscoped().get(pk=order.pk)  # read before the other commits
            if external_id:
                services_orders.refund_ingest(
                    actor=actor, order=stale, external_id=external_id, **fields
                )
            else:
                services_orders.refund_record(actor=actor, order=stale, **fields)

    return call


def stored_total(order) -> Decimal:
    return Order.objects.unscoped().get(pk=order.pk).refunded_total


def test_two_concurrent_refunds_cannot_exceed_what_was_paid(order):
    actor = brand_of(order)
    outcomes = race(refund(actor, order, "150.00"), refund(actor, order, "150.00"))
    assert outcomes == ["refused", "won"]
    assert Refund.objects.unscoped().count() == 1
    assert stored_total(order) == Decimal("150.00")


def test_many_concurrent_refunds_stop_exactly_at_the_amount(order):
    actor = brand_of(order)
    outcomes = race(*[refund(actor, order, "50.00") for _ in range(6)])
    assert outcomes.count("won") == 3 and outcomes.count("refused") == 3
    held = sum(r.amount for r in Refund.objects.unscoped().filter(order_id=order.pk))
    assert held == stored_total(order) == Decimal("150.00")


def test_the_check_constraint_holds_even_without_the_row_lock(order):
    """Two writers that skip the lock (both read 0 held) still cannot over-refund: the second
    increment waits on the row, then fails the check ``order_refunds_within_amount``."""
    barrier = threading.Barrier(2)
    outcomes = []

    def unlocked_hold():
        try:
            with transaction.atomic():
                barrier.wait()
                services_orders._hold(order, Decimal("150.00"))
            outcomes.append("won")
        except ValidationError as error:
            assert error.message_dict == {"amount": [str(services_orders.OVER_REFUND)]}
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=unlocked_hold) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["refused", "won"]
    assert stored_total(order) == Decimal("150.00")


def test_the_same_external_id_at_once_makes_one_refund(order):
    actor, moment = brand_of(order), timezone.now()
    outcomes = race(
        refund(actor, order, "20.00", external_id="R-1", requested_at=moment),
        refund(actor, order, "20.00", external_id="R-1", requested_at=moment),
    )
    assert outcomes == ["won", "won"]  # the second answered with the first's refund
    assert Refund.objects.unscoped().filter(external_id="R-1").count() == 1
    assert stored_total(order) == Decimal("20.00")
