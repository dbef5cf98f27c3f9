"""The matcher's speed: top-50 for a product among N creators, beside scikit-learn, in one process.

    python bench/matching.py [--sizes 100000,1000000] [--queries 50] [--hnsw-sizes 100000]
                             [--budget-gib 6]

1. **In-process**, for each size: a synthetic index shaped like the real one (Dirichlet audience
   portraits per axis, random verticals, followers, agencies, fees, price-band histories; vectors
   from ``engine.retrieval_vectors``) and a ``ConversionModel`` trained with
   ``engine.train_conversion_model`` on synthetic pairs, so the re-rank includes the model's
   prediction. The index is written with ``matching.index.write`` and mapped with
   ``index.load`` (build time = vectors + write + map; file size). Then, over ``--queries``
   different products: ``engine.rank_for_product`` (retrieval of the shortlist + full scoring),
   our retrieval stage alone (matrix-vector + ``top_rows``' argpartition, top 50) and
   scikit-learn's ``NearestNeighbors(metric="cosine", algorithm="brute").kneighbors`` (50) on the
   same vectors and the same queries; median and p95 of each, the ratio, and how often the two
   retrievals agree on the top-50 set. Targets: top-50 among 1M < 50 ms, faster than sklearn.
2. **Crossover to pgvector**: brute force's scaling in N (time, matrix bytes against a memory
   budget, default 25 % of this machine's memory) and, where ``hnswlib`` imports, an HNSW index
   as the stand-in for pgvector's (m=16, ef_construction=64 as pgvector's defaults, ef_search
   100): build time, query time and recall@50 against the exact top-50 (``--hnsw-sizes``).

The defaults keep ``make bench`` short; the crossover in the README was printed by
``--sizes 100000,1000000,3000000 --hnsw-sizes 100000,1000000``. The API at 100k creators on
PostgreSQL is ``bench/matching_api.py``.

Exits 1 if a target fails.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, sys.path[0] is bench/, where this file would shadow the matching package.
if str(ROOT) not in sys.path[:1]:
    sys.path.insert(0, str(ROOT))

from matching import engine, index  # noqa: E402

K = 50
TOP50_TARGET_MS = 50.0
TARGET_SIZE = 1_000_000
TRAINING_PAIRS = 5_000
AGENCIES = 2_000
HNSW_M, HNSW_EF_CONSTRUCTION, HNSW_EF_SEARCH = 16, 64, 100


# --- Synthetic world ----------------------------------------------------------------------------


def portraits(n: int, rng: np.random.Generator, concentration: float = 0.6) -> np.ndarray:
    """``(n, SHARES_DIM)`` float64 shares, one Dirichlet draw per axis (skewed, as real fans)."""
    shares = np.empty((n, engine.SHARES_DIM))
    for axis in engine.AUDIENCE_AXES:
        block = engine.AXIS_SLICES[axis]
        width = block.stop - block.start
        shares[:, block] = rng.dirichlet(np.full(width, concentration), n)
    return shares


def creator_columns(n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Every column of the index except the vectors (the build computes those)."""
    followers = np.round(rng.lognormal(9, 2, n)).astype(np.int64)
    price_bands = rng.dirichlet(np.ones(len(engine.PRICE_BANDS)), n)
    price_bands[rng.random(n) < 0.6] = 0.0  # most creators have not sold yet
    conversion = np.where(rng.random(n) < 0.2, rng.normal(1.5, 0.8, n), np.nan)
    return {
        "ids": np.arange(1, n + 1, dtype=np.int64),
        "shares": portraits(n, rng).astype(np.float32),
        "followers": followers,
        "vertical": np.where(
            rng.random(n) < 0.05, -1, rng.integers(0, len(engine.VERTICALS), n)
        ).astype(np.int8),
        "city_tier": rng.integers(0, len(engine.tx.CITY_TIER), n).astype(np.int8),
        "agency": np.where(rng.random(n) < 0.5, 0, rng.integers(1, AGENCIES, n)),
        "active": rng.random(n) >= 0.03,
        "engagement": engine.engagement_percentile(rng.beta(2, 30, n)).astype(np.float32),
        "price_bands": price_bands.astype(np.float32),
        "conversion": conversion.astype(np.float32),
        "fee": (20 * followers**0.6).astype(np.float32),
    }


