"""Server time of the brand dashboard (``/brand/``) in the 100k-creator world, beside its target.

    python bench/brand_dashboard.py [--database-url URL] [--creators N] [--runs N]

Migrates the PostgreSQL database and seeds ``seed_demo --creators N`` into it unless a demo world
is already there (then it is reused, as ``seed_demo`` leaves it unchanged). Then renders
``/brand/`` with the Django test client, signed in (``force_login``) as an owner of the demo's
biggest brand (most orders), ``--runs`` times after one warm-up, and prints the median and p95
server time beside the target, and the query count for the smallest and the biggest brand, which
must be equal (no query per row, campaign or creator). Exits 1 if a target fails.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/olive_dash_bench"
TARGET_MS = 300


def seed(database_url: str, creators: int) -> None:
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_DEBUG": "1"}
    env.pop("REDIS_URL", None)
    for args in (["migrate", "--noinput", "-v0"], ["seed_demo", f"--creators={creators}"]):
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        first_line = (done.stdout.strip().splitlines() or [""])[-1 if args[0] == "migrate" else 0]
        print(f"manage.py {' '.join(args)}: {time.perf_counter() - started:.1f} s {first_line}")


def analyze() -> None:
    """Planner statistics, as autovacuum would gather them some time after a bulk load: without
    them PostgreSQL guesses a few hundred orders per brand and plans sorts that spill to disk."""
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"ANALYZE: {time.perf_counter() - started:.1f} s")


def admin_connection(database_url: str):
    """An autocommit connection to the ``postgres`` database of ``database_url``'s server, and
    the name of ``database_url``'s own database (to create or drop it)."""
    from urllib.parse import urlparse

    import psycopg2

    parts = urlparse(database_url)
    admin = psycopg2.connect(
        host=parts.hostname, port=parts.port or 5432, user=parts.username or "postgres",
        password=parts.password, dbname="postgres",
    )  # fmt: skip
    admin.autocommit = True
    return admin, parts.path.lstrip("/")


def ensure_database(database_url: str) -> None:
    """Create the PostgreSQL database of ``database_url`` if it is not there yet (a fresh
    machine); an existing one is kept, with whatever a previous run seeded into it."""
    if not database_url.startswith("postgres"):
        return
    admin, name = admin_connection(database_url)
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.pop("REDIS_URL", None)
    # As the other benches: DEBUG serves static files unhashed (no collectstatic needed).
    os.environ.setdefault("DJANGO_DEBUG", "1")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def brands_by_orders() -> list[tuple[int, int, object]]:
    """(orders, organization id, an owner's user) for each brand with an owner, fewest first."""
    from django.db.models import Count

    from brands.models import Order
    from tenancy.models import Membership

    counts = dict(
        Order.objects.unscoped()
        .values("organization_id")
        .annotate(n=Count("id"))
        .values_list("organization_id", "n")
    )
    owners = {}
    for membership in Membership.objects.unscoped().filter(
        organization__kind="brand", role="owner"
    ):
        owners.setdefault(membership.organization_id, membership.user)
    return sorted((counts.get(org, 0), org, user) for org, user in owners.items())


def signed_in(user, organization_id: int):
    from django.test import Client

    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    client.post("/switch/", {"context": str(organization_id)})  # the brand, if it has several
    return client


def query_count(client) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/brand/")
    assert response.status_code == 200, response.status_code
    return len(queries)


def timings_ms(client, runs: int) -> list[float]:
    client.get("/brand/")  # warm-up: templates, translations, the connection
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get("/brand/")
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    return times


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DASHBOARD_DB", DEFAULT_URL))
    parser.add_argument("--creators", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--no-seed", action="store_true", help="use the database as it is")
    options = parser.parse_args()
    if not options.no_seed:
        seed(options.database_url, options.creators)
    setup_django(options.database_url)
    analyze()
    brands = brands_by_orders()
    (small_orders, small_org, small_user), (big_orders, big_org, big_user) = brands[0], brands[-1]
    big = signed_in(big_user, big_org)
    times = timings_ms(big, options.runs)
    median, high = statistics.median(times), p95(times)
    fast = high < TARGET_MS
    print(
        f"/brand/ for the biggest brand (org {big_org}, {big_orders:,} orders), "
        f"{options.runs} runs: median {median:.0f} ms, p95 {high:.0f} ms "
        f"(target < {TARGET_MS} ms server time) {'PASS' if fast else 'FAIL'}"
    )
    small_count = query_count(signed_in(small_user, small_org))
    big_count = query_count(big)
    same = small_count == big_count
    print(
        f"queries: {small_count} for the smallest brand (org {small_org}, {small_orders:,} "
        f"orders), {big_count} for the biggest (target: equal) {'PASS' if same else 'FAIL'}"
    )
    return 0 if fast and same else 1


if __name__ == "__main__":
    sys.exit(main())
