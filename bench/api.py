"""Partner API on PostgreSQL through a real server: bulk ingestion and list-page latency.

    python bench/api.py [--keep-log]

Creates a throwaway database ``olive_bench_api_<pid>`` at $BENCH_POSTGRES (default
postgres://postgres@127.0.0.1:5432), migrates it, seeds the demo world with 1,000 creators
(``seed_demo --creators 1000 --weeks 1``), starts ``gunicorn config.wsgi -w 2`` on a free port
(production-like settings: DEBUG off, no Redis, a throttle high enough not to interfere) and talks
to it over HTTP with an API key of the partner organization "datalink". It then measures:

1. Ingest: 100,000 metric snapshots (1,000 creators x 100 days) in 10 sequential requests of
   10,000 rows to ``POST /api/v1/metrics/bulk/`` (bodies built before the clock starts), then
   the same 10 requests again, which must change nothing (row count and row versions).
2. Latency: p50/p95 of 50 sequential ``GET``s (after 5 warm-up ones) of a 50-row first page of
   ``/api/v1/creators/{handle}/metrics/`` for a creator with 1,000 and one with 100,000
   snapshots, and of ``/api/v1/creators/`` with 1,000 and 100,000 creators. Extra rows are
   loaded with ``bulkload.frames.load_frame`` and the tables analysed (as autovacuum would).
   The SQL queries per page are counted in-process (test client, same database); they must
   not grow with the table.

Each figure is printed beside its target with PASS/FAIL; the exit code is 1 if any fails.
The server and the database are removed at the end, also on failure.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import signal
import statistics
import sys
import tempfile
import time

import numpy as np
import pandas as pd
from _server import (
    analyze,
    api_key,
    close_connections,
    django_setup,
    drop_database,
    free_port,
    load_creators,
    log_tail,
    manage,
    postgres_base,
    psql,
    queries_per_page,
    request,
    scalar,
    server_environment,
    start_server,
    stop_process,
)

SEED_CREATORS = 1_000
INGEST_DAYS = 100  # 1,000 creators x 100 days = 100,000 snapshots
DAYS_PER_REQUEST = 10  # 10 requests of 10,000 rows
INGEST_START = datetime.date(2025, 1, 1)
INGEST_TARGET_SECONDS = 20.0
SMALL_SNAPSHOTS = 1_000
LARGE_SNAPSHOTS = 100_000
LARGE_CREATORS = 100_000
PAGE_SIZE = 50
REQUESTS = 50
WARMUP = 5
P95_TARGET_MS = 100.0


def load_snapshots(creator_id: int, count: int, last: datetime.date, rng) -> None:
    """``count`` daily snapshots for one creator, ending at ``last`` and going back in time."""
    from bulkload.frames import load_frame
    from creators.models import MetricSnapshot

    dates = np.datetime64(last) - np.arange(count).astype("timedelta64[D]")
    frame = pd.DataFrame(
        {
            "creator_id": np.full(count, creator_id, dtype=np.int64),
            "date": dates,
            "followers": rng.integers(1_000, 5_000_000, count),
            "views": rng.integers(0, 10_000_000, count),
            "likes": rng.integers(0, 500_000, count),
            "comments": rng.integers(0, 50_000, count),
            "shares": rng.integers(0, 20_000, count),
            "live_minutes": rng.integers(0, 600, count),
            "tipping_revenue": np.round(rng.uniform(0, 5_000, count), 2),
            "gmv": np.round(rng.uniform(0, 100_000, count), 2),
            "orders": rng.integers(0, 2_000, count),
        }
    )
    from django.db import transaction

    with transaction.atomic():
        load_frame(MetricSnapshot, frame)


# --- Measurements -------------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def ingest_bodies(handles: list[str], rng) -> list[bytes]:
    bodies = []
    for first in range(0, INGEST_DAYS, DAYS_PER_REQUEST):
        rows = []
        for offset in range(first, first + DAYS_PER_REQUEST):
            day = (INGEST_START + datetime.timedelta(days=offset)).isoformat()
            n = len(handles)
            counts = rng.integers(0, 1_000_000, (n, 7)).tolist()
            money = np.round(rng.uniform(0, 50_000, (n, 2)), 2).tolist()
            rows += [
                {
                    "creator": handle,
                    "date": day,
                    "followers": c[0],
                    "views": c[1],
                    "likes": c[2],
                    "comments": c[3],
                    "shares": c[4],
                    "live_minutes": c[5] % 1_440,
                    "orders": c[6] % 10_000,
                    "tipping_revenue": f"{m[0]:.2f}",
                    "gmv": f"{m[1]:.2f}",
                }
                for handle, c, m in zip(handles, counts, money, strict=True)
            ]
        bodies.append(json.dumps({"rows": rows}, separators=(",", ":")).encode())
    return bodies


def send_all(port: int, key: str, bodies: list[bytes]) -> tuple[float, list[float]]:
    each = []
    started = time.perf_counter()
    for body in bodies:
        sent = time.perf_counter()
        status, answer = request(port, "POST", "/api/v1/metrics/bulk/", body=body, key=key)
        each.append(time.perf_counter() - sent)
        if status != 200:
            raise RuntimeError(f"bulk POST answered {status}: {answer[:500]!r}")
        stored = json.loads(answer)["rows"]
        if stored != len(json.loads(body)["rows"]):
            raise RuntimeError(f"bulk POST stored {stored} rows")
    return time.perf_counter() - started, each


def row_versions() -> tuple[int, int]:
    """Row count and the newest row version (xmin) of the snapshot table."""
    count = scalar("SELECT count(*) FROM creators_metricsnapshot")
    newest = scalar("SELECT coalesce(max(xmin::text::bigint), 0) FROM creators_metricsnapshot")
    return count, newest


def bench_ingest(port: int, key: str, handles: list[str], rng) -> list[bool]:
    bodies = ingest_bodies(handles, rng)
    rows = sum(len(json.loads(b)["rows"]) for b in bodies)
    megabytes = max(len(b) for b in bodies) / 1e6
    before, _ = row_versions()
    seconds, each = send_all(port, key, bodies)
    after, newest = row_versions()
    ok = seconds < INGEST_TARGET_SECONDS and after - before == rows
    print(
        f"ingest {rows:,} snapshots via POST /api/v1/metrics/bulk/ "
        f"({len(bodies)} x {rows // len(bodies):,} rows, {megabytes:.1f} MB each): "
        f"{seconds:.1f} s (target < {INGEST_TARGET_SECONDS:.0f} s) {verdict(ok)}"
    )
    print(
        f"  {rows / seconds:,.0f} rows/s; per request min {min(each):.2f} s, "
        f"median {statistics.median(each):.2f} s, max {max(each):.2f} s; "
        f"table {before:,} -> {after:,} rows"
    )
    again, each = send_all(port, key, bodies)
    final, final_newest = row_versions()
    same = final == after and final_newest == newest
    print(
        f"re-send the same {len(bodies)} requests: {again:.1f} s; rows {after:,} -> {final:,}, "
        f"rows rewritten: {'none' if final_newest == newest else 'some'} "
        f"(target: idempotent) {verdict(same)}"
    )
    return [ok, same]


def latencies(port: int, key: str, path: str) -> tuple[float, float]:
    timings = []
    for i in range(WARMUP + REQUESTS):
        started = time.perf_counter()
        status, body = request(port, "GET", path, key=key)
        elapsed = time.perf_counter() - started
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}: {body[:300]!r}")
        if len(json.loads(body)["results"]) != PAGE_SIZE:
            raise RuntimeError(f"GET {path} did not return {PAGE_SIZE} rows")
        if i >= WARMUP:
            timings.append(elapsed * 1000)
    cuts = statistics.quantiles(timings, n=100, method="inclusive")
    return statistics.median(timings), cuts[94]


def report_latency(label: str, rows: int, p50: float, p95: float, page: tuple[int, str]) -> bool:
    ok = p95 < P95_TARGET_MS
    print(
        f"  {label} with {rows:>7,} rows: p50 {p50:5.1f} ms, p95 {p95:5.1f} ms, "
        f"{page[0]} SQL queries/page (target p95 < {P95_TARGET_MS:.0f} ms) {verdict(ok)}"
    )
    print(f"    page query plan: {page[1]}")
    return ok


def bench_metrics_pages(port: int, key: str, creators: dict[int, str]) -> list[bool]:
    print(f"GET /api/v1/creators/{{handle}}/metrics/?page_size={PAGE_SIZE} ({REQUESTS} requests):")
    results, queries = [], []
    for rows, handle in creators.items():
        path = f"/api/v1/creators/{handle}/metrics/?page_size={PAGE_SIZE}"
        page = queries_per_page(key, path)
        queries.append(page[0])
        results.append(report_latency("creator", rows, *latencies(port, key, path), page))
    results.append(report_queries(queries))
    return results


def bench_creator_pages(port: int, key: str, rng) -> list[bool]:
    print(f"GET /api/v1/creators/?page_size={PAGE_SIZE} ({REQUESTS} requests):")
    path = f"/api/v1/creators/?page_size={PAGE_SIZE}"
    results, queries = [], []
    for target in (SEED_CREATORS, LARGE_CREATORS):
        present = scalar("SELECT count(*) FROM creators_creator")
        if present < target:
            load_creators(target - present, rng)
            analyze()
            present = scalar("SELECT count(*) FROM creators_creator")
        page = queries_per_page(key, path)
        queries.append(page[0])
        results.append(report_latency("directory", present, *latencies(port, key, path), page))
    results.append(report_queries(queries))
    return results


def report_queries(queries: list[int]) -> bool:
    ok = len(set(queries)) == 1
    print(
        f"  SQL queries per page: {' vs '.join(map(str, queries))} (target: constant) {verdict(ok)}"
    )
    return ok


# --- Main ---------------------------------------------------------------------------------------


def prepare(rng) -> tuple[str, list[str], dict[int, str]]:
    """Migrate, seed, create the key; give two creators 1k and 100k snapshots in all."""
    manage("migrate", "--noinput", "-v0")
    started = time.perf_counter()
    manage(
        "seed_demo",
        f"--creators={SEED_CREATORS}",
        "--weeks=1",
        "--end-date=2026-11-27",
    )
    seeded = time.perf_counter() - started
    key = api_key("datalink", "metrics:write,creators:read")
    from creators.models import Creator

    handles = list(Creator.objects.unscoped().order_by("handle").values_list("handle", flat=True))
    # Two creators of the ingest set, topped up before the ingest's first day.
    small, large = Creator.objects.unscoped().order_by("handle").values_list("id", "handle")[:2]
    last = INGEST_START - datetime.timedelta(days=1)
    started = time.perf_counter()
    for (creator_id, _handle), total in ((small, SMALL_SNAPSHOTS), (large, LARGE_SNAPSHOTS)):
        have = INGEST_DAYS + scalar(
            "SELECT count(*) FROM creators_metricsnapshot WHERE creator_id = %s", [creator_id]
        )
        load_snapshots(creator_id, total - have, last, rng)
    analyze()
    print(
        f"setup: seed_demo --creators {SEED_CREATORS} --weeks 1 {seeded:.1f} s; "
        f"{len(handles):,} creators; snapshots loaded for two creators in "
        f"{time.perf_counter() - started:.1f} s"
    )
    return key, handles, {SMALL_SNAPSHOTS: small[1], LARGE_SNAPSHOTS: large[1]}


def check_counts(creators: dict[int, str]) -> None:
    for rows, handle in creators.items():
        found = scalar(
            "SELECT count(*) FROM creators_metricsnapshot s JOIN creators_creator c "
            "ON c.id = s.creator_id WHERE c.handle = %s",
            [handle],
        )
        if found != rows:
            raise RuntimeError(f"creator {handle} holds {found:,} snapshots, expected {rows:,}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--keep-log", action="store_true", help="keep the gunicorn log file")
    options = parser.parse_args()
    base = postgres_base()
    name = f"olive_bench_api_{os.getpid()}"
    env = server_environment(f"{base}/{name}")
    rng = np.random.default_rng(2026)
    log = tempfile.NamedTemporaryFile(  # noqa: SIM115 - kept open for the server's lifetime
        "w+", prefix="olive_bench_api_", suffix=".log", delete=not options.keep_log
    )
    server, results, started = None, [], time.perf_counter()
    # A plain `kill` must still stop the server and drop the database (the finally below).
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    psql(base, f"CREATE DATABASE {name}")
    try:
        django_setup(env)
        key, handles, creators = prepare(rng)
        port = free_port()
        server = start_server(env, port, log)
        results += bench_ingest(port, key, handles, rng)
        check_counts(creators)
        results += bench_metrics_pages(port, key, creators)
        results += bench_creator_pages(port, key, rng)
    except Exception:
        tail = log_tail(log)
        if tail:
            print(f"--- gunicorn log (last 4,000 characters) ---\n{tail}", file=sys.stderr)
        raise
    finally:
        stop_process(server)
        close_connections()
        drop_database(base, name)
        log.close()
    print(
        f"{sum(results)}/{len(results)} targets met in {time.perf_counter() - started:.0f} s "
        f"(database {name} dropped)"
    )
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
