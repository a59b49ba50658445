"""The one settings module. Everything that differs between a laptop and production
comes from the environment (see README, "Configuration").

Embedded default (no environment): SQLite file under var/, Celery tasks run eagerly
in-process, mail printed to the console. With DATABASE_URL and CELERY_BROKER_URL set:
PostgreSQL, Redis and real workers. The same service code runs in both.
"""

import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from kombu import Queue

from reviewapp.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("REVIEWAPP_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)


def _secret_key() -> str:
    key = env_str("SECRET_KEY")
    if key:
        if not DEBUG and len(key) < 50:
            raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters long")
        return key
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is required when DEBUG is off. For local development set DEBUG=1 "
            "(`make run` does) and a key is generated once under var/."
        )
    # Local development: a random key kept on disk so sessions survive restarts,
    # never a key written in the source.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(64))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI and ReDoc, vendored: /api/docs/ works offline
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "csp",
    "reviewapp",
    "screening",
    "extraction",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before anything reads request.POST: an oversized upload is refused unread.
    "reviewapp.uploads.UploadLimitMiddleware",
    "reviewapp.input.RefuseNulMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's, reading a review-scoped request's user with their membership (access.py).
    "reviewapp.access.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",  # last: answers a locked-out login
]

ROOT_URLCONF = "reviewapp.urls"
WSGI_APPLICATION = "reviewapp.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "reviewapp.context_processors.site",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    try:
        DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    except Exception as exc:  # dj-database-url raises several types for a bad URL
        raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {exc}") from None
# The hot path's statements are prepared once per connection (reviewapp/prepared.py);
# turn off behind a pooler in transaction mode (PgBouncer's default).
DATABASE_PREPARED = env_bool("DATABASE_PREPARED", True)
if DATABASE_URL and "postgresql" in DATABASES["default"]["ENGINE"]:
    flags = []
    if not env_bool("DATABASE_JIT", False):
        # PostgreSQL's JIT compiles any statement it guesses costly (a count over a
        # 100,000-record review): 30-40 ms of compiling for a 10 ms query. The web's
        # statements are short; turn it back on with DATABASE_JIT=1 for analytics.
        flags.append("-c jit=off")
    if DATABASE_PREPARED:
        # Prepared statements (only those: Django's own are sent whole) keep one plan
        # per connection. They are reads and writes by id and by index prefix, so the
        # generic plan is the one wanted; left to choose, PostgreSQL planned them again
        # on every run (custom plans: 3 ms of planning per vote-and-next) and, with
        # statistics gone stale, planned a sequential scan of the outcomes for a
        # lookup of 50 ids (4.9 ms instead of 0.3).
        flags.append("-c plan_cache_mode=force_generic_plan")
    if flags:
        options = DATABASES["default"].setdefault("OPTIONS", {})
        options["options"] = " ".join([options.get("options", ""), *flags]).strip()
if not DATABASE_URL:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "db.sqlite3",
            # WAL + IMMEDIATE transactions let several reviewers write at once
            # without "database is locked" errors on the embedded database.
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Celery -------------------------------------------------------------------
# Without a broker every task runs in-process, at once: the embedded default.
CELERY_TASK_ALWAYS_EAGER = not env_str("CELERY_BROKER_URL")
# Embedded mode: imports run in a thread after the upload's response (reviewapp/background.py).
IMPORT_IN_THREAD = env_bool("IMPORT_IN_THREAD", CELERY_TASK_ALWAYS_EAGER)
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL") or "memory://localhost/"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True  # a task whose worker dies is handed to another worker
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A worker keeps its database connection between tasks, as a web process does between
# requests: Celery's Django fix-up would close it after every task (a new PostgreSQL
# backend, and its start-up CPU, per task) unless told it may reuse it; reviewapp/celery.py
# closes it instead when CONN_MAX_AGE (60 s) says so or it broke.
CELERY_DB_REUSE_MAX = 10**9
# An unacknowledged task (its worker died) is handed to another worker after this long.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 900, minimum=60)
}

