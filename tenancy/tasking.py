"""The task side of tenant scoping: tasks receive the actor as data and run inside it.

Celery tasks take ids, never model instances, and an ``actor`` dict. :func:`tenant_task` turns
that dict back into an :class:`Actor`, sets it for the task body and resets it afterwards, so a
task cannot touch a tenant-owned table on nobody's behalf. :func:`enqueue` sends after commit.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from celery import shared_task

from .scoping import Actor, acting_as

#: Safety defaults for every task (DESIGN.md "Engines and jobs"); a task may tighten them.
TASK_DEFAULTS = {"acks_late": True, "reject_on_worker_lost": True}


def tenant_task(name: str, **options):
    """Register ``fn(*, actor: Actor, **ids)`` as the Celery task ``name``."""

    def decorate(fn):
        @shared_task(name=name, **{**TASK_DEFAULTS, **options})
        @functools.wraps(fn)
        def run(*, actor: dict, **kwargs):
            acting = Actor.from_dict(actor)
            with acting_as(acting):
                return fn(actor=acting, **kwargs)

        return run

    return decorate


#: The beat jobs: task name → the periodic service it runs as the system. ``periodic_task`` fills
#: it; a test checks that every periodic service (``*_expire``, ``*_resume``, ``*_due`` in an
#: app's ``services``) is here and that ``CELERY_BEAT_SCHEDULE`` runs each of these tasks.
PERIODIC: dict[str, Callable] = {}


def periodic_task(name: str, *, runs: Callable, **options):
    """:func:`tenant_task` for a beat job that calls the service ``runs`` (with the beat
    schedule's ``SYSTEM`` actor); registering it in :data:`PERIODIC` is what the test checks."""
    PERIODIC[name] = runs
    return tenant_task(name, **options)


def enqueue(task, *, actor: Actor, **kwargs) -> None:
    """Send ``task`` once the current transaction commits (immediately when none is open)."""
    task.delay_on_commit(actor=actor.to_dict(), **kwargs)
