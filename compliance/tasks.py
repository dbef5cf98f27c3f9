"""Celery tasks of compliance: thin wrappers around its services, taking ids."""

from tenancy.scoping import Actor
from tenancy.tasking import tenant_task

from . import originality, scoring, training


@tenant_task("compliance.content_items_score", time_limit=10 * 60, soft_time_limit=9 * 60)
def content_items_score(*, actor: Actor, content_ids: list[int]) -> int:
    """Score ingested captions and live transcripts; idempotent (no second case per text)."""
    return scoring.content_items_score(content_ids=content_ids)


@tenant_task("compliance.product_claims_score", time_limit=5 * 60, soft_time_limit=4 * 60)
def product_claims_score(*, actor: Actor, product_id: int) -> int:
    return scoring.product_claims_score(product_ids=[product_id])


@tenant_task("compliance.retrain_execute", time_limit=30 * 60, soft_time_limit=25 * 60)
def retrain_execute(*, actor: Actor, run_id: int) -> str:
    return training.retrain_execute(actor=actor, run_id=run_id).status


@tenant_task("compliance.originality_index", time_limit=10 * 60, soft_time_limit=9 * 60)
def originality_index(*, actor: Actor, content_ids: list[int]) -> int:
    """Index ingested texts for originality and re-decide the flags they touch; idempotent."""
    return originality.index_items(content_ids=content_ids)
