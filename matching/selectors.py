"""The matcher's reads: ranked creators for a brand's product, products for a creator, and
lookalike creators, always on behalf of an actor.

The index answers from its snapshot of the creators; what a tenant must never see wrong is
checked against the rows at request time: a creator shown is active now and passes the
follower, city-tier and vertical filters on its current row (a suspension after the build
takes effect at once). Then the brand-priority tie-break (``matching.priority``) and the
diversity rule pick the final k.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from brands.models import Campaign, Product
from brands.selectors import product_of_brand
from creators.models import Creator, sees_private_figures
from creators.selectors import creators_directory
from mcn.selectors import brand_priority_of_creators
from tenancy.scoping import Actor
from ui.pages import found

from . import engine, features, index
from .models import IndexBuild
from .priority import tie_broken_order
from .services import index_in_force

#: Scores compare as shown (two decimals) for the brand-priority tie-break.
SCORE_DECIMALS = 2


@dataclass(frozen=True)
class Match:
    """One ranked pair: ``subject`` is the creator (for a product) or the product (for a
    creator); ``reasons`` add up to ``score``."""

    subject: object
    score: float
    reasons: list[engine.Reason]
    expected_gmv: tuple[float, float] | None
    fit: dict[str, float]


@dataclass(frozen=True)
class Matches:
    results: list[Match]
    index_version: int | None


def max_agency_share() -> float:
    """At most this share of a top-k from one agency (``MATCH_MAX_AGENCY_SHARE``)."""
    return float(settings.MATCH_MAX_AGENCY_SHARE)


def _loaded(build: IndexBuild):
    return index.load(settings.MATCH_INDEX_DIR, build.pk)


def product_for_matching(*, actor: Actor, product_id: int) -> Product:
    """The brand's own product (any other answers 404, as does an unknown id)."""
    return found(product_of_brand, actor=actor, product_id=product_id)


def _still_eligible(actor: Actor, ids: list[int], filters: engine.Filters) -> dict[int, Creator]:
    """The creators among ``ids`` that pass the filters on their current rows, by id."""
    rows = creators_directory(actor=actor).filter(pk__in=ids, status=Creator.Status.ACTIVE)
    if filters.min_followers is not None:
        rows = rows.filter(followers__gte=filters.min_followers)
    if filters.max_followers is not None:
        rows = rows.filter(followers__lte=filters.max_followers)
    if filters.city_tier is not None:
        rows = rows.filter(city_tier=engine.tx.CITY_TIER[filters.city_tier])
    if filters.vertical is not None:
        rows = rows.filter(vertical=engine.VERTICALS[filters.vertical])
    return {row.pk: row for row in rows.only(*_CREATOR_FIELDS)}


_CREATOR_FIELDS = (
    "id", "handle", "display_name", "followers", "vertical", "city_tier", "region", "status",
    "agency_id", "joined",
)  # fmt: skip


def _expected(scored: engine.Scored, row: int) -> tuple[float, float] | None:
    low, high = scored.gmv[row]
    return None if not np.isfinite(low) else (float(low), float(high))


def _fit(scored: engine.Scored, row: int) -> dict[str, float]:
    return {
        kind: float(scored.components[row, column]) for column, kind in enumerate(engine.COMPONENTS)
    }


def _match(subject, scored: engine.Scored, row: int) -> Match:
    return Match(
        subject=subject,
        score=float(scored.score[row]),
        reasons=engine.reasons_of(scored, row),
        expected_gmv=_expected(scored, row),
        fit=_fit(scored, row),
    )


def creators_for_product(
    *, actor: Actor, product: Product, filters: engine.Filters, limit: int = 20
) -> Matches:
    """The ``limit`` creators whose fans fit ``product`` best (``product`` already the actor's:
    :func:`product_for_matching`)."""
    return creators_for_target(
        actor=actor, target=features.product_of(product), filters=filters, limit=limit
    )


