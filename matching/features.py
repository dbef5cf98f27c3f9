"""Rows to the matcher's arrays: the creators the index holds and the past collaborations the
conversion model learns from. Reads only (the platform's job, so ``.unscoped()``); the service
decides what to do with them.

History has a cut-off (``before``): the evaluation's training side sees only what happened
before its split, and a training pair's creator history leaves the pair itself out, so the
model never reads its own answer in a feature.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import numpy as np
import pandas as pd
from django.db.models import F, Max, Sum

from brands.models import Collaboration, Order, Product
from creators.models import AudienceProfile, Creator, MetricSnapshot

from . import engine

ENGAGEMENT_WINDOW_DAYS = 28
SELLING = ("live", "completed")
_VERTICAL_CODE = {key: code for code, key in enumerate(engine.VERTICALS)}
_CITY_CODE = {key: code for code, key in enumerate(engine.tx.CITY_TIER)}


def product_of(row: Product) -> engine.Product:
    """A product row as the matcher sees it."""
    portrait = {axis: getattr(row, f"target_{axis}") for axis in engine.AUDIENCE_AXES}
    return engine.Product(
        shares=engine.dense_shares([portrait])[0],
        category=_VERTICAL_CODE.get(row.category, -1),
        price=float(row.price),
    )


def products_of(rows) -> list[engine.Product]:
    return [product_of(row) for row in rows]


@dataclass(frozen=True)
class History:
    """Past collaborations with an outcome, one row each (offered before the cut-off)."""

    frame: pd.DataFrame  # collaboration, creator, product, offered_at, gmv, gmv_per_1k

    def conversion_by_creator(self) -> pd.Series:
        return np.log1p(self.frame.groupby("creator")["gmv_per_1k"].mean())


def history(before: datetime | None = None) -> History:
    """Collaborations that went live, with their GMV and GMV per 1k followers."""
    rows = Collaboration.objects.unscoped().filter(status__in=SELLING)
    if before is not None:
        rows = rows.filter(offered_at__lt=before)
    frame = pd.DataFrame(
        list(
            rows.annotate(gmv=Sum("orders__amount")).values_list(
                "pk", "creator_id", "product_id", "offered_at", "gmv", "creator__followers"
            )
        ),
        columns=["collaboration", "creator", "product", "offered_at", "gmv", "followers"],
    )
    frame["gmv"] = frame["gmv"].astype(np.float64).fillna(0.0)
    frame["gmv_per_1k"] = frame["gmv"] / np.maximum(frame["followers"].astype(float), 1.0) * 1000
    return History(frame.sort_values(["offered_at", "collaboration"], ignore_index=True))


def _band_sales(before: datetime | None) -> pd.DataFrame:
    """Order value per (creator, collaboration, price band of the product)."""
    orders = Order.objects.unscoped().filter(collaboration__isnull=False)
    if before is not None:
        orders = orders.filter(placed_at__lt=before)
    frame = pd.DataFrame(
        list(
            orders.values("collaboration_id")
            .annotate(
                creator=F("collaboration__creator_id"),
                price=F("collaboration__product__price"),
                value=Sum("amount"),
            )
            .values_list("collaboration_id", "creator", "price", "value")
        ),
        columns=["collaboration", "creator", "price", "value"],
    )
    frame["band"] = engine.price_band(frame["price"].astype(float).to_numpy())
    frame["value"] = frame["value"].astype(float)
    return frame


def _band_shares(sales: pd.DataFrame, index: pd.Index) -> np.ndarray:
    table = sales.pivot_table(index="creator", columns="band", values="value", aggfunc="sum")
    table = table.reindex(index=index, columns=range(len(engine.PRICE_BANDS))).fillna(0.0)
    values = table.to_numpy()
    totals = values.sum(axis=1, keepdims=True)
    return np.divide(values, totals, out=np.zeros_like(values), where=totals > 0)


def _engagement(ids: pd.Index) -> np.ndarray:
    snapshots = MetricSnapshot.objects.unscoped()
    last = snapshots.aggregate(last=Max("date"))["last"]
    if last is None:
        return np.full(len(ids), np.nan)
    window = snapshots.filter(date__gt=last - timedelta(days=ENGAGEMENT_WINDOW_DAYS))
    rows = pd.DataFrame(
        list(
            window.values("creator_id")
            .annotate(views=Sum("views"), engaged=Sum(F("likes") + F("comments") + F("shares")))
            .values_list("creator_id", "views", "engaged")
        ),
        columns=["creator", "views", "engaged"],
    ).set_index("creator")
    rate = rows["engaged"].astype(float) / rows["views"].astype(float).where(rows["views"] > 0)
    return rate.reindex(ids).to_numpy(dtype=np.float64)


def _fees(ids: pd.Index, followers: np.ndarray) -> np.ndarray:
    """The fee each creator would likely ask: its own median paid fee, else the market's
    log-log line of fee on followers (fees grow with reach, not in proportion)."""
    paid = pd.DataFrame(
        list(
            Collaboration.objects.unscoped()
            .filter(fee__gt=0)
            .values_list("creator_id", "fee", "creator__followers")
        ),
        columns=["creator", "fee", "followers"],
    )
    fee = np.zeros(len(ids))
    if paid.empty:
        return fee
    x = np.log10(np.maximum(paid["followers"].astype(float), 1.0))
    y = np.log10(paid["fee"].astype(float))
    slope, intercept = np.polyfit(x, y, 1) if x.nunique() > 1 else (0.0, float(y.mean()))
    market = 10 ** (intercept + slope * np.log10(np.maximum(followers.astype(float), 1.0)))
    own = paid.groupby("creator")["fee"].median().astype(float).reindex(ids).to_numpy()
    return np.where(np.isfinite(own), own, market)


def indexed_creators(before: datetime | None = None) -> engine.Creators:
    """Every creator with an audience portrait, as the index's column arrays (by id)."""
    profiles = AudienceProfile.objects.unscoped().order_by("creator_id")
    portraits = list(profiles.values_list("creator_id", *engine.AUDIENCE_AXES))
    ids = pd.Index([row[0] for row in portraits], dtype=np.int64)
    shares = engine.dense_shares(
        [dict(zip(engine.AUDIENCE_AXES, row[1:], strict=True)) for row in portraits]
    )
    people = (
        pd.DataFrame(
            list(
                Creator.objects.unscoped().values_list(
                    "pk", "followers", "vertical", "city_tier", "agency_id", "status"
                )
            ),
            columns=["id", "followers", "vertical", "city_tier", "agency", "status"],
        )
        .set_index("id")
        .reindex(ids)
    )
    followers = people["followers"].fillna(0).to_numpy(dtype=np.int64)
    vertical = people["vertical"].map(_VERTICAL_CODE).fillna(-1).to_numpy(dtype=np.int64)
    pairs = history(before)
    conversion = pairs.conversion_by_creator().reindex(ids).to_numpy(dtype=np.float64)
    return engine.Creators(
        ids=ids.to_numpy(dtype=np.int64),
        shares=shares.astype(np.float32),
        vectors=engine.retrieval_vectors(shares, vertical),
        followers=followers,
        vertical=vertical.astype(np.int8),
        city_tier=people["city_tier"].map(_CITY_CODE).fillna(-1).to_numpy(dtype=np.int8),
        agency=people["agency"].fillna(0).to_numpy(dtype=np.int64),
        active=(people["status"] == Creator.Status.ACTIVE).to_numpy(),
        engagement=engine.engagement_percentile(_engagement(ids)).astype(np.float32),
        price_bands=_band_shares(_band_sales(before), ids).astype(np.float32),
        conversion=conversion.astype(np.float32),
        fee=_fees(ids, followers).astype(np.float32),
    )


