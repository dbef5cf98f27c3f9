"""Celery tasks of compliance: thin wrappers around its services, taking ids."""

from tenancy.scoping import Actor
from tenancy.tasking import periodic_task, tenant_task

from . import complaint_rates, originality, scoring, training


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


@periodic_task(
    "compliance.complaint_rates_due",
    runs=complaint_rates.complaint_rates_due,
    time_limit=15 * 60,
    soft_time_limit=14 * 60,
)
def complaint_rates_due(*, actor: Actor) -> int:
    """Beat job: store yesterday's complaint rates of every creator, brand and agency."""
    return complaint_rates.complaint_rates_due(actor=actor)


@tenant_task("compliance.originality_index", time_limit=10 * 60, soft_time_limit=9 * 60)
def originality_index(*, actor: Actor, content_ids: list[int]) -> int:
    """Index ingested texts for originality and re-decide the flags they touch; idempotent."""
    return originality.index_items(content_ids=content_ids)
