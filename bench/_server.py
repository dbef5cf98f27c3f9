"""Helpers the benchmarks share: a throwaway PostgreSQL database, a gunicorn server, Django in
the bench process on the same database, and COPY-based loading of many creators.

Not a benchmark itself (``make bench`` skips ``bench/_*.py``). The scripts import it as
``_server``: Python puts the running script's folder, ``bench/``, on ``sys.path``.
"""

from __future__ import annotations

import http.client
import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
# The project's packages must win over bench/ (bench/api.py would shadow the `api` package).
if str(ROOT) not in sys.path[:1]:
    sys.path.insert(0, str(ROOT))

SERVER_START_SECONDS = 30.0
REDIS_NAMES = ("REDIS_URL", "REDIS_CACHE_URL")


# --- Database and server ------------------------------------------------------------------------


def postgres_base() -> str:
    return os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")


def psql(base: str, sql: str) -> None:
    subprocess.run(["psql", f"{base}/postgres", "-qXc", sql], check=True, capture_output=True)


def drop_database(base: str, name: str) -> None:
    psql(base, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_environment(database_url: str, *, redis: dict[str, str] | None = None) -> dict[str, str]:
    """Production-like settings (DEBUG off) with throttles high enough not to interfere;
    ``redis`` sets REDIS_URL / REDIS_CACHE_URL (else none: eager Celery, local-memory cache)."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "bench-only-not-a-secret-" + "x" * 40,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "OLIVE_API_KEY_RATE": "100000/min",
        "OLIVE_API_USER_RATE": "100000/min",
    }
    for name in (*REDIS_NAMES, "DJANGO_SETTINGS_MODULE"):
        env.pop(name, None)
    env.update(redis or {})
    return env


def gunicorn_command(port: int) -> list[str]:
    """Two workers and a long timeout (bench/api.py: large bulk bodies, sequential requests)."""
    command = [sys.executable, "-m", "gunicorn", "config.wsgi", "-b", f"127.0.0.1:{port}"]
    return [*command, "-w", "2", "--timeout", "120"]


def start_server(
    env: dict[str, str], port: int, log, command: list[str] | None = None
) -> subprocess.Popen:
    command = [*(command or gunicorn_command(port))]
    # No control socket: gunicorn's default one in ~/.gunicorn is shared with any other server.
    command.append("--no-control-socket")
    server = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True
    )
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with code {server.returncode}")
        try:
            status, _body = request(port, "GET", "/healthz")
            if status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer /healthz within {SERVER_START_SECONDS:.0f} s")


def stop_process(process: subprocess.Popen | None, *, grace: float = 15) -> None:
    """SIGTERM, then SIGKILL of the process's own session (only its children, never others)."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


def request(
    port: int, method: str, path: str, *, body: bytes | None = None, key: str | None = None
) -> tuple[int, bytes]:
    headers = {"Accept": "application/json"}
    if key:
        headers["Authorization"] = f"Api-Key {key}"
    if body is not None:
        headers["Content-Type"] = "application/json"
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def log_tail(log, chars: int = 4000) -> str:
    log.flush()
    log.seek(0)
    return log.read()[-chars:]


# --- Django in this process (same database) -----------------------------------------------------


def django_setup(env: dict[str, str]) -> None:
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    for name in REDIS_NAMES:
        if name not in env:
            os.environ.pop(name, None)
    import django

    django.setup()


def close_connections() -> None:
    if "django.db" in sys.modules:
        from django.db import connections

        connections.close_all()


def manage(*args: str) -> str:
    from django.core.management import call_command

    out = io.StringIO()
    call_command(*args, stdout=out, stderr=out)
    return out.getvalue()


def api_key(org: str, scopes: str) -> str:
    """A real key of organization ``org`` (its secret, as a partner would send it)."""
    out = manage("create_api_key", f"--org={org}", "--name=bench", f"--scopes={scopes}")
    return out.strip().splitlines()[-1]


def scalar(sql: str, params=()) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def analyze(*tables: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for table in tables or ("creators_creator", "creators_metricsnapshot"):
            cursor.execute(f"ANALYZE {table}")


def load_creators(count: int, rng) -> np.ndarray:
    """``count`` active creators loaded with COPY (handles ``bench000000``…); their ids."""
    from django.db import transaction

    from bulkload.frames import load_frame, next_ids, reset_sequence
    from creators import taxonomy
    from creators.models import Creator

    ids = np.asarray(next_ids(Creator, count), dtype=np.int64)
    joined = np.datetime64("2020-01-01") + rng.integers(0, 2_000, count).astype("timedelta64[D]")
    frame = pd.DataFrame(
        {
            "id": ids,
            "handle": [f"bench{i:06d}" for i in range(count)],
            "display_name": [f"Bench creator {i}" for i in range(count)],
            "vertical": rng.choice(taxonomy.VERTICAL, count),
            "region": "CN",
            "city_tier": rng.choice(taxonomy.CITY_TIER, count),
            "followers": np.round(rng.lognormal(9, 2, count)).astype(np.int64),
            "joined": joined,
            "status": "active",
            "created_at": pd.to_datetime(joined).tz_localize("UTC"),
        }
    )
    with transaction.atomic():
        load_frame(Creator, frame)
        reset_sequence(Creator)
    return ids


def queries_per_page(key: str, path: str) -> tuple[int, str]:
    """SQL queries of one page, in-process, and the plan PostgreSQL chose for the page's rows."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Api-Key {key}")
    client.get(path)  # warm: the key's last_used_at write happens at most every 5 minutes
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"in-process GET {path}: {response.status_code}")
    return len(captured), plan_summary(captured.captured_queries[-1]["sql"])


def plan_summary(sql: str) -> str:
    """The page query's access path: which index, how many rows read and thrown away, time."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}")
        explained = cursor.fetchone()[0]
    explained = json.loads(explained) if isinstance(explained, str) else explained
    node = explained[0]["Plan"]
    while "Index Name" not in node and node.get("Plans"):
        node = node["Plans"][0]
    direction = f" {node['Scan Direction'].lower()}" if "Scan Direction" in node else ""
    access = (
        f"{node['Node Type']}{direction} on {node.get('Index Name', node.get('Relation Name'))}"
    )
    removed = node.get("Rows Removed by Filter", 0)
    took = explained[0]["Execution Time"]
    return f"{access}, {removed:,} rows filtered out, {took:.2f} ms"
