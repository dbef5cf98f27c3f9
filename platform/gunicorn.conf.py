"""Gunicorn settings for the web role; every value can be overridden from the environment."""

import multiprocessing
import os

from gunicorn.http import wsgi

# 0.0.0.0 so the container's published port reaches it. Whatever connects directly is not a
# proxy: X-Forwarded-* is believed only from OLIVE_TRUSTED_PROXIES (api.edge).
bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 2))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 60))
# A worker is replaced after this many requests (plus up to the jitter, so they do not all
# restart at once): memory a large request made Python keep is given back to the system.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 1000))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", 100))
accesslog = "-"
# Gunicorn's own use of X-Forwarded-Proto (wsgi.url_scheme) trusts the same proxies as Django.
forwarded_allow_ips = os.environ.get(
    "GUNICORN_FORWARDED_ALLOW_IPS", os.environ.get("OLIVE_TRUSTED_PROXIES", "127.0.0.1,::1")
)


class _AnonymousResponse(wsgi.Response):
    """No ``Server`` header: which server (and so which advisories) is nobody else's business.
    Gunicorn has no setting for it; its response writes the header in ``default_headers``."""

    def default_headers(self):
        return [line for line in super().default_headers() if not line.startswith("Server:")]


wsgi.Response = _AnonymousResponse
