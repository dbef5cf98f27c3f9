"""Olive settings: everything that differs between machines comes from the environment.

With nothing set, Olive runs *embedded*: SQLite, Celery tasks executed eagerly in-process, an
in-memory cache, and DEBUG on. Setting ``DATABASE_URL`` switches to production-like defaults
(DEBUG off, a secret key required, secure cookies); ``REDIS_URL`` brings a real broker and cache.
"""

import datetime
from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

EMBEDDED = "DATABASE_URL" not in env
DEBUG = env.bool("DJANGO_DEBUG", default=EMBEDDED)
# Production never falls back to a default key: a missing key must stop the process.
SECRET_KEY = (
    env("DJANGO_SECRET_KEY", default="django-insecure-olive-embedded-only")
    if DEBUG
    else env("DJANGO_SECRET_KEY")
)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework_api_key",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "template_partials",
    "axes",  # login throttling and lock-out (settings under "Security")
    "csp",  # Content-Security-Policy header (settings under "Security")
    # Project apps, in dependency order (an app imports only from apps above it).
    "tenancy",
    "webhooks",
    "ui",
    "creators",
    "brands",
    "compliance",
    "mcn",
    "traffic",
    "matching",
    "analytics",
    "demo",
]

MIDDLEWARE = [
    # Outermost, so that it sees every answer: an API error is JSON even when Django made it
    # (its DEBUG pages for an exception in a view or any middleware, an unknown URL).
    "api.errors.ApiErrorMiddleware",
    # The site's edge (api/edge.py, settings under "Security"). Next: X-Forwarded-*
    # from anyone but a trusted proxy is dropped before SecurityMiddleware reads the scheme.
    "api.edge.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # A NUL byte in the path or query string is a 400 before it reaches a lookup (api/errors.py).
    "api.errors.NulBytesMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before CsrfViewMiddleware, whose process_view reads a form's body.
    "api.edge.BodySizeLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Inside WhiteNoise (static files keep their long cache), outside everything that answers.
    "api.edge.PrivateCacheMiddleware",
    "tenancy.middleware.AdminActorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "api.edge.LoginRateLimitMiddleware",
    "api.edge.AnonymousApiThrottleMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # A bare 405 (require_POST, LogoutView on GET) becomes a page saying what to do, or the API's
    # JSON error under /api/.
    "api.errors.MethodNotAllowedMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tenancy.context_processors.actor",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Production keeps connections for a minute: opening one per request (PostgreSQL starts a backend,
# authenticates, warms its caches) cost ~10 ms of each API call under load (bench/api_load.py).
# Embedded, runserver starts a thread per request, so kept connections would only pile up.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=0 if EMBEDDED else 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # a connection the server dropped is replaced
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # PostgreSQL's JIT compiles any plan estimated above jit_above_cost: a sorted directory page
    # (a brand's figures are a subquery per creator) spent ~1 s compiling for 0.3 s of running.
    # Requests run short queries; compiling never pays back here (README "Performance").
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = f"{options.get('options', '')} -c jit=off".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes checks the lock-out before any backend tries the password. It needs the request:
# a test logs in with force_login (Client.login passes none and would be refused).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "tenancy:login"
LOGIN_REDIRECT_URL = "tenancy:home"
LOGOUT_REDIRECT_URL = "tenancy:login"

# The UI ships in Simplified Chinese (default) and English.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Our own number formats where Django's do not fit (config/formats/zh_Hans: thousands grouping).
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "ui.staticfinders.PlotlyFinder",  # plotly.js from the plotly package, nothing else of it
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Tests run without collectstatic; an unhashed URL beats a 500 for a missing manifest entry.
WHITENOISE_MANIFEST_STRICT = False
# Served at the site root: /favicon.ico, which browsers ask for whatever a page links.
WHITENOISE_ROOT = BASE_DIR / "static" / "root"

# --- Cache and Celery -------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default=None)
# Keep the cache in its own Redis database: clearing it must never drop queued tasks.
REDIS_CACHE_URL = env("REDIS_CACHE_URL", default=REDIS_URL)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_CACHE_URL,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=30 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=25 * 60)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Redis hands an unacknowledged message (its worker died) to another consumer after this. It
# must outlast the longest task (30 min) and the longest countdown a worker holds a message for
# (webhook backoff, 30 min), or healthy work runs twice; a killed worker's run does not wait for
# it (its lease and the resume beat job, traffic.services). Kombu's default, stated.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 60 * 60}
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# Every beat job, in one place. Each runs a periodic service (``tenancy.tasking.periodic_task``)
# as the system, ``tenancy.scoping.SYSTEM`` as data (settings import no app);
# tests/test_beat_schedule.py checks that every periodic service is scheduled here.
_AS_SYSTEM = {"actor": {"user_id": None, "role": "system"}}
CELERY_BEAT_SCHEDULE = {
    # Every minute: a run whose worker died restarts within its lease (90 s) and one tick,
    # a webhook attempt lost in flight within twice its lease (2 min each) and one tick.
    "resume-lost-allocation-runs": {
        "task": "traffic.allocation_runs_resume",
        "schedule": 60,
        "kwargs": _AS_SYSTEM,
    },
    "resume-webhook-deliveries": {
        "task": "webhooks.deliveries_resume",
        "schedule": 60,
        "kwargs": _AS_SYSTEM,
    },
    "expire-api-keys": {
        "task": "tenancy.api_keys_expire",
        "schedule": 15 * 60,
        "kwargs": _AS_SYSTEM,
    },
    # An invitation past its response deadline can no longer be answered: mark it expired
    # (and tell the brand and the agency) within 15 minutes.
    "expire-collaboration-offers": {
        "task": "brands.collaborations_expire",
        "schedule": 15 * 60,
        "kwargs": _AS_SYSTEM,
    },
    # A refund the brand did not decide by its deadline (72 hours, brands.refund_rules) reaches
    # the operator's queue within 15 minutes.
    "escalate-overdue-refunds": {
        "task": "brands.refunds_escalate_due",
        "schedule": 15 * 60,
        "kwargs": _AS_SYSTEM,
    },
    # Hourly, so a contract's rights begin within the hour after local midnight of its start.
    "start-due-contracts": {
        "task": "mcn.contracts_start_due",
        "schedule": 60 * 60,
        "kwargs": _AS_SYSTEM,
    },
    # Daily; the service makes one cycle a month (last month's end), so a missed day or a
    # second beat changes nothing.
    "certify-agencies-monthly": {
        "task": "mcn.certification_cycle_monthly",
        "schedule": 24 * 60 * 60,
        "kwargs": _AS_SYSTEM,
    },
    "expire-contract-offers": {
        "task": "mcn.contracts_expire",
        "schedule": 15 * 60,
        "kwargs": _AS_SYSTEM,
    },
    # Every 15 minutes: the match index is rebuilt when portraits, figures or collaborations
    # changed since the index in force (the service compares fingerprints; unchanged = nothing).
    "rebuild-match-index": {
        "task": "matching.match_index_refresh",
        "schedule": 15 * 60,
        "kwargs": _AS_SYSTEM,
    },
    # Every 6 hours: yesterday's complaint rates (the service replaces that day's rows, so the
    # day is stored within 6 hours of local midnight and a second beat changes nothing).
    "store-complaint-rates": {
        "task": "compliance.complaint_rates_due",
        "schedule": 6 * 60 * 60,
        "kwargs": _AS_SYSTEM,
    },
    # Daily: yesterday's ecosystem report (analytics.services); a second beat the same day
    # replaces the day's cached figures with the same ones unless late rows arrived.
    "cache-ecosystem-report": {
        "task": "analytics.ecosystem_reports_due",
        "schedule": 24 * 60 * 60,
        "kwargs": _AS_SYSTEM,
    },
}

# --- matching -------------------------------------------------------------------------------
# Where the match index versions live: every web and worker process maps the same files
# read-only (matching/index.py), so on several machines this is a shared volume.
MATCH_INDEX_DIR = Path(env("MATCH_INDEX_DIR", default=str(BASE_DIR / "var" / "match_index")))
# At most this share of a ranked top-k from one agency (the diversity rule; at least one each).
MATCH_MAX_AGENCY_SHARE = env.float("MATCH_MAX_AGENCY_SHARE", default=0.3)

# --- API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.auth.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.HasActor"],
    # JSON by default; a browser gets the browsable API, rendered inside the actor with its
    # dropdowns scoped to the acting tenant (why we keep it: api/renderers.py).
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "api.renderers.ScopedBrowsableAPIRenderer",
    ],
    # JSON only (no endpoint takes a file): one body format for every client, and one parser
    # that bounds nesting and refuses NUL (api/parsers.py). Forms and multipart answer 415.
    "DEFAULT_PARSER_CLASSES": ["api.parsers.BoundedJSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_THROTTLE_CLASSES": [
        "api.throttling.ApiKeyRateThrottle",
        "api.throttling.SessionUserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "api_key": env("OLIVE_API_KEY_RATE", default="600/min"),
        "user": env("OLIVE_API_USER_RATE", default="1200/min"),
    },
    "DEFAULT_PAGINATION_CLASS": "api.pagination.CursorPage",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "api.schema.OliveAutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "api.errors.error_response_handler",
    "COERCE_DECIMAL_TO_STRING": True,
    "DATETIME_FORMAT": "iso-8601",
    "DATE_FORMAT": "iso-8601",
}
API_KEY_CUSTOM_HEADER = "HTTP_AUTHORIZATION"
# Calls that authenticate as nobody (no credentials, or failing ones), per client address
# (api.edge.AnonymousApiThrottleMiddleware: DRF would refuse them before throttling).
OLIVE_API_ANON_RATE = env("OLIVE_API_ANON_RATE", default="60/min")
# Request bodies (api.edge.BodySizeLimitMiddleware, judged on Content-Length before
# anything reads the body): a small cap everywhere, a larger one only for views that declare
# ``accepts_bulk_body`` (the bulk upserts: 10,000 rows with long handles and titles are ~3-6 MB).
# A 14 MiB body parsed anywhere grew a worker from 145 to 511 MB.
OLIVE_MAX_BODY_SIZE = env.int("OLIVE_MAX_BODY_SIZE", default=2**20)
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("OLIVE_BULK_MAX_BODY_SIZE", default=16 * 2**20)
SPECTACULAR_SETTINGS = {
    "TITLE": "Olive partner API",
    "DESCRIPTION": (
        "Partners authenticate with `Authorization: Api-Key <key>`; each key belongs to one "
        "organization and carries `resource:action` scopes."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # The same schema whatever Accept-Language (or ?lang=) the request says: generated clients
    # and their diffs must not depend on who fetched it (api/schema.py).
    "DEFAULT_GENERATOR_CLASS": "api.schema.EnglishSchemaGenerator",
    # Several models have a `status`; name each enum after its model.
    "ENUM_NAME_OVERRIDES": {
        "CreatorStatusEnum": "creators.models.Creator.Status",
        "CampaignStatusEnum": "brands.models.Campaign.Status",
        "CollaborationStatusEnum": "brands.models.Collaboration.Status",
        "ComplaintStatusEnum": "brands.models.Complaint.Status",
        "ContractStatusEnum": "mcn.models.Contract.Status",
        "ComplaintCategoryEnum": "brands.models.Complaint.Category",
        "ContentKindEnum": "creators.models.ContentItem.Kind",
        "VerticalEnum": "creators.taxonomy.VERTICAL_CHOICES",
        "CityTierEnum": "creators.taxonomy.CITY_TIER_CHOICES",
    },
}

# --- Security (production-like mode) --------------------------------------------------------
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
# Believed only from OLIVE_TRUSTED_PROXIES: api.edge.TrustedProxyMiddleware drops
# X-Forwarded-* from every other peer (gunicorn listens on 0.0.0.0 in the container) and takes
# the client's address from X-Forwarded-For when a trusted proxy sent it.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
OLIVE_TRUSTED_PROXIES = env.list("OLIVE_TRUSTED_PROXIES", default=["127.0.0.1", "::1"])
# Sign-in attempts (POSTs to the site's and the admin's sign-in) per client address, whatever the
# username (api.edge.LoginRateLimitMiddleware); axes locks one username per address.
OLIVE_LOGIN_RATE = env("OLIVE_LOGIN_RATE", default="20/min")
# No page needs these browser features; a script injected anyway cannot ask for them.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "bluetooth",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "serial",
        "usb",
        "browsing-topics",
    )
}
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# Content-Security-Policy (django-csp). Everything is served by Olive itself (no CDN), so 'self'
# is the only source; no 'unsafe-inline' anywhere. A script or <style> that must stay inline
# carries ``nonce="{{ request.csp_nonce }}"`` (the nonce is in the header only on responses that
# used it). Event handlers in markup (onclick=…) and style="…" attributes are refused by the
# browser: behaviour lives in static/js/olive.js, looks in static/css/olive.css. htmx is told not
# to inject its indicator <style> (meta htmx-config in base.html). /api/docs/ (Swagger UI) loads
# its init script from a URL of its own (SpectacularSwaggerSplitView) and its one <style> has the
# nonce (templates/drf_spectacular/swagger_ui.html).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        # data: for the SVG icons that Swagger UI and the browsable API inline in their CSS.
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Login throttling (django-axes): AXES_FAILURE_LIMIT wrong passwords for one username from one IP
# lock that pair out for AXES_COOLOFF_TIME; even the right password is refused meanwhile, and the
# lock-out is written to the audit log (tenancy.services.login_lockout_record). A successful
# login clears the count.
# Behind a proxy axes sees the proxy's address unless it is told how to read X-Forwarded-For
# (AXES_IPWARE_* with django-ipware); the username half of the pair still applies.
AXES_FAILURE_LIMIT = env.int("OLIVE_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("OLIVE_LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "tenancy/locked_out.html"
AXES_LOCKOUT_CALLABLE = "tenancy.views.login_locked_out"
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="WARNING")},
}

# --- Webhooks (webhooks/) --------------------------------------------------------------------
# Webhook URLs must resolve to public addresses (no SSRF into our own network); only local
# development and tests may allow private, loopback and link-local targets.
OLIVE_WEBHOOKS_ALLOW_PRIVATE = env.bool("OLIVE_WEBHOOKS_ALLOW_PRIVATE", default=False)
# Ports besides 80 and 443 that webhook URLs may name (comma-separated): any other port of a
# public host may be a service that is not HTTP (Redis, SMTP) and would read our POST anyway.
OLIVE_WEBHOOK_ALLOWED_PORTS = env.list("OLIVE_WEBHOOK_ALLOWED_PORTS", cast=int, default=[])
# Attempts per delivery (backoff 30 s, 1 min, 2 min, … between them) before it is abandoned.
OLIVE_WEBHOOK_MAX_ATTEMPTS = env.int("OLIVE_WEBHOOK_MAX_ATTEMPTS", default=6)
# Abandoned deliveries in a row after which an endpoint is disabled (and the event audited).
OLIVE_WEBHOOK_DISABLE_AFTER = env.int("OLIVE_WEBHOOK_DISABLE_AFTER", default=10)
