"""The refund lifecycle (brands.services): automatic 48-hour returns, the brand's decision
with its deadline, the buyer's dispute, escalation on beat, the operator's final decision; the
over-refund rule; idempotent ingestion by external_id; the pages and the API."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.test import Client

from brands import services_orders
from brands.models import Complaint, Order, Refund
from tenancy.models import AuditEvent
from tenancy.scoping import SYSTEM, Actor, acting_as
from tests.factories import (
    CollaborationFactory,
    ComplaintFactory,
    CreatorFactory,
    MembershipFactory,
    OrderFactory,
    OrganizationFactory,
    RefundFactory,
    UserFactory,
)
from tests.rowcounts import row_counts
from tests.tenancy_helpers import api_key_client, assert_outsider_gets_404, member_client
from webhooks.models import WebhookDelivery
from webhooks.services import webhook_endpoint_create

pytestmark = pytest.mark.django_db
H = datetime.timedelta(hours=1)
M = datetime.timedelta(minutes=1)
NOW = datetime.datetime(2026, 6, 10, 12, 0, tzinfo=datetime.UTC)
TABLES = ("brands.Refund", "brands.Complaint", "brands.Order", "tenancy.AuditEvent")


def brand_actor(org, role="owner"):
    user = MembershipFactory(organization=org, role=role).user
    return Actor(user_id=user.pk, organization_id=org.pk, organization_kind="brand", role=role)


def operator_actor(role="owner"):
    org = OrganizationFactory(kind="operator")
    user = MembershipFactory(organization=org, role=role).user
    return Actor(user_id=user.pk, organization_id=org.pk, organization_kind="operator", role=role)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def order(frozen):
    return OrderFactory(
        amount=Decimal("199.00"), placed_at=NOW - 5 * 24 * H, delivered_at=NOW - 48 * H
    )


@pytest.fixture
def brand(order):
    return brand_actor(order.organization)


def request(brand, order, *, after, reason="no_reason", amount="199.00", **extra):
    return call(
        services_orders.refund_record,
        actor=brand,
        order=order,
        amount=Decimal(amount),
        reason=reason,
        requested_at=order.delivered_at + after,
        **extra,
    )


def call(service, **kwargs):
    """A service as views, the API and tasks call it: inside its actor."""
    with acting_as(kwargs["actor"]):
        return service(**kwargs)


def total(order) -> Decimal:
    return Order.objects.unscoped().get(pk=order.pk).refunded_total


# --- The 48-hour rule, applied -------------------------------------------------------------------


def test_no_reason_at_47_59_is_approved_automatically(brand, order):
    refund = request(brand, order, after=47 * H + 59 * M)
    assert refund.status == "approved" and refund.auto_approved
    assert refund.decision_deadline is None and refund.decided_at == NOW
    assert total(order) == Decimal("199.00")
    assert AuditEvent.objects.unscoped().filter(action="refund.auto_approved").count() == 1


def test_no_reason_at_48_01_goes_to_the_brand_with_a_deadline(brand, order):
    refund = request(brand, order, after=48 * H + M)
    assert refund.status == "pending" and not refund.auto_approved
    assert refund.decision_deadline == NOW + 72 * H
    assert total(order) == Decimal("199.00")  # held while pending


def test_another_reason_goes_to_the_brand_even_early(brand, order):
    assert request(brand, order, after=M, reason="quality").status == "pending"


def test_an_undelivered_order_is_never_auto_approved(frozen):
    order = OrderFactory(placed_at=NOW - H, delivered_at=None)
    refund = call(
        services_orders.refund_record,
        actor=brand_actor(order.organization),
        order=order,
        amount=Decimal("10"),
        reason="no_reason",
        requested_at=NOW,
    )
    assert refund.status == "pending"


# --- Over-refunding ------------------------------------------------------------------------------


def test_pending_and_approved_refunds_count_and_rejected_ones_free_the_amount(brand, order):
    first = request(brand, order, after=49 * H, reason="quality", amount="120.00")
    before = row_counts(*TABLES)
    with pytest.raises(ValidationError) as refused:
        request(brand, order, after=50 * H, reason="quality", amount="80.00")
    assert "amount" in refused.value.message_dict
    assert row_counts(*TABLES) == before and total(order) == Decimal("120.00")
    call(
        services_orders.refund_decide,
        actor=brand,
        refund=first,
        decision="reject",
        note="Used item",
    )
    assert total(order) == Decimal("0.00")
    second = request(brand, order, after=51 * H, reason="quality", amount="199.00")
    assert second.status == "pending" and total(order) == Decimal("199.00")


def test_the_database_refuses_a_refunded_total_above_the_amount(order):
    with pytest.raises(IntegrityError), transaction.atomic():
        Order.objects.unscoped().filter(pk=order.pk).update(refunded_total=Decimal("199.01"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Order.objects.unscoped().filter(pk=order.pk).update(refunded_total=Decimal("-1"))


def test_a_refund_before_the_order_or_of_zero_changes_nothing(brand, order):
    before = row_counts(*TABLES)
    with pytest.raises(ValidationError):
        call(
            services_orders.refund_record,
            actor=brand,
            order=order,
            amount=Decimal("1"),
            reason="quality",
            requested_at=order.placed_at - H,
        )
    with pytest.raises(ValidationError):
        request(brand, order, after=H, amount="0")
    assert row_counts(*TABLES) == before and total(order) == 0


# --- The brand's decision, the dispute, the operator -----------------------------------------


def test_brand_rejects_buyer_disputes_operator_approves(brand, order):
    refund = request(brand, order, after=49 * H, reason="quality", amount="50.00")
    with pytest.raises(ValidationError):  # a rejection needs a note
        call(services_orders.refund_decide, actor=brand, refund=refund, decision="reject", note=" ")
    assert Refund.objects.unscoped().get(pk=refund.pk).status == "pending"
    call(services_orders.refund_decide, actor=brand, refund=refund, decision="reject", note="Worn")
    refund.refresh_from_db()
    assert (refund.status, refund.decision_note, refund.decided_by_id) == (
        "rejected",
        "Worn",
        brand.user_id,
    )
    assert total(order) == 0
    call(services_orders.refund_dispute, actor=brand, refund=refund, note="It arrived torn")
    refund.refresh_from_db()
    assert refund.status == "disputed" and refund.dispute_note == "It arrived torn"
    assert total(order) == Decimal("50.00")
    operator = operator_actor()
    call(
        services_orders.refund_final_decide,
        actor=operator,
        refund=refund,
        decision="approve",
        note="Photos",
    )
    refund.refresh_from_db()
    assert refund.status == "approved" and refund.final_decided_by_id == operator.user_id
    assert refund.final_note == "Photos" and refund.final_decided_at == NOW
    with pytest.raises(ValidationError):  # final: no second dispute
        call(services_orders.refund_dispute, actor=brand, refund=refund)
    actions = list(
        AuditEvent.objects.unscoped()
        .filter(target_id=str(refund.pk))
        .values_list("action", flat=True)
    )
    assert {"refund.requested", "refund.reject", "refund.disputed", "refund.final_approve"} <= set(
        actions
    )
    audit = AuditEvent.objects.unscoped().get(action="refund.reject")
    assert audit.actor_user_id == brand.user_id and audit.data["note"] == "Worn"


def test_every_move_is_announced_to_the_brand_and_no_one_else(brand, order, settings):
    settings.OLIVE_WEBHOOKS_ALLOW_PRIVATE = True
    settings.OLIVE_WEBHOOK_MAX_ATTEMPTS = 1
    events = ["refund.status_changed"]
    with acting_as(brand):
        webhook_endpoint_create(actor=brand, url="http://127.0.0.1:9/shop", events=events)
    other = brand_actor(OrganizationFactory(kind="brand"))
    with acting_as(other):
        webhook_endpoint_create(actor=other, url="http://127.0.0.1:9/other", events=events)
    request(brand, order, after=47 * H, amount="20.00")  # approved on the spot
    pending = request(brand, order, after=49 * H, reason="quality", amount="30.00")
    call(services_orders.refund_decide, actor=brand, refund=pending, decision="reject", note="No")
    call(services_orders.refund_dispute, actor=brand, refund=pending, note="Torn")
    sent = WebhookDelivery.objects.unscoped().filter(event="refund.status_changed")
    assert {d.endpoint.organization_id for d in sent} == {order.organization_id}
    got = [
        (d.payload["data"]["action"], d.payload["data"]["status"], d.payload["data"]["amount"])
        for d in sent.order_by("pk")
    ]
    assert got == [
        ("auto_approved", "approved", "20.00"),
        ("requested", "pending", "30.00"),
        ("reject", "rejected", "30.00"),
        ("disputed", "disputed", "30.00"),
    ]
    assert {d.payload["data"]["order"] for d in sent} == {order.external_id}


def test_operator_final_rejection_frees_the_amount_and_cannot_be_disputed(brand, order):
    refund = request(brand, order, after=49 * H, reason="quality", amount="50.00")
    call(services_orders.refund_decide, actor=brand, refund=refund, decision="reject", note="No")
    call(services_orders.refund_dispute, actor=brand, refund=refund)
    call(
        services_orders.refund_final_decide,
        actor=operator_actor(),
        refund=refund,
        decision="reject",
        note="Upheld",
    )
    refund.refresh_from_db()
    assert refund.status == "rejected" and refund.finally_decided and total(order) == 0
    with pytest.raises(ValidationError):
        call(services_orders.refund_dispute, actor=brand, refund=refund)


def test_unhappy_transitions_change_nothing(brand, order):
    auto = request(brand, order, after=H, amount="10.00")
    pending = request(brand, order, after=49 * H, reason="quality", amount="10.00")
    operator = operator_actor()
    before = row_counts(*TABLES)
    for attempt in (
        lambda: call(
            services_orders.refund_decide, actor=brand, refund=auto, decision="reject", note="x"
        ),
        lambda: call(services_orders.refund_decide, actor=brand, refund=pending, decision="maybe"),
        lambda: call(services_orders.refund_dispute, actor=brand, refund=pending),
        lambda: call(
            services_orders.refund_final_decide, actor=operator, refund=pending, decision="approve"
        ),
        lambda: call(
            services_orders.refund_decide,
            actor=brand,
            refund=pending,
            decision="approve",
            note="x" * 2001,
        ),
    ):
        with pytest.raises(ValidationError):
            attempt()
    assert row_counts(*TABLES) == before
    assert Refund.objects.unscoped().get(pk=pending.pk).status == "pending"


def test_a_read_only_member_or_another_brand_cannot_decide(brand, order):
    refund = request(brand, order, after=49 * H, reason="quality", amount="10.00")
    viewer = brand_actor(order.organization, role="viewer")
    other = brand_actor(OrganizationFactory(kind="brand"))
    for actor in (viewer, other):
        with pytest.raises(PermissionDenied):
            call(services_orders.refund_decide, actor=actor, refund=refund, decision="approve")
    with pytest.raises(PermissionDenied):  # a brand is not the operator
        call(services_orders.refund_final_decide, actor=brand, refund=refund, decision="approve")
    with pytest.raises(PermissionDenied):  # nor is the system (beat, CLI) anyone who decides
        call(services_orders.refund_final_decide, actor=SYSTEM, refund=refund, decision="approve")
    assert Refund.objects.unscoped().get(pk=refund.pk).status == "pending"


def test_a_missed_deadline_escalates_on_beat_and_the_brand_can_no_longer_decide(brand, order):
    late = request(brand, order, after=49 * H, reason="quality", amount="10.00")
    fresh = request(brand, order, after=49 * H, reason="quality", amount="10.00")
    Refund.objects.unscoped().filter(pk=fresh.pk).update(decision_deadline=NOW + 100 * H)
    with time_machine.travel(NOW + 72 * H + M, tick=False):
        with pytest.raises(ValidationError):
            call(services_orders.refund_decide, actor=brand, refund=late, decision="approve")
        assert call(services_orders.refunds_escalate_due, actor=SYSTEM) == 1
        assert call(services_orders.refunds_escalate_due, actor=SYSTEM) == 0  # idempotent
    late.refresh_from_db()
    fresh.refresh_from_db()
    assert late.status == "escalated" and late.escalated_at == NOW + 72 * H + M
    assert fresh.status == "pending"
    call(
        services_orders.refund_final_decide, actor=operator_actor(), refund=late, decision="approve"
    )
    assert Refund.objects.unscoped().get(pk=late.pk).status == "approved"


def test_at_the_deadline_itself_the_brand_still_decides(brand, order):
    refund = request(brand, order, after=49 * H, reason="quality", amount="10.00")
    with time_machine.travel(NOW + 72 * H, tick=False):
        assert call(services_orders.refunds_escalate_due, actor=SYSTEM) == 0
        call(services_orders.refund_decide, actor=brand, refund=refund, decision="approve")


# --- Ingestion by external id --------------------------------------------------------------------


def test_a_repeat_changes_nothing_and_other_content_is_a_conflict(brand, order):
    fields = dict(amount=Decimal("20.00"), reason="quality", requested_at=NOW - H)
    refund, created = call(
        services_orders.refund_ingest, actor=brand, order=order, external_id="R-1", **fields
    )
    assert created
    before = row_counts(*TABLES)
    again, created = call(
        services_orders.refund_ingest, actor=brand, order=order, external_id="R-1", **fields
    )
    assert (again.pk, created) == (refund.pk, False) and row_counts(*TABLES) == before
    with pytest.raises(services_orders.ExternalIdConflict) as conflict:
        call(
            services_orders.refund_ingest,
            actor=brand,
            order=order,
            external_id="R-1",
            **{**fields, "amount": Decimal("21")},
        )
    assert conflict.value.differences == ["amount"]
    assert row_counts(*TABLES) == before and total(order) == Decimal("20.00")
    # Another brand may use the same external id for its own refund.
    other = OrderFactory(placed_at=NOW - 24 * H)
    call(
        services_orders.refund_ingest,
        actor=brand_actor(other.organization),
        order=other,
        external_id="R-1",
        **fields,
    )


def test_complaint_ingestion_is_idempotent(brand, order):
    fields = dict(category="quality", filed_at=NOW - H)
    first, created = call(
        services_orders.complaint_ingest, actor=brand, order=order, external_id="C-1", **fields
    )
    again, created_again = call(
        services_orders.complaint_ingest, actor=brand, order=order, external_id="C-1", **fields
    )
    assert created and not created_again and first.pk == again.pk
    with pytest.raises(services_orders.ExternalIdConflict):
        call(
            services_orders.complaint_ingest,
            actor=brand,
            order=order,
            external_id="C-1",
            category="delivery",
            filed_at=NOW - H,
        )
    assert Complaint.objects.unscoped().count() == 1


# --- API -----------------------------------------------------------------------------------------

SCOPES = ["orders:write", "campaigns:read"]


def body(of, **overrides):
    return {
        "order": of.external_id,
        "external_id": "R-100",
        "amount": "30.00",
        "reason": "quality",
        "requested_at": (NOW - H).isoformat(),
        **overrides,
    }


def test_api_push_repeat_and_conflict(order):
    client = api_key_client(order.organization, SCOPES)[1]
    first = client.post("/api/v1/refunds/", body(order), format="json")
    assert first.status_code == 201, first.content
    assert first.json()["status"] == "pending" and first.json()["order"] == order.external_id
    before = row_counts(*TABLES)
    repeat = client.post("/api/v1/refunds/", body(order), format="json")
    assert repeat.status_code == 200 and repeat.json()["id"] == first.json()["id"]
    conflict = client.post("/api/v1/refunds/", body(order, amount="31.00"), format="json")
    assert conflict.status_code == 409
    error = conflict.json()["error"]
    assert error["code"] == "external_id_conflict" and "external_id" in error["fields"]
    assert row_counts(*TABLES) == before
    by_id = client.post(
        "/api/v1/refunds/", body(order, order=str(order.pk), external_id="R-101"), format="json"
    )
    assert by_id.status_code == 201
    unknown = client.post("/api/v1/refunds/", body(order, order="nope", external_id="R-102"))
    assert unknown.status_code == 400 and "order" in unknown.json()["error"]["fields"]


def test_api_over_refund_has_its_code_and_writes_nothing(order):
    client = api_key_client(order.organization, SCOPES)[1]
    before = row_counts(*TABLES)
    response = client.post("/api/v1/refunds/", body(order, amount="199.01"), format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "refund.exceeds_paid"
    assert row_counts(*TABLES) == before


def test_api_odd_references_and_amounts_are_clear_errors(order):
    client = api_key_client(order.organization, SCOPES)[1]
    before = row_counts(*TABLES)
    for reference in ("²", "٣", " ", "1" * 80):  # digits int() refuses; blank; no such order
        response = client.post("/api/v1/refunds/", body(order, order=reference), format="json")
        assert response.status_code == 400, reference
        assert "order" in response.json()["error"]["fields"], reference
    for amount in ("0", "-5.00", "0.001"):
        response = client.post("/api/v1/refunds/", body(order, amount=amount), format="json")
        assert response.status_code == 400, amount
        assert "amount" in response.json()["error"]["fields"], amount
        nested = client.post(
            f"/api/v1/orders/{order.pk}/refunds/", body(order, amount=amount), format="json"
        )
        assert nested.status_code == 400 and "amount" in nested.json()["error"]["fields"]
    assert row_counts(*TABLES) == before


def test_the_services_refuse_another_brands_order(brand):
    other = OrderFactory(
        amount=Decimal("50.00"), placed_at=NOW - 5 * 24 * H, delivered_at=NOW - 48 * H
    )
    before = row_counts(*TABLES)
    with pytest.raises(Order.DoesNotExist):
        request(brand, other, after=H)
    with pytest.raises(Order.DoesNotExist):
        call(
            services_orders.complaint_record,
            actor=brand, order=other, category="quality", filed_at=NOW - H,
        )  # fmt: skip
    assert row_counts(*TABLES) == before


def test_api_list_filter_retrieve_and_dispute(brand, order):
    client = api_key_client(order.organization, SCOPES)[1]
    refund = request(brand, order, after=49 * H, reason="quality", amount="40.00")
    request(brand, order, after=H, amount="10.00")  # auto-approved
    listed = client.get("/api/v1/refunds/?status=pending").json()["results"]
    assert [row["id"] for row in listed] == [refund.pk]
    assert client.get("/api/v1/refunds/?status=bogus").status_code == 400
    assert client.get(f"/api/v1/refunds/{refund.pk}/").json()["amount"] == "40.00"
    early = client.post(f"/api/v1/refunds/{refund.pk}/dispute/", {"note": "x"}, format="json")
    assert early.status_code == 400  # not rejected yet
    call(services_orders.refund_decide, actor=brand, refund=refund, decision="reject", note="No")
    disputed = client.post(f"/api/v1/refunds/{refund.pk}/dispute/", {"note": "x"}, format="json")
    assert disputed.status_code == 200 and disputed.json()["status"] == "disputed"


def test_api_reads_need_the_read_scope_and_writes_orders_write(order):
    reader = api_key_client(order.organization, ["campaigns:read"])[1]
    assert reader.get("/api/v1/refunds/").status_code == 200
    assert reader.get("/api/v1/complaints/").status_code == 200
    before = row_counts(*TABLES)
    assert reader.post("/api/v1/refunds/", body(order), format="json").status_code == 403
    complaint = {"order": order.external_id, "external_id": "C-1", "category": "quality"}
    complaint["filed_at"] = NOW.isoformat()
    assert reader.post("/api/v1/complaints/", complaint, format="json").status_code == 403
    assert row_counts(*TABLES) == before
    writer = api_key_client(order.organization, ["orders:write"])[1]
    assert writer.get("/api/v1/refunds/").status_code == 403


def test_api_complaints_push_and_nested_routes_with_external_id(order):
    client = api_key_client(order.organization, SCOPES)[1]
    complaint = {"order": order.external_id, "external_id": "C-9", "category": "quality"}
    complaint["filed_at"] = NOW.isoformat()
    assert client.post("/api/v1/complaints/", complaint, format="json").status_code == 201
    assert client.post("/api/v1/complaints/", complaint, format="json").status_code == 200
    changed = {**complaint, "category": "delivery"}
    assert client.post("/api/v1/complaints/", changed, format="json").status_code == 409
    nested = f"/api/v1/orders/{order.pk}/complaints/"
    again = {"external_id": "C-9", "category": "quality", "filed_at": NOW.isoformat()}
    assert client.post(nested, again, format="json").status_code == 200
    plain = {"category": "service", "filed_at": NOW.isoformat()}
    assert client.post(nested, plain, format="json").status_code == 201
    refunds = f"/api/v1/orders/{order.pk}/refunds/"
    refund = {"external_id": "N-1", "amount": "5.00", "reason": "quality"}
    refund["requested_at"] = NOW.isoformat()
    assert client.post(refunds, refund, format="json").status_code == 201
    assert client.post(refunds, refund, format="json").status_code == 200
    assert client.post(refunds, {**refund, "amount": "6.00"}, format="json").status_code == 409
    assert client.get("/api/v1/complaints/?status=open").json()["results"]


def test_api_outsider_gets_404_on_refunds_and_complaints(brand, order):
    refund = request(brand, order, after=49 * H, reason="quality", amount="40.00")
    complaint = ComplaintFactory(order=order)
    outsider = api_key_client(OrganizationFactory(kind="brand"), SCOPES)[1]
    for path in (f"/api/v1/refunds/{refund.pk}/", f"/api/v1/complaints/{complaint.pk}/"):
        assert_outsider_gets_404(outsider, path, secrets=[order.external_id])
    assert_outsider_gets_404(
        outsider, f"/api/v1/refunds/{refund.pk}/dispute/", secrets=[], method="post", data={}
    )
    assert outsider.get("/api/v1/refunds/").json()["results"] == []
    # The outsider cannot push onto the brand's order either: an unknown order to it.
    pushed = outsider.post("/api/v1/refunds/", body(order), format="json")
    assert pushed.status_code == 400 and "order" in pushed.json()["error"]["fields"]


# --- Pages ---------------------------------------------------------------------------------------


def test_brand_queue_shows_deadlines_and_overdue(brand, order):
    overdue = request(brand, order, after=49 * H, reason="quality", amount="11.00")
    Refund.objects.unscoped().filter(pk=overdue.pk).update(decision_deadline=NOW - H)
    waiting = request(brand, order, after=49 * H, reason="damaged", amount="12.00")
    client = member_client(order.organization)
    page = client.get("/brand/refunds/")
    html = page.content.decode()
    assert page.status_code == 200
    assert f'id="refund-{overdue.pk}" data-refund="{overdue.pk}" class="overdue"' in html
    assert f'id="refund-{waiting.pk}" data-refund="{waiting.pk}">' in html
    assert html.index(f"refund-{overdue.pk}") < html.index(f"refund-{waiting.pk}")
    partial = client.get("/brand/refunds/?status=approved", HTTP_HX_REQUEST="true")
    assert "<html" not in partial.content.decode() and "No refund has this status." in (
        partial.content.decode()
    )


def test_brand_decides_on_the_page_and_a_bad_decision_is_a_400(brand, order):
    refund = request(brand, order, after=49 * H, reason="quality", amount="11.00")
    client = member_client(order.organization)
    before = row_counts(*TABLES)
    refused = client.post(f"/brand/refunds/{refund.pk}/decide/", {"decision": "reject"})
    assert refused.status_code == 400 and row_counts(*TABLES) == before
    done = client.post(
        f"/brand/refunds/{refund.pk}/decide/", {"decision": "reject", "note": "Worn"}
    )
    assert done.status_code == 302
    assert Refund.objects.unscoped().get(pk=refund.pk).status == "rejected"


def test_viewer_sees_the_queue_without_forms_and_cannot_post(brand, order):
    refund = request(brand, order, after=49 * H, reason="quality", amount="11.00")
    viewer = member_client(order.organization, role="viewer")
    page = viewer.get("/brand/refunds/").content.decode()
    assert f"refund-{refund.pk}" in page and "decide-form" not in page
    response = viewer.post(f"/brand/refunds/{refund.pk}/decide/", {"decision": "approve"})
    assert response.status_code == 403
    assert Refund.objects.unscoped().get(pk=refund.pk).status == "pending"


def test_outsider_gets_404_on_the_pages(brand, order):
    refund = request(brand, order, after=49 * H, reason="quality", amount="11.00")
    outsider = member_client(OrganizationFactory(kind="brand"))
    assert order.external_id not in outsider.get("/brand/refunds/").content.decode()
    assert_outsider_gets_404(
        outsider,
        f"/brand/refunds/{refund.pk}/decide/",
        secrets=[order.external_id],
        method="post",
        data={"decision": "approve"},
    )
    assert Refund.objects.unscoped().get(pk=refund.pk).status == "pending"
    # The operator cannot decide a refund still the brand's, and a brand has no operator page.
    operator = member_client(kind="operator")
    response = operator.post(f"/operator/refunds/{refund.pk}/decide/", {"decision": "approve"})
    assert response.status_code == 404
    assert member_client(order.organization).get("/operator/refunds/").status_code == 404


def test_operator_queue_and_final_decision(brand, order):
    refund = request(brand, order, after=49 * H, reason="quality", amount="11.00")
    call(
        services_orders.refund_decide,
        actor=brand,
        refund=refund,
        decision="reject",
        note="Brand note",
    )
    call(services_orders.refund_dispute, actor=brand, refund=refund, note="Buyer words")
    operator = member_client(kind="operator")
    html = operator.get("/operator/refunds/").content.decode()
    assert "Brand note" in html and "Buyer words" in html
    bad = operator.post(f"/operator/refunds/{refund.pk}/decide/", {"decision": "reject"})
    assert bad.status_code == 400
    ok = operator.post(f"/operator/refunds/{refund.pk}/decide/", {"decision": "approve"})
    assert ok.status_code == 302
    assert Refund.objects.unscoped().get(pk=refund.pk).status == "approved"
    assert "No disputed or escalated refund" in operator.get("/operator/refunds/").content.decode()


def test_creator_sees_refunds_and_complaints_of_its_own_collaborations_only(frozen):
    creator = CreatorFactory()
    mine = OrderFactory(collaboration=CollaborationFactory(creator=creator))
    theirs = OrderFactory()
    RefundFactory(order=mine, amount=Decimal("12.34"))
    RefundFactory(order=theirs, amount=Decimal("56.78"))
    ComplaintFactory(order=mine, category="counterfeit")
    ComplaintFactory(order=theirs, category="delivery")
    creator.user = UserFactory()
    creator.save(update_fields=["user"])
    client = Client()
    client.force_login(creator.user)
    html = client.get("/portal/refunds/").content.decode()
    assert "12.34" in html and mine.external_id in html
    assert "56.78" not in html and theirs.external_id not in html
    assert "Counterfeit" in html and "Delivery" not in html
    empty = Client()
    other = CreatorFactory(user=UserFactory())
    empty.force_login(other.user)
    html = empty.get("/portal/refunds/").content.decode()
    assert "No refund on your orders." in html and "No complaint on your orders." in html


def test_the_beat_task_escalates_as_the_system(brand, order):
    from config.celery import app as celery_app
    from tests.test_beat_schedule import beat_tasks

    late = request(brand, order, after=49 * H, reason="quality", amount="10.00")
    Refund.objects.unscoped().filter(pk=late.pk).update(decision_deadline=NOW - M)
    entry = beat_tasks()["brands.refunds_escalate_due"]
    assert entry["schedule"] <= 15 * 60
    assert celery_app.tasks[entry["task"]].apply(kwargs=entry["kwargs"]).get() == 1
    assert Refund.objects.unscoped().get(pk=late.pk).status == "escalated"
    assert AuditEvent.objects.unscoped().filter(action="refund.escalated").count() == 1