# Retraining runs on its own low-priority queue: a worker started without -Q serves both
# queues; a deployment can give training its own machines (`-Q ranking`) and keep the
# web's worker to `-Q celery` (README, "Running in production").
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES = [Queue("celery"), Queue("ranking")]
CELERY_TASK_ROUTES = {
    "screening.tasks.ranking.*": {"queue": "ranking"},
    "screening.tasks.embeddings.*": {"queue": "ranking"},
    # The search documents an import leaves to write (the search is complete meanwhile):
    # on a worker of its own they are written beside the deduplication, not before it.
    "screening.tasks.search.*": {"queue": "ranking"},
}
# Each screener's model is refitted after this many of their own votes, or once this
# many seconds old when anything it learns from changed (a small review: every change).
RANKING_REFIT_VOTES = env_int("RANKING_REFIT_VOTES", 50, minimum=1)
RANKING_REFIT_SECONDS = env_int("RANKING_REFIT_SECONDS", 300, minimum=1)
# At most this many reviews retrain at once (the others wait their turn), and a review's
# runs start at least this many seconds apart.
RANKING_MAX_RUNNING = env_int("RANKING_MAX_RUNNING", 1, minimum=1)
RANKING_RUN_GAP_SECONDS = env_int("RANKING_RUN_GAP_SECONDS", 5, minimum=0)

# The team's progress figures on the screening page are shared between members for this
# many seconds (a record moving renews them at once); 0 counts on every request.
SCREENING_PROGRESS_CACHE_SECONDS = env_int("SCREENING_PROGRESS_CACHE_SECONDS", 3, minimum=0)

# Relevance ranking's optional semantic block (sentence embeddings beside TF-IDF): needs
# the `semantic` extra and a worker (see README, "Relevance ranking").
RANKING_SEMANTIC = env_bool("RANKING_SEMANTIC", False)

# --- Cache (import progress, model state) ------------------------------------------
# Shared between web processes and workers when Redis is there; in-process otherwise.
CACHE_URL = env_str(
    "CACHE_URL", CELERY_BROKER_URL if CELERY_BROKER_URL.startswith("redis") else None
)
CACHES = {
    "default": (
        {
            "BACKEND": "reviewapp.cache.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "reviewapp",
        }
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# Sessions: with the shared (Redis) cache, each request reads its session from the cache
# (written through to the database, read from there on a miss): no session query per
# request. With the per-process cache, from the database alone: a logout in one process
# must end the session in every other process too.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if CACHE_URL
    else "django.contrib.sessions.backends.db"
)

# --- Auth ---------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# --- Content-Security-Policy (README, "Security") ---------------------------------
# Scripts only from our own static files (no inline script, no eval: forms ask with
# data-confirm, handled in static/js/confirm.js); styles may be inline (style attributes,
# HTMX's indicator style). CSP_REPORT_ONLY=1 reports violations instead of blocking.
# The API docs (Swagger UI, ReDoc) are vendored static files too, under the same policy;
# ReDoc runs its search in a worker made from a blob.
_CSP = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'", "blob:"],
        "frame-src": ["'self'"],
        "object-src": ["'self'"],  # the browser's PDF viewer shows full texts
        "frame-ancestors": ["'self'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
    },
}
if env_bool("CSP_REPORT_ONLY", False):
    CONTENT_SECURITY_POLICY_REPORT_ONLY = _CSP
else:
    CONTENT_SECURITY_POLICY = _CSP

