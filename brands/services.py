"""Writes of the brands app. Collaboration status changes all go through one function."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from creators.models import Creator
from tenancy.scoping import Actor
from tenancy.services import audit_event_record
from tenancy.webhooks import webhook_emit

from .models import Collaboration

S = Collaboration.Status

#: The collaboration life cycle: offered → accepted / declined / expired → content_submitted →
#: live → completed, or cancelled before going live.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.OFFERED: frozenset({S.ACCEPTED, S.DECLINED, S.EXPIRED, S.CANCELLED}),
    S.ACCEPTED: frozenset({S.CONTENT_SUBMITTED, S.CANCELLED}),
    S.CONTENT_SUBMITTED: frozenset({S.LIVE, S.CANCELLED}),
    S.LIVE: frozenset({S.COMPLETED}),
}

#: Which party may move a collaboration into each status.
PARTY_FOR: dict[str, frozenset[str]] = {
    S.ACCEPTED: frozenset({"creator"}),
    S.DECLINED: frozenset({"creator"}),
    S.CONTENT_SUBMITTED: frozenset({"creator"}),
    S.LIVE: frozenset({"creator", "brand"}),
    S.COMPLETED: frozenset({"brand"}),
    S.CANCELLED: frozenset({"brand"}),
    S.EXPIRED: frozenset({"system"}),
}


def _party(actor: Actor, collaboration: Collaboration) -> str | None:
    if actor.role == "system":
        return "system"
    if actor.is_creator and actor.creator_id == collaboration.creator_id:
        return "creator"
    if actor.organization_id == collaboration.organization_id and actor.can_write():
        return "brand"
    return None


def _check_transition(actor: Actor, collaboration: Collaboration, to: str, now) -> None:
    if to not in S.values:
        raise ValidationError({"status": f"Unknown status '{to}'."})
    current = collaboration.status
    if to not in TRANSITIONS.get(current, frozenset()):
        raise ValidationError(
            {"status": f"A collaboration that is '{current}' cannot become '{to}'."}
        )
    if _party(actor, collaboration) not in PARTY_FOR[to]:
        raise PermissionDenied(f"You cannot mark this collaboration '{to}'.")
    late = collaboration.response_deadline and collaboration.response_deadline < now
    if to in (S.ACCEPTED, S.DECLINED) and late:
        raise ValidationError({"status": "The response deadline has passed."})


@transaction.atomic
def collaboration_transition(
    *, actor: Actor, collaboration: Collaboration, to: str, now=None
) -> Collaboration:
    """Move ``collaboration`` to status ``to`` if the life cycle and the actor's party allow it.

    The update is conditional on the status the caller saw, so two concurrent clicks cannot
    both succeed; the loser gets a clear error and nothing changes.
    """
    now = now or timezone.now()
    _check_transition(actor, collaboration, to, now)
    previous = collaboration.status
    moved = (
        Collaboration.objects.unscoped()
        .filter(pk=collaboration.pk, status=previous)
        .update(status=to, status_changed_at=now)
    )
    if not moved:
        raise ValidationError({"status": "This collaboration changed meanwhile; reload it."})
    collaboration.status, collaboration.status_changed_at = to, now
    audit_event_record(
        actor=actor,
        action=f"collaboration.{to}",
        target=collaboration,
        organization_id=collaboration.organization_id,
        data={"from": previous, "to": to},
    )
    _notify_status_change(collaboration, previous, now)
    return collaboration


def _notify_status_change(collaboration: Collaboration, previous: str, now) -> None:
    """Webhook to the brand and to the creator's agency (sent only if this transaction commits)."""
    creator = Creator.objects.filter(pk=collaboration.creator_id).values("handle", "agency_id")
    creator = creator.get()
    webhook_emit(
        event="collaboration.status_changed",
        organization_ids=[o for o in (collaboration.organization_id, creator["agency_id"]) if o],
        data={
            "collaboration": collaboration.pk,
            "campaign": collaboration.campaign_id,
            "creator": creator["handle"],
            "from": previous,
            "to": collaboration.status,
            "at": now.isoformat(),
        },
    )


def collaborations_expire(*, actor: Actor, now=None) -> int:
    """Expire invitations whose response deadline has passed (a beat job, as the system)."""
    now = now or timezone.now()
    overdue = Collaboration.objects.unscoped().filter(status=S.OFFERED, response_deadline__lt=now)
    count = 0
    for collaboration in overdue.iterator():
        try:
            collaboration_transition(
                actor=actor, collaboration=collaboration, to=S.EXPIRED, now=now
            )
            count += 1
        except ValidationError:  # answered meanwhile
            continue
    return count
