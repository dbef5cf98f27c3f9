"""Time a full traffic allocation run for 100k creators from the database (PostgreSQL).

    python bench/traffic_run.py [--creators N]

Creates a throwaway database, seeds N creators with 4 weekly snapshots, then times
``allocate_traffic`` end to end: merit from 28 days of snapshots, the engine, writing every
Allocation row and the run's figures in one transaction. Target: < 20 s for 100k creators.
"""

import argparse
import io
import os
import sys
import time

from _server import drop_database, postgres_base, psql

TARGET_S = 20.0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--creators", type=int, default=100_000)
    options = parser.parse_args()
    base = postgres_base()
    name = f"olive_bench_traffic_{os.getpid()}"
    psql(base, f"CREATE DATABASE {name}")
    try:
        return run(f"{base}/{name}", options.creators)
    finally:
        drop_database(base, name)


def run(url: str, creators: int) -> int:
    os.environ.update(DATABASE_URL=url, DJANGO_DEBUG="1", DJANGO_SETTINGS_MODULE="config.settings")
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    call_command(
        "seed_demo", creators=creators, weeks=4, end_date="2026-11-27", stdout=io.StringIO()
    )
    print(
        f"setup: seed_demo --creators {creators} --weeks 4 in {time.perf_counter() - started:.1f} s"
    )
    out = io.StringIO()
    started = time.perf_counter()
    call_command(
        "allocate_traffic",
        pool=100 * creators,
        target_gini=0.5,
        floor=10,
        cap=20_000,
        as_of="2026-11-27",
        stdout=out,
    )
    elapsed = time.perf_counter() - started
    verdict = "PASS" if elapsed < TARGET_S else "FAIL"
    print(
        f"allocation run for {creators:,} creators from PostgreSQL: {elapsed:.1f} s "
        f"(target < {TARGET_S:.0f} s) {verdict}"
    )
    print("  " + out.getvalue().strip().replace("\n", "; "))
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
