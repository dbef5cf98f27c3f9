"""Production keeps its database connections; a new one per request costs about 10 ms.

Measured by bench/api_load.py: connecting makes PostgreSQL start a backend, authenticate and
warm its catalogue caches before the first query, which under the load of issue 10 was the
largest share of each directory request. Settings are read at import, so each case evaluates
them in a fresh interpreter with the environment of the deployment it stands for.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
READ = (
    "import django, json; django.setup(); from django.conf import settings; "
    "d = settings.DATABASES['default']; "
    "print(json.dumps([d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS']]))"
)


def database_settings(**env) -> list:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE"))}
    environment.update(DJANGO_SETTINGS_MODULE="config.settings", **env)
    out = subprocess.run(
        [sys.executable, "-c", READ], cwd=ROOT, env=environment, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_production_reuses_connections_and_checks_them_first():
    max_age, health_checks = database_settings(
        DATABASE_URL="postgres://olive@127.0.0.1:5432/olive", DJANGO_SECRET_KEY="k" * 60
    )
    assert max_age >= 60
    # A connection the server closed (restart, idle timeout) is replaced, not an error.
    assert health_checks is True


def test_the_environment_still_decides():
    max_age, _checks = database_settings(
        DATABASE_URL="postgres://olive@127.0.0.1:5432/olive",
        DJANGO_SECRET_KEY="k" * 60,
        DJANGO_CONN_MAX_AGE="0",
    )
    assert max_age == 0


def test_embedded_mode_opens_a_connection_per_request():
    # runserver starts a thread per request: kept connections would only pile up.
    assert database_settings()[0] == 0
