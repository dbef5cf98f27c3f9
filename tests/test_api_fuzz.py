"""Schemathesis fuzzes the whole partner API, through a live server, with a real key.

Every operation of /api/schema/ gets generated requests (valid and invalid); the run fails on
any 5xx or any response that does not match the schema. It takes a minute or two, so it runs
where CI runs it (OLIVE_REQUIRE_SERVICES=1) or with OLIVE_RUN_FUZZ=1.
"""

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from tenancy.models import Organization
from tenancy.scopes import SCOPES
from tenancy.scoping import SYSTEM
from tenancy.services import api_key_create

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db(transaction=True)]
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


def test_schemathesis_finds_no_server_error_and_no_schema_violation(
    live_server, settings, tmp_path
):
    settings.OLIVE_WEBHOOKS_ALLOW_PRIVATE = False
    call_command("seed_demo", creators=150, weeks=6, end_date="2026-11-27", stdout=io.StringIO())
    brand = Organization.objects.get(slug="huayang-beauty")
    _key, secret = api_key_create(
        actor=SYSTEM, organization=brand, name="fuzz", scopes=list(SCOPES)
    )
    command = [
        str(SCHEMATHESIS if SCHEMATHESIS.exists() else shutil.which("schemathesis")),
        "run",
        f"{live_server.url}/api/schema/",
        "-H",
        f"Authorization: Api-Key {secret}",
        "--checks",
        "not_a_server_error,response_schema_conformance",
        "--phases",
        "examples,coverage,fuzzing",
        "--max-examples",
        "8",
        "--workers",
        "1",
        "--seed",
        "20261128",
        "--request-timeout",
        "20",
        "--no-color",
        "--report",
        "junit",
        "--report-dir",
        str(tmp_path),
    ]
    env = {**os.environ, "SCHEMATHESIS_HOOKS": ""}
    done = subprocess.run(command, capture_output=True, text=True, timeout=900, env=env)
    (tmp_path / "schemathesis.log").write_text(done.stdout + done.stderr)
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