def products(m: int, rng: np.random.Generator) -> list[engine.Product]:
    shares = portraits(m, rng, concentration=0.8)
    categories = rng.integers(0, len(engine.VERTICALS), m)
    prices = rng.lognormal(4.5, 1.0, m)
    return [
        engine.Product(shares[i], int(categories[i]), float(prices[i])) for i in range(m)
    ]  # fmt: skip


def conversion_model(creators: engine.Creators, rng: np.random.Generator):
    """Gradient boosting on synthetic pairs whose GMV per 1k follows a hidden fit + noise."""
    rows = rng.integers(0, len(creators), TRAINING_PAIRS)
    targets = products(TRAINING_PAIRS, rng)
    pairs = engine.Pairs(
        creators=creators.take(rows),
        shares=np.array([t.shares for t in targets]),
        category=np.array([t.category for t in targets], dtype=np.int64),
        price=np.array([t.price for t in targets]),
    )
    features = pairs.features()
    hidden = features[:, : len(engine.AUDIENCE_AXES)].mean(axis=1) + 0.3 * features[:, 4]
    gmv_per_1k = np.expm1(np.maximum(4 * hidden + rng.normal(0, 0.5, TRAINING_PAIRS), 0))
    return engine.train_conversion_model(features, gmv_per_1k, seed=0)


# --- Build --------------------------------------------------------------------------------------


def folder_bytes(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.iterdir())


def build(columns: dict, model, root: Path) -> tuple[engine.Creators, dict[str, float]]:
    """Vectors from shares, the version written and mapped; seconds of each step."""
    started = time.perf_counter()
    vectors = engine.retrieval_vectors(columns["shares"], columns["vertical"])
    vectorised = time.perf_counter()
    directory = index.write(root, 1, engine.Creators(vectors=vectors, **columns), model)
    written = time.perf_counter()
    creators, _model = index.load(root, 1)
    mapped = time.perf_counter()
    return creators, {
        "vectors": vectorised - started,
        "write": written - vectorised,
        "map": mapped - written,
        "bytes": folder_bytes(directory),
        "matrix_bytes": vectors.nbytes,
    }


# --- Timing -------------------------------------------------------------------------------------


def timed(run, inputs) -> tuple[np.ndarray, list]:
    """Milliseconds of ``run(x)`` for each input (after one warm-up call) and the results;
    ``timed.cpu`` holds the process's CPU milliseconds of each call (steadier than the wall
    clock on a machine shared with other work)."""
    run(inputs[0])
    times, cpu, results = [], [], []
    for item in inputs:
        started, used = time.perf_counter(), time.process_time()
        results.append(run(item))
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - used) * 1000)
    timed.cpu = np.array(cpu)
    return np.array(times), results


def summary(ms: np.ndarray, cpu: np.ndarray | None = None) -> str:
    text = f"median {np.median(ms):.1f} ms, p95 {np.percentile(ms, 95):.1f} ms"
    return text if cpu is None else f"{text} (CPU median {np.median(cpu):.1f} ms)"


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def retrieval(creators: engine.Creators, vector: np.ndarray) -> np.ndarray:
    """Our retrieval stage alone, top-50 over every creator: matrix-vector + argpartition, on
    one thread as ``rank_for_product`` runs it (sklearn keeps its default pools)."""
    with engine.one_thread:
        similarity = creators.vectors @ vector
        return engine.top_rows(similarity, np.ones(len(similarity), dtype=bool), K)