# --- Login protection (README, "Security") ---------------------------------------
# django-axes counts failed logins per username *and* IP address: after
# LOGIN_FAILURE_LIMIT failures that pair is locked out for LOGIN_COOLOFF_MINUTES (other
# people, and the same person from elsewhere, can still log in). A success resets it.
AUTHENTICATION_BACKENDS = [
    "reviewapp.auth_backends.LoginProtectionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_IPWARE_PROXY_COUNT = 1 if env_bool("BEHIND_TLS_PROXY", False) else None
AXES_ENABLED = env_bool("LOGIN_PROTECTION", True)
# Invitations by e-mail stop working after this many days (a new one can be sent).
# Requests made with an API token, per user ("N/second|minute|hour|day").
API_TOKEN_RATE = env_str("API_TOKEN_RATE", "") or "1200/minute"
INVITATION_MAX_AGE_DAYS = env_int("INVITATION_MAX_AGE_DAYS", 14, minimum=1)
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT_HOURS", 24, minimum=1) * 3600

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Open sign-up is off: people join through an invitation or an admin.
OPEN_SIGNUP = env_bool("OPEN_SIGNUP", False)

# --- I18N ---------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files -------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STORAGES = {
    # Uploads are private: served through views that check membership, never by URL.
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# No URL serves MEDIA_ROOT: uploads go out only through views that check membership.
# (Django wants a value; only its test live server ever maps it.)
MEDIA_URL = "/_private_media_not_served/"
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 200 * 1024 * 1024, minimum=1024)
# Each review's normalised records, kept between deduplication runs for every worker
# (screening/services/dedupe_cache.py): empty means MEDIA_ROOT/dedupe-cache.
DEDUPE_CACHE_DIR = env_str("DEDUPE_CACHE_DIR", "")
DEDUPE_CACHE_MAX_BYTES = env_int("DEDUPE_CACHE_MAX_BYTES", 2 * 1024**3, minimum=0)
# What one import may cost (README, "Security"): a field or record over its cap is
# rejected with its line; a file with more records, or an import running longer, fails
# whole and leaves nothing.
IMPORT_MAX_FIELD_CHARS = env_int("IMPORT_MAX_FIELD_CHARS", 200_000, minimum=1000)
IMPORT_MAX_RECORD_CHARS = env_int("IMPORT_MAX_RECORD_CHARS", 1_000_000, minimum=1000)
IMPORT_MAX_COLUMNS = env_int("IMPORT_MAX_COLUMNS", 300, minimum=10)
IMPORT_MAX_RECORDS = env_int("IMPORT_MAX_RECORDS", 200_000, minimum=1)
IMPORT_TIME_LIMIT = env_int("IMPORT_TIME_LIMIT", 600, minimum=5)  # seconds
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# An upload past UPLOAD_MAX_BYTES stops as it arrives (reviewapp/uploads.py).
FILE_UPLOAD_HANDLERS = [
    "reviewapp.uploads.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# --- Mail ---------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "reviewapp <noreply@localhost>")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# --- REST API -----------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # Requests made with an API token are throttled per user (README, "Security").
    "DEFAULT_THROTTLE_CLASSES": ["reviewapp.input.TokenRateThrottle"],
    # JSON bodies must be objects without NUL (reviewapp/input.py).
    "DEFAULT_PARSER_CLASSES": [
        "reviewapp.input.ObjectJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "reviewapp.input.StrictPageNumberPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_SCHEMA_CLASS": "reviewapp.api_schema.AutoSchema",
    "EXCEPTION_HANDLER": "reviewapp.api_errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "reviewapp API",
    "DESCRIPTION": "Screen the literature for a systematic review: reviews, members, "
    "imports, screening, PRISMA and exports. Authenticate with `Authorization: Token <key>`.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI and ReDoc from drf-spectacular-sidecar's pinned copies, served as our own
    # static files: the docs work on an air-gapped install and load nothing from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # The schema documents JSON bodies, and multipart where a file is uploaded. Forms are
    # still read (the pages' scripts post them) but not offered to clients: a form cannot
    # say null, so the documented nullable fields could not be sent that way.
    "PARSER_WHITELIST": ["reviewapp.input.ObjectJSONParser", "reviewapp.input.UploadParser"],
    # `<id:…>` (reviewapp/converters.py): a positive 64-bit integer.
    "PATH_CONVERTER_OVERRIDES": {
        "id": {"type": "integer", "minimum": 1, "maximum": 2**63 - 1},
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Security (production) -------------------------------------------------------
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", False) else None
)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"  # the full-text viewer opts in to SAMEORIGIN on its own view

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}
