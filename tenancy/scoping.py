"""Who the running code acts for.

Every request, API call and task acts as one :class:`Actor`. It lives in a context variable that
the base view, the base viewset and the task decorator set once and reset in a ``finally``;
tenant-owned managers read it and refuse to run without it (fail closed).
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass

OPERATOR = "operator"


class NoActorError(RuntimeError):
    """A tenant-owned table was queried with no actor set: a bug, never a user error."""


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
    def is_operator(self) -> bool:
        return self.organization_kind == OPERATOR

    @property
    def is_creator(self) -> bool:
        return self.creator_id is not None and self.organization_id is None

    def can_write(self) -> bool:
        return self.role in WRITE_ROLES

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Actor:
        return cls(**data)


#: Roles that may change data; `viewer` only reads. A creator writes only its own answers,
#: which the services check (`brands.services.party_of`).
WRITE_ROLES = frozenset({"owner", "admin", "member", "reviewer", "api_key", "creator"})
#: Roles that may manage members, keys and settings of their organization.
ADMIN_ROLES = frozenset({"owner", "admin"})

#: The system itself (CLI, beat jobs). It has no organization, so scoped managers give it nothing;
#: operator jobs use ``.unscoped()`` deliberately.
SYSTEM = Actor(user_id=None, role="system")

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