def bench_queries(creators, model, queries: list[engine.Product]) -> dict:
    from sklearn.neighbors import NearestNeighbors

    vectors = [q.vector() for q in queries]
    ranked_ms, _ = timed(
        lambda q: engine.rank_for_product(creators, q, engine.Filters(), model, K), queries
    )
    cpu = {"rank_cpu": timed.cpu}
    ours_ms, ours = timed(lambda v: retrieval(creators, v), vectors)
    cpu["retrieval_cpu"] = timed.cpu
    started = time.perf_counter()
    reference = NearestNeighbors(metric="cosine", algorithm="brute").fit(creators.vectors)
    fit_s = time.perf_counter() - started
    sklearn_ms, theirs = timed(lambda v: reference.kneighbors(v[None, :], K)[1][0], vectors)
    cpu["sklearn_cpu"] = timed.cpu
    agree = np.mean([len(np.intersect1d(a, b)) / K for a, b in zip(ours, theirs, strict=True)])
    return {
        **cpu,
        "exact": (np.array(vectors), ours),
        "rank": ranked_ms,
        "retrieval": ours_ms,
        "sklearn": sklearn_ms,
        "sklearn_fit": fit_s,
        "agree": agree,
    }


def bench_size(n: int, queries: int, rng: np.random.Generator, *, hnsw: bool) -> dict:
    columns = creator_columns(n, rng)
    sample = {name: values[:20_000] for name, values in columns.items()}
    vectors = engine.retrieval_vectors(sample["shares"], sample["vertical"])
    model = conversion_model(engine.Creators(vectors=vectors, **sample), rng)
    with tempfile.TemporaryDirectory(prefix="olive_bench_match_") as folder:
        creators, built = build(columns, model, Path(folder))
        figures = bench_queries(creators, model, products(queries, rng))
        figures.update(built, n=n, load=os.getloadavg()[0])
        if hnsw:
            figures["hnsw"] = bench_hnsw(creators.vectors, figures["exact"])
        index.prune(Path(folder), set())  # drop this process's map of the version
    return figures


def report_size(figures: dict) -> bool:
    n, rank = figures["n"], figures["rank"]
    ratio = np.median(figures["retrieval"]) / np.median(figures["sklearn"])
    rank_ratio = np.median(rank) / np.median(figures["sklearn"])
    seconds = figures["vectors"] + figures["write"] + figures["map"]
    print(
        f"{n:,} creators (load average {figures['load']:.1f}): index build {seconds:.2f} s"
        f" (vectors {figures['vectors']:.2f} s, write {figures['write']:.2f} s, map "
        f"{figures['map'] * 1000:.1f} ms); files {figures['bytes'] / 2**20:,.0f} MiB (matrix "
        f"{figures['matrix_bytes'] / 2**20:,.0f} MiB, {figures['bytes'] / n:.0f} B a creator)"
    )
    at_target = n == TARGET_SIZE
    fast = np.median(rank) < TOP50_TARGET_MS
    target = f"target < {TOP50_TARGET_MS:.0f} ms" if at_target else "the target is at 1M"
    print(
        f"  top-50 for a product (rank_for_product: retrieval + scoring of "
        f"{engine.shortlist_size(K)}, with the model): {summary(rank, figures['rank_cpu'])} "
        f"({target})"
        f"{'  ' + verdict(fast) if at_target else ''}"
    )
    alone = summary(figures["retrieval"], figures["retrieval_cpu"])
    print(f"  our retrieval alone (matrix-vector + argpartition, top-50): {alone}")
    print(
        f"  sklearn NearestNeighbors(cosine, brute).kneighbors(50): "
        f"{summary(figures['sklearn'], figures['sklearn_cpu'])}"
        f" (fit {figures['sklearn_fit'] * 1000:.0f} ms); same top-50 set {figures['agree']:.1%}"
    )
    # Like for like, retrieval against sklearn at every size; at 1M the whole top-50 too.
    beats = ratio < 1 and (rank_ratio < 1 or not at_target)
    whole = "target < 1" if at_target else "scoring included: the target is at 1M"
    print(
        f"  ratio to sklearn (medians): retrieval {ratio:.2f} (target < 1), whole top-50 "
        f"{rank_ratio:.2f} ({whole})  {verdict(beats)}"
    )
    return beats and (fast or not at_target)


# --- Crossover ----------------------------------------------------------------------------------


