"""The matcher: how well a creator's fans fit a product, why, and the best k creators.

Pure numpy / scikit-learn, no Django. Two stages, as search engines do:

1. **Retrieval.** Every creator is one unit row of :data:`DIM` float32 numbers: each audience
   axis's shares L2-normalised and weighted, then the vertical one-hot. A product (its target
   audience and category) becomes a unit query the same way, so one matrix-vector product gives
   every creator's weighted cosine similarity; ``argpartition`` keeps a shortlist.
2. **Scoring.** The shortlist is scored in full: per-axis audience fit (1 − Jensen–Shannon
   distance), category fit, price-band affinity (where the creator's past sales were priced),
   engagement, and a conversion model (gradient boosting trained on past collaborations:
   GMV per 1k followers from pair features). Without enough history the model is left out and
   its weight goes to fit. The score is the sum of its components, so the reasons a result
   carries (its top three components and the rest as "other") add up to the score.

The demo world's hidden fit is a weighted Bhattacharyya coefficient with weights this module
does not know; the matcher's audience fit is a different measure, and the conversion model
learns the link from fit to sales from outcomes alone.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass, field

import numpy as np

from creators import taxonomy as tx

AUDIENCE_AXES: tuple[str, ...] = tx.AUDIENCE_AXES
AXIS_KEYS: dict[str, tuple[str, ...]] = {axis: tx.keys(axis) for axis in AUDIENCE_AXES}


def _slices() -> dict[str, slice]:
    slices, start = {}, 0
    for axis in AUDIENCE_AXES:
        slices[axis] = slice(start, start + len(AXIS_KEYS[axis]))
        start += len(AXIS_KEYS[axis])
    return slices


AXIS_SLICES: dict[str, slice] = _slices()
SHARES_DIM = sum(len(keys) for keys in AXIS_KEYS.values())
VERTICALS: tuple[str, ...] = tx.VERTICAL
DIM = SHARES_DIM + len(VERTICALS)

#: How the audience axes weigh against each other, in retrieval and in the audience fit.
AXIS_WEIGHTS: dict[str, float] = {"gender": 0.2, "age": 0.25, "city_tier": 0.2, "interests": 0.35}
#: The retrieval vector's weight on the category block (the rest is the audience).
RETRIEVAL_CATEGORY_WEIGHT = 0.2

#: Price bands (yuan): where a creator's past sales were priced says what its fans pay.
PRICE_BAND_EDGES: tuple[float, ...] = (50.0, 150.0, 500.0)
PRICE_BANDS: tuple[str, ...] = ("under_50", "50_150", "150_500", "over_500")

#: An interest filter keeps creators whose audience gives it at least this share.
INTEREST_MIN_SHARE = 0.15

#: Component weights: fit alone (thin history) and with the conversion model.
FIT_ONLY_WEIGHTS: dict[str, float] = {
    "audience": 0.7,
    "category": 0.15,
    "price_band": 0.1,
    "engagement": 0.05,
}
MODEL_WEIGHTS: dict[str, float] = {
    "audience": 0.4,
    "category": 0.1,
    "price_band": 0.05,
    "engagement": 0.05,
    "conversion": 0.4,
}
AUDIENCE_KINDS: tuple[str, ...] = tuple(f"audience_{axis}" for axis in AUDIENCE_AXES)
COMPONENTS: tuple[str, ...] = (
    *AUDIENCE_KINDS,
    "category",
    "price_band",
    "engagement",
    "conversion",
)
OTHER = "other"
REASONS_SHOWN = 3
#: A neutral value where a creator has no history (price bands, engagement).
NEUTRAL = 0.5
#: Fewer past collaborations with an outcome than this, and the model is left out.
MIN_TRAINING_PAIRS = 200


# --- threads ------------------------------------------------------------------------------


class _OneThread:
    """BLAS and OpenMP on one thread while any query runs (counted, so that concurrent queries
    of a threaded server restore the pools only when the last one ends).

    A query's matrix-vector product and a 500-row prediction gain nothing from a second
    thread, while the idle pools' spinning threads (OpenMP's after the prediction, OpenBLAS's
    after the product) took the cores from each other: a top-50 among 1M creators on 2 busy
    cores took 196 ms (median) with the pools as they were and 32 ms on one thread
    (``bench/matching.py``). Results are the same: rows are not split across threads.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._users = 0
        self._limit = None

    @functools.cached_property
    def _controller(self):
        import sklearn.ensemble  # noqa: F401  (its OpenMP runtime must be loaded to be seen)
        from threadpoolctl import ThreadpoolController

        return ThreadpoolController()

    def __enter__(self) -> None:
        with self._lock:
            if self._users == 0:
                self._limit = self._controller.limit(limits=1)
            self._users += 1

    def __exit__(self, *exc) -> None:
        with self._lock:
            self._users -= 1
            if self._users == 0:
                self._limit.restore_original_limits()
                self._limit = None