def creators_for_target(
    *, actor: Actor, target: engine.Product, filters: engine.Filters, limit: int = 20
) -> Matches:
    """The ``limit`` creators whose fans fit ``target`` best: a product, or an audience a
    brand described (``matching.targets``), ranked the same way."""
    build = index_in_force()
    if build is None:
        return Matches([], None)
    creators, model = _loaded(build)
    ranked = engine.rank_for_product(creators, target, filters, model, limit)
    ids = [int(i) for i in np.asarray(creators.ids)[ranked.rows]]
    rows = _still_eligible(actor, ids, filters)
    keep = np.array([i in rows for i in ids], dtype=bool)
    positions = np.flatnonzero(keep)
    kept_ids = [ids[p] for p in positions]
    priority = brand_priority_of_creators(kept_ids)
    order = tie_broken_order(
        ranked.scored.score[positions],
        [priority.get(i, 0) for i in kept_ids],
        decimals=SCORE_DECIMALS,
    )
    ordered = positions[order]
    agencies = [rows[ids[p]].agency_id or 0 for p in ordered]
    chosen = ordered[engine.diversified(np.array(agencies), limit, max_agency_share())]
    results = [_match(rows[ids[p]], ranked.scored, int(p)) for p in chosen]
    return Matches(results, build.pk)


def products_open_to_offers() -> QuerySet[Product]:
    """Products brands are placing now: not archived, and their brand has an active campaign
    with creator distribution. Name, category and price are what a creator is shown."""
    live = Campaign.objects.unscoped().filter(
        organization_id=OuterRef("organization_id"),
        status=Campaign.Status.ACTIVE,
        mode__in=[Campaign.Mode.CREATOR_DISTRIBUTION, Campaign.Mode.BOTH],
    )
    return (
        Product.objects.unscoped()
        .filter(archived_at__isnull=True)
        .filter(Exists(live))
        .select_related("organization")
        .order_by("pk")
    )


def creator_for_products(*, actor: Actor, handle: str) -> Creator:
    """The creator whose product fits are asked for: the creator itself, its agency or the
    operator; anyone else (and an unknown handle) 404."""
    creator = creators_directory(actor=actor).filter(handle=handle).only(*_CREATOR_FIELDS).first()
    if creator is None or not sees_private_figures(actor, creator):
        raise Http404
    return creator


def products_for_creator(*, actor: Actor, creator: Creator, limit: int = 20) -> Matches:
    """The products on offer whose target audience ``creator``'s fans fit best."""
    build = index_in_force()
    if build is None or not sees_private_figures(actor, creator):
        return Matches([], build.pk if build else None)
    creators, model = _loaded(build)
    rows = np.flatnonzero(np.asarray(creators.ids) == creator.pk)
    products = list(products_open_to_offers())
    if not len(rows) or not products:
        return Matches([], build.pk)
    targets = features.products_of(products)
    pairs = engine.Pairs(
        creators=creators.take(np.repeat(rows[0], len(products))),
        shares=np.array([t.shares for t in targets]),
        category=np.array([t.category for t in targets], dtype=np.int64),
        price=np.array([t.price for t in targets], dtype=np.float64),
    )
    scored = engine.score_pairs(pairs, model)
    order = np.lexsort((np.arange(len(products)), -scored.score))[:limit]
    return Matches([_match(products[i], scored, int(i)) for i in order], build.pk)


def audiences_of(*, actor: Actor, creator_ids: list[int]) -> dict[int, dict[str, dict]]:
    """``{creator id: {axis: {key: share}}}`` of the shown creators' portraits (one query)."""
    rows = creators_directory(actor=actor).filter(pk__in=creator_ids, audience__isnull=False)
    axes = [f"audience__{axis}" for axis in engine.AUDIENCE_AXES]
    return {
        row[0]: dict(zip(engine.AUDIENCE_AXES, row[1:], strict=True))
        for row in rows.values_list("pk", *axes)
    }


@dataclass(frozen=True)
class Lookalike:
    creator: Creator
    similarity: float


def lookalikes(*, actor: Actor, creator: Creator, limit: int = 10) -> list[Lookalike]:
    """Active creators whose audiences are most like ``creator``'s (a creator the actor may
    already see: its page's selector decided)."""
    build = index_in_force()
    if build is None:
        return []
    creators, _model = _loaded(build)
    row = np.flatnonzero(np.asarray(creators.ids) == creator.pk)
    if not len(row):
        return []
    found_rows, similarity = engine.lookalike_rows(creators, int(row[0]), limit * 2)
    ids = [int(i) for i in np.asarray(creators.ids)[found_rows]]
    current = _still_eligible(actor, ids, engine.Filters())
    pairs = zip(ids, similarity, strict=True)
    result = [Lookalike(current[i], float(s)) for i, s in pairs if i in current]
    return result[:limit]
