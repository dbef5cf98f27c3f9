"""The ecosystem reports' arithmetic: pure numpy / pandas, no Django (``analytics.reports`` reads
the rows and hands them here).

Inequality reuses the traffic engine's measures (``traffic.engine.gini``, ``lorenz`` and
``band_shares``), so the analytics page and the allocation runs cannot disagree on what a Gini
or a band is. Every function answers ``None`` (or leaves a key out) where the data gives no
figure: nothing measured is never reported as 0.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from traffic.engine import band_labels, band_shares, gini, lorenz

LORENZ_POINTS = 20
#: A creator's audience "reaches" a segment when at least this share of it is in the segment.
SEGMENT_MIN_SHARE = 0.10


def inequality(values: ArrayLike, points: int = LORENZ_POINTS) -> dict | None:
    """``{"gini", "lorenz": [[population share, value share], …], "n"}`` of non-negative values;
    ``None`` for no values or an all-zero total (no distribution to measure). The Lorenz curve
    is sampled at ``points`` + 1 evenly spaced population shares, both ends included."""
    amounts = np.asarray(values, dtype=np.float64)
    if amounts.size == 0 or not np.isfinite(amounts).all() or amounts.sum() <= 0:
        return None
    population, share = lorenz(amounts)
    at = np.unique(np.round(np.linspace(0, amounts.size, points + 1)).astype(int))
    curve = [[float(population[i]), float(share[i])] for i in at]
    return {"gini": gini(amounts), "lorenz": curve, "n": int(amounts.size)}


def named_band_shares(
    values: ArrayLike, sizes: ArrayLike, edges: Sequence[float], names: Mapping[str, str]
) -> dict[str, float] | None:
    """Share of the total of ``values`` per size band, keyed by ``names[band label]`` (labels as
    ``traffic.engine.band_labels`` gives them); ``None`` when the total is 0 or there is none."""
    amounts = np.asarray(values, dtype=np.float64)
    if amounts.size == 0 or amounts.sum() <= 0:
        return None
    shares = band_shares(amounts, sizes, edges)
    return {names[label]: shares[label] for label in band_labels(edges)}


def band_counts(
    sizes: ArrayLike, edges: Sequence[float], names: Mapping[str, str]
) -> dict[str, float] | None:
    """Share of the population in each band (the shape of the "olive")."""
    sizes = np.asarray(sizes, dtype=np.float64)
    return named_band_shares(np.ones_like(sizes), sizes, edges, names)


def complete_months(first_day, as_of) -> pd.PeriodIndex:
    """The calendar months the rows cover in full: from the month after the first row's (which
    the data may enter midway) to the month of ``as_of`` if it is that month's last day, else
    the one before."""
    first = pd.Timestamp(first_day).to_period("M") + 1
    end = pd.Timestamp(as_of)
    last = end.to_period("M") if end.is_month_end else end.to_period("M") - 1
    if first > last:
        return pd.PeriodIndex([], freq="M")
    return pd.period_range(first, last, freq="M")


def monthly_income_by_year(months: pd.DataFrame, first_day, as_of) -> dict[int, float]:
    """Average monthly income per active creator, by calendar year.

    ``months``: one row per calendar month, columns ``month`` (any day of it), ``total`` (Σ
    income of the month's snapshots) and ``active`` (creators with a snapshot in the month);
    ``first_day`` is the first snapshot's date. A month's figure is total ÷ active; a year's the
    mean over its complete months (:func:`complete_months`), so a month the data enters midway
    does not pull it down. Years without a complete month are left out."""
    if months.empty:
        return {}
    period = pd.PeriodIndex(pd.to_datetime(months["month"]), freq="M")
    kept = months[period.isin(complete_months(first_day, as_of)) & (months["active"] > 0)]
    if kept.empty:
        return {}
    income = (kept["total"].astype(np.float64) / kept["active"]).to_numpy()
    years = pd.to_datetime(kept["month"]).dt.year.to_numpy()
    by_year = pd.Series(income).groupby(years).mean()
    return {int(year): float(value) for year, value in by_year.items()}


def first_to_last(by_year: Mapping[int, float]) -> dict | None:
    """``{"from", "to", "ratio"}``: the last year's figure over the first's (``None`` with fewer
    than two years, or a first year of 0)."""
    if len(by_year) < 2:
        return None
    first, last = min(by_year), max(by_year)
    if not by_year[first]:
        return None
    return {"from": first, "to": last, "ratio": by_year[last] / by_year[first]}


def roi_by(frame: pd.DataFrame, key: str) -> dict[str, dict]:
    """``{key value: {"gmv", "spend", "roi"}}`` summed over ``frame`` (columns ``key``, ``gmv``,
    ``spend``); ROI is GMV ÷ spend, ``None`` when nothing was spent."""
    sums = frame.groupby(key)[["gmv", "spend"]].sum().sort_index()
    return {
        str(name): {
            "gmv": float(row.gmv),
            "spend": float(row.spend),
            "roi": float(row.gmv / row.spend) if row.spend > 0 else None,
        }
        for name, row in sums.iterrows()
    }


def segment_reach(
    views: ArrayLike,
    portraits: Sequence[Mapping[str, float]],
    segments: Sequence[str],
    min_share: float = SEGMENT_MIN_SHARE,
) -> dict[str, dict]:
    """How far each audience segment is reached, from each creator's views and interest shares.

    ``views[i]`` belongs to the creator whose audience interests are ``portraits[i]``. Per
    segment: ``views`` the estimated views by that segment (Σ views × share), ``share`` that part
    of all views (``None`` with no views), ``creators`` how many creators have at least
    ``min_share`` of their audience in it."""
    views = np.asarray(views, dtype=np.float64)
    shares = np.array([[p.get(s, 0.0) for s in segments] for p in portraits], dtype=np.float64)
    shares = shares.reshape(len(portraits), len(segments))
    reached = views @ shares if len(views) else np.zeros(len(segments))
    total = views.sum()
    return {
        segment: {
            "views": float(reached[j]),
            "share": float(reached[j] / total) if total > 0 else None,
            "creators": int((shares[:, j] >= min_share).sum()),
        }
        for j, segment in enumerate(segments)
    }
