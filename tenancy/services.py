"""Writes of the tenancy app: audit records, API keys, memberships."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import ApiKey, AuditEvent, Organization
from .roles import ADMIN_ROLES
from .scopes import unknown_scopes
from .scoping import SYSTEM, Actor


def _actor_label(actor: Actor) -> str:
    if actor.api_key_id:
        # The key's public prefix (``selectors.actor_for_api_key``). Cut at the "." anyway: an
        # actor serialised into a task before the prefix was used still carries the full pk.
        return f"api-key:{actor.api_key_id.partition('.')[0]}"
    if actor.user_id:
        return f"user:{actor.user_id}"
    if actor.creator_id:
        return f"creator:{actor.creator_id}"
    return actor.role or "system"


def audit_event_record(
    *,
    actor: Actor,
    action: str,
    target=None,
    organization_id: int | None = None,
    data: dict | None = None,
) -> AuditEvent:
    """Append one audit record; ``organization_id`` defaults to the acting organization."""
    return AuditEvent.objects.unscoped().create(
        organization_id=organization_id or actor.organization_id,
        actor_user_id=actor.user_id,
        actor_label=_actor_label(actor),
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=_target_id(target),
        data=data or {},
    )


LOGIN_LOCKED_OUT = "auth.login_locked_out"


def login_lockout_record(*, username: str, ip_address: str) -> AuditEvent:
    """Audit a sign-in lock-out (django-axes' ``user_locked_out``; settings AXES_*). Nobody is
    signed in, so the system records it, for no organization: the operator reads it.

    axes signals again at every attempt refused during the lock-out; one record per lock-out
    (per cool-off window) is the event, and axes' own attempt log keeps the count."""
    from django.conf import settings

    data = {"username": username, "ip_address": ip_address}
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    earlier = AuditEvent.objects.unscoped().filter(
        action=LOGIN_LOCKED_OUT, organization=None, created_at__gte=since
    )
    for event in earlier.only("data"):
        if event.data == data:
            return event
    return audit_event_record(
        actor=SYSTEM,
        action=LOGIN_LOCKED_OUT,
        data=data,
    )


def _target_id(target) -> str:
    """How a record names its target. An API key by its public prefix: the key's pk is
    ``"<prefix>.<stored hash>"``, and the audit trail is read by people and partners."""
    if target is None:
        return ""
    if isinstance(target, ApiKey):
        return target.prefix
    return str(target.pk)


def _require_key_admin(actor: Actor, organization: Organization) -> None:
    """Keys are made by the organization's admins, by the operator's, or by the system (CLI)."""
    message = _("Only an owner or admin of the organization can manage API keys.")
    actor.require(roles=ADMIN_ROLES, message=message)
    if not (actor.is_system or actor.is_operator or actor.organization_id == organization.pk):
        raise PermissionDenied(message)


@transaction.atomic
def api_key_create(
    *,
    actor: Actor,
    organization: Organization,
    name: str,
    scopes: list[str],
    expires_in_days: int | None = None,
) -> tuple[ApiKey, str]:
    """Create a key and return it with its secret, which is shown once and never stored."""
    _require_key_admin(actor, organization)
    unknown = unknown_scopes(scopes)
    if unknown:
        raise ValidationError(
            {"scopes": _("Unknown scope(s): %(scopes)s") % {"scopes": ", ".join(unknown)}}
        )
    if not name.strip():
        raise ValidationError({"name": _("A key needs a name.")})
    if expires_in_days is not None and expires_in_days <= 0:
        raise ValidationError({"expires_in_days": _("Expiry must be a positive number of days.")})
    expiry = timezone.now() + timedelta(days=expires_in_days) if expires_in_days else None
    key, secret = ApiKey.objects.create_key(
        organization=organization,
        name=name.strip()[:50],
        scopes=sorted(set(scopes)),
        expiry_date=expiry,
        created_by_id=actor.user_id,
    )
    audit_event_record(
        actor=actor,
        action="api_key.created",
        target=key,
        organization_id=organization.pk,
        data={"name": key.name, "scopes": key.scopes, "expires": expiry and expiry.isoformat()},
    )
    return key, secret


@transaction.atomic
def api_key_revoke(*, actor: Actor, api_key: ApiKey) -> ApiKey:
    _require_key_admin(actor, api_key.organization)
    if not api_key.revoked:
        api_key.revoked = True
        api_key.save(update_fields=["revoked"])
        audit_event_record(
            actor=actor,
            action="api_key.revoked",
            target=api_key,
            organization_id=api_key.organization_id,
        )
    return api_key


def api_keys_expire(*, actor: Actor, now=None) -> int:
    """Revoke keys past their expiry, one audit record each; safe to run any number of times."""
    now = now or timezone.now()
    expired = ApiKey.objects.filter(revoked=False, expiry_date__lt=now)
    count = 0
    for key in expired.select_related("organization"):
        with transaction.atomic():
            claimed = ApiKey.objects.filter(pk=key.pk, revoked=False).update(revoked=True)
            if claimed:
                audit_event_record(
                    actor=actor,
                    action="api_key.expired",
                    target=key,
                    organization_id=key.organization_id,
                )
                count += claimed
    return count
