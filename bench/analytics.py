"""Each ecosystem report over the 100k-creator world on PostgreSQL, beside its target.

    python bench/analytics.py [--database-url URL] [--creators N] [--repeats N]

Migrates the database and seeds ``seed_demo --creators N --end-date 2026-11-27`` into it unless a
demo world is already there (then it is reused, as ``seed_demo`` leaves it unchanged), runs one
allocation (``allocate_traffic``, for the exposure Gini) if no run has succeeded as of that day,
and ``ANALYZE`` (as autovacuum would after the bulk load). Then it times every report of
``analytics.reports`` (best of ``--repeats``) and prints "report: X s (target < 30 s)", then the
headline figures beside the brief's, computed from the rows (what the data gives, not the brief).
The database is kept for the next run. Exits 1 if a report misses its target.
"""

import argparse
import datetime
import io
import os
import sys
import time

from brand_dashboard import ensure_database, setup_django  # the benches' way into Django

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/olive_bench_analytics"
END = datetime.date(2026, 11, 27)
TARGET_S = 30.0


def step(label: str, fn) -> None:
    started = time.perf_counter()
    fn()
    print(f"setup: {label} in {time.perf_counter() - started:.1f} s")


def prepare(creators: int) -> None:
    from django.core.management import call_command
    from django.db import connection

    from demo.services import demo_world_present
    from traffic.models import AllocationRun

    quiet = {"stdout": io.StringIO()}
    step("migrate", lambda: call_command("migrate", verbosity=0, **quiet))
    if not demo_world_present():
        seed = {"creators": creators, "end_date": END.isoformat()}
        step(f"seed_demo --creators {creators}", lambda: call_command("seed_demo", **seed, **quiet))
    runs = AllocationRun.objects.unscoped().filter(status="succeeded", as_of__lte=END)
    if not runs.exists():
        options = {"pool": 100 * creators, "target_gini": 0.5, "floor": 10, "cap": 20_000}
        step(
            "allocate_traffic",
            lambda: call_command("allocate_traffic", as_of=END.isoformat(), **options, **quiet),
        )

    def analyze():
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    step("ANALYZE", analyze)


def timed(repeats: int) -> tuple[dict, dict[str, float]]:
    from analytics.reports import merged, reports

    payload: dict = {"missing": []}
    best: dict[str, float] = {}
    for name, report in reports().items():
        for _ in range(repeats):
            started = time.perf_counter()
            figures = report(as_of=END)
            elapsed = time.perf_counter() - started
            best[name] = min(best.get(name, elapsed), elapsed)
        merged(payload, figures.values)
        payload["missing"].extend(figures.missing)
        verdict = "PASS" if best[name] < TARGET_S else "FAIL"
        print(f"{name}: {best[name]:.2f} s (target < {TARGET_S:.0f} s) {verdict}", flush=True)
    return payload, best


def figures(payload: dict) -> None:
    from analytics.text import num, pct, yuan

    tipping = payload["band_share"]["tipping"] or {}
    income = payload["avg_monthly_income_by_year"]
    change = payload["avg_monthly_income_change"] or {}
    price = payload["unit_price_change"] or {}
    reach = payload["reach_10k_in_3_months"]
    roi = payload["campaign_roi"]["overall"] or {}
    rows = [
        ("gini followers / exposure / revenue", " / ".join(
            "—" if payload["gini"][k] is None else f"{payload['gini'][k]:.3f}"
            for k in ("followers", "exposure", "revenue")
        ), "lower is flatter"),
        ("tipping share of 100k–1M (mid)", pct(tipping.get("mid")), "65%"),
        ("creators in 100k–1M", pct(payload["band_share"]["creators"]["mid"]), "the olive's waist"),
        (f"CR5 / CR10 / HHI {payload['concentration_quarter']}",
         f"{pct(payload['cr5'])} / {pct(payload['cr10'])} / {payload['hhi']:.3f}",
         "head agencies 32% (2021) → 47% (2023)"),
        ("avg monthly income", ", ".join(f"{y} {yuan(v)}" for y, v in income.items()),
         "¥3,200 (2020) → ¥8,700 (2023)"),
        ("income ratio", f"×{change.get('ratio', 0):.2f} {change.get('from')}→{change.get('to')}",
         "×2.72 over 3 years"),
        ("cooperation unit price ratio",
         f"×{price.get('ratio', 0):.2f} {price.get('from')}→{price.get('to')}", "×2.3"),
        ("reach 10k in 3 months trained / untrained",
         f"{pct(reach['trained'])} / {pct(reach['untrained'])}", "68% / 12%"),
        ("complaint rate (30 days)", pct(payload["complaint_rate"]), "< 0.8%"),
        ("campaign ROI overall", num(roi.get("roi"), 2), "—"),
    ]  # fmt: skip
    for label, value, target in rows:
        print(f"{label}: {value} (brief: {target})")
    for what in payload["missing"]:
        print(f"missing: {what}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default=os.environ.get("BENCH_ANALYTICS_DB", DEFAULT_URL))
    parser.add_argument("--creators", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=2)
    options = parser.parse_args()
    ensure_database(options.database_url)
    setup_django(options.database_url)
    from django.db import connection

    if connection.vendor != "postgresql":
        print("bench/analytics.py needs PostgreSQL (--database-url postgres://…)")
        return 1
    prepare(options.creators)
    payload, best = timed(options.repeats)
    print(f"all reports: {sum(best.values()):.1f} s")
    figures(payload)
    return 0 if all(seconds < TARGET_S for seconds in best.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