one_thread = _OneThread()


def _on_one_thread(function):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with one_thread:
            return function(*args, **kwargs)

    return wrapper


# --- portraits and vectors -------------------------------------------------------------------


def dense_shares(distributions: list[dict[str, dict[str, float]]]) -> np.ndarray:
    """``(n, SHARES_DIM)`` float64 shares from ``{axis: {key: share}}`` portraits."""
    shares = np.zeros((len(distributions), SHARES_DIM))
    for axis in AUDIENCE_AXES:
        block = AXIS_SLICES[axis]
        keys = AXIS_KEYS[axis]
        for row, portrait in enumerate(distributions):
            values = portrait.get(axis) or {}
            shares[row, block] = [float(values.get(key, 0.0)) for key in keys]
    return shares


def retrieval_vectors(shares: np.ndarray, verticals: np.ndarray) -> np.ndarray:
    """Unit float32 rows: dot products of two rows are their weighted cosine similarity.

    ``verticals``: codes into :data:`VERTICALS` (-1 for none: the category block stays 0).
    """
    shares = np.atleast_2d(np.asarray(shares, dtype=np.float64))
    verticals = np.atleast_1d(np.asarray(verticals, dtype=np.int64))
    vectors = np.zeros((len(shares), DIM), dtype=np.float64)
    audience = 1.0 - RETRIEVAL_CATEGORY_WEIGHT
    for axis in AUDIENCE_AXES:
        block = shares[:, AXIS_SLICES[axis]]
        norms = np.linalg.norm(block, axis=1, keepdims=True)
        unit = np.divide(block, norms, out=np.zeros_like(block), where=norms > 0)
        vectors[:, AXIS_SLICES[axis]] = unit * np.sqrt(AXIS_WEIGHTS[axis] * audience)
    known = verticals >= 0
    vectors[np.flatnonzero(known), SHARES_DIM + verticals[known]] = np.sqrt(
        RETRIEVAL_CATEGORY_WEIGHT
    )
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0).astype(np.float32)


def price_band(prices: np.ndarray) -> np.ndarray:
    """The band code of each price."""
    return np.searchsorted(PRICE_BAND_EDGES, np.asarray(prices, dtype=np.float64), side="right")


# --- the creators side (what the index holds) ----------------------------------------------


@dataclass(frozen=True)
class Creators:
    """Column arrays over the indexed creators, row-aligned (the index maps them read-only).

    ``price_bands``: each creator's share of past order value per price band (rows of 0 = no
    sales yet); ``engagement``: its percentile among the indexed creators; ``conversion``: its
    past mean log GMV per 1k followers (NaN: none); ``fee``: the fee it would likely ask.
    """

    ids: np.ndarray
    shares: np.ndarray
    vectors: np.ndarray
    followers: np.ndarray
    vertical: np.ndarray
    city_tier: np.ndarray
    agency: np.ndarray
    active: np.ndarray
    engagement: np.ndarray
    price_bands: np.ndarray
    conversion: np.ndarray
    fee: np.ndarray

    def __len__(self) -> int:
        return len(self.ids)

    def take(self, rows: np.ndarray) -> Creators:
        """The creators at ``rows`` (copies: a shortlist, not the mapped index)."""
        return Creators(**{name: np.asarray(value)[rows] for name, value in self.columns()})

    def columns(self):
        return ((name, getattr(self, name)) for name in self.__dataclass_fields__)