def bench_hnsw(vectors: np.ndarray, exact: tuple[np.ndarray, list]) -> dict | None:
    """hnswlib's HNSW over the same vectors (inner product = cosine on unit rows)."""
    try:
        import hnswlib
    except ImportError:
        return None
    n = len(vectors)
    hnsw = hnswlib.Index(space="ip", dim=engine.DIM)
    started = time.perf_counter()
    hnsw.init_index(max_elements=n, M=HNSW_M, ef_construction=HNSW_EF_CONSTRUCTION, random_seed=1)
    hnsw.add_items(np.asarray(vectors), np.arange(n))
    built = time.perf_counter() - started
    hnsw.set_ef(HNSW_EF_SEARCH)
    hnsw.set_num_threads(1)
    queries, truth = exact
    ms, found = timed(lambda v: hnsw.knn_query(v[None, :], K)[0][0], list(queries))
    recall = np.mean([len(np.intersect1d(a, b)) / K for a, b in zip(truth, found, strict=True)])
    return {"n": n, "build": built, "ms": ms, "recall": recall, "bytes": hnsw.index_file_size()}


def crossover(sizes: list[dict], hnsw: list[dict], budget: float) -> None:
    n = np.array([f["n"] for f in sizes], dtype=np.float64)
    retrieval_ms = np.array([np.median(f["retrieval"]) for f in sizes])
    rank_ms = np.array([np.median(f["rank"]) for f in sizes])
    print("crossover (brute force in one process → pgvector's HNSW beside the rows):")
    # Retrieval grows with N; the scoring of the shortlist (rank − retrieval) does not.
    per_creator = float(retrieval_ms @ n / (n @ n))
    scoring = float(np.median(rank_ms - retrieval_ms))
    at_50 = (TOP50_TARGET_MS - scoring) / per_creator
    print(
        f"  brute-force retrieval grows {per_creator * 1e6:.1f} ms per 1M creators (fit through "
        f"0 over {', '.join(f'{x:,.0f}' for x in n)}), scoring the shortlist adds ~{scoring:.0f}"
        f" ms: the top-50 reaches {TOP50_TARGET_MS:.0f} ms at ~{at_50 / 1e6:.1f}M creators"
    )
    per_creator = np.mean([f["bytes"] / f["n"] for f in sizes])
    fits = budget / per_creator
    print(
        f"  the index takes {per_creator:.0f} B a creator ({engine.DIM * 4} B of it the matrix):"
        f" a {budget / 2**30:.1f} GiB budget holds ~{fits / 1e6:.1f}M creators "
        f"(matrix alone: ~{budget / (engine.DIM * 4) / 1e6:.0f}M)"
    )
    if not hnsw:
        print("  HNSW stand-in: skipped (hnswlib not importable: python -m pip install hnswlib)")
    for h in hnsw:
        print(
            f"  HNSW (hnswlib, M={HNSW_M}, ef_construction={HNSW_EF_CONSTRUCTION}, ef_search="
            f"{HNSW_EF_SEARCH}) at {h['n']:,}: build {h['build']:.1f} s on {os.cpu_count()} "
            f"cores, query {summary(h['ms'])}, recall@50 {h['recall']:.3f}, index "
            f"{h['bytes'] / 2**20:,.0f} MiB"
        )


# --- Main ---------------------------------------------------------------------------------------


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--hnsw-sizes", default="100000")
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    parser.add_argument("--budget-gib", type=float, default=total / 4 / 2**30)
    return parser.parse_args()


def main() -> int:
    options = arguments()
    sys.stdout.reconfigure(line_buffering=True)  # each size's lines as soon as it is measured
    rng = np.random.default_rng(20261202)
    sizes = [int(s) for s in options.sizes.split(",") if s]
    hnsw_sizes = {int(s) for s in options.hnsw_sizes.split(",") if s}
    results, measured, hnsw = [], [], []
    print(
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; {options.queries} products"
    )
    for n in sizes:
        figures = bench_size(n, options.queries, rng, hnsw=n in hnsw_sizes)
        results.append(report_size(figures))
        hnsw.append(figures.get("hnsw"))
        measured.append(figures)
    crossover(measured, [h for h in hnsw if h], options.budget_gib * 2**30)
    print(f"{sum(results)}/{len(results)} sizes met their targets")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
