"""The creator directory under load, during an allocation run (PostgreSQL, Redis, real server).

    python bench/api_load.py [--creators N] [--rate 600/min] [--database NAME]
                             [--redis-broker URL] [--redis-cache URL] [--keep-logs]

Needs ``wrk`` (Debian/Ubuntu: ``apt-get update && apt-get install -y wrk``; macOS: ``brew install
wrk``), PostgreSQL at $BENCH_POSTGRES (default postgres://postgres@127.0.0.1:5432) and Redis.

1. Creates a throwaway database (``olive_bench_load_<pid>`` unless ``--database``), migrates it,
   seeds the demo world with 1,000 creators and 4 weeks, then COPYs creators up to 300,000 with
   4 weekly snapshots each in the merit window, so the allocation has real work (1.2M rows).
2. Empties the two Redis databases it is given (broker and cache, default 14 and 15: the bench
   owns them for its run) and starts the production roles: ``gunicorn -c platform/gunicorn.conf.py``
   (its workers and threads, DEBUG off, the Redis cache behind the throttle) and a ``celery
   worker`` as ``platform/entrypoint.sh`` runs it.
3. Creates allocation runs over every creator the way the operator's page does
   (``allocation_run_create``, then ``traffic.allocation_run_execute`` enqueued to the worker),
   one after the other, so that one is running for the whole load window (wrk starts once the
   first is running).
4. Runs ``wrk -t2 -c8 -d30s --latency`` with a real API key of the partner "datalink" against
   ``GET /api/v1/creators/?page_size=50``; ``bench/api_load.lua`` follows each answer's ``next``
   cursor, so most requests are deeper pages and every tenth a first page. The key's rate is
   100,000/min, so that every request does the whole work; ``--rate 600/min`` measures with the
   production limit instead, where 429s are expected and allowed.

Printed beside the targets (issue 10), PASS/FAIL, exit code 1 on any FAIL: requests per second,
p50/p95/p99 (target p99 < 500 ms), errors other than 429 (non-2xx/3xx answers and socket errors,
target 0), every run's start and finish relative to the wrk window and the share of the window
an allocation was running (target ≥ 95 %, every run succeeded). Also the SQL queries of a
first and a cursor page and the page query's plan, by the default ordering and by ``joined``,
and the web's CPU per request. Processes, Redis databases and the database are cleaned up at
the end, also on failure.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from _server import (
    ROOT,
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

CREATORS = 300_000
SEED_CREATORS = 1_000
WEEKS = 4  # snapshots per creator, one a week: the 28-day merit window
AS_OF = datetime.date(2026, 11, 27)
PATH = "/api/v1/creators/?page_size=50"
THREADS, CONNECTIONS, SECONDS = 2, 8, 30
P99_TARGET_MS = 500.0
COVERAGE_TARGET = 0.95
WORKER_START_SECONDS = 60.0
RUN_SECONDS_MAX = 600.0
LUA = Path(__file__).with_suffix(".lua")
INSTALL_WRK = "apt-get update && apt-get install -y wrk (Debian/Ubuntu) or brew install wrk"


# --- Data ---------------------------------------------------------------------------------------


def load_weekly_snapshots(ids: np.ndarray, rng) -> int:
    """``WEEKS`` weekly snapshots per creator up to ``AS_OF``, with some follower growth."""
    from django.db import transaction

    from bulkload.frames import load_frame
    from creators.models import MetricSnapshot

    n = ids.size
    base = np.round(rng.lognormal(9, 2, n)).astype(np.int64)
    growth = rng.uniform(-0.02, 0.05, n)
    frames = []
    for week in range(WEEKS):
        size = (n,)
        frames.append(
            pd.DataFrame(
                {
                    "creator_id": ids,
                    "date": np.datetime64(AS_OF - datetime.timedelta(days=7 * week)),
                    "followers": np.round(base * (1 + growth) ** (WEEKS - week)).astype(np.int64),
                    "views": rng.integers(0, 2_000_000, size),
                    "likes": rng.integers(0, 100_000, size),
                    "comments": rng.integers(0, 10_000, size),
                    "shares": rng.integers(0, 5_000, size),
                    "live_minutes": rng.integers(0, 600, size),
                    "tipping_revenue": np.round(rng.uniform(0, 5_000, size), 2),
                    "gmv": np.round(rng.uniform(0, 100_000, size), 2),
                    "orders": rng.integers(0, 2_000, size),
                }
            )
        )
    frame = pd.concat(frames, ignore_index=True)
    with transaction.atomic():
        return load_frame(MetricSnapshot, frame, rebuild_foreign_keys=True)


def prepare(creators: int, rng) -> str:
    """Migrate and seed ``creators`` creators; the partner key's secret."""
    manage("migrate", "--noinput", "-v0")
    started = time.perf_counter()
    manage("seed_demo", f"--creators={SEED_CREATORS}", f"--weeks={WEEKS}", f"--end-date={AS_OF}")
    seeded = time.perf_counter() - started
    started = time.perf_counter()
    ids = load_creators(creators - scalar("SELECT count(*) FROM creators_creator"), rng)
    snapshots = load_weekly_snapshots(ids, rng)
    analyze("creators_creator", "creators_metricsnapshot")
    print(
        f"setup: seed_demo --creators {SEED_CREATORS} --weeks {WEEKS} {seeded:.0f} s; COPY of "
        f"{ids.size:,} creators and {snapshots:,} snapshots {time.perf_counter() - started:.0f} s; "
        f"{scalar('SELECT count(*) FROM creators_creator'):,} creators"
    )
    return api_key("datalink", "creators:read")


