"""Writes of the shop's records: orders, refunds (the 48-hour no-reason return and the
decisions after it) and complaints, as the brand's systems push them and people decide them."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tenancy import roles
from tenancy.scoping import Actor
from tenancy.services import audit_event_record
from webhooks.services import webhook_emit

from . import refund_rules
from .models import Complaint, Order, Refund
from .services import BRAND_WRITERS_ONLY, _saved, require_brand_writer


@transaction.atomic
def order_record(*, actor: Actor, **fields) -> Order:
    """A sale reported by the brand's shop system; ``external_id`` is unique per brand."""
    require_brand_writer(actor)
    collaboration = fields.get("collaboration")
    if collaboration is not None and collaboration.organization_id != actor.organization_id:
        raise ValidationError({"collaboration": _("Unknown collaboration.")})
    return _saved(Order(organization_id=actor.organization_id, **fields))


#: What follows an order cannot be dated before it (a shop's clock or a client's bug).
AFTER_ORDER = {
    "requested_at": _("A refund cannot be requested before its order was placed."),
    "filed_at": _("A complaint cannot be filed before its order was placed."),
}


def _not_before_order(order: Order, field: str, moment) -> None:
    if moment < order.placed_at:
        raise ValidationError({field: AFTER_ORDER[field]})


# --- Refunds: the 48-hour no-reason return and the decisions after it ---------------------------
#
# ``brands.refund_rules`` says which refund is approved on the spot and by when the brand decides
# the others. Every write below locks the order's row first (``select_for_update``), so requests
# on one order run one after the other; and it moves ``Order.refunded_total`` with an ``F()``
# increment the database checks against the amount (``order_refunds_within_amount``): even a
# path that forgot the lock cannot over-refund. Every decision is audited (who, when, note).

RS = Refund.Status
OVER_REFUND = _("Refunds would exceed what was paid for this order minus earlier refunds.")
NOTE_TOO_LONG = _("At most %(max)s characters.")
NOTE_REQUIRED = _("Say why: a rejection needs a note.")
NOT_PENDING = _("This refund is not awaiting your decision.")
PAST_DEADLINE = _("The decision deadline has passed: the platform operator decides this refund.")
NOT_DISPUTABLE = _("Only a refund the brand rejected can be disputed.")
NOT_FOR_OPERATOR = _("This refund is not awaiting the operator's decision.")
DECISIONS = {"approve": RS.APPROVED, "reject": RS.REJECTED}
#: The API's ``error.code`` of an over-refund (``api.errors.CODES``).
EXCEEDS_PAID = "refund.exceeds_paid"


def _over_refund() -> ValidationError:
    return ValidationError({"amount": ValidationError(OVER_REFUND, code=EXCEEDS_PAID)})


class ExternalIdConflict(Exception):
    """A repeat of an external id with other content (the API answers 409)."""

    def __init__(self, existing, differences: list[str]):
        super().__init__(f"external id {existing.external_id!r} already names other content")
        self.existing = existing
        self.differences = differences


def _check_note(note: str, *, required: bool) -> str:
    note = (note or "").strip()
    if len(note) > Refund.NOTE_MAX:
        raise ValidationError({"note": NOTE_TOO_LONG % {"max": Refund.NOTE_MAX}})
    if required and not note:
        raise ValidationError({"note": NOTE_REQUIRED})
    return note


def _hold(order: Order, amount: Decimal) -> None:
    """Add ``amount`` to the order's held refunds (negative: free it); the database refuses a
    total outside 0…amount, and that refusal becomes the same field error as the check's."""
    try:
        with transaction.atomic():
            Order.objects.unscoped().filter(pk=order.pk).update(
                refunded_total=F("refunded_total") + amount
            )
    except IntegrityError:
        raise _over_refund() from None


def _held(order: Order) -> Decimal:
    held = Refund.objects.unscoped().filter(order_id=order.pk, status__in=refund_rules.HOLDING)
    return held.aggregate(total=Sum("amount"))["total"] or Decimal("0")


def _lock_order(order: Order) -> Order:
    return Order.objects.unscoped().select_for_update().get(pk=order.pk)


def _lock_refund(refund: Refund) -> tuple[Order, Refund]:
    """The refund's order locked first, then the refund: the order of locks every path takes."""
    order = _lock_order(refund.order)
    return order, Refund.objects.unscoped().select_for_update().get(pk=refund.pk)


def _audit_refund(actor: Actor, refund: Refund, action: str, **data) -> None:
    """Audit the move and tell the brand's systems (``refund.status_changed``), which pay the
    refund back or record the rejection: every audited move is a change of status."""
    audit_event_record(
        actor=actor,
        action=f"refund.{action}",
        target=refund,
        organization_id=refund.organization_id,
        data={"amount": str(refund.amount), "status": refund.status, **data},
    )
    webhook_emit(
        event="refund.status_changed",
        organization_ids=[refund.organization_id],
        data={
            "refund": refund.pk,
            "external_id": refund.external_id,
            "order": refund.order.external_id,
            "amount": str(refund.amount),
            "status": refund.status,
            "action": action,
        },
    )


