"""Server time of the operator's analytics page (``/operator/analytics/``) rendered from a cached
ecosystem report, and of the agency's slice (``/agency/analytics/``), beside their targets.

    python bench/analytics_page.py [--database-url URL] [--creators N] [--runs N]

Migrates the database and seeds ``seed_demo --creators N --end-date 2026-11-27`` into it unless a
demo world is already there (then it is reused; after a seed, ``ANALYZE`` on PostgreSQL). If no
ecosystem report is cached as of that day, it computes and caches one as the daily beat would
(``analytics.services.ecosystem_report_store``) and prints how long that took. Then it renders
the operator page with the Django test client, signed in (``force_login``) as a demo operator,
``--runs`` times after one warm-up, in both languages, and prints "render: X ms (target < 300
ms)" (the median; p95 beside it), the query count and the cached payload's size; then the same
for the agency page of the demo agency with the most contracts (computed on request from its
rows). Exits 1 if a target fails.
"""

import argparse
import datetime
import io
import json
import statistics
import sys
import time

from brand_dashboard import ensure_database, setup_django  # the benches' way into Django

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/olive_bench_analytics_page"
END = datetime.date(2026, 11, 27)
TARGET_MS = 300


def prepare(creators: int):
    from django.core.management import call_command
    from django.db import connection

    from analytics.models import EcosystemReport
    from analytics.services import ecosystem_report_store
    from demo.services import demo_world_present
    from tenancy.scoping import SYSTEM, acting_as

    quiet = {"stdout": io.StringIO()}
    call_command("migrate", verbosity=0, **quiet)
    if not demo_world_present():
        started = time.perf_counter()
        call_command("seed_demo", creators=creators, end_date=END.isoformat(), **quiet)
        print(f"setup: seed_demo --creators {creators} in {time.perf_counter() - started:.1f} s")
        if connection.vendor == "postgresql":  # planner statistics, as autovacuum would gather
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
    report = EcosystemReport.objects.unscoped().filter(as_of=END).first()
    if report is None:
        started = time.perf_counter()
        with acting_as(SYSTEM):
            report = ecosystem_report_store(actor=SYSTEM, as_of=END)
        seconds = time.perf_counter() - started
        print(f"setup: ecosystem report computed and cached in {seconds:.1f} s")
    return report


def timed(client, url: str, runs: int, language: str) -> tuple[list[float], int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.cookies["django_language"] = language
    client.get(url)  # warm-up: templates compiled, translations loaded
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        answer = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert answer.status_code == 200, (url, answer.status_code)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return times, len(queries.captured_queries)


def signed_in(kind: str):
    from django.db.models import Count
    from django.test import Client

    from mcn.models import Contract
    from tenancy.models import Membership

    memberships = Membership.objects.unscoped().filter(organization__kind=kind, role="owner")
    memberships = list(memberships.select_related("user", "organization"))
    contracts = dict(
        Contract.objects.unscoped().values("organization_id").annotate(n=Count("id"))
        .values_list("organization_id", "n")
    )  # fmt: skip
    membership = max(memberships, key=lambda m: (contracts.get(m.organization_id, 0), -m.pk))
    client = Client(HTTP_HOST="localhost")
    client.force_login(membership.user)
    return client, membership.organization


def report_line(label: str, times: list[float], queries: int) -> bool:
    median = statistics.median(times)
    p95 = sorted(times)[max(0, round(0.95 * len(times)) - 1)]
    ok = median < TARGET_MS
    print(
        f"{label}: {median:.0f} ms (target < {TARGET_MS} ms), p95 {p95:.0f} ms, "
        f"{queries} queries{'' if ok else '  MISSED'}"
    )
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--creators", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    ensure_database(args.database_url)
    setup_django(args.database_url)
    from django.db import connection

    report = prepare(args.creators)
    size = len(json.dumps(report.payload))
    brands = len((report.payload.get("campaign_roi") or {}).get("by_brand") or {})
    print(
        f"database: {connection.vendor}; cached report as of {report.as_of}: {size:,} bytes, "
        f"{brands} brands"
    )
    ok = True
    operator, _org = signed_in("operator")
    for language in ("en", "zh-hans"):
        times, queries = timed(operator, "/operator/analytics/", args.runs, language)
        ok &= report_line(f"render ({language})", times, queries)
    agency, org = signed_in("agency")
    times, queries = timed(agency, "/agency/analytics/", args.runs, "en")
    ok &= report_line(f"agency page ({org.name})", times, queries)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
