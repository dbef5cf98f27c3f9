"""Writes of the mcn app: the contract life cycle, and ``Creator.agency`` kept in step with it.

A contract is an **offer** until the creator accepts it. The agency offers (start date, revenue
share, a note, how long the offer stays open) and may withdraw while it is open; only the creator
itself accepts or declines; an unanswered offer expires. ``Creator.agency`` — which decides the
agency's rights over the creator everywhere (private figures, answering brands for it, pushing
its metrics) — names an agency only while that agency's contract is active *and* its start date
has come: accepting sets it at once when the start is today or earlier, otherwise the beat job
:func:`contracts_start_due` sets it on the start date. Ending the contract clears it.

Dates of contracts are days in the platform's time zone (``TIME_ZONE``), also inside the API,
which otherwise speaks UTC. A start date in the past is refused when offering (an agency cannot
claim rights, or revenue, for days the creator never agreed to); a creator who accepts after the
offered start gets a contract that starts on the day of acceptance.

Every step writes an audit record in the agency's log and emits a webhook event to the agency;
the creator learns of an offer in its portal.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from creators.models import Creator
from tenancy import roles
from tenancy.scoping import Actor
from tenancy.services import audit_event_record
from webhooks.services import webhook_emit

from .models import Contract

S = Contract.Status
OFFER_DAYS_DEFAULT = 14
OFFER_DAYS_MAX = 90
#: How far ahead a contract may start: a year. Further is a typo (9999-12-31), not a plan, and
#: would hold the creator in an accepted contract that never begins.
START_MAX_DAYS = 365
MESSAGE_MAX = 1000
ACTIVE_ELSEWHERE = "This creator already has an active contract."
OPEN_OFFER = "You already have an open offer to this creator."
ACTIVE_YOURS = "You already have an active contract; it must end before you accept another."


def contract_today(now: datetime.datetime | None = None) -> datetime.date:
    """Today in the platform's time zone (the API runs under UTC; contracts do not)."""
    return timezone.localdate(now or timezone.now(), timezone.get_default_timezone())


# --- checks --------------------------------------------------------------------------------


def _require_agency_writer(actor: Actor) -> None:
    message = _("Only a member of an agency with write access can do this.")
    actor.require(kinds=[roles.AGENCY], write=True, message=message)
    if actor.organization_id is None:  # the system passes ``require`` but has no agency
        raise PermissionDenied(message)


def _require_the_creator(actor: Actor, contract: Contract) -> None:
    if not (actor.is_creator and actor.creator_id == contract.creator_id):
        raise PermissionDenied(_("Only the creator itself can answer a contract offer."))


def _percent(value) -> Decimal:
    try:
        share = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError(
            {"revenue_share_pct": _("Enter a number between 0 and 100.")}
        ) from None
    if not share.is_finite() or not Decimal(0) <= share <= Decimal(100):
        raise ValidationError({"revenue_share_pct": _("Enter a number between 0 and 100.")})
    if share != share.quantize(Decimal("0.01")):
        raise ValidationError({"revenue_share_pct": _("Use at most 2 decimal places.")})
    return share


def _offer_terms(start, expires_in_days, message: str, today: datetime.date) -> None:
    if not isinstance(start, datetime.date) or isinstance(start, datetime.datetime):
        raise ValidationError({"start": _("Enter a valid date.")})
    if start < today:
        raise ValidationError({"start": _("The start date cannot be in the past.")})
    latest = today + datetime.timedelta(days=START_MAX_DAYS)
    if start > latest:
        message = _("The start date can be at most a year ahead: %(latest)s at the latest.")
        raise ValidationError({"start": message % {"latest": latest.isoformat()}})
    days_ok = isinstance(expires_in_days, int) and not isinstance(expires_in_days, bool)
    if not days_ok or not 1 <= expires_in_days <= OFFER_DAYS_MAX:
        raise ValidationError(
            {
                "expires_in_days": _("An offer stays open 1 to %(most)s days.")
                % {"most": OFFER_DAYS_MAX}
            }
        )
    if len(message) > MESSAGE_MAX:
        raise ValidationError(
            {"message": _("At most %(most)s characters.") % {"most": MESSAGE_MAX}}
        )


def _has_active(creator_id: int) -> bool:
    return Contract.objects.unscoped().filter(creator_id=creator_id, status=S.ACTIVE).exists()


# --- notification --------------------------------------------------------------------------