def engagement_percentile(rates: np.ndarray) -> np.ndarray:
    """Each rate's percentile in [0, 1] among all (NaN rates → :data:`NEUTRAL`)."""
    rates = np.asarray(rates, dtype=np.float64)
    result = np.full(len(rates), NEUTRAL)
    known = np.isfinite(rates)
    if known.sum() > 1:
        order = rates[known].argsort(kind="stable").argsort(kind="stable")
        result[known] = order / (known.sum() - 1)
    return result


# --- the product side ---------------------------------------------------------------------


@dataclass(frozen=True)
class Product:
    """A product as the matcher sees it: target audience shares, category code, price."""

    shares: np.ndarray
    category: int
    price: float

    def vector(self) -> np.ndarray:
        return retrieval_vectors(self.shares[None, :], np.array([self.category]))[0]


# --- pair features, the conversion model ------------------------------------------------------


def audience_fit(creator_shares: np.ndarray, target_shares: np.ndarray) -> np.ndarray:
    """``(n, axes)`` fit per audience axis: 1 − Jensen–Shannon distance (base 2, in [0, 1])."""
    creator_shares = np.atleast_2d(np.asarray(creator_shares, dtype=np.float64))
    target_shares = np.broadcast_to(
        np.asarray(target_shares, dtype=np.float64), creator_shares.shape
    )
    fits = np.empty((len(creator_shares), len(AUDIENCE_AXES)))
    for column, axis in enumerate(AUDIENCE_AXES):
        block = AXIS_SLICES[axis]
        fits[:, column] = 1.0 - _js_distance(creator_shares[:, block], target_shares[:, block])
    return np.clip(fits, 0.0, 1.0)


