"""The certification's inputs: each agency's metrics over a trailing window, read from rows.

A creator's figures count for the agency it was under contract with on that day (a contract
``active`` or since ``ended``, from its start to its end): a creator who moved agency midway
brings each agency its own part. Over the window ``[as_of − window_days + 1, as_of]``:

* ``active_creators``: creators under contract on ``as_of``, not suspended, with views in the
  window;
* ``gmv``: Σ snapshot GMV; ``gmv_growth``: against the window before it, ``(gmv − prev) /
  prev`` clipped to [−1, GROWTH_MAX] (none before: missing, so neutral);
* ``engagement_rate``: Σ (likes + comments + shares) / Σ views;
* ``retention``: of the creators under contract on the window's first day, the share still with
  the agency on ``as_of`` (none then: missing);

``complaint_rate``, ``originality_rate``, ``violation_rate`` and ``severe_violations`` come from
the compliance issues through :data:`METRIC_SOURCES`; until one is registered the rates are
missing (the engine scores them neutral) and ``severe_violations`` is 0: no violation recorded is
no violation. The complaint rate (:func:`compliance_complaint_rate`) counts what
``compliance.selectors.complaint_counts`` says counts (the definition the stored daily rates
use too), each order for the agency whose contract covered its creator on the day it was placed.

Besides the agency frame, :func:`window_metrics` gives each creator's share of its agency's
figures (the roster's "contribution" column).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd
from django.db.models import F, Q, Sum
from django.db.models.functions import TruncQuarter

from compliance.engine.complaint_rates import rate as complaint_rate
from compliance.selectors import complaint_counts, confirmed_violations
from creators.models import Creator, MetricSnapshot

from . import engine
from .models import Contract

GROWTH_MAX = 5.0

#: Hooks of later apps (compliance: violations, complaint rate; originality). Each is called as
#: ``fn(*, window_start, as_of, agency_ids) -> pandas.DataFrame`` indexed by agency id with any
#: of the columns ``complaint_rate``, ``originality_rate``, ``violation_rate``,
#: ``severe_violations``; it must be
#: deterministic (reruns stay identical). Keep it empty here.
METRIC_SOURCES: list[Callable[..., pd.DataFrame]] = []

COUNTED = ("active", "ended")  # contracts that gave the agency rights at some time
OPEN_END = pd.Timestamp("2200-01-01")  # a contract without an end date


@dataclass(frozen=True)
class WindowMetrics:
    agencies: pd.DataFrame  # index agency id, columns engine.METRICS
    creators: pd.DataFrame  # index (agency id, creator id): gmv, views, engagement, gmv_share


def window_start(as_of: date, window_days: int) -> date:
    return as_of - timedelta(days=window_days - 1)


def _contracts(agency_ids=None) -> pd.DataFrame:
    rows = Contract.objects.unscoped().filter(status__in=COUNTED)
    if agency_ids is not None:
        rows = rows.filter(organization_id__in=list(agency_ids))
    frame = pd.DataFrame(
        list(rows.values_list("organization_id", "creator_id", "start", "end")),
        columns=["agency", "creator", "start", "end"],
    )
    frame["start"] = pd.to_datetime(frame["start"]).astype("datetime64[ns]")
    frame["end"] = pd.to_datetime(frame["end"]).astype("datetime64[ns]").fillna(OPEN_END)
    return frame


def _under_contract(contracts: pd.DataFrame, day: date) -> pd.DataFrame:
    day = pd.Timestamp(day)
    return contracts[(contracts["start"] <= day) & (contracts["end"] >= day)]


def _attributed(rows: pd.DataFrame, contracts: pd.DataFrame, on: str) -> pd.DataFrame:
    """``rows`` (with ``creator`` and a datetime column ``on``) joined to the agency whose
    contract covered the creator that day; rows of independent days drop out."""
    joined = rows.merge(contracts, on="creator")
    covered = joined[(joined[on] >= joined["start"]) & (joined[on] <= joined["end"])]
    # Two contracts of one agency touching on a day (one ends, the next starts) count it once.
    return covered.drop_duplicates(subset=[*rows.columns, "agency"])


def _snapshots(creators, since: date, as_of: date) -> pd.DataFrame:
    rows = MetricSnapshot.objects.unscoped().filter(
        creator_id__in=creators, date__gte=since, date__lte=as_of
    )
    columns = ["creator", "date", "views", "likes", "comments", "shares", "gmv"]
    frame = pd.DataFrame(
        list(rows.values_list("creator_id", "date", "views", "likes", "comments", "shares", "gmv")),
        columns=columns,
    )
    frame["date"] = pd.to_datetime(frame["date"]).astype("datetime64[ns]")
    for column in columns[2:]:
        frame[column] = frame[column].astype(np.float64)
    frame["engagement"] = frame[["likes", "comments", "shares"]].sum(axis=1)
    return frame


def _ratio(top: pd.Series, bottom: pd.Series) -> pd.Series:
    return (top / bottom.where(bottom > 0)).astype(np.float64)


def window_metrics(*, as_of: date, window_days: int, agency_ids) -> WindowMetrics:
    """Every agency of ``agency_ids`` (agencies without any contract get an all-missing row)."""
    agency_ids = sorted(agency_ids)
    start = window_start(as_of, window_days)
    previous = window_start(start - timedelta(days=1), window_days)
    contracts = _contracts(agency_ids)
    creators = contracts["creator"].unique().tolist()
    snaps = _attributed(_snapshots(creators, previous, as_of), contracts, "date")
    now = snaps[snaps["date"] >= pd.Timestamp(start)]
    before = snaps[snaps["date"] < pd.Timestamp(start)]
    by_agency = now.groupby("agency")
    frame = pd.DataFrame(index=pd.Index(agency_ids, name="agency"), columns=list(engine.METRICS))
    frame = frame.astype(np.float64)
    frame["active_creators"] = _active_creators(now, contracts, as_of).reindex(frame.index)
    frame["active_creators"] = frame["active_creators"].fillna(0.0)
    frame["gmv"] = by_agency["gmv"].sum().reindex(frame.index)
    prev_gmv = before.groupby("agency")["gmv"].sum().reindex(frame.index)
    frame["gmv_growth"] = _ratio(frame["gmv"].fillna(0.0) - prev_gmv, prev_gmv).clip(
        -1.0, GROWTH_MAX
    )
    frame["engagement_rate"] = _ratio(by_agency["engagement"].sum(), by_agency["views"].sum())
    frame["retention"] = _retention(contracts, start, as_of).reindex(frame.index)
    frame["severe_violations"] = 0.0
    for source in METRIC_SOURCES:
        extra = source(window_start=start, as_of=as_of, agency_ids=agency_ids)
        for column in extra.columns.intersection(frame.columns):
            frame[column] = extra[column].reindex(frame.index).astype(np.float64)
    return WindowMetrics(frame, _creator_shares(now))


def _active_creators(window: pd.DataFrame, contracts: pd.DataFrame, as_of: date) -> pd.Series:
    signed = _under_contract(contracts, as_of)
    suspended = set(
        Creator.objects.unscoped()
        .filter(pk__in=signed["creator"].tolist(), status=Creator.Status.SUSPENDED)
        .values_list("pk", flat=True)
    )
    posting = window[window["views"] > 0][["agency", "creator"]].drop_duplicates()
    active = signed.merge(posting, on=["agency", "creator"])
    active = active[~active["creator"].isin(suspended)]
    return active.groupby("agency")["creator"].nunique().astype(np.float64)


def _retention(contracts: pd.DataFrame, start: date, as_of: date) -> pd.Series:
    at_start = _under_contract(contracts, start)[["agency", "creator"]].drop_duplicates()
    at_end = _under_contract(contracts, as_of)[["agency", "creator"]].drop_duplicates()
    stayed = at_start.merge(at_end, on=["agency", "creator"])
    return _ratio(
        stayed.groupby("agency").size().reindex(at_start["agency"].unique(), fill_value=0),
        at_start.groupby("agency").size(),
    )


def _creator_shares(window: pd.DataFrame) -> pd.DataFrame:
    per = window.groupby(["agency", "creator"])[["gmv", "views", "engagement"]].sum()
    agency_gmv = per["gmv"].groupby(level="agency").transform("sum")
    per["gmv_share"] = _ratio(per["gmv"], agency_gmv)
    agency_views = per["views"].groupby(level="agency").transform("sum")
    per["views_share"] = _ratio(per["views"], agency_views)
    per["engagement_rate"] = _ratio(per["engagement"], per["views"])
    return per


def quarter_of(day) -> str:
    """``2023-Q2`` for any day of April to June 2023."""
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def agency_gmv_by_quarter(*, since: date | None = None, until: date | None = None):
    """Market concentration by calendar quarter, from rows: each quarter's GMV per agency (Σ
    snapshot GMV of the creators under contract with it on the snapshot's day, as the window
    metrics count it) and the whole market's (every creator's, independent ones too).

    Returns ``[(quarter, engine.Concentration, market GMV)]``, oldest first, for every quarter
    with any GMV. CR5/CR10 are shares of the whole market; the HHI is over the agencies' shares of
    the agency market (see :func:`mcn.engine.concentration`). Both sums are the database's
    (grouped by quarter, and by agency through the contract that covered each day), so the page
    reads a few hundred rows, not every snapshot: 0.8 s → 0.1 s on the demo world."""
    rows = MetricSnapshot.objects.unscoped().filter(gmv__gt=0)
    if since is not None:
        rows = rows.filter(date__gte=since)
    if until is not None:
        rows = rows.filter(date__lte=until)
    rows = rows.annotate(quarter=TruncQuarter("date"))
    market = dict(rows.values("quarter").annotate(total=Sum("gmv")).values_list("quarter", "total"))
    covered = Q(
        Q(creator__contracts__end__isnull=True) | Q(creator__contracts__end__gte=F("date")),
        creator__contracts__status__in=COUNTED,
        creator__contracts__start__lte=F("date"),
    )  # one filter() call: one join, so each condition holds on the same contract
    per_agency: dict = {}
    for quarter, _agency, gmv in (
        rows.filter(covered)
        .values("quarter", "creator__contracts__organization_id")
        .annotate(total=Sum("gmv"))
        .values_list("quarter", "creator__contracts__organization_id", "total")
    ):
        per_agency.setdefault(quarter, []).append(float(gmv))
    return [
        (
            quarter_of(q),
            engine.concentration(per_agency.get(q, []), float(market[q])),
            float(market[q]),
        )
        for q in sorted(market)
    ]


def compliance_violations(*, window_start: date, as_of: date, agency_ids) -> pd.DataFrame:
    """The ``METRIC_SOURCES`` entry of compliance: each confirmed violation in the window counts
    for the agency whose contract covered the creator on the day it was decided.
    ``violation_rate`` is violations per creator under contract on ``as_of`` (0 for an agency
    with creators and none); ``severe_violations`` counts the severe ones (``compliance.
    selectors.SEVERE_CATEGORIES``)."""
    contracts = _contracts(agency_ids)
    index = pd.Index(list(agency_ids), name="agency")
    attributed = _attributed(
        confirmed_violations(window_start=window_start, as_of=as_of), contracts, "date"
    )
    by_agency = attributed.groupby("agency")
    signed = _under_contract(contracts, as_of).groupby("agency")["creator"].nunique()
    signed = signed.reindex(index).astype(np.float64)
    counts = by_agency.size().reindex(index, fill_value=0).astype(np.float64)
    frame = pd.DataFrame(index=index)
    frame["violation_rate"] = _ratio(counts, signed)
    frame["severe_violations"] = (
        by_agency["severe"].sum().reindex(index, fill_value=0).astype(np.float64)
    )
    return frame


def compliance_complaint_rate(*, window_start: date, as_of: date, agency_ids) -> pd.DataFrame:
    """The ``METRIC_SOURCES`` entry of consumer protection: complaints ÷ orders of the agency's
    creators over the window, as ``compliance.selectors.complaint_counts`` counts them, each day's
    orders for the agency whose contract covered the creator that day (no order: missing)."""
    contracts = _contracts(agency_ids)
    index = pd.Index(list(agency_ids), name="agency")
    counts = complaint_counts(
        window_start=window_start,
        as_of=as_of,
        creator_ids=contracts["creator"].unique().tolist(),
        by_day=True,
    ).astype({"creator": np.int64})  # narrowed to creators: no self-broadcast, no missing id
    summed = _attributed(counts, contracts, "date").groupby("agency")[["orders", "complaints"]]
    summed = summed.sum().reindex(index, fill_value=0)
    rates = complaint_rate(summed["complaints"].to_numpy(), summed["orders"].to_numpy())
    return pd.DataFrame({"complaint_rate": rates.to_numpy()}, index=index)