# --- Processes ----------------------------------------------------------------------------------


def flush_redis(*urls: str) -> None:
    import redis

    for url in urls:
        redis.Redis.from_url(url).flushdb()


def start_worker(env: dict[str, str], log) -> subprocess.Popen:
    """A Celery worker as ``platform/entrypoint.sh`` starts it (concurrency 2)."""
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--loglevel=info"]
    command += ["--concurrency=2", f"--hostname=bench-load-{os.getpid()}@%h"]
    worker = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True
    )
    deadline = time.monotonic() + WORKER_START_SECONDS
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            raise RuntimeError(f"celery worker exited with code {worker.returncode}")
        if " ready." in log_tail(log, 100_000):
            return worker
        time.sleep(0.5)
    raise RuntimeError(f"celery worker not ready within {WORKER_START_SECONDS:.0f} s")


def production_server(env: dict[str, str], log) -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = {**env, "GUNICORN_BIND": f"127.0.0.1:{port}"}
    command = [sys.executable, "-m", "gunicorn", "config.wsgi:application"]
    command += ["-c", str(ROOT / "platform" / "gunicorn.conf.py")]
    return start_server(env, port, log, command), port


def gunicorn_shape(env: dict[str, str]) -> str:
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import runpy; c = runpy.run_path('platform/gunicorn.conf.py');"
            "print(c['workers'], c['threads'])",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return f"{out[0]} workers x {out[1]} threads"


def session_cpu_seconds(session: int) -> float | None:
    """User + system CPU of the live processes of one session (gunicorn's master and workers),
    from /proc (Linux; None elsewhere). Unlike latency, hardly moved by other load."""
    proc = Path("/proc")
    if not proc.is_dir():
        return None
    ticks = 0
    for stat in proc.glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        if int(fields[3]) == session:  # after the name: state ppid pgrp session … utime stime
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


# --- Allocation runs ----------------------------------------------------------------------------


def run_create(creators: int) -> int:
    """A pending run over every creator, as the operator's page creates it."""
    from tenancy.scoping import SYSTEM, acting_as
    from traffic.services import allocation_run_create

    with acting_as(SYSTEM):
        run = allocation_run_create(
            actor=SYSTEM, pool=100 * creators, target_gini=0.5, floor=10, cap=20_000, as_of=AS_OF
        )
    return run.pk


def run_enqueue(run_id: int) -> None:
    """Hand the run to the worker, as the page does once the run row is committed."""
    from tenancy.scoping import SYSTEM
    from tenancy.tasking import enqueue
    from traffic import tasks

    enqueue(tasks.allocation_run_execute, actor=SYSTEM, run_id=run_id)


def run_row(run_id: int) -> dict:
    from traffic.models import AllocationRun

    fields = ("id", "status", "started_at", "finished_at", "error", "creators")
    return AllocationRun.objects.unscoped().values(*fields).get(pk=run_id)


def run_done(run_id: int) -> bool:
    return run_row(run_id)["status"] in ("succeeded", "failed")


