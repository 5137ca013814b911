"""pieweb settings. Everything is read from the environment (see README "Configuration")."""
from __future__ import annotations

from pathlib import Path

import dj_database_url

from .env import BASE_DIR, env_bool, env_float, env_int, env_list, env_str, secret_key, var_dir

VAR_DIR = var_dir()

SECRET_KEY = secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "apps.accounts",
    "apps.problems",
    "apps.benchmarks",
    "apps.submissions",
    "apps.selfplay",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "pieweb.urls"

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
            ],
        },
    },
]

WSGI_APPLICATION = "pieweb.wsgi.application"

# SQLite under var/ by default; PostgreSQL in CI and compose (DATABASE_URL=postgres://...).
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'pieweb.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and the worker write concurrently: wait for the lock instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {"timeout": 30, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Front-end libraries installed by npm (package.json), served without a CDN.
    ("vendor/chartjs", BASE_DIR / "node_modules" / "chart.js" / "dist"),
]
STATIC_ROOT = env_str("STATIC_ROOT", str(VAR_DIR / "staticfiles"))
# WhiteNoise warns on every request when the folder is missing (before the first collectstatic).
Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = True

# Content-addressed store for test-case inputs/outputs (megabytes each; kept out of the database).
BLOB_ROOT = env_str("BLOB_ROOT", str(VAR_DIR / "blobs"))

# Cache (overview charts and other aggregates, keyed by dataset version). Per-process memory by
# default; CACHE_URL=redis://host:6379/N shares one cache between all web workers.
CACHE_URL = env_str("CACHE_URL", "")
if CACHE_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}}
# Seconds an anonymous reader's dataset page (overview, lists, problem, pair) is served from the
# cache; imports invalidate at once (apps/problems/pagecache.py). 0 disables it.
BROWSE_PAGE_CACHE_SECONDS = env_int("BROWSE_PAGE_CACHE_SECONDS", 30)

# Upload limits (bytes).
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 10 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = env_int("FILE_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)
MAX_UPLOAD_BYTES = env_int("MAX_UPLOAD_BYTES", 100 * 1024 * 1024)
MAX_SOURCE_BYTES = env_int("MAX_SOURCE_BYTES", 256 * 1024)

# Celery. Embedded default: kombu's filesystem transport (no server) under var/broker.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "broker"
    for _sub in ("queue", "processed"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
    }
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", "") or None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_TASK_DEFAULT_QUEUE", "pieweb")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# Benchmark engine (see apps/benchmarks/engine/config.py for meanings and units).
BENCH_BACKEND = env_str("BENCH_BACKEND", "cachegrind")
BENCH_CACHE_DIR = env_str("BENCH_CACHE_DIR", str(VAR_DIR / "bench-cache"))
BENCH_COMPILER = env_str("BENCH_COMPILER", "g++")
BENCH_CFLAGS = env_str("BENCH_CFLAGS", "-std=c++17 -O3")
BENCH_SANDBOX = env_str("BENCH_SANDBOX", "bwrap")
BENCH_TIME_LIMIT_S = env_float("BENCH_TIME_LIMIT_S", 10.0)
BENCH_MEMORY_LIMIT_BYTES = env_int("BENCH_MEMORY_LIMIT_BYTES", 2 * 1024**3)
BENCH_OUTPUT_LIMIT_BYTES = env_int("BENCH_OUTPUT_LIMIT_BYTES", 64 * 1024**2)
GEM5_IMAGE = env_str("GEM5_IMAGE", "alexshypula/gem5-skylake:api")
USE_GEM5 = env_bool("USE_GEM5", False)

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "apps.accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    # anon/user apply to every request; "submit" (ScopedRateThrottle) to submissions and uploads.
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
        "rest_framework.throttling.ScopedRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("THROTTLE_ANON", "600/min"),
        "user": env_str("THROTTLE_USER", "1200/min"),
        "submit": env_str("THROTTLE_SUBMIT", "60/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "pieweb API",
    "DESCRIPTION": "Performance-improving code edits: dataset, benchmarks, model runs and scores.",
    "VERSION": "1.0.0",
    # Multipart uploads and read-only fields get separate request/response components.
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "JobStateEnum": "apps.benchmarks.models.BenchmarkJob.State",
        "ModelRunStateEnum": "apps.submissions.models.ModelRun.State",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
