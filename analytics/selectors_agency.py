"""The agency's own analytics slice: its GMV, its creators' follower growth and its tier trend.

Computed on request from one agency's rows only (bounded: its contracts, the snapshots they
cover, its assessments), never another agency's:

* the **contracts** are read through ``Contract.objects.for_actor`` (the acting agency's own);
* a **snapshot** counts when a contract of this agency (active or since ended) covered its
  creator on the snapshot's day, the attribution of ``mcn.metrics`` (the certification's), so a
  creator who moved agency brings each agency its own months and no more. Those snapshots are
  read across the creators' privacy rule on purpose (a creator who has left is no longer the
  agency's to read, but the GMV it made under contract is the agency's history) and only as
  sums per period: no figure of a single creator leaves this module;
* **GMV** of a period: Σ snapshot GMV; **followers**: Σ over creators of each one's highest
  follower count in the period; **growth**: like for like, the followers of the creators under
  contract in both this period and the one before, against that one;
* the **tier trend**: the agency's own assessments of succeeded certification cycles
  (``mcn.selectors.own_assessments``), the effective tier (an accepted appeal's override
  counts) and score of each.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
from django.db.models import Exists, Max, OuterRef, Q, Sum
from django.db.models.functions import TruncMonth, TruncQuarter

from creators.models import MetricSnapshot
from mcn.metrics import COUNTED, quarter_of
from mcn.models import Contract
from mcn.selectors import own_assessments
from mcn.services import contract_today
from tenancy import roles
from tenancy.scoping import Actor

CYCLES = 24  # the latest certification cycles drawn
TRUNC = {"month": TruncMonth, "quarter": TruncQuarter}


def period_label(day: date, by: str) -> str:
    return quarter_of(day) if by == "quarter" else f"{day.year}-{day.month:02d}"


def _covered_snapshots(actor: Actor, today: date):
    contracts = Contract.objects.for_actor(actor).filter(status__in=COUNTED)
    covering = contracts.filter(creator_id=OuterRef("creator_id"), start__lte=OuterRef("date"))
    covering = covering.filter(Q(end__isnull=True) | Q(end__gte=OuterRef("date")))
    return (
        MetricSnapshot.objects.unscoped()
        .filter(creator_id__in=contracts.values("creator_id"), date__lte=today)
        .filter(Exists(covering))
        .order_by()
    )


def _periods(actor: Actor, by: str, today: date) -> list[dict]:
    per_creator = pd.DataFrame(
        list(
            _covered_snapshots(actor, today)
            .annotate(period=TRUNC[by]("date"))
            .values("period", "creator_id")
            .annotate(gmv=Sum("gmv"), peak=Max("followers"))
            .values_list("period", "creator_id", "gmv", "peak")
        ),
        columns=["period", "creator", "gmv", "peak"],
    )
    if per_creator.empty:
        return []
    per_creator["gmv"] = per_creator["gmv"].astype(float)
    per_creator["peak"] = per_creator["peak"].astype(float)
    periods = sorted(per_creator["period"].unique())
    rows, previous = [], None
    for period in periods:
        now = per_creator[per_creator["period"] == period].set_index("creator")
        growth = None
        if previous is not None:
            both = now.index.intersection(previous.index)
            before = previous.loc[both, "peak"].sum()
            growth = float(now.loc[both, "peak"].sum() / before - 1) if before > 0 else None
        rows.append(
            {
                "period": period_label(pd.Timestamp(period).date(), by),
                "gmv": float(now["gmv"].sum()),
                "followers": int(now["peak"].sum()),
                "creators": int(len(now)),
                "growth": growth,
            }
        )
        previous = now
    return rows


def _tiers(actor: Actor) -> list[dict]:
    rows = own_assessments(actor=actor).values_list(
        "as_of", "tier", "override_tier", "score", "change"
    )[:CYCLES]
    return [
        {"as_of": as_of, "tier": override or tier or None, "score": score, "change": change}
        for as_of, tier, override, score, change in reversed(list(rows))
    ]


def agency_slice(*, actor: Actor, by: str = "month", today: date | None = None) -> dict | None:
    """``{"periods": [{period, gmv, followers, creators, growth}], "tiers": [{as_of, tier,
    score, change}], "signed": creators under an active contract}`` of the acting agency, by
    ``month`` or ``quarter``, oldest first; ``None`` for anyone but an agency."""
    if actor.kind != roles.AGENCY or actor.organization_id is None or by not in TRUNC:
        return None
    today = today or contract_today()
    signed = Contract.objects.for_actor(actor).filter(status=Contract.Status.ACTIVE)
    return {
        "periods": _periods(actor, by, today),
        "tiers": _tiers(actor),
        "signed": signed.values("creator_id").distinct().count(),
        "today": today,
        "by": by,
    }