def _record(actor: Actor, contract: Contract, step: str, **data) -> None:
    """The audit record (in the agency's log) and the webhook to the agency for one step."""
    handle = (
        Creator.objects.unscoped()
        .filter(pk=contract.creator_id)
        .values_list("handle", flat=True)
        .get()
    )
    audit_event_record(
        actor=actor,
        action=f"contract.{step}",
        target=contract,
        organization_id=contract.organization_id,
        data={"creator": handle, **data},
    )
    webhook_emit(
        event=f"contract.{step}",
        organization_ids=[contract.organization_id],
        data={
            "contract": contract.pk,
            "creator": handle,
            "status": contract.status,
            "start": contract.start.isoformat(),
            "revenue_share_pct": str(contract.revenue_share_pct),
            **data,
        },
    )


# --- the agency's side ---------------------------------------------------------------------


@transaction.atomic
def contract_offer(
    *,
    actor: Actor,
    creator_id: int,
    start: datetime.date,
    revenue_share_pct,
    message: str = "",
    expires_in_days: int = OFFER_DAYS_DEFAULT,
    now: datetime.datetime | None = None,
) -> Contract:
    """The acting agency offers a contract to a creator who has none active. No rights yet."""
    _require_agency_writer(actor)
    now = now or timezone.now()
    share, message = _percent(revenue_share_pct), (message or "").strip()
    _offer_terms(start, expires_in_days, message, contract_today(now))
    # Locking the creator serialises racing offers and answers about the same person.
    creator = Creator.objects.unscoped().select_for_update().filter(pk=creator_id).first()
    if creator is None:
        raise ValidationError({"creator": _("No such creator.")})
    if _has_active(creator.pk):
        raise ValidationError({"creator": ACTIVE_ELSEWHERE})
    open_offer = Contract.objects.for_actor(actor).filter(creator=creator, status=S.OFFERED)
    if open_offer.exists():
        raise ValidationError({"creator": OPEN_OFFER})
    try:
        with transaction.atomic():
            contract = Contract.objects.unscoped().create(
                organization_id=actor.organization_id,
                creator=creator,
                start=start,
                revenue_share_pct=share,
                message=message,
                status=S.OFFERED,
                offer_expires_at=now + datetime.timedelta(days=expires_in_days),
                status_changed_at=now,
            )
    except IntegrityError:  # the database constraint, should a racer slip past the lock
        raise ValidationError({"creator": OPEN_OFFER}) from None
    _record(actor, contract, "offered", expires_at=contract.offer_expires_at.isoformat())
    return contract


def _move(contract: Contract, source: str, now, **changes) -> Contract:
    """Conditional update: only from ``source``, so of two concurrent clicks one wins."""
    moved = (
        Contract.objects.unscoped()
        .filter(pk=contract.pk, status=source)
        .update(status_changed_at=now, **changes)
    )
    if not moved:
        raise ValidationError(_("This contract changed meanwhile; reload the page."))
    for name, value in changes.items():
        setattr(contract, name, value)
    contract.status_changed_at = now
    return contract


def _own_contract(actor: Actor, contract: Contract) -> Contract:
    found = Contract.objects.for_actor(actor).filter(pk=contract.pk).first()
    if found is None:  # another tenant's contract: not found, as everywhere
        raise Contract.DoesNotExist
    return found


@transaction.atomic
def contract_withdraw(*, actor: Actor, contract: Contract, now=None) -> Contract:
    """The agency takes back an offer the creator has not answered."""
    _require_agency_writer(actor)
    now = now or timezone.now()
    contract = _own_contract(actor, contract)
    if contract.status != S.OFFERED:
        raise ValidationError(
            _("Only an open offer can be withdrawn; this one is %(status)s.")
            % {"status": str(S(contract.status).label).lower()}
        )
    _move(contract, S.OFFERED, now, status=S.WITHDRAWN)
    _record(actor, contract, "withdrawn")
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
    if locked.status == S.OFFERED:
        raise ValidationError(_("This is an open offer: withdraw it instead."))
    if locked.status in Contract.CLOSED_OFFERS:
        raise ValidationError(_("This offer was never accepted: there is no contract to end."))
    if locked.status != S.ACTIVE:
        raise ValidationError(_("This contract has already ended."))
    if end < locked.start:
        raise ValidationError({"end": _("A contract cannot end before it starts.")})
    locked.status, locked.end, locked.end_reason = S.ENDED, end, reason[:200]
    locked.status_changed_at = timezone.now()
    locked.save(update_fields=["status", "end", "end_reason", "status_changed_at"])
    Creator.objects.unscoped().filter(pk=locked.creator_id, agency_id=actor.organization_id).update(
        agency=None
    )
    _record(actor, locked, "ended", end=end.isoformat(), reason=locked.end_reason)
    return locked