def _own_order(actor: Actor, order: Order) -> None:
    """Another brand's order does not exist for this one (the callers looked it up scoped; this
    keeps a future caller from writing against another tenant's order)."""
    if order.organization_id != actor.organization_id:
        raise Order.DoesNotExist


def _refund_new(*, actor, order, amount, reason, requested_at, external_id="") -> Refund:
    _own_order(actor, order)
    locked = _lock_order(order)
    _not_before_order(locked, "requested_at", requested_at)
    amount = Decimal(amount)
    if not refund_rules.fits(paid=locked.amount, held=_held(locked), amount=amount):
        raise _over_refund()
    now = timezone.now()
    auto = refund_rules.auto_approves(
        reason=reason, requested_at=requested_at, delivered_at=locked.delivered_at
    )
    refund = _saved(
        Refund(
            organization_id=actor.organization_id,
            order=locked,
            amount=amount,
            reason=reason,
            requested_at=requested_at,
            external_id=external_id,
            status=RS.APPROVED if auto else RS.PENDING,
            auto_approved=auto,
            decided_at=now if auto else None,
            # Counted from when the platform has it: a brand cannot decide what it never saw.
            decision_deadline=None if auto else refund_rules.brand_deadline(now),
        )
    )
    _hold(locked, amount)
    _audit_refund(actor, refund, "auto_approved" if auto else "requested", reason=reason)
    return refund


@transaction.atomic
def refund_record(
    *, actor: Actor, order: Order, amount, reason: str, requested_at, external_id: str = ""
) -> Refund:
    """A buyer's refund request, relayed by the brand's shop system. A no-reason one within 48
    hours of delivery is approved at once; the rest await the brand until its deadline."""
    require_brand_writer(actor)
    return _refund_new(
        actor=actor,
        order=order,
        amount=amount,
        reason=reason,
        requested_at=requested_at,
        external_id=external_id,
    )


def _differences(existing, wanted: dict) -> list[str]:
    return sorted(name for name, value in wanted.items() if getattr(existing, name) != value)


def _ingest(model, actor: Actor, external_id: str, wanted: dict, create):
    """``(row, created)``: the row named ``external_id`` if its content is ``wanted`` (nothing
    changes), a new one from ``create()``, or :class:`ExternalIdConflict`."""
    require_brand_writer(actor)
    if not external_id:
        raise ValidationError({"external_id": _("This field is required.")})
    rows = model.objects.unscoped().filter(organization_id=actor.organization_id)

    def existing():
        row = rows.filter(external_id=external_id).first()
        if row is None:
            return None
        differences = _differences(row, wanted)
        if differences:
            raise ExternalIdConflict(row, differences)
        return row

    found = existing()
    if found is not None:
        return found, False
    try:
        with transaction.atomic():
            return create(), True
    except (IntegrityError, ValidationError) as error:
        # Another request with the same id got in first (the unique constraint): theirs stands.
        found = existing()
        if found is None:
            raise error
        return found, False


@transaction.atomic
def refund_ingest(
    *, actor: Actor, order: Order, external_id: str, amount, reason: str, requested_at
) -> tuple[Refund, bool]:
    """Idempotent :func:`refund_record` for partners: a repeat of ``external_id`` returns the
    refund it made and changes nothing; with other content it raises ExternalIdConflict."""
    wanted = {
        "order_id": order.pk,
        "amount": Decimal(amount),
        "reason": reason,
        "requested_at": requested_at,
    }
    return _ingest(
        Refund,
        actor,
        external_id,
        wanted,
        lambda: _refund_new(
            actor=actor,
            order=order,
            amount=amount,
            reason=reason,
            requested_at=requested_at,
            external_id=external_id,
        ),
    )


def _own_refund(actor: Actor, refund: Refund) -> None:
    if refund.organization_id != actor.organization_id:
        raise PermissionDenied(BRAND_WRITERS_ONLY)


@transaction.atomic
def refund_decide(
    *, actor: Actor, refund: Refund, decision: str, note: str = "", now=None
) -> Refund:
    """The brand approves or rejects a pending refund before its deadline (a rejection says
    why). A rejection frees the amount for other refunds of the order."""
    require_brand_writer(actor)
    _own_refund(actor, refund)
    if decision not in DECISIONS:
        raise ValidationError({"decision": _("Choose approve or reject.")})
    note = _check_note(note, required=decision == "reject")
    now = now or timezone.now()
    order, refund = _lock_refund(refund)
    if refund.status != RS.PENDING:
        raise ValidationError(NOT_PENDING, code="state")
    if refund_rules.is_overdue(status=refund.status, deadline=refund.decision_deadline, now=now):
        raise ValidationError(PAST_DEADLINE, code="state")
    refund.status = DECISIONS[decision]
    refund.decided_at, refund.decided_by_id, refund.decision_note = now, actor.user_id, note
    refund.save(update_fields=["status", "decided_at", "decided_by", "decision_note"])
    if refund.status == RS.REJECTED:
        _hold(order, -refund.amount)
    _audit_refund(actor, refund, decision, note=note)
    return refund


