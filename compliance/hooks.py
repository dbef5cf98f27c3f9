"""Where compliance plugs into the apps to its left (registered in ``apps.ComplianceConfig``):
ingested content and saved products are scored by a task after commit (and ingested texts
indexed for originality); collaboration
submissions are scored in the brand workspace's review hook and held by its release gate."""

from __future__ import annotations

from tenancy.scoping import SYSTEM, Actor
from tenancy.tasking import enqueue

from . import tasks
from .models import Case
from .selectors import complaint_rate_alerts_count


def content_ingested(content_ids: list[int]) -> None:
    if content_ids:
        enqueue(tasks.content_items_score, actor=SYSTEM, content_ids=sorted(content_ids))


def content_ingested_originality(content_ids: list[int]) -> None:
    """Index ingested texts for originality once the ingestion commits (eager when embedded)."""
    if content_ids:
        enqueue(tasks.originality_index, actor=SYSTEM, content_ids=sorted(content_ids))


def product_saved(sender, instance, raw=False, **kwargs) -> None:
    if not raw and instance.claims:
        enqueue(tasks.product_claims_score, actor=SYSTEM, product_id=instance.pk)


def open_cases_count(*, actor: Actor) -> int:
    return Case.objects.for_actor(actor).filter(status__in=Case.OPEN_STATUSES).count()


def complaint_rate_alerts(*, actor: Actor) -> int:
    """The badge of a party's complaint-rate link: its alerted rows of the last stored day."""
    return complaint_rate_alerts_count(actor=actor)
