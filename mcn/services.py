"""Writes of the mcn app: signing and ending contracts, keeping ``Creator.agency`` in step."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from creators.models import Creator
from tenancy.scoping import Actor
from tenancy.services import audit_event_record

from .models import Contract


def _require_agency_writer(actor: Actor) -> None:
    if actor.organization_kind != "agency" or not actor.can_write():
        raise PermissionDenied("Only a member of an agency with write access can do this.")


def _percent(value) -> Decimal:
    try:
        share = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError({"revenue_share_pct": "Enter a number between 0 and 100."}) from None
    if not Decimal(0) <= share <= Decimal(100):
        raise ValidationError({"revenue_share_pct": "Enter a number between 0 and 100."})
    return share


@transaction.atomic
def contract_sign(
    *, actor: Actor, creator_id: int, start: datetime.date, revenue_share_pct
) -> Contract:
    """The acting agency signs a creator who has no active contract."""
    _require_agency_writer(actor)
    share = _percent(revenue_share_pct)
    # Locking the creator serialises two agencies racing to sign the same person.
    creator = Creator.objects.select_for_update().filter(pk=creator_id).first()
    if creator is None:
        raise ValidationError({"creator": "No such creator."})
    if Contract.objects.unscoped().filter(creator=creator, status=Contract.Status.ACTIVE).exists():
        raise ValidationError({"creator": "This creator already has an active contract."})
    try:
        with transaction.atomic():
            contract = Contract.objects.unscoped().create(
                organization_id=actor.organization_id,
                creator=creator,
                start=start,
                revenue_share_pct=share,
            )
    except IntegrityError:  # the database constraint, should a racer slip past the lock
        raise ValidationError({"creator": "This creator already has an active contract."}) from None
    Creator.objects.filter(pk=creator.pk).update(agency_id=actor.organization_id)
    audit_event_record(
        actor=actor,
        action="contract.signed",
        target=contract,
        data={"creator": creator.handle, "revenue_share_pct": str(share)},
    )
    return contract


@transaction.atomic
def contract_end(
    *, actor: Actor, contract: Contract, end: datetime.date, reason: str = ""
) -> Contract:
    """End one of the acting agency's active contracts; the creator becomes independent."""
    _require_agency_writer(actor)
    locked = Contract.objects.for_actor(actor).select_for_update().filter(pk=contract.pk).first()
    if locked is None:  # another tenant's contract: not found, as everywhere
        raise Contract.DoesNotExist
    if locked.status != Contract.Status.ACTIVE:
        raise ValidationError("This contract has already ended.")
    if end < locked.start:
        raise ValidationError({"end": "A contract cannot end before it starts."})
    locked.status, locked.end, locked.end_reason = Contract.Status.ENDED, end, reason[:200]
    locked.save(update_fields=["status", "end", "end_reason"])
    Creator.objects.filter(pk=locked.creator_id, agency_id=actor.organization_id).update(
        agency=None
    )
    audit_event_record(
        actor=actor,
        action="contract.ended",
        target=locked,
        data={"end": end.isoformat(), "reason": locked.end_reason},
    )
    return locked
