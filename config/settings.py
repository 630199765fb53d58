"""Kopa settings, read from environment variables (see ``.env.example``).

With nothing set, Kopa runs on embedded defaults: a SQLite file, the in-memory channel
layer and Celery tasks executed eagerly in-process. ``DATABASE_URL`` and ``REDIS_URL``
switch to PostgreSQL and Redis (channel layer, Celery broker, cache).
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import (
    env_bool,
    env_database,
    env_int,
    env_list,
    env_networks,
    env_redis_url,
    env_str,
    websocket_origin,
)

BASE_DIR = Path(__file__).resolve().parent.parent

KOPA_ENV = env_str("KOPA_ENV", "development", choices=("development", "production"))
PRODUCTION = KOPA_ENV == "production"
DEBUG = env_bool("KOPA_DEBUG", not PRODUCTION)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("KOPA_DEBUG must be off when KOPA_ENV=production")

SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY is required when KOPA_ENV=production")
    SECRET_KEY = "kopa-development-only-not-secret"

ALLOWED_HOSTS = env_list("KOPA_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("KOPA_CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("KOPA_SITE_URL", "http://127.0.0.1:8000")
# Where pages open their websocket when it is not the site itself (ws(s)://host[:port]);
# empty: the page's own host.
KOPA_WEBSOCKET_ORIGIN = (
    websocket_origin("KOPA_WEBSOCKET_ORIGIN", env_str("KOPA_WEBSOCKET_ORIGIN"))
    if env_str("KOPA_WEBSOCKET_ORIGIN")
    else ""
)

# --- Applications ----------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "channels",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "allauth",
    "allauth.account",
    "engagement",
    "budgeting",
    "surveys",
    "workshops",
    "frontend",
    "config.apps.OperationsConfig",
]

MIDDLEWARE = [
    # First: every later layer reads the client's address from REMOTE_ADDR (proxies resolved).
    "config.client_address.ClientAddressMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Too many fields or files, too large a form: a 400 before anything else reads them.
    "config.middleware.RequestLimits",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # After authentication: answers to signed-in people are never stored by a cache.
    "engagement.http.cache_policy.CachePolicyMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Listed before the app directories so Kopa's allauth/ and account/ templates win over
        # allauth's own (allauth comes before frontend in INSTALLED_APPS).
        "DIRS": [BASE_DIR / "frontend" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "frontend.context.navigation",
            ],
        },
    },
]

# --- Data stores -----------------------------------------------------------------------------
DATABASES = {"default": env_database("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env_int("KOPA_DB_CONN_MAX_AGE", 60, minimum=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"]["ATOMIC_REQUESTS"] = False
USING_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
if not USING_POSTGRES:
    # WAL lets the dev server read while a command writes.
    DATABASES["default"]["OPTIONS"] = {"init_command": "PRAGMA journal_mode=WAL;"}
    # The survey answers' covering indexes (INCLUDE) serve PostgreSQL; SQLite keeps their
    # key columns, which is all the embedded defaults need.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]

# How many processes and threads talk to PostgreSQL, so that their connections fit within
# its max_connections (config/checks.py; docs/operations.md, "Database connections").
# The server launcher (config/servers.py) starts exactly these numbers.
KOPA_APP_HOSTS = env_int("KOPA_APP_HOSTS", 1, minimum=1)
KOPA_WEB_WORKERS = env_int("KOPA_WEB_WORKERS", 2, minimum=1, maximum=256)
KOPA_WEB_THREADS = env_int("KOPA_WEB_THREADS", 4, minimum=1, maximum=256)
KOPA_WS_WORKERS = env_int("KOPA_WS_WORKERS", 2, minimum=1, maximum=256)
KOPA_CELERY_CONCURRENCY = env_int("KOPA_CELERY_CONCURRENCY", os.cpu_count() or 1, minimum=1)
# Connections each process may hold at once (a psycopg pool per process); 0: no pool, one
# persistent connection per thread kept KOPA_DB_CONN_MAX_AGE seconds.
KOPA_DB_POOL_SIZE = env_int("KOPA_DB_POOL_SIZE", KOPA_WEB_THREADS, minimum=0, maximum=1000)
# Seconds a request waits for a free pooled connection before it fails.
KOPA_DB_POOL_TIMEOUT = env_int("KOPA_DB_POOL_TIMEOUT", 10, minimum=1, maximum=300)
# Connections kept free for everything else: migrations, psql, backups, monitoring.
KOPA_DB_RESERVED_CONNECTIONS = env_int("KOPA_DB_RESERVED_CONNECTIONS", 10, minimum=0)
if USING_POSTGRES and KOPA_DB_POOL_SIZE:
    # A pooled connection goes back to the pool at the end of each request.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": KOPA_DB_POOL_SIZE,
        "timeout": KOPA_DB_POOL_TIMEOUT,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_redis_url("REDIS_URL")
# Redis is never the source of truth (docs/operations.md, "When Redis goes away"): a call
# that gets no answer within this gives up, and then the process leaves Redis alone (cache
# and sessions take their fallbacks, live marks are skipped) and checks every
# KOPA_REDIS_RETRY_SECONDS whether it is back.
KOPA_REDIS_TIMEOUT_MS = env_int("KOPA_REDIS_TIMEOUT_MS", 250, minimum=10, maximum=10_000)
KOPA_REDIS_RETRY_SECONDS = env_int("KOPA_REDIS_RETRY_SECONDS", 2, minimum=1, maximum=300)

if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "prefix": env_str("KOPA_CHANNEL_PREFIX", "kopa")},
        }
    }

    def _redis_cache(fallback: str) -> dict[str, object]:
        return {
            "BACKEND": "config.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("KOPA_CHANNEL_PREFIX", "kopa"),
            "OPTIONS": {
                "fallback": fallback,
                "socket_timeout": KOPA_REDIS_TIMEOUT_MS / 1000,
                "socket_connect_timeout": KOPA_REDIS_TIMEOUT_MS / 1000,
            },
        }

    CACHES = {
        # Rate limits (DRF throttles, allauth) and page caches: per process while Redis is away.
        "default": _redis_cache("memory"),
        # Sessions: nothing cached while Redis is away, so they come from the database.
        "sessions": _redis_cache("none"),
    }
    # Sessions are read on every signed-in request: from Redis, with the database behind it.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    SESSION_CACHE_ALIAS = "sessions"
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery ----------------------------------------------------------------------------------
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env_bool("KOPA_CELERY_EAGER", REDIS_URL is None)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_CONCURRENCY = KOPA_CELERY_CONCURRENCY
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "scheduled-phases": {"task": "budgeting.tasks.run_scheduled_phases", "schedule": 60.0},
    "scheduled-surveys": {"task": "surveys.tasks.advance_surveys", "schedule": 60.0},
    # Reminders a day and an hour before; registration answers deleted 30 days after.
    "workshop-reminders": {"task": "workshops.tasks.send_reminders", "schedule": 60.0},
    "workshop-retention": {"task": "workshops.tasks.delete_expired_answers", "schedule": 3600.0},
}

# --- Accounts --------------------------------------------------------------------------------
AUTH_USER_MODEL = "engagement.User"
AUTHENTICATION_BACKENDS = [
    "engagement.people.auth.UserBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = env_str(
    "KOPA_EMAIL_VERIFICATION", "optional", choices=("mandatory", "optional", "none")
)
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key", "signup": "20/m/ip"}
# allauth reads the client's address from REMOTE_ADDR, which ClientAddressMiddleware has set
# from KOPA_TRUSTED_PROXIES: it must not interpret X-Forwarded-For a second time.
ALLAUTH_TRUSTED_PROXY_COUNT = 0
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = None
LOGIN_REDIRECT_URL = "/"
LOGIN_URL = "account_login"

EMAIL_BACKEND = env_str("KOPA_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("KOPA_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("KOPA_EMAIL_PORT", 25, minimum=1, maximum=65535)
EMAIL_HOST_USER = env_str("KOPA_EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("KOPA_EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("KOPA_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("KOPA_DEFAULT_FROM_EMAIL", "Kopa <no-reply@kopa.localhost>")
EMAIL_TIMEOUT = env_int("KOPA_EMAIL_TIMEOUT", 20, minimum=1, maximum=300)
# Notification e-mails (engagement.notifications.tasks.send_notification_email): off switches
# them off for everyone (in-app notifications stay); failed sends are retried with exponential
# backoff.
KOPA_NOTIFICATION_EMAILS = env_bool("KOPA_NOTIFICATION_EMAILS", True)
KOPA_NOTIFICATION_EMAIL_MAX_RETRIES = env_int(
    "KOPA_NOTIFICATION_EMAIL_MAX_RETRIES", 8, minimum=0, maximum=50
)

# --- Languages and time ----------------------------------------------------------------------
LANGUAGE_CODE = "en"
# The interface languages: complete translations only (the switcher and Accept-Language
# negotiation offer these). Staff translate round and project texts into them.
LANGUAGES = [
    ("en", _("English")),
    ("pl", _("Polish")),
    ("de", _("German")),
]
# Languages an organisation may publish its own content in (its first one is the language
# of the base title/description fields): the interface languages plus the region's others.
KOPA_CONTENT_LANGUAGES = [
    *LANGUAGES,
    ("lv", _("Latvian")),
    ("lt", _("Lithuanian")),
    ("et", _("Estonian")),
    ("fi", _("Finnish")),
    ("sv", _("Swedish")),
    ("da", _("Danish")),
    ("nb", _("Norwegian Bokmål")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["config.formats"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

# --- Static and media ------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("KOPA_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("KOPA_MEDIA_ROOT", str(BASE_DIR / "media")))
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- API -------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    # Shared mechanisms of every endpoint (engagement/http/api.py, docs/api.md): JSON bodies with
    # size and depth limits, bounded pages, OPTIONS without serializers, complete schemas.
    "DEFAULT_PARSER_CLASSES": ["engagement.http.api.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "engagement.http.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_METADATA_CLASS": "engagement.http.api.Metadata",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "engagement.http.api_schema.ApiSchema",
    "EXCEPTION_HANDLER": "engagement.http.api.api_exception_handler",
    # Throttles identify anonymous callers by REMOTE_ADDR, already resolved from
    # KOPA_TRUSTED_PROXIES by ClientAddressMiddleware; never by X-Forwarded-For itself.
    "NUM_PROXIES": 0,
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("KOPA_THROTTLE_ANON", "120/min"),
        "user": env_str("KOPA_THROTTLE_USER", "600/min"),
        # Scoped limits of single endpoints (per user, or per address when signed out).
        "ballot": env_str("KOPA_THROTTLE_BALLOT", "30/min"),
        "receipt": env_str("KOPA_THROTTLE_RECEIPT", "20/min"),
        # Citizen ideas: writing and submitting ideas (and their images), commenting,
        # supporting, reporting content to moderators.
        "idea": env_str("KOPA_THROTTLE_IDEA", "30/hour"),
        "comment": env_str("KOPA_THROTTLE_COMMENT", "10/min"),
        "support": env_str("KOPA_THROTTLE_SUPPORT", "60/min"),
        "report": env_str("KOPA_THROTTLE_REPORT", "20/hour"),
        "personal_data": env_str("KOPA_THROTTLE_PERSONAL_DATA", "10/min"),
        # Survey responses (drafts and submits), per person or, anonymously, per address.
        "survey_response": env_str("KOPA_THROTTLE_SURVEY_RESPONSE", "60/hour"),
        # Joining a workshop board with its code (API and page), per person or address.
        "board_join": env_str("KOPA_THROTTLE_BOARD_JOIN", "120/min"),
        # Registering for workshops and cancelling, per person.
        "workshop_registration": env_str("KOPA_THROTTLE_WORKSHOP_REGISTRATION", "30/hour"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Kopa API",
    "DESCRIPTION": "Participatory budgeting, citizen ideas, workshops and surveys.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "engagement.http.api_schema.merge_schema_rules",
    ],
    # One schema name per choice set, whichever field uses it.
    "ENUM_NAME_OVERRIDES": {
        "RoleEnum": "engagement.people.models.Role",
        "PhaseEnum": "budgeting.models.Phase",
        "BallotFormatEnum": "budgeting.models.BallotFormat",
        "OutcomeRuleEnum": "budgeting.models.OutcomeRule",
        "TieBreakEnum": "budgeting.models.TieBreak",
        "ProjectStatusEnum": "budgeting.models.ProjectStatus",
        "ChannelEnum": "budgeting.models.Channel",
        "PaperSheetStatusEnum": "budgeting.models.PaperSheetStatus",
        "ProcessKindEnum": "engagement.ideas.models.ProcessKind",
        "CollectionPhaseEnum": "engagement.ideas.models.CollectionPhase",
        "IdeaStatusEnum": "engagement.ideas.models.IdeaStatus",
        "ReportReasonEnum": "engagement.ideas.models.ReportReason",
        "ReportStatusEnum": "engagement.ideas.models.ReportStatus",
        "ModerationActionEnum": "engagement.ideas.models.ModerationAction",
        "ImplementationStatusEnum": "budgeting.models.ImplementationStatus",
        "QuestionKindEnum": "surveys.models.QuestionKind",
        "SurveyStateEnum": "surveys.models.SurveyState",
        "SurveyPurposeEnum": "surveys.models.SurveyPurpose",
        "ResultsVisibilityEnum": "surveys.models.ResultsVisibility",
        "WorkshopFormatEnum": "workshops.models.WorkshopFormat",
        "WorkshopStatusEnum": "workshops.models.WorkshopStatus",
        "RegistrationStatusEnum": "workshops.models.RegistrationStatus",
        "BoardStageEnum": "workshops.models.BoardStage",
    },
}

# --- Security --------------------------------------------------------------------------------
SESSION_COOKIE_SECURE = env_bool("KOPA_SECURE_COOKIES", PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("KOPA_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("KOPA_HSTS_SECONDS", 0, minimum=0)
if env_bool("KOPA_BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The load balancers / reverse proxies in front of Kopa (addresses or networks). Only from
# these is X-Forwarded-For believed (config/client_address.py); empty: the TCP peer is the client.
KOPA_TRUSTED_PROXIES = env_networks("KOPA_TRUSTED_PROXIES")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        # The site's own websocket origin, spelt out: 'self' covers ws:/wss: of the same
        # host only from Chrome 71 and Safari 16 on. Never ws:/wss: to any host.
        "connect-src": [
            "'self'",
            *dict.fromkeys(
                filter(None, [websocket_origin("KOPA_SITE_URL", SITE_URL), KOPA_WEBSOCKET_ORIGIN])
            ),
        ],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- Kopa ------------------------------------------------------------------------------------
KOPA_READINESS_TIMEOUT = env_int("KOPA_READINESS_TIMEOUT", 2, minimum=1, maximum=30)
KOPA_WS_MAX_FRAMES_PER_MINUTE = env_int("KOPA_WS_MAX_FRAMES_PER_MINUTE", 120, minimum=1)
KOPA_WS_MAX_FRAME_BYTES = env_int("KOPA_WS_MAX_FRAME_BYTES", 4096, minimum=256)
KOPA_WS_MAX_SUBSCRIPTIONS = env_int("KOPA_WS_MAX_SUBSCRIPTIONS", 20, minimum=1)
# Live topics push their latest state at most this often (docs/realtime.md, "Coalescing").
KOPA_LIVE_MIN_INTERVAL_MS = env_int("KOPA_LIVE_MIN_INTERVAL_MS", 250, minimum=0, maximum=60_000)
# Secret ballots: the smallest group of ballots a database reader may narrow one down to
# (docs/budgeting.md, "Ballot secrecy"). Live vote counts move by at least this many ballots.
KOPA_BALLOT_BATCH = env_int("KOPA_BALLOT_BATCH", 50, minimum=1, maximum=100_000)
# The key that seals ballots until the ballot box is opened. It must never be stored with the
# database or its backups; without one it is derived from DJANGO_SECRET_KEY. Old keys stay in
# the fallbacks until every round sealed with them has opened its box (docs/operations.md).
KOPA_BALLOT_KEY = env_str("KOPA_BALLOT_KEY") or f"derived-from-secret-key:{SECRET_KEY}"
KOPA_BALLOT_KEY_FALLBACKS = env_list("KOPA_BALLOT_KEY_FALLBACKS")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("KOPA_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
