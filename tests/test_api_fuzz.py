"""Schemathesis fuzzes the whole partner API through a live gunicorn server with a real key.

Every operation of /api/schema/ gets generated requests (valid and invalid); the run fails on
any 5xx or any response that does not match the schema. The server is gunicorn, as in
production (Django's test server answers some malformed requests itself), reading the test
database on PostgreSQL. It takes about a minute, so it runs in CI or with OLIVE_RUN_FUZZ=1.
"""

import io
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from tenancy.models import Organization
from tenancy.scopes import SCOPES
from tenancy.scoping import SYSTEM
from tenancy.services import api_key_create

pytestmark = [pytest.mark.fuzz, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _wait_until_up(url: str, server: subprocess.Popen) -> None:
    for _ in range(60):
        if server.poll() is not None:
            raise RuntimeError("gunicorn exited before serving")
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("gunicorn did not answer /healthz")


@pytest.fixture
def gunicorn_server(tmp_path):
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "fuzz-only-secret-key-not-used-anywhere-else-0123456789",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "OLIVE_API_KEY_RATE": "1000000/min",
        # The index seed_demo built (the selection centre's endpoints answer with results).
        "MATCH_INDEX_DIR": str(settings.MATCH_INDEX_DIR),
    }
    env.pop("REDIS_URL", None)  # tasks run eagerly in the server: no worker needed
    log = (tmp_path / "gunicorn.log").open("w")  # a file: an unread pipe would fill and block
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "config.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            "2",
            "--timeout",
            "60",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_until_up(f"http://127.0.0.1:{port}/healthz", server)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


@pytest.fixture
def fuzz_key(transactional_db):
    call_command("seed_demo", creators=150, weeks=6, end_date="2026-11-27", stdout=io.StringIO())
    brand = Organization.objects.get(slug="huayang-beauty")
    _key, secret = api_key_create(
        actor=SYSTEM, organization=brand, name="fuzz", scopes=list(SCOPES)
    )
    return secret


def _schemathesis(server: str, key: str, log, *options: str, env=None) -> None:
    command = [
        str(BIN / "schemathesis"),
        "run",
        f"{server}/api/schema/",
        "-H",
        f"Authorization: Api-Key {key}",
        "--workers",
        "2",
        "--seed",
        "20261128",
        "--request-timeout",
        "30",
        "--no-color",
        *options,
    ]
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=900,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
    )
    log.write_text(done.stdout + done.stderr)
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]


def test_schemathesis_finds_no_server_error_and_no_schema_violation(
    fuzz_key, gunicorn_server, tmp_path
):
    _schemathesis(
        gunicorn_server,
        fuzz_key,
        tmp_path / "schemathesis.log",
        "--checks",
        "not_a_server_error,response_schema_conformance",
        "--phases",
        "examples,coverage,fuzzing",
        "--max-examples",
        "25",
    )


def test_hostile_values_in_valid_shapes_are_never_a_server_error(
    fuzz_key, gunicorn_server, tmp_path
):
    """tests/fuzz_hostile.py swaps leaves of generated requests for huge numbers, NUL, ``\\N``,
    lone surrogates, calendar ends and wrong shapes, and bodies for 5,000-deep nesting."""
    _schemathesis(
        gunicorn_server,
        fuzz_key,
        tmp_path / "schemathesis-hostile.log",
        "--checks",
        "not_a_server_error",
        "--phases",
        "fuzzing",
        "--max-examples",
        "40",
        env={"SCHEMATHESIS_HOOKS": "tests.fuzz_hostile", "PYTHONPATH": str(ROOT)},
    )