@dataclass(frozen=True)
class TrainingSet:
    features: np.ndarray
    gmv_per_1k: np.ndarray
    frame: pd.DataFrame


def training_set(creators: engine.Creators, before: datetime | None = None) -> TrainingSet:
    """Pair features of past collaborations of indexed creators, each pair's own outcome left
    out of its creator's history (price bands and past conversion)."""
    pairs = known_pairs(creators, history(before).frame)
    aligned = aligned_pairs(creators, pairs)
    aligned = replace(aligned, creators=_without_own_outcome(aligned.creators, pairs, before))
    return TrainingSet(aligned.features(), pairs["gmv_per_1k"].to_numpy(), pairs)


def known_pairs(creators: engine.Creators, frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``frame`` whose creator is indexed and whose product still exists."""
    frame = frame[frame["creator"].isin(creators.ids)]
    products = Product.objects.unscoped().filter(pk__in=frame["product"].unique().tolist())
    return frame[frame["product"].isin(products.values_list("pk", flat=True))].reset_index(
        drop=True
    )


def aligned_pairs(creators: engine.Creators, frame: pd.DataFrame) -> engine.Pairs:
    """One pair per row of ``frame`` (creator, product), the creators' arrays as they are."""
    row_of = pd.Series(np.arange(len(creators)), index=creators.ids)
    products = _products_by_id(frame["product"].unique().tolist())
    targets = [products[p] for p in frame["product"]]
    return engine.Pairs(
        creators=creators.take(row_of.reindex(frame["creator"]).to_numpy()),
        shares=np.array([t.shares for t in targets]).reshape(len(frame), engine.SHARES_DIM),
        category=np.array([t.category for t in targets], dtype=np.int64),
        price=np.array([t.price for t in targets], dtype=np.float64),
    )


def _products_by_id(ids: list[int]) -> dict[int, engine.Product]:
    rows = Product.objects.unscoped().filter(pk__in=ids)
    return {row.pk: product_of(row) for row in rows}


def _without_own_outcome(
    subset: engine.Creators, pairs: pd.DataFrame, before: datetime | None
) -> engine.Creators:
    """The creators' history as it stood before each pair: conversion from earlier pairs only,
    price bands without the pair's own sales."""
    earlier = (
        pairs.assign(log=np.log1p(pairs["gmv_per_1k"]))
        .groupby("creator")["log"]
        .transform(lambda s: s.shift(1).expanding().mean())
    )
    sales = _band_sales(before)
    own = sales.set_index("collaboration")
    totals = sales.pivot_table(index="creator", columns="band", values="value", aggfunc="sum")
    totals = totals.reindex(columns=range(len(engine.PRICE_BANDS))).fillna(0.0)
    bands = totals.reindex(pairs["creator"]).fillna(0.0).to_numpy().copy()
    mine = own.reindex(pairs["collaboration"])
    hit = np.isfinite(mine["value"].to_numpy(dtype=np.float64))
    rows = np.flatnonzero(hit)
    bands[rows, mine["band"].to_numpy()[rows].astype(int)] -= mine["value"].to_numpy()[rows]
    bands = np.maximum(bands, 0.0)
    sums = bands.sum(axis=1, keepdims=True)
    bands = np.divide(bands, sums, out=np.zeros_like(bands), where=sums > 0)
    columns = dict(subset.columns())
    columns["conversion"] = earlier.to_numpy(dtype=np.float32)
    columns["price_bands"] = bands.astype(np.float32)
    return engine.Creators(**columns)


def fingerprint() -> str:
    """What an index is built from, in one hash: portraits, figures, collaborations, creators."""
    parts = [
        AudienceProfile.objects.unscoped().aggregate(v=Max("updated_at"))["v"],
        AudienceProfile.objects.unscoped().count(),
        MetricSnapshot.objects.unscoped().aggregate(v=Max("date"))["v"],
        Collaboration.objects.unscoped().aggregate(v=Max("status_changed_at"))["v"],
        Collaboration.objects.unscoped().count(),
        Order.objects.unscoped().count(),
        Creator.objects.unscoped().count(),
        Creator.objects.unscoped().exclude(status=Creator.Status.ACTIVE).count(),
    ]
    return hashlib.sha256(repr(parts).encode()).hexdigest()
