"""``/healthz``: is the database reachable, is the broker reachable. For load balancers."""

from django.conf import settings
from django.db import connection
from django.http import JsonResponse


def _database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return {"ok": True, "vendor": connection.vendor}
    except Exception as error:  # any failure means "not reachable"; say which
        return {"ok": False, "error": type(error).__name__}


def _broker() -> dict:
    if not settings.REDIS_URL:
        return {"ok": True, "mode": "eager"}
    from config.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return {"ok": True, "mode": "redis"}
    except Exception as error:
        return {"ok": False, "mode": "redis", "error": type(error).__name__}


def healthz(request):
    checks = {"database": _database(), "broker": _broker()}
    healthy = all(check["ok"] for check in checks.values())
    body = {"status": "ok" if healthy else "degraded", **checks}
    return JsonResponse(body, status=200 if healthy else 503)
