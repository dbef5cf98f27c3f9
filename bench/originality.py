"""Benchmark of the originality check: one text against a million indexed items, on PostgreSQL.

Run from the repository root: ``python bench/originality.py [--items N] [--queries Q]``.
PostgreSQL is reached at $BENCH_POSTGRES (default postgres://postgres@127.0.0.1:5432); the
scratch database (``olive_bench_originality``) is created, migrated and dropped at the end.
Prints PASS or FAIL beside each target and exits 1 if one fails.

- Data: ``--items`` (1,000,000) content items by 20,000 creators, loaded with COPY. Their texts
  are Chinese-like captions drawn cheaply: 20–35 "words" of 1–3 characters from 3,000 CJK
  characters, the words Zipf-distributed over a 5,000-word vocabulary (so common words recur
  as "家人们" and "直播间" do: two unrelated texts share ~1% of their 3-grams, at most ~7%).
- Build: ``compliance.originality.index_rebuild`` (what ``build_originality_index`` runs)
  without the flag pass: MinHash signatures in batches, COPY of signatures and 40 band keys
  per item, the (band, key) index and the foreign keys made after the load; then VACUUM ANALYZE.
- Check: ``compliance.originality.check_matches`` (what ``POST /api/v1/originality/check/``
  answers, without HTTP) for ``--queries`` texts: half light edits of indexed items (three
  characters changed, or a word dropped: each must find its item), half new texts (must find
  nothing). p50/p95 beside the target (< 50 ms).
- Reference: a brute-force scan computing the exact Jaccard similarity of the query's 3-grams
  with every item of a 10,000-item sample (their shingle sets precomputed in memory, so the scan
  is only set arithmetic), extrapolated to the whole index, and its ratio to the check's p50.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

import numpy as np
import pandas as pd
from _server import (
    close_connections,
    django_setup,
    drop_database,
    load_creators,
    manage,
    postgres_base,
    psql,
    scalar,
    server_environment,
)

ITEMS = 1_000_000
CREATORS = 20_000
QUERIES = 300
SAMPLE = 10_000
BRUTE_QUERIES = 20
TARGET_MS = 50.0
VOCABULARY = 5_000
CHARACTERS = 3_000
BATCH = 20_000
DATABASE = "olive_bench_originality"


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--items", type=int, default=ITEMS)
    parser.add_argument("--queries", type=int, default=QUERIES)
    parser.add_argument("--database", default=DATABASE)
    parser.add_argument("--keep-database", action="store_true")
    return parser.parse_args()


class Captions:
    """Chinese-like captions: Zipf-distributed words of 1–3 characters."""

    def __init__(self, rng: np.random.Generator):
        chars = np.array([chr(0x4E00 + i) for i in range(CHARACTERS)])
        self.rng = rng
        self.words = np.array(
            ["".join(rng.choice(chars, rng.integers(1, 4))) for _ in range(VOCABULARY)],
            dtype=object,
        )
        weights = 1.0 / np.arange(1, VOCABULARY + 1) ** 0.9
        self.weights = weights / weights.sum()

    def draw(self, count: int) -> list[str]:
        lengths = self.rng.integers(20, 36, count)
        words = self.words[self.rng.choice(VOCABULARY, size=int(lengths.sum()), p=self.weights)]
        bounds = np.concatenate([[0], np.cumsum(lengths)])
        return ["".join(words[bounds[i] : bounds[i + 1]]) for i in range(count)]


def load_content(count: int, creator_ids: np.ndarray, captions: Captions, rng) -> np.ndarray:
    from django.db import transaction

    from bulkload.frames import load_frame, next_ids, reset_sequence
    from creators.models import ContentItem

    ids = np.asarray(next_ids(ContentItem, count), dtype=np.int64)
    seconds = rng.integers(0, 2 * 365 * 86_400, count)
    published = np.datetime64("2024-01-01T00:00:00") + seconds.astype("timedelta64[s]")
    with transaction.atomic():
        for start in range(0, count, 100_000):
            part = slice(start, min(start + 100_000, count))
            size = part.stop - part.start
            frame = pd.DataFrame(
                {
                    "id": ids[part],
                    "creator_id": rng.choice(creator_ids, size),
                    "external_id": [f"v{i}" for i in ids[part]],
                    "kind": "video",
                    "title": "直播切片",
                    "text": captions.draw(size),
                    "published_at": published[part],
                    "views": rng.integers(0, 100_000, size),
                    "engagement": rng.integers(0, 5_000, size),
                }
            )
            load_frame(ContentItem, frame, rebuild_foreign_keys=True)
        reset_sequence(ContentItem)
    return ids


def edited(text: str, rng) -> str:
    """A light edit: three characters changed, or one word's worth (2 characters) dropped."""
    chars = list(text)
    if rng.random() < 0.5:
        for i in rng.choice(len(chars), 3, replace=False):
            chars[i] = chr(0x4E00 + int(rng.integers(CHARACTERS, 2 * CHARACTERS)))
    else:
        at = int(rng.integers(0, len(chars) - 2))
        del chars[at : at + 2]
    return "".join(chars)


