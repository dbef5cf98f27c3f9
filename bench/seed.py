"""Time ``seed_demo --creators 100000`` on SQLite and on PostgreSQL (fresh database each).

    python bench/seed.py [--creators N] [--weeks W] [--skip-postgres]

Each run migrates an empty database, then times the seed command alone (generation + bulk
load of every table) and reports rows per second of metric snapshots, the largest table.
PostgreSQL is reached at $BENCH_POSTGRES (default postgres://postgres@127.0.0.1:5432).
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def run(args: list[str], env: dict) -> str:
    done = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return done.stdout


def time_seed(database_url: str, creators: int, weeks: int) -> tuple[float, int]:
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_DEBUG": "1"}
    env.pop("REDIS_URL", None)
    run(["migrate", "--noinput", "-v0"], env)
    started = time.perf_counter()
    out = run(
        ["seed_demo", f"--creators={creators}", f"--weeks={weeks}", "--end-date=2026-11-27"], env
    )
    elapsed = time.perf_counter() - started
    snapshots = int(re.search(r"(\d+) snapshots", out).group(1))
    return elapsed, snapshots


def postgres_database(base: str) -> str:
    name = f"olive_bench_seed_{os.getpid()}"
    subprocess.run(["psql", f"{base}/postgres", "-qc", f"CREATE DATABASE {name}"], check=True)
    return f"{base}/{name}"


def drop_postgres(base: str, url: str) -> None:
    name = url.rsplit("/", 1)[1]
    subprocess.run(
        ["psql", f"{base}/postgres", "-qc", f"DROP DATABASE IF EXISTS {name}"], check=False
    )


def report(label: str, elapsed: float, snapshots: int, creators: int) -> None:
    print(
        f"seed_demo --creators {creators} on {label}: {elapsed:.1f} s "
        f"({snapshots:,} snapshots, {snapshots / elapsed:,.0f} snapshot rows/s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--creators", type=int, default=100_000)
    parser.add_argument("--weeks", type=int, default=104)
    parser.add_argument("--skip-postgres", action="store_true")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.sqlite3"
        report("SQLite", *time_seed(url, options.creators, options.weeks), options.creators)
    if options.skip_postgres:
        return
    base = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
    url = postgres_database(base)
    try:
        report("PostgreSQL", *time_seed(url, options.creators, options.weeks), options.creators)
    finally:
        drop_postgres(base, url)


if __name__ == "__main__":
    main()
