"""Who the running code acts for.

Every request, API call and task acts as one :class:`Actor`. It lives in a context variable that
the base view, the base viewset and the task decorator set once and reset in a ``finally``;
tenant-owned managers read it and refuse to run without it (fail closed).
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass

from django.core.exceptions import PermissionDenied

from . import roles
from .roles import ADMIN_ROLES, WRITE_ROLES  # noqa: F401  (re-exported for older imports)


class NoActorError(RuntimeError):
    """A tenant-owned table was queried with no actor set: a bug, never a user error."""


class WrongKind(PermissionDenied):
    """The actor is not the kind of party this is for; pages and the API answer 404."""


@dataclass(frozen=True, slots=True)
class Actor:
    """On whose behalf code runs: a user in an organization with a role, a creator, or a key."""

    user_id: int | None
    organization_id: int | None = None
    organization_kind: str | None = None
    role: str | None = None
    creator_id: int | None = None
    api_key_id: str | None = None

    @property
    def kind(self) -> str | None:
        """``operator``, ``brand``, ``agency``, ``partner``, ``creator`` or ``system``."""
        if self.is_creator:
            return roles.CREATOR
        if self.role == roles.SYSTEM_ROLE and self.organization_id is None:
            return roles.SYSTEM_KIND
        return self.organization_kind

    @property
    def is_operator(self) -> bool:
        return self.organization_kind == roles.OPERATOR

    @property
    def is_system(self) -> bool:
        return self.role == roles.SYSTEM_ROLE

    @property
    def sees_every_row(self) -> bool:
        """Only the operator's staff in the Django admin, which reads across tenants by design."""
        return self.role == roles.PLATFORM_STAFF

    @property
    def is_creator(self) -> bool:
        return self.creator_id is not None and self.organization_id is None

    def can_write(self) -> bool:
        return self.role in roles.WRITE_ROLES

    def require(
        self,
        *,
        kinds: Iterable[str] | None = None,
        roles: Iterable[str] | None = None,
        write: bool = False,
        message: str = "",
    ) -> Actor:
        """This actor, if it is one of ``kinds``, holds one of ``roles`` and (``write``) may
        change data; else :class:`WrongKind` (not a party to this: 404) or ``PermissionDenied``.

        The system (beat jobs, the CLI) passes every check: it acts for the platform itself.
        """
        if self.is_system:
            return self
        if kinds is not None and self.kind not in set(kinds):
            raise WrongKind(message or "This is not for your kind of account.")
        if roles is not None and self.role not in set(roles):
            raise PermissionDenied(message or "Your role does not allow this.")
        if write and not self.can_write():
            raise PermissionDenied(message or "Your role in this organization is read-only.")
        return self

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Actor:
        return cls(**data)


#: The system itself (CLI, beat jobs). It has no organization, so scoped managers give it nothing;
#: operator jobs use ``.unscoped()`` deliberately.
SYSTEM = Actor(user_id=None, role=roles.SYSTEM_ROLE)
#: Acts for nobody: code that must build querysets without serving anyone (the OpenAPI schema).
NOBODY = Actor(user_id=None, role=roles.NOBODY)


def platform_staff(user_id: int) -> Actor:
    """The actor of a staff user in the Django admin (see ``tenancy.middleware``)."""
    return Actor(user_id=user_id, role=roles.PLATFORM_STAFF)


_current: contextvars.ContextVar[Actor | None] = contextvars.ContextVar("olive_actor", default=None)


def current_actor() -> Actor | None:
    return _current.get()


def require_actor() -> Actor:
    actor = _current.get()
    if actor is None:
        raise NoActorError(
            "No actor is set: run this inside acting_as(actor), a TenantView, a TenantViewSet "
            "or a tenant_task; use .unscoped() only for operator jobs and migrations."
        )
    return actor


@contextmanager
def acting_as(actor: Actor) -> Iterator[Actor]:
    token = _current.set(actor)
    try:
        yield actor
    finally:
        _current.reset(token)