def every(n: int):
    """A progress callback printing every ``n``-th line (and the last)."""
    seen = [0]

    def say(line: str) -> None:
        seen[0] += 1
        done, _, total = line.split(" ", 1)[1].partition(" / ")
        if seen[0] % n == 0 or done == total.split(" ")[0]:
            print(f"  {line}")

    return say


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


def bench_check(item_ids: np.ndarray, queries: int, captions: Captions, rng) -> tuple[bool, float]:
    from compliance import originality
    from creators.models import ContentItem

    picked = rng.choice(item_ids, queries // 2, replace=False)
    rows = ContentItem.objects.unscoped().filter(pk__in=picked.tolist())
    texts = dict(rows.values_list("pk", "text"))
    copies = [(pk, edited(texts[pk], rng)) for pk in picked.tolist()]
    fresh = [(None, text) for text in captions.draw(queries - len(copies))]
    asked = copies + fresh
    rng.shuffle(asked)
    for _pk, text in asked[:20]:  # warm the caches and the connection
        originality.check_matches(text)
    timings, found, false_matches, match_counts = [], 0, 0, []
    for pk, text in asked:
        started = time.perf_counter()
        matches = originality.check_matches(text)
        timings.append((time.perf_counter() - started) * 1000)
        ids = [m["content"]["id"] for m in matches]
        match_counts.append(len(ids))
        if pk is None:
            false_matches += bool(ids)
        else:
            found += pk in ids
    p50, p95 = percentile(timings, 50), percentile(timings, 95)
    ok = p95 < TARGET_MS
    print(
        f"check against {len(item_ids):,} items, {len(asked)} queries: p50 {p50:.1f} ms, "
        f"p95 {p95:.1f} ms, max {max(timings):.1f} ms (target < {TARGET_MS:.0f} ms) "
        f"{'PASS' if ok else 'FAIL'}"
    )
    recall = found / len(copies)
    print(
        f"  edited copies found {found}/{len(copies)} (recall {recall:.3f}); new texts with a "
        f"match {false_matches}/{len(fresh)}; matches per query mean "
        f"{statistics.fmean(match_counts):.2f}"
    )
    quality = recall >= 0.95 and false_matches == 0
    print(f"  quality (recall ≥ 0.95, no false match) {'PASS' if quality else 'FAIL'}")
    return ok and quality, p50


def bench_brute_force(item_ids: np.ndarray, captions: Captions, rng, p50: float) -> None:
    from compliance.engine import originality as engine
    from creators.models import ContentItem

    sample = rng.choice(item_ids, min(SAMPLE, len(item_ids)), replace=False).tolist()
    texts = ContentItem.objects.unscoped().filter(pk__in=sample).values_list("text", flat=True)
    sets = [engine.shingles(text) for text in texts]
    queries = [engine.shingles(text) for text in captions.draw(BRUTE_QUERIES)]
    started = time.perf_counter()
    for query in queries:
        best = 0.0
        for other in sets:
            best = max(best, len(query & other) / len(query | other))
    per_query = (time.perf_counter() - started) / len(queries) * 1000
    whole = per_query * len(item_ids) / len(sets)
    print(
        f"reference: brute-force exact Jaccard over a {len(sets):,}-item sample {per_query:.1f} "
        f"ms per query → {whole / 1000:.1f} s against {len(item_ids):,} items "
        f"(extrapolated), {whole / p50:,.0f}× the indexed check's p50"
    )


def main() -> int:
    options = arguments()
    sys.stdout.reconfigure(line_buffering=True)
    base, name = postgres_base(), options.database
    rng = np.random.default_rng(2026)
    drop_database(base, name)
    psql(base, f"CREATE DATABASE {name}")
    try:
        django_setup(server_environment(f"{base}/{name}"))
        manage("migrate", "--noinput")
        from compliance import originality

        started = time.perf_counter()
        creator_ids = load_creators(CREATORS, rng)
        captions = Captions(rng)
        item_ids = load_content(options.items, creator_ids, captions, rng)
        print(
            f"loaded {len(creator_ids):,} creators and {len(item_ids):,} content items "
            f"(COPY) in {time.perf_counter() - started:.0f} s; {_load()}"
        )
        started = time.perf_counter()
        result = originality.index_rebuild(
            batch=BATCH,
            decide_flags=False,
            progress=every(10),
        )
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE compliance_originalitybucket")
            cursor.execute("VACUUM ANALYZE compliance_originalitysignature")
        buckets = scalar("SELECT count(*) FROM compliance_originalitybucket")
        size = scalar("SELECT pg_total_relation_size('compliance_originalitybucket')")
        print(
            f"index built in {time.perf_counter() - started:.0f} s: {result['indexed']:,} "
            f"signatures, {buckets:,} bucket rows ({size / 2**30:.1f} GiB with indexes)"
        )
        ok, p50 = bench_check(item_ids, options.queries, captions, rng)
        bench_brute_force(item_ids, captions, rng, p50)
    finally:
        close_connections()
        if not options.keep_database:
            drop_database(base, name)
    print(f"database {name} {'kept' if options.keep_database else 'dropped'}")
    return 0 if ok else 1


def _load() -> str:
    return f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"


if __name__ == "__main__":
    sys.exit(main())
