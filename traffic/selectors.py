"""Reads of the traffic app. Who sees which run and which allocation is decided once, by the
models' querysets (``RunQuerySet``, ``AllocationQuerySet``): pages and the API read through
them, so the two cannot disagree."""

from collections.abc import Iterator
from datetime import timedelta

import numpy as np
from django.db.models import (
    Case,
    Count,
    ExpressionWrapper,
    F,
    FloatField,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.http import Http404

from tenancy.scoping import Actor

from . import engine, services
from .models import Allocation, AllocationRun


def allocation_runs_list(*, actor: Actor) -> QuerySet[AllocationRun]:
    """Every run for the operator; the published ones for partners and creators; else none."""
    return AllocationRun.objects.for_actor(actor)


def allocation_run_get(*, actor: Actor, run_id: int) -> AllocationRun:
    """The run, or ``AllocationRun.DoesNotExist`` (404) when ``actor`` may not see it."""
    return allocation_runs_list(actor=actor).get(pk=run_id)


def allocations_of_run(*, actor: Actor, run: AllocationRun) -> QuerySet[Allocation]:
    """Per-creator rows: all for the operator, a creator's own, nobody else's (partners see
    the run's aggregate figures, never each creator's merit)."""
    return (
        Allocation.objects.for_actor(actor)
        .filter(run_id=run.pk)
        .select_related("creator")
        .order_by("-impressions", "creator_id")
    )


def published_run(*, actor: Actor) -> AllocationRun | None:
    return allocation_runs_list(actor=actor).filter(published=True).first()


# --- Pages ---------------------------------------------------------------------------------------

#: Follower bands as the pages name them, head first, keyed by ``engine.band_labels`` of the
#: service's edges (``<10k``, ``10k-100k``, ``100k-1M``, ``>=1M``).
BANDS = [
    (">=1M", "head"),
    ("100k-1M", "mid"),
    ("10k-100k", "waist"),
    ("<10k", "tail"),
]
LORENZ_POINTS = 20


def _eligible_merit(run: AllocationRun) -> float:
    # An aggregate over every creator of the run: a creator's panel needs it to say what a
    # merit-proportional share would have been, and it reveals no one's row.
    total = (
        Allocation.objects.unscoped()
        .filter(run_id=run.pk, eligible=True)
        .aggregate(total=Sum("merit"))
    )
    return float(total["total"] or 0.0)


def _proportional_factor(run: AllocationRun) -> float:
    """Impressions per unit of merit under a merit-proportional split among the eligible."""
    total = _eligible_merit(run)
    return run.pool / total if total > 0 else 0.0


def allocations_with_proportional(*, actor: Actor, run: AllocationRun) -> QuerySet[Allocation]:
    """The run's rows with ``proportional`` (pool × merit / Σ eligible merit, 0 if ineligible)
    and ``gain`` (impressions − proportional)."""
    factor = _proportional_factor(run)
    proportional = Case(
        When(eligible=True, then=F("merit") * Value(factor)),
        default=Value(0.0),
        output_field=FloatField(),
    )
    return (
        allocations_of_run(actor=actor, run=run)
        .annotate(proportional=proportional)
        .annotate(
            gain=ExpressionWrapper(F("impressions") - F("proportional"), output_field=FloatField())
        )
    )


def run_movers(*, actor: Actor, run: AllocationRun, count: int = 10) -> tuple[list, list]:
    """``(gainers, losers)``: the ``count`` rows furthest above and below proportional."""
    rows = allocations_with_proportional(actor=actor, run=run)
    gainers = [r for r in rows.order_by("-gain", "creator_id")[:count] if r.gain > 0]
    losers = [r for r in rows.order_by("gain", "creator_id")[:count] if r.gain < 0]
    return gainers, losers


def run_csv_rows(*, actor: Actor, run: AllocationRun) -> Iterator[tuple]:
    """(handle, followers, merit, impressions, proportional, eligible, package impressions)
    per creator, streamed."""
    rows = (
        allocations_with_proportional(actor=actor, run=run)
        .order_by("-impressions", "creator_id")
        .values_list(
            "creator__handle",
            "creator__followers",
            "merit",
            "impressions",
            "proportional",
            "eligible",
            "package_impressions",
        )
    )
    return rows.iterator(chunk_size=2000)


def _sampled_lorenz(values: np.ndarray, points: int) -> list[tuple[float, float]]:
    if values.size == 0 or not np.isfinite(values).all() or values.sum() <= 0:
        return []
    population, share = engine.lorenz(values)
    at = np.unique(np.round(np.linspace(0, values.size, points + 1)).astype(int))
    return [(round(float(population[i]) * 100, 1), round(float(share[i]) * 100, 1)) for i in at]


def run_lorenz(
    *, actor: Actor, run: AllocationRun, points: int = LORENZ_POINTS
) -> dict[str, list[tuple[float, float]]]:
    """Lorenz curves (population %, impressions %) before (merit-proportional) and after."""
    rows = list(
        allocations_of_run(actor=actor, run=run)
        .order_by()
        .values_list("merit", "impressions", "eligible")
    )
    if not rows:
        return {"before": [], "after": []}
    table = np.array(rows, dtype=np.float64)
    merit = np.where(table[:, 2] > 0, table[:, 0], 0.0)
    return {
        "before": _sampled_lorenz(merit, points),
        "after": _sampled_lorenz(table[:, 1], points),
    }


def run_bands(run: AllocationRun) -> list[tuple[str, float]]:
    """``(band key, share)`` head first, from the run's stored shares."""
    shares = run.band_shares or {}
    return [(key, float(shares.get(label, 0.0))) for label, key in BANDS]


def creator_traffic(*, actor: Actor) -> dict | None:
    """The portal creator's line of the published run and why: ``None`` without one.

    Merit components are recomputed for this one creator from its snapshots in the run's
    window, with the formula of ``traffic.services.merit_of_creators``.
    """
    if not actor.is_creator:
        raise Http404
    run = published_run(actor=actor)
    if run is None:
        return None
    allocation = allocations_of_run(actor=actor, run=run).select_related("creator").first()
    start = run.as_of - timedelta(days=services.MERIT_WINDOW_DAYS - 1)
    per = services.merit_components(as_of=run.as_of, creator_ids=[actor.creator_id])
    mine = per.iloc[0] if len(per) else None
    result = {
        "run": run,
        "allocation": allocation,
        "start": start,
        "views": int(mine["views"]) if mine is not None else 0,
        "engagement": int(mine["engagement"]) if mine is not None else 0,
        "engagement_rate": float(mine["rate"]) if mine is not None else 0.0,
        "growth": float(mine["growth"]) if mine is not None else 0.0,
        "proportional": None,
        "effect": None,
        "package": None,
    }
    if allocation is None:
        return result
    proportional = allocation.merit * _proportional_factor(run) if allocation.eligible else 0.0
    result["proportional"] = proportional
    result["package"] = package_of_allocation(run, allocation)
    # The floor, cap and target act on the Gini step: its share of the pool less the packages,
    # against the merit-proportional share of that same rest (the package comes on top).
    rest = run.pool - run.package_impressions
    step_share = allocation.impressions - allocation.package_impressions
    step_proportional = proportional * rest / run.pool
    if not allocation.eligible:
        result["effect"] = "ineligible"
    elif step_share > step_proportional + 1:
        result["effect"] = "lifted"
    elif step_share < step_proportional - 1:
        result["effect"] = "trimmed"
    else:
        result["effect"] = "proportional"
    return result


# --- Traffic packages (星火计划) ------------------------------------------------------------------

#: Tiers as pages list them, highest first.
PACKAGE_TIERS = ["S", "A", "B"]


def run_packages(run: AllocationRun) -> dict:
    """What a run granted as traffic packages, from its stored record: ``total``, ``share`` of
    the pool, ``scale`` (1 unless the packages were scaled down to fit), ``tiers`` as
    ``[(tier, agencies, creators, impressions)]`` highest first and ``agencies`` (the record's
    rows, largest package first)."""
    record = run.packages or {}
    tiers = record.get("tiers", {})
    ordered = sorted(tiers, key=lambda t: (PACKAGE_TIERS + [t]).index(t))
    rows = sorted(record.get("agencies", []), key=lambda a: (-a["impressions"], a["id"]))
    return {
        "total": run.package_impressions,
        "share": run.package_share,
        "asked": record.get("asked", 0),
        "scale": record.get("scale", 1.0),
        "certification_as_of": record.get("certification_as_of"),
        "tiers": [
            (t, tiers[t]["agencies"], tiers[t]["creators"], tiers[t]["impressions"])
            for t in ordered
        ],
        "agencies": rows,
    }


def package_of_allocation(run: AllocationRun, allocation: Allocation) -> dict | None:
    """``{impressions, agency, tier}`` of the package part of one creator's line (the agency's
    name and tier as the run recorded them), or None when it had none."""
    if not allocation.package_impressions:
        return None
    for row in (run.packages or {}).get("agencies", []):
        if row["id"] == allocation.package_agency_id:
            return {
                "impressions": allocation.package_impressions,
                "agency": row["name"],
                "tier": row["tier"],
            }
    return {"impressions": allocation.package_impressions, "agency": "", "tier": ""}


def package_use_of_agency(*, agency_id: int) -> dict | None:
    """The latest published run's package granted to ``agency_id``'s creators: the run, its day,
    the impressions and how many creators shared them (None when that run granted none). The
    agency's own figure only, so it reads the allocations across the operator's runs on purpose."""
    run = AllocationRun.objects.unscoped().filter(published=True).first()
    if run is None:
        return None
    rows = Allocation.objects.unscoped().filter(run=run, package_agency_id=agency_id)
    totals = rows.filter(package_impressions__gt=0).aggregate(
        impressions=Sum("package_impressions"), creators=Count("pk")
    )
    if not totals["impressions"]:
        return None
    return {"run_id": run.pk, "as_of": run.as_of, **totals}