# --- the creator's side --------------------------------------------------------------------


def _open_offer_for(actor: Actor, contract: Contract, now) -> Contract:
    """The creator's offer, locked with its creator row; refusals say why nothing changed."""
    _require_the_creator(actor, contract)
    Creator.objects.unscoped().select_for_update().filter(pk=contract.creator_id).first()
    contract = Contract.objects.unscoped().filter(pk=contract.pk).first()
    if contract is None or contract.creator_id != actor.creator_id:
        raise Contract.DoesNotExist
    if contract.status != S.OFFERED:
        label = S(contract.status).label
        raise ValidationError(
            _("This offer is no longer open (it is %(status)s).") % {"status": str(label).lower()}
        )
    if contract.offer_expires_at <= now:
        raise ValidationError(_("This offer has expired."))
    return contract


@transaction.atomic
def contract_accept(*, actor: Actor, contract: Contract, now=None) -> Contract:
    """The creator accepts an open offer: the contract is active, and the agency's rights
    begin on its start date (today at the earliest)."""
    now = now or timezone.now()
    contract = _open_offer_for(actor, contract, now)
    if _has_active(contract.creator_id):
        raise ValidationError(ACTIVE_YOURS)
    today, proposed = contract_today(now), contract.start
    try:
        with transaction.atomic():
            _move(
                contract,
                S.OFFERED,
                now,
                status=S.ACTIVE,
                accepted_at=now,
                start=max(proposed, today),
            )
    except IntegrityError:  # another offer became active in between (no lock on that row)
        raise ValidationError(ACTIVE_YOURS) from None
    started = contract.start <= today
    if started:
        Creator.objects.unscoped().filter(pk=contract.creator_id).update(
            agency_id=contract.organization_id
        )
    _record(actor, contract, "accepted", proposed_start=proposed.isoformat(), started=started)
    return contract


@transaction.atomic
def contract_decline(*, actor: Actor, contract: Contract, now=None) -> Contract:
    """The creator says no to an open offer; the agency may make another one later."""
    now = now or timezone.now()
    contract = _open_offer_for(actor, contract, now)
    _move(contract, S.OFFERED, now, status=S.DECLINED)
    _record(actor, contract, "declined")
    return contract


# --- beat jobs (as the system) -------------------------------------------------------------


def contracts_start_due(*, actor: Actor, today: datetime.date | None = None) -> int:
    """Give agencies their rights over creators whose accepted contract starts today or
    earlier. Conditional and idempotent: a second run (or a redelivered task) changes nothing."""
    today = today or contract_today()
    due = (
        Contract.objects.unscoped()
        .filter(status=S.ACTIVE, start__lte=today)
        .filter(Q(creator__agency__isnull=True) | ~Q(creator__agency_id=F("organization_id")))
    )
    count = 0
    for contract in due.order_by("pk").iterator():
        with transaction.atomic():
            still = (
                Contract.objects.unscoped()
                .select_for_update()
                .filter(pk=contract.pk, status=S.ACTIVE, start__lte=today)
            )
            if not still.exists():  # ended meanwhile
                continue
            moved = (
                Creator.objects.unscoped()
                .filter(pk=contract.creator_id)
                .exclude(agency_id=contract.organization_id)
                .update(agency_id=contract.organization_id)
            )
            if moved:
                _record(actor, contract, "started", on=today.isoformat())
                count += moved
    return count


def contracts_expire(*, actor: Actor, now=None) -> int:
    """Expire offers nobody answered in time; one audit record and webhook each."""
    now = now or timezone.now()
    overdue = Contract.objects.unscoped().filter(status=S.OFFERED, offer_expires_at__lte=now)
    count = 0
    for contract in overdue.order_by("pk").iterator():
        with transaction.atomic():
            try:
                _move(contract, S.OFFERED, now, status=S.EXPIRED)
            except ValidationError:  # answered or withdrawn meanwhile
                continue
            _record(actor, contract, "expired")
            count += 1
    return count