def wait_for(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not happen within {seconds:.0f} s")
        time.sleep(0.1)


def load_during_allocations(port: int, key: str, creators: int, server) -> dict:
    """wrk's output, its window (epoch seconds), the runs and the web's CPU seconds meanwhile,
    with allocation runs back to back throughout."""
    # The next run is created while one executes (creating checks feasibility, which reads the
    # merit window: seconds at 300k creators) and enqueued the moment the previous one ends.
    runs, upcoming, committed = [run_create(creators)], run_create(creators), {}
    run_enqueue(runs[0])
    wait_for(lambda: run_row(runs[0])["status"] != "pending", 120, "the first run's start")
    command = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--latency"]
    command += ["-s", str(LUA), "-H", f"Authorization: Api-Key {key}"]
    command += ["-H", "Accept: application/json", f"http://127.0.0.1:{port}{PATH}"]
    began, cpu = time.time(), session_cpu_seconds(server.pid)
    wrk = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        while wrk.poll() is None:
            if run_done(runs[-1]):
                committed[runs[-1]] = time.time()
                run_enqueue(upcoming)
                runs.append(upcoming)
                upcoming = run_create(creators)
            time.sleep(0.05)
        ended, cpu = time.time(), cpu and session_cpu_seconds(server.pid) - cpu
        output = wrk.stdout.read()
    finally:
        stop_process(wrk, grace=5)
    wait_for(lambda: run_done(runs[-1]), RUN_SECONDS_MAX, f"run {runs[-1]}'s finish")
    committed.setdefault(runs[-1], time.time())
    runs = [{**run_row(run_id), "committed": committed[run_id]} for run_id in runs]
    return {"output": output, "began": began, "ended": ended, "runs": runs, "web_cpu": cpu}


# --- wrk output ---------------------------------------------------------------------------------

UNITS_MS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


def duration_ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * UNITS_MS[unit]


def parse_wrk(output: str) -> dict:
    """wrk's text (latency distribution, non-2xx/3xx, socket errors, req/s) and the script's
    ``OLIVE_WRK`` line (p95, answers by status, first and cursor pages)."""
    found = re.search(r"^OLIVE_WRK (\{.*\})$", output, re.M)
    if found is None:
        raise RuntimeError(f"wrk printed no OLIVE_WRK line:\n{output}")
    figures = json.loads(found.group(1))
    figures["distribution"] = {
        int(cut): duration_ms(value)
        for cut, value in re.findall(r"^\s+(\d+)%\s+([\d.]+\w+)$", output, re.M)
    }
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    figures["text_non_2xx"] = int(non_2xx.group(1)) if non_2xx else 0
    socket = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    figures["text_socket"] = sum(map(int, socket.groups())) if socket else 0
    figures["req_s"] = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    return figures


# --- Report -------------------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def report_load(figures: dict, rate: str, web_cpu: float | None) -> list[bool]:
    ms = {cut: figures[f"p{cut}_us"] / 1000 for cut in (50, 95, 99)}
    statuses = {int(code): n for code, n in figures["statuses"].items()}
    throttled = statuses.get(429, 0)
    bad = sum(n for code, n in statuses.items() if code >= 400 and code != 429)
    socket = sum(figures["socket"].values())
    print(
        f"  {figures['requests']:,} requests in {figures['duration_us'] / 1e6:.1f} s: "
        f"{figures['req_s']:.1f} req/s ({figures['first_pages']:,} first pages, "
        f"{figures['cursor_pages']:,} following a next cursor); answers by status "
        f"{dict(sorted(statuses.items()))}"
    )
    if web_cpu is not None:
        print(
            f"  gunicorn CPU: {web_cpu:.1f} s in the window, "
            f"{web_cpu / figures['requests'] * 1000:.1f} ms per request "
            f"(PostgreSQL's and Redis's share not included)"
        )
    p99_ok = ms[99] < P99_TARGET_MS
    print(
        f"  latency p50 {ms[50]:.0f} ms, p95 {ms[95]:.0f} ms, p99 {ms[99]:.0f} ms, max "
        f"{figures['max_us'] / 1000:.0f} ms (target p99 < {P99_TARGET_MS:.0f} ms) {verdict(p99_ok)}"
    )
    cuts = figures["distribution"].items()
    print(f"  wrk's distribution: {', '.join(f'{c}% {v:.0f} ms' for c, v in cuts)}")
    errors_ok = bad == 0 and socket == 0 and figures["text_socket"] == 0
    errors_ok = errors_ok and figures["text_non_2xx"] == bad + throttled
    allowed = "allowed" if throttled or rate != "100000/min" else "none expected"
    print(
        f"  errors besides 429: {bad} non-2xx/3xx answers, {socket} socket errors "
        f"(wrk: {figures['text_non_2xx']} non-2xx/3xx incl. {throttled} 429s, {allowed}) "
        f"(target 0) {verdict(errors_ok)}"
    )
    return [p99_ok, errors_ok]


def report_runs(runs: list[dict], began: float, ended: float) -> bool:
    """Each run from its start to the moment its commit was seen: ``finished_at`` is stamped
    before the commit, which still checks every row's foreign keys (seconds at 300k rows)."""
    window = ended - began
    covered, ok = [], True
    for run in runs:
        start, stamped = (run[f].timestamp() - began for f in ("started_at", "finished_at"))
        committed = run["committed"] - began
        ok = ok and run["status"] == "succeeded"
        covered.append((max(start, 0.0), min(committed, window)))
        print(
            f"  allocation run {run['id']} ({run['creators']:,} creators, {run['status']}"
            f"{': ' + run['error'] if run['error'] else ''}): started at {start:+.1f} s, "
            f"finished_at {stamped:+.1f} s, committed by {committed:+.1f} s of the "
            f"{window:.1f} s wrk window"
        )
    share = sum(max(0.0, b - a) for a, b in covered) / window
    ok = ok and share >= COVERAGE_TARGET
    print(
        f"  an allocation was running during {share:.0%} of the load window (target ≥ "
        f"{COVERAGE_TARGET:.0%}, every run succeeded) {verdict(ok)}"
    )
    return ok


def report_page(key: str, port: int) -> None:
    """Queries and plan of a first page and of a cursor page, by the default ordering and by
    ``joined`` (each of the API's orderings should page through an index)."""
    paths = {}
    for label, path in (("", PATH), ("?ordering=joined ", f"{PATH}&ordering=joined")):
        _status, body = request(port, "GET", path, key=key)
        paths[f"{label}first page"] = path
        paths[f"{label}cursor page"] = "/api/" + json.loads(body)["next"].split("/api/", 1)[1]
    for label, path in paths.items():
        queries, plan = queries_per_page(key, path)
        print(f"  {label}: {queries} SQL queries; page query: {plan}")


# --- Main ---------------------------------------------------------------------------------------


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--creators", type=int, default=CREATORS)
    parser.add_argument("--rate", default="100000/min", help="the key's rate, e.g. 600/min")
    parser.add_argument("--database", default=f"olive_bench_load_{os.getpid()}")
    parser.add_argument("--redis-broker", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--redis-cache", default="redis://127.0.0.1:6379/15")
    parser.add_argument("--keep-logs", action="store_true", help="keep gunicorn's and celery's")
    return parser.parse_args()


def logs(keep: bool):
    def open_log(role):
        return tempfile.NamedTemporaryFile(  # noqa: SIM115 - open for the process's lifetime
            "w+", prefix=f"olive_bench_load_{role}_", suffix=".log", delete=not keep
        )

    return open_log("gunicorn"), open_log("celery")


def measure(options, env, key: str, server_log, worker_log) -> list[bool]:
    worker = server = None
    try:
        worker = start_worker(env, worker_log)
        server, port = production_server(env, server_log)
        for _ in range(20):  # warm every worker's imports and connections
            request(port, "GET", PATH, key=key)
        print(f"GET {PATH} ({gunicorn_shape(env)}, key rate {options.rate}):")
        report_page(key, port)
        print(
            f"wrk -t{THREADS} -c{CONNECTIONS} -d{SECONDS}s --latency, first pages and next "
            f"cursors, {options.creators:,} creators, load average "
            f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores:"
        )
        load = load_during_allocations(port, key, options.creators, server)
        results = report_load(parse_wrk(load["output"]), options.rate, load["web_cpu"])
        results.append(report_runs(load["runs"], load["began"], load["ended"]))
        print(f"  load average after: {os.getloadavg()[0]:.1f}")
        return results
    except Exception:
        for role, log in (("gunicorn", server_log), ("celery", worker_log)):
            print(f"--- {role} log (last 4,000 characters) ---\n{log_tail(log)}", file=sys.stderr)
        raise
    finally:
        stop_process(server)
        stop_process(worker, grace=30)


def main() -> int:
    options = arguments()
    if shutil.which("wrk") is None:
        print(f"bench/api_load.py needs wrk, which is not installed: {INSTALL_WRK}")
        return 2
    base, name = postgres_base(), options.database
    redis = {"REDIS_URL": options.redis_broker, "REDIS_CACHE_URL": options.redis_cache}
    env = server_environment(f"{base}/{name}", redis=redis)
    env["OLIVE_API_KEY_RATE"] = options.rate
    server_log, worker_log = logs(options.keep_logs)
    started = time.perf_counter()
    # A plain `kill` must still stop the processes and drop the database (the finally below).
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    psql(base, f"CREATE DATABASE {name}")
    try:
        flush_redis(*redis.values())
        django_setup(env)
        key = prepare(options.creators, np.random.default_rng(2026))
        results = measure(options, env, key, server_log, worker_log)
    finally:
        close_connections()
        drop_database(base, name)
        flush_redis(*redis.values())
        server_log.close()
        worker_log.close()
    print(
        f"{sum(results)}/{len(results)} targets met in {time.perf_counter() - started:.0f} s "
        f"(database {name} dropped, Redis {', '.join(redis.values())} emptied)"
    )
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
