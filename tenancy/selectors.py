"""Reads of the tenancy app. Request-serving reads take the acting ``actor`` first."""

from __future__ import annotations

from django.db.models import QuerySet

from . import roles
from .models import ApiKey, AuditEvent, Membership, Organization
from .scoping import Actor

#: Session key holding the context the user chose in the switcher: an organization id or this.
CREATOR_CONTEXT = "creator"


def memberships_of_user(*, user) -> QuerySet[Membership]:
    """The user's own memberships. Unscoped by tenant on purpose: this is how an actor is found."""
    return (
        Membership.objects.unscoped()
        .filter(user=user)
        .select_related("organization")
        .order_by("organization__kind", "organization__name")
    )


def creator_id_of_user(user) -> int | None:
    # `creator` is the reverse side of Creator.user, defined by the creators app; reading it by
    # name keeps tenancy free of imports from apps to its right.
    creator = getattr(user, "creator", None)
    return creator.pk if creator is not None else None


#: Without a choice in the switcher, a user acts where its role is strongest.
ROLE_RANK = {roles.OWNER: 0, roles.ADMIN: 1, roles.MEMBER: 2, roles.REVIEWER: 3, roles.VIEWER: 4}


def _default_rank(membership: Membership) -> tuple:
    return (ROLE_RANK.get(membership.role, 9), membership.organization.name)


def actor_for_user(*, user, context=None) -> Actor | None:
    """The actor a signed-in user acts as, given the context chosen in the switcher."""
    if user is None or not user.is_authenticated:
        return None
    memberships = list(memberships_of_user(user=user))
    creator_id = creator_id_of_user(user)
    if creator_id and (context == CREATOR_CONTEXT or not memberships):
        return Actor(user_id=user.pk, creator_id=creator_id, role=roles.CREATOR_ROLE)
    chosen = next((m for m in memberships if str(m.organization_id) == str(context)), None)
    chosen = chosen or (min(memberships, key=_default_rank) if memberships else None)
    if chosen is None:
        return Actor(user_id=user.pk)
    return Actor(
        user_id=user.pk,
        organization_id=chosen.organization_id,
        organization_kind=chosen.organization.kind,
        role=chosen.role,
        creator_id=creator_id,
    )


def actor_for_api_key(api_key: ApiKey) -> Actor:
    """The actor of a key. ``api_key_id`` is the key's *prefix*, its public part: the pk embeds
    the stored hash, and the actor travels into audit labels, task payloads and logs."""
    return Actor(
        user_id=None,
        organization_id=api_key.organization_id,
        organization_kind=api_key.organization.kind,
        role=roles.API_KEY,
        api_key_id=api_key.prefix,
    )


def organization_of(*, actor: Actor) -> Organization | None:
    """The organization ``actor`` acts for (None for a creator or the system)."""
    if actor.organization_id is None:
        return None
    return Organization.objects.filter(pk=actor.organization_id).first()


def audit_events_list(*, actor: Actor) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.for_actor(actor).select_related("actor_user")


def api_keys_list(*, actor: Actor) -> QuerySet[ApiKey]:
    if actor.organization_id is None:
        return ApiKey.objects.none()
    return ApiKey.objects.filter(organization_id=actor.organization_id)
