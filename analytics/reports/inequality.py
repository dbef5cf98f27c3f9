"""Who holds the ecosystem's reach, traffic and money: Gini and Lorenz curves of followers,
exposure and revenue, and the shares of tipping and revenue by follower band (the "olive").

* **followers**: ``Creator.followers`` of every creator who had joined by ``as_of`` (the table
  holds today's count; for an earlier ``as_of`` it is still today's).
* **exposure**: the impressions of every creator of the latest succeeded allocation run with an
  ``as_of`` on or before ours (``traffic.Allocation``; the ineligible with their 0).
* **revenue**: Σ tipping + GMV of each creator's snapshots over the :data:`WINDOW_DAYS` up to
  ``as_of`` (creators with a snapshot in the window).
* **band shares**: each snapshot's tipping (and tipping + GMV) counts for the follower band the
  creator was in on the snapshot's day, with the bands of ``traffic`` (``FOLLOWER_BAND_EDGES``,
  named head / mid / waist / tail by ``traffic.selectors.BANDS``). The database sums per band.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
from django.db.models import Case, F, IntegerField, Sum, Value, When

from creators.models import Creator, MetricSnapshot
from traffic.models import Allocation, AllocationRun
from traffic.selectors import BANDS
from traffic.services import FOLLOWER_BAND_EDGES

from .. import engine
from . import Figures
from . import missing as m
from .missing import line

WINDOW_DAYS = 365
BAND_NAMES = {label: name for label, name in BANDS}


def window(as_of: date, days: int = WINDOW_DAYS) -> tuple[date, date]:
    return as_of - timedelta(days=days - 1), as_of


def _gini_figures(name: str, values, what: str) -> Figures:
    measured = engine.inequality(values)
    if measured is None:
        return Figures({"gini": {name: None}, "lorenz": {name: []}}, [what])
    return Figures({"gini": {name: measured["gini"]}, "lorenz": {name: measured["lorenz"]}})


def _floats(rows) -> np.ndarray:
    return np.fromiter((float(v or 0) for v in rows), dtype=np.float64)


def _followers(as_of: date) -> np.ndarray:
    creators = Creator.objects.unscoped().filter(joined__lte=as_of).order_by()
    return _floats(creators.values_list("followers", flat=True).iterator(chunk_size=20_000))


def followers_inequality(*, as_of: date) -> Figures:
    return _gini_figures("followers", _followers(as_of), line("followers", m.NO_FOLLOWERS))


def latest_run(as_of: date) -> AllocationRun | None:
    runs = AllocationRun.objects.unscoped().filter(
        status=AllocationRun.Status.SUCCEEDED, as_of__lte=as_of
    )
    return runs.order_by("-as_of", "-finished_at", "-id").first()


def exposure_inequality(*, as_of: date) -> Figures:
    run = latest_run(as_of)
    if run is None:
        return _gini_figures("exposure", [], line("exposure", m.NO_RUN, date=as_of))
    rows = Allocation.objects.unscoped().filter(run_id=run.pk).order_by()
    figures = _gini_figures(
        "exposure",
        _floats(rows.values_list("impressions", flat=True).iterator(chunk_size=20_000)),
        line("exposure", m.RUN_WITHOUT_IMPRESSIONS, run=run.pk),
    )
    figures.values["exposure_run"] = {"id": run.pk, "as_of": run.as_of.isoformat()}
    return figures


def _snapshots(as_of: date, days: int = WINDOW_DAYS):
    start, end = window(as_of, days)
    return MetricSnapshot.objects.unscoped().filter(date__gte=start, date__lte=end).order_by()


def revenue_inequality(*, as_of: date) -> Figures:
    per_creator = (
        _snapshots(as_of)
        .values("creator_id")
        .annotate(total=Sum("tipping_revenue") + Sum("gmv"))
        .values_list("total", flat=True)
    )
    return _gini_figures(
        "revenue", _floats(per_creator), line("revenue", m.NO_REVENUE, days=WINDOW_DAYS)
    )


def _band_of_followers() -> Case:
    """The band index (0 = below the first edge) of a snapshot's followers, in SQL."""
    whens = [When(followers__lt=edge, then=Value(i)) for i, edge in enumerate(FOLLOWER_BAND_EDGES)]
    return Case(*whens, default=Value(len(FOLLOWER_BAND_EDGES)), output_field=IntegerField())


def band_share(*, as_of: date) -> Figures:
    sums = (
        _snapshots(as_of)
        .annotate(band=_band_of_followers())
        .values("band")
        .annotate(tipping=Sum("tipping_revenue"), revenue=Sum(F("tipping_revenue") + F("gmv")))
        .values_list("band", "tipping", "revenue")
    )
    lower = [0, *FOLLOWER_BAND_EDGES]  # one size inside each band stands for it
    rows = sorted(sums)
    sizes = [lower[band] for band, _t, _r in rows]
    shares, missing = {}, []
    for i, what in ((1, "tipping"), (2, "revenue")):
        values = [float(row[i] or 0) for row in rows]
        shares[what] = engine.named_band_shares(values, sizes, FOLLOWER_BAND_EDGES, BAND_NAMES)
        if shares[what] is None:
            missing.append(line(f"band_share.{what}", m.NO_BAND_FIGURE, days=WINDOW_DAYS))
    shares["creators"] = engine.band_counts(_followers(as_of), FOLLOWER_BAND_EDGES, BAND_NAMES)
    return Figures({"band_share": shares}, missing)