@transaction.atomic
def refund_dispute(*, actor: Actor, refund: Refund, note: str = "", now=None) -> Refund:
    """The buyer disputes the brand's rejection (relayed by the shop's system): the operator
    decides. The amount is held again, so it must still fit what is left of the order."""
    require_brand_writer(actor)
    _own_refund(actor, refund)
    note = _check_note(note, required=False)
    order, refund = _lock_refund(refund)
    if refund.status != RS.REJECTED or refund.finally_decided:
        raise ValidationError(NOT_DISPUTABLE, code="state")
    if not refund_rules.fits(paid=order.amount, held=_held(order), amount=refund.amount):
        raise _over_refund()
    refund.status, refund.disputed_at = RS.DISPUTED, now or timezone.now()
    refund.dispute_note = note
    refund.save(update_fields=["status", "disputed_at", "dispute_note"])
    _hold(order, refund.amount)
    _audit_refund(actor, refund, "disputed", note=note)
    return refund


def refunds_escalate_due(*, actor: Actor, now=None) -> int:
    """Beat job (as the system): pending refunds past the brand's deadline go to the operator."""
    actor.require(kinds=[roles.OPERATOR])
    now = now or timezone.now()
    due = Refund.objects.unscoped().filter(status=RS.PENDING, decision_deadline__lt=now)
    count = 0
    for pk in due.values_list("pk", flat=True).iterator():
        with transaction.atomic():
            refund = Refund.objects.unscoped().select_for_update().get(pk=pk)
            if refund.status != RS.PENDING:  # decided meanwhile
                continue
            refund.status, refund.escalated_at = RS.ESCALATED, now
            refund.save(update_fields=["status", "escalated_at"])
            _audit_refund(actor, refund, "escalated", deadline=refund.decision_deadline.isoformat())
            count += 1
    return count


@transaction.atomic
def refund_final_decide(
    *, actor: Actor, refund: Refund, decision: str, note: str = "", now=None
) -> Refund:
    """The platform operator's final decision on a disputed or escalated refund: a person's
    (the system, which passes role checks, decides none: the audit names who decided)."""
    if actor.is_system or actor.user_id is None:
        raise PermissionDenied(_("A person of the platform operator decides a refund finally."))
    actor.require(kinds=[roles.OPERATOR], write=True)
    if decision not in DECISIONS:
        raise ValidationError({"decision": _("Choose approve or reject.")})
    note = _check_note(note, required=decision == "reject")
    order, refund = _lock_refund(refund)
    if refund.status not in refund_rules.FOR_OPERATOR:
        raise ValidationError(NOT_FOR_OPERATOR, code="state")
    refund.status = DECISIONS[decision]
    refund.final_decided_at, refund.final_decided_by_id = now or timezone.now(), actor.user_id
    refund.final_note = note
    refund.save(update_fields=["status", "final_decided_at", "final_decided_by", "final_note"])
    if refund.status == RS.REJECTED:
        _hold(order, -refund.amount)
    _audit_refund(actor, refund, f"final_{decision}", note=note)
    return refund


# --- Complaints ----------------------------------------------------------------------------------


def _complaint_new(*, actor, order, category, filed_at, external_id="") -> Complaint:
    _own_order(actor, order)
    _not_before_order(order, "filed_at", filed_at)
    return _saved(
        Complaint(
            organization_id=actor.organization_id,
            order=order,
            category=category,
            filed_at=filed_at,
            external_id=external_id,
        )
    )


@transaction.atomic
def complaint_record(
    *, actor: Actor, order: Order, category: str, filed_at, external_id: str = ""
) -> Complaint:
    require_brand_writer(actor)
    return _complaint_new(
        actor=actor, order=order, category=category, filed_at=filed_at, external_id=external_id
    )


@transaction.atomic
def complaint_ingest(
    *, actor: Actor, order: Order, external_id: str, category: str, filed_at
) -> tuple[Complaint, bool]:
    """Idempotent :func:`complaint_record` by ``external_id`` (as :func:`refund_ingest`)."""
    wanted = {"order_id": order.pk, "category": category, "filed_at": filed_at}
    return _ingest(
        Complaint,
        actor,
        external_id,
        wanted,
        lambda: _complaint_new(
            actor=actor,
            order=order,
            category=category,
            filed_at=filed_at,
            external_id=external_id,
        ),
    )
