"""Refund decisions in Chromium: the demo brand follows the header's navigation to its refund
queue, sees a refund past its deadline highlighted (and no form on it), tries to reject one
without a note (400, the form says why), rejects it with a note and approves another; the buyer
disputes the rejection through the API (as the shop's system relays it); the operator follows
its navigation to the disputed refunds and approves it finally."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from brands import services_orders
from brands.models import Order, Refund
from tenancy.models import Organization
from tenancy.scoping import Actor, acting_as

from .test_walks import RUNS, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def brand_actor() -> Actor:
    org = Organization.objects.get(slug="huayang-beauty")
    user = get_user_model().objects.get(username="brand")
    return Actor(user_id=user.pk, organization_id=org.pk, organization_kind=org.kind, role="owner")


def queue_of_three(actor: Actor) -> tuple[Refund, Refund, Refund]:
    """Three fresh pending refunds of a demo order: one past its deadline, two to decide. The
    demo's other pending refunds are moved later, so these three open the first page."""
    now = timezone.now()
    with acting_as(actor):
        order = Order.objects.create(
            organization_id=actor.organization_id,
            amount=Decimal("300.00"),
            placed_at=now - datetime.timedelta(days=6),
            delivered_at=now - datetime.timedelta(days=5),
            external_id="WALK-REFUNDS-1",
        )
        made = [
            services_orders.refund_record(
                actor=actor,
                order=order,
                amount=Decimal(amount),
                reason="quality",
                requested_at=now - datetime.timedelta(hours=1),
            )
            for amount in ("10.00", "20.00", "30.00")
        ]
    pending = Refund.objects.unscoped().filter(
        organization_id=actor.organization_id, status="pending"
    )
    pending.exclude(pk__in=[r.pk for r in made]).update(
        decision_deadline=now + datetime.timedelta(hours=72)
    )
    overdue, reject, approve = made
    Refund.objects.unscoped().filter(pk=overdue.pk).update(
        decision_deadline=now - datetime.timedelta(hours=1)
    )
    for i, refund in enumerate((reject, approve)):
        Refund.objects.unscoped().filter(pk=refund.pk).update(
            decision_deadline=now + datetime.timedelta(hours=1, minutes=i)
        )
    return overdue, reject, approve


def walk_brand_decides(walk, live_server, overdue, reject, approve) -> None:
    page = walk.page
    sign_in(walk, live_server, "brand")
    with page.expect_navigation():
        page.click("header nav a[href='/brand/refunds/']")
    late = page.locator(f"#refund-{overdue.pk}")
    late.wait_for()
    assert late.get_attribute("class") == "overdue"
    assert late.locator("form").count() == 0  # past its deadline: the operator's now
    walk.shot("queue")
    row = page.locator(f"#refund-{reject.pk}")
    row.locator("input[name=decision][value=reject]").check()
    walk.expected_statuses = {400}  # a rejection without a note is refused with 400
    with page.expect_navigation():
        row.locator("button[type=submit]").click()
    page.locator(f"#refund-{reject.pk} .errorlist").wait_for()
    walk.shot("note-missing")
    walk.expected_statuses = set()
    assert Refund.objects.unscoped().get(pk=reject.pk).status == "pending"
    row = page.locator(f"#refund-{reject.pk}")
    row.locator("input[name=decision][value=reject]").check()
    row.locator("textarea[name=note]").fill("商品已拆封使用")
    with page.expect_navigation():
        row.locator("button[type=submit]").click()
    assert page.locator(f"#refund-{reject.pk}").count() == 0
    walk.shot("rejected")
    row = page.locator(f"#refund-{approve.pk}")
    row.locator("input[name=decision][value=approve]").check()
    with page.expect_navigation():
        row.locator("button[type=submit]").click()
    assert page.locator(f"#refund-{approve.pk}").count() == 0
    walk.shot("approved")


def walk_operator_decides(walk, live_server, disputed) -> None:
    page = walk.page
    sign_in(walk, live_server, "operator")
    with page.expect_navigation():
        page.click("header nav a[href='/operator/refunds/']")
    card = page.locator(f"#refund-{disputed.pk}")
    card.wait_for()
    assert "商品已拆封使用" in card.locator(".brand-note").inner_text()
    walk.shot("disputes")
    card.locator("input[name=decision][value=approve]").check()
    card.locator("textarea[name=note]").fill("Photos show the item torn on arrival.")
    with page.expect_navigation():
        card.locator("button[type=submit]").click()
    assert page.locator(f"#refund-{disputed.pk}").count() == 0
    walk.shot("decided")


@pytest.mark.parametrize(("lang", "width"), RUNS)
def test_brand_decides_refunds_and_the_operator_a_disputed_one(walk, live_server, lang, width):
    actor = brand_actor()
    overdue, reject, approve = queue_of_three(actor)
    brand = walk(lang, "brand-refunds", width)
    walk_brand_decides(brand, live_server, overdue, reject, approve)
    brand.check()
    decided = {r.pk: r for r in Refund.objects.unscoped().filter(pk__in=[reject.pk, approve.pk])}
    assert decided[reject.pk].status == "rejected"
    assert decided[reject.pk].decision_note == "商品已拆封使用"
    assert decided[reject.pk].decided_by.username == "brand"
    assert decided[approve.pk].status == "approved"
    # The buyer disputes the rejection; the shop's system relays it (the API's service).
    with acting_as(actor):
        services_orders.refund_dispute(
            actor=actor, refund=decided[reject.pk], note="It arrived torn"
        )
    first = Refund.objects.unscoped().filter(status__in=["disputed", "escalated"])
    earliest = min(r.disputed_at or r.escalated_at for r in first)
    Refund.objects.unscoped().filter(pk=reject.pk).update(
        disputed_at=earliest - datetime.timedelta(days=1)  # first on the operator's page
    )
    operator = walk(lang, "operator-refunds", width)
    walk_operator_decides(operator, live_server, decided[reject.pk])
    operator.check()
    final = Refund.objects.unscoped().get(pk=reject.pk)
    assert final.status == "approved" and final.final_decided_by.username == "operator"
    assert final.final_note == "Photos show the item torn on arrival."