def _js_distance(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Row-wise Jensen–Shannon distance, base 2; an empty row is at distance 1 from anything.

    Written out rather than scipy's: rounding can make the divergence of two equal rows a hair
    below 0, and scipy's square root of that is NaN."""
    p = _normalised(p)
    q = _normalised(q)
    m = (p + q) / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        left = np.where(p > 0, p * np.log2(p / m), 0.0).sum(axis=1)
        right = np.where(q > 0, q * np.log2(q / m), 0.0).sum(axis=1)
    divergence = np.clip((left + right) / 2, 0.0, 1.0)
    empty = (p.sum(axis=1) == 0) | (q.sum(axis=1) == 0)
    return np.where(empty, 1.0, np.sqrt(divergence))


def _normalised(rows: np.ndarray) -> np.ndarray:
    totals = rows.sum(axis=1, keepdims=True)
    return np.divide(rows, totals, out=np.zeros_like(rows), where=totals > 0)


def band_affinity(price_bands: np.ndarray, bands: np.ndarray) -> np.ndarray:
    """The share of each creator's past sales in the product's band (no sales → NEUTRAL)."""
    price_bands = np.atleast_2d(price_bands)
    bands = np.broadcast_to(bands, (len(price_bands),))
    had_sales = price_bands.sum(axis=1) > 0
    return np.where(had_sales, price_bands[np.arange(len(price_bands)), bands], NEUTRAL)


FEATURES: tuple[str, ...] = (
    *(f"fit_{axis}" for axis in AUDIENCE_AXES),
    "same_category",
    "band_affinity",
    "log_followers",
    "engagement",
    "past_conversion",
    "log_price",
)


@dataclass(frozen=True)
class Pairs:
    """Creator–product pairs, row-aligned: the creators and each pair's product fields."""

    creators: Creators
    shares: np.ndarray  # (n, SHARES_DIM) or (SHARES_DIM,) product targets
    category: np.ndarray
    price: np.ndarray

    @classmethod
    def of_product(cls, creators: Creators, product: Product) -> Pairs:
        return cls(creators, product.shares, np.int64(product.category), np.float64(product.price))

    def fit(self) -> np.ndarray:
        return audience_fit(self.creators.shares, self.shares)

    def features(self, fit: np.ndarray | None = None) -> np.ndarray:
        """The model's ``(n, len(FEATURES))`` inputs (NaN: no history; the model copes)."""
        n = len(self.creators)
        fit = self.fit() if fit is None else fit
        price = np.broadcast_to(np.asarray(self.price, dtype=np.float64), (n,))
        same = self.creators.vertical == np.broadcast_to(self.category, (n,))
        columns = [
            fit,
            same[:, None].astype(np.float64),
            band_affinity(self.creators.price_bands, price_band(price))[:, None],
            np.log10(np.maximum(self.creators.followers, 1))[:, None],
            self.creators.engagement[:, None],
            self.creators.conversion[:, None],
            np.log10(np.maximum(price, 1.0))[:, None],
        ]
        return np.hstack([np.asarray(c, dtype=np.float64) for c in columns])


@dataclass
class ConversionModel:
    """Gradient boosting on pair features predicting log1p(GMV per 1k followers).

    ``calibration`` (sorted training predictions) turns a prediction into its percentile, the
    score's conversion component; ``residuals`` (20th, 80th percentile of training residuals)
    give the expected GMV range.
    """

    estimator: object
    calibration: np.ndarray
    residuals: tuple[float, float]
    pairs: int
    r2: float = field(default=float("nan"))

    def predict(self, features: np.ndarray) -> np.ndarray:
        return np.asarray(self.estimator.predict(features), dtype=np.float64)

    def percentile(self, predictions: np.ndarray) -> np.ndarray:
        ranks = np.searchsorted(self.calibration, predictions, side="right")
        return np.clip(ranks / max(len(self.calibration), 1), 0.0, 1.0)

    def gmv_range(self, predictions: np.ndarray, followers: np.ndarray) -> np.ndarray:
        """``(n, 2)`` low and high expected GMV (yuan) of one collaboration."""
        low, high = self.residuals
        per_1k = np.expm1(np.maximum(predictions[:, None] + np.array([low, high]), 0.0))
        return per_1k * np.asarray(followers, dtype=np.float64)[:, None] / 1000.0


def train_conversion_model(
    features: np.ndarray, gmv_per_1k: np.ndarray, *, seed: int = 0
) -> ConversionModel | None:
    """The model learnt from past pairs, or None when there are too few to trust."""
    from sklearn.ensemble import HistGradientBoostingRegressor

    target = np.log1p(np.maximum(np.asarray(gmv_per_1k, dtype=np.float64), 0.0))
    if len(target) < MIN_TRAINING_PAIRS or np.ptp(target) == 0:
        return None
    estimator = HistGradientBoostingRegressor(
        max_iter=200, learning_rate=0.08, max_leaf_nodes=15, l2_regularization=1.0,
        random_state=seed,
    )  # fmt: skip
    estimator.fit(features, target)
    predicted = estimator.predict(features)
    residual = target - predicted
    return ConversionModel(
        estimator=estimator,
        calibration=np.sort(predicted),
        residuals=(float(np.percentile(residual, 20)), float(np.percentile(residual, 80))),
        pairs=len(target),
        r2=float(estimator.score(features, target)),
    )


# --- scores and reasons ---------------------------------------------------------------------


@dataclass(frozen=True)
class Scored:
    """Scores of aligned pairs: ``components`` (n, len(COMPONENTS)) sum to ``score`` per row;
    ``gmv`` (n, 2) low/high expected GMV (NaN without a model); ``detail``: the audience key
    that overlaps most, per axis (n, axes), as codes into that axis's keys."""

    score: np.ndarray
    components: np.ndarray
    gmv: np.ndarray
    detail: np.ndarray


@_on_one_thread
def score_pairs(pairs: Pairs, model: ConversionModel | None) -> Scored:
    """The full score of each pair and its components."""
    n = len(pairs.creators)
    fit = pairs.fit()
    weights = MODEL_WEIGHTS if model is not None else FIT_ONLY_WEIGHTS
    components = np.zeros((n, len(COMPONENTS)))
    axis_weight = np.array([AXIS_WEIGHTS[axis] for axis in AUDIENCE_AXES])
    components[:, : len(AUDIENCE_AXES)] = weights["audience"] * axis_weight * fit
    features = pairs.features(fit)
    column = {name: i for i, name in enumerate(FEATURES)}
    components[:, COMPONENTS.index("category")] = (
        weights["category"] * features[:, column["same_category"]]
    )
    components[:, COMPONENTS.index("price_band")] = (
        weights["price_band"] * features[:, column["band_affinity"]]
    )
    components[:, COMPONENTS.index("engagement")] = (
        weights["engagement"] * features[:, column["engagement"]]
    )
    gmv = np.full((n, 2), np.nan)
    if model is not None and n:
        predicted = model.predict(features)
        components[:, COMPONENTS.index("conversion")] = weights["conversion"] * model.percentile(
            predicted
        )
        gmv = model.gmv_range(predicted, pairs.creators.followers)
    return Scored(
        score=components.sum(axis=1),
        components=components,
        gmv=gmv,
        detail=_overlap_keys(pairs.creators.shares, pairs.shares),
    )


def _overlap_keys(creator_shares: np.ndarray, target_shares: np.ndarray) -> np.ndarray:
    """Per axis, the key where the creator's fans and the target overlap most (min of shares)."""
    creator_shares = np.atleast_2d(creator_shares)
    overlap = np.minimum(creator_shares, np.broadcast_to(target_shares, creator_shares.shape))
    return np.column_stack([overlap[:, AXIS_SLICES[axis]].argmax(axis=1) for axis in AUDIENCE_AXES])


@dataclass(frozen=True)
class Reason:
    kind: str
    contribution: float
    detail: str | None = None


def reasons_of(scored: Scored, row: int, *, shown: int = REASONS_SHOWN) -> list[Reason]:
    """The row's ``shown`` largest components, then the rest as one "other" reason: the
    contributions add up to the row's score."""
    values = scored.components[row]
    order = np.lexsort((np.arange(len(values)), -values))
    top = [int(i) for i in order[:shown] if values[i] > 0]
    reasons = [Reason(COMPONENTS[i], float(values[i]), _detail(scored, row, i)) for i in top]
    rest = float(values.sum() - sum(values[i] for i in top))
    if rest > 1e-12:
        reasons.append(Reason(OTHER, rest))
    return reasons


def _detail(scored: Scored, row: int, component: int) -> str | None:
    if component < len(AUDIENCE_AXES):
        axis = AUDIENCE_AXES[component]
        return AXIS_KEYS[axis][int(scored.detail[row, component])]
    return None


# --- filters, shortlist, ranking --------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """Which creators may appear. ``None`` leaves a filter off; codes index the taxonomy."""

    min_followers: int | None = None
    max_followers: int | None = None
    city_tier: int | None = None
    interest: int | None = None
    vertical: int | None = None
    max_fee: float | None = None
    exclude: tuple[int, ...] = ()

    def mask(self, creators: Creators) -> np.ndarray:
        keep = np.asarray(creators.active, dtype=bool).copy()
        if self.min_followers is not None:
            keep &= creators.followers >= self.min_followers
        if self.max_followers is not None:
            keep &= creators.followers <= self.max_followers
        if self.city_tier is not None:
            keep &= creators.city_tier == self.city_tier
        if self.vertical is not None:
            keep &= creators.vertical == self.vertical
        if self.interest is not None:
            column = AXIS_SLICES["interests"].start + self.interest
            keep &= creators.shares[:, column] >= INTEREST_MIN_SHARE
        if self.max_fee is not None:
            keep &= creators.fee <= self.max_fee
        if self.exclude:
            keep &= ~np.isin(creators.ids, np.asarray(self.exclude, dtype=np.int64))
        return keep


#: The floor of :func:`top_rows` comes from every this many-th row.
TOP_ROWS_SAMPLE_STRIDE = 32


def top_rows(similarity: np.ndarray, keep: np.ndarray, k: int) -> np.ndarray:
    """Rows of the ``k`` highest similarities among ``keep``, best first (ties: lower row).

    Exact, without partitioning every row: the k-th best of a strided sample is a floor that at
    least k kept rows reach, so the top k are among the rows at or above it (a few thousand
    instead of a million: no copy of the whole column, one comparison pass).
    """
    keep = np.asarray(keep, dtype=bool)
    candidates = _at_or_above_floor(similarity, keep, k)
    values = np.asarray(similarity[candidates])
    finite = np.isfinite(values)
    candidates, values = candidates[finite], values[finite]
    k = min(k, len(candidates))
    if k <= 0:
        return np.empty(0, dtype=np.int64)
    if k < len(candidates):
        kth = np.partition(values, len(values) - k)[len(values) - k]
        above = values > kth
        ties = np.flatnonzero(values == kth)[: k - int(above.sum())]  # the lowest rows
        chosen = np.sort(np.concatenate([np.flatnonzero(above), ties]))
        candidates, values = candidates[chosen], values[chosen]
    return candidates[np.lexsort((candidates, -values))]


def _at_or_above_floor(similarity: np.ndarray, keep: np.ndarray, k: int) -> np.ndarray:
    """Kept rows (ascending) whose similarity reaches the k-th best of a strided sample."""
    step = TOP_ROWS_SAMPLE_STRIDE
    sample = np.asarray(similarity[::step])
    sample = sample[keep[::step] & np.isfinite(sample)]
    if k <= 0 or len(sample) < k:
        return np.flatnonzero(keep)
    floor = np.partition(sample, len(sample) - k)[len(sample) - k]
    return np.flatnonzero((similarity >= floor) & keep)


def shortlist_size(k: int) -> int:
    """How many retrieved creators are scored in full for a top-k (retrieval is approximate)."""
    return max(10 * k, 500)


@dataclass(frozen=True)
class Ranked:
    """The scored shortlist, best score first: ``rows`` into the index, their pairs' scores."""

    rows: np.ndarray
    scored: Scored


@_on_one_thread
def rank_for_product(
    creators: Creators, product: Product, filters: Filters, model: ConversionModel | None, k: int
) -> Ranked:
    """Retrieve a shortlist for ``product`` among the filtered creators and score it in full."""
    similarity = creators.vectors @ product.vector()
    rows = top_rows(similarity, filters.mask(creators), shortlist_size(k))
    shortlist = creators.take(rows)
    scored = score_pairs(Pairs.of_product(shortlist, product), model)
    order = np.lexsort((rows, -scored.score))
    return Ranked(rows=rows[order], scored=_reordered(scored, order))


def _reordered(scored: Scored, order: np.ndarray) -> Scored:
    return Scored(
        score=scored.score[order],
        components=scored.components[order],
        gmv=scored.gmv[order],
        detail=scored.detail[order],
    )


@_on_one_thread
def lookalike_rows(creators: Creators, row: int, k: int, filters: Filters | None = None):
    """``(rows, similarity)`` of the ``k`` creators whose audiences are most like ``row``'s."""
    similarity = creators.vectors @ np.asarray(creators.vectors[row], dtype=np.float32)
    keep = (filters or Filters()).mask(creators)
    keep[row] = False
    rows = top_rows(similarity, keep, k)
    return rows, similarity[rows].astype(np.float64)


def diversified(agencies: np.ndarray, k: int, max_share: float) -> np.ndarray:
    """Positions (into a best-first list) of the first ``k`` that keep each agency within
    ``max_share`` of ``k`` (at least one each); creators without an agency (0) are not capped."""
    cap = max(1, int(np.floor(max_share * k)))
    taken: dict[int, int] = {}
    chosen = []
    for position, agency in enumerate(np.asarray(agencies, dtype=np.int64)):
        if len(chosen) == k:
            break
        agency = int(agency)
        if agency and taken.get(agency, 0) >= cap:
            continue
        taken[agency] = taken.get(agency, 0) + 1
        chosen.append(position)
    return np.asarray(chosen, dtype=np.int64)


# --- evaluation -------------------------------------------------------------------------------


def ranking_quality(
    groups: list[tuple[np.ndarray, np.ndarray]], *, k: int = 20, relevant_above: float
) -> tuple[float, float]:
    """Mean NDCG@k and precision@k over groups of ``(relevance, ranking score)``.

    A pair is relevant for precision when its relevance exceeds ``relevant_above``; groups of
    one pair say nothing about order and are left out.
    """
    from sklearn.metrics import ndcg_score

    ndcgs, precisions = [], []
    for relevance, score in groups:
        if len(relevance) < 2:
            continue
        ndcgs.append(ndcg_score(relevance[None, :], score[None, :], k=k))
        top = np.lexsort((np.arange(len(score)), -score))[:k]
        precisions.append(float(np.mean(relevance[top] > relevant_above)))
    if not ndcgs:
        return float("nan"), float("nan")
    return float(np.mean(ndcgs)), float(np.mean(precisions))
