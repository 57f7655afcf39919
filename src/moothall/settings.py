"""Moothall settings: one module, read from environment variables.

With nothing set, Moothall runs on SQLite in ``var/`` with a secret key
generated once into ``var/secret_key``. A council's *policy* (petition
thresholds, notice days, moderation mode) lives in the database, not here.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from moothall.env import env_bool, env_int, env_list, env_str, secret_key

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = PACKAGE_DIR.parent.parent
VAR_DIR = Path(env_str("MOOTHALL_VAR_DIR", str(BASE_DIR / "var")))
# The participatory-budgeting engine's compiled loop (numba) caches its machine code here,
# the one place a deployed install can write (read before numba is first imported).
os.environ.setdefault("NUMBA_CACHE_DIR", str(VAR_DIR / "numba"))

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = secret_key(VAR_DIR)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_NAME = env_str("SITE_NAME", "Moothall")

# Served over HTTPS (the default when DEBUG is off): secure cookies, HSTS and
# redirects. A local demo sets HTTPS=false to serve plain http on 127.0.0.1.
HTTPS = env_bool("HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = HTTPS and env_bool("SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS and env_bool("SECURE_HSTS_PRELOAD", True)
if env_bool("BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # allauth's rate limits count per visitor's address: take it from the X-Forwarded-For
    # entry our own proxies added, not REMOTE_ADDR (the proxy, shared by every visitor).
    ALLAUTH_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 1)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_tasks",
    "django_tasks_db",
    "ninja",  # serves the bundled Swagger UI files for the API docs page
    "moothall.core",
    "moothall.accounts",
    "moothall.councils",
    "moothall.meetings",
    "moothall.notifications",
    "moothall.ideas",
    "moothall.petitions",
    "moothall.correspondence",
    "moothall.budgeting",
    "moothall.population",
    "moothall.surveys",
    "moothall.deliberation",
    "moothall.live",
    "moothall.moderation",
    "moothall.search",
    "moothall.public",
    "moothall.staff",
    "moothall.api",
    "moothall.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "moothall.core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "moothall.api.middleware.PublicReadCorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "moothall.core.middleware.LocaleMiddleware",  # Django's, for URLs without a language
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "moothall.core.middleware.LazyMessageMiddleware",  # Django's, its store made when used
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "moothall.accounts.middleware.RequireStaffMFAMiddleware",
]

ROOT_URLCONF = "moothall.urls"
WSGI_APPLICATION = "moothall.wsgi.application"
ASGI_APPLICATION = "moothall.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "moothall.core.context_processors.site",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'moothall.sqlite3'}")
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("CONN_MAX_AGE", 0))
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers carry on while one writer writes; IMMEDIATE takes the
    # write lock at BEGIN so concurrent writers queue instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    VAR_DIR.mkdir(parents=True, exist_ok=True)
# PostgreSQL under ASGI (uvicorn, as deployed): each request's Django code runs in a thread
# of its own, and a connection kept open (CONN_MAX_AGE) belongs to the thread that opened
# it, so every request opened one more and left it to the garbage collector: 64 visitors
# at once ran PostgreSQL out of connections ("too many clients"). A pool per process
# (psycopg's, through Django) lends each request a connection and takes it back at the
# request's end; at most DATABASE_POOL_MAX per process, a request waits up to
# DATABASE_POOL_TIMEOUT seconds for one. Pooled connections replace CONN_MAX_AGE.
DATABASE_POOL = env_bool("DATABASE_POOL", False)
if DATABASE_POOL and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env_int("DATABASE_POOL_MIN", 2),
        "max_size": env_int("DATABASE_POOL_MAX", 10),
        "timeout": env_int("DATABASE_POOL_TIMEOUT", 10),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (Redis when REDIS_URL is set, else in-process) -----------------
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "moothall"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Background tasks -----------------------------------------------------
TASKS = {"default": {"BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}

# --- Accounts -------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
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
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "public:home"
ACCOUNT_ADAPTER = "moothall.accounts.adapter.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
# The password is optional: residents may sign in by an emailed code or link.
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "confirm_email": "1/3m/key",
}
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
# Adding a password or an email address to an account is a way to keep it: whoever is at
# a signed-in browser must first confirm it is them (password, or a code by email),
# unless they signed in moments ago (see AccountAdapter.is_reauthentication_required).
ACCOUNT_REAUTHENTICATION_REQUIRED = True
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env_str("MFA_TOTP_ISSUER", "Moothall")

# --- Email ----------------------------------------------------------------
# Verbs queue email in the outbox (moothall.core.mail); the task worker sends it with
# EMAIL_BACKEND. GOV.UK Notify when both its settings are set (one Notify template
# whose subject is ((subject)) and body ((body))); else SMTP when EMAIL_HOST is set;
# else the console.
GOVUK_NOTIFY_API_KEY = env_str("GOVUK_NOTIFY_API_KEY", "")
GOVUK_NOTIFY_TEMPLATE_ID = env_str("GOVUK_NOTIFY_TEMPLATE_ID", "")
GOVUK_NOTIFY_BASE_URL = env_str("GOVUK_NOTIFY_BASE_URL", "https://api.notifications.service.gov.uk")
if bool(GOVUK_NOTIFY_API_KEY) != bool(GOVUK_NOTIFY_TEMPLATE_ID):
    raise ImproperlyConfigured(
        "GOV.UK Notify needs both GOVUK_NOTIFY_API_KEY and GOVUK_NOTIFY_TEMPLATE_ID"
    )
if GOVUK_NOTIFY_API_KEY:
    EMAIL_BACKEND = "moothall.core.notify.NotifyEmailBackend"
else:
    EMAIL_BACKEND = env_str(
        "EMAIL_BACKEND",
        "django.core.mail.backends.console.EmailBackend"
        if DEBUG or not env_str("EMAIL_HOST")
        else "django.core.mail.backends.smtp.EmailBackend",
    )
# Seconds before a hung provider counts as a failed attempt (well inside the outbox's
# 15 minutes after which a send still in progress is presumed dead).
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
# Mail domain of the reply+<token>@ addresses that relay replies between residents and
# councillors; empty means the host of SITE_URL.
MOOTHALL_REPLY_DOMAIN = env_str("MOOTHALL_REPLY_DOMAIN", "")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Moothall <noreply@localhost>")
SERVER_EMAIL = env_str("SERVER_EMAIL", DEFAULT_FROM_EMAIL)

# --- Language -------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en-gb", _("English")), ("cy", _("Welsh"))]
# Our own catalogue first; locale_vendor holds Welsh for the allauth strings our pages show
# (allauth ships no Welsh), kept apart so makemessages never marks them obsolete.
LOCALE_PATHS = [PACKAGE_DIR / "locale", PACKAGE_DIR / "locale_vendor"]
LANGUAGE_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG and env_bool("STATIC_MANIFEST", True)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = env_bool("WHITENOISE_USE_FINDERS", DEBUG)
# Under ASGI (uvicorn) WhiteNoise hands Django a file iterator that is not async, which
# Django reads whole before sending and warns about once per process. Static files are
# small and cached; in production a proxy can serve /static/ itself.
warnings.filterwarnings(
    "ignore", message="StreamingHttpResponse must consume synchronous iterators"
)
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# Uploads on S3-compatible object storage instead of MEDIA_ROOT: name a bucket (and, for a
# store other than AWS, its endpoint) and install the extra: pip install "moothall[s3]".
# Files stay private: the app serves every upload itself, after checking who may see it.
MEDIA_S3_BUCKET = env_str("MEDIA_S3_BUCKET", "")
if MEDIA_S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": MEDIA_S3_BUCKET,
            "endpoint_url": env_str("MEDIA_S3_ENDPOINT_URL", "") or None,
            "region_name": env_str("MEDIA_S3_REGION", "") or None,
            "access_key": env_str("MEDIA_S3_ACCESS_KEY_ID", "") or None,
            "secret_key": env_str("MEDIA_S3_SECRET_ACCESS_KEY", "") or None,
            "location": env_str("MEDIA_S3_PREFIX", ""),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }

# --- Live meetings and recordings ------------------------------------------
# Speech to text for recordings (optional): a local faster-whisper model directory, used
# only when `pip install "moothall[whisper]"` has installed faster-whisper. Nothing is
# ever downloaded at run time.
MOOTHALL_WHISPER_MODEL = env_str("MOOTHALL_WHISPER_MODEL", "")
# Redis pub/sub channels are shared by every database of a Redis server: two Moothall
# instances on one Redis need different prefixes.
LIVE_CHANNEL_PREFIX = env_str("LIVE_CHANNEL_PREFIX", "moothall:live:")

# --- API ------------------------------------------------------------------
NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_PER_PAGE_SIZE = 500

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# --- Rate limits on writes (issue 8, security) ------------------------------
# Every POST/PUT/PATCH/DELETE counts against a budget per route class and per caller
# (the signed-in person, else the client address), kept in the cache above: Redis when
# REDIS_URL is set (shared by every process), else per process. Over budget: 429 with
# Retry-After (moothall.core.ratelimit). RATE_LIMITS=off turns them off (benchmarks that
# post thousands of times from one address); RATE_LIMIT_<CLASS>="count/period" changes one.
# Signing is generous: many people sign from one address (a library, an office, a phone
# network), and the petition verbs flag floods quietly behind this.
RATE_LIMITS_ENABLED = env_str("RATE_LIMITS", "on").strip().lower() not in {"off", "0", "false"}
RATE_LIMITS = {
    name: env_str(f"RATE_LIMIT_{name.upper()}", default)
    for name, default in {
        "sign": "120/m",
        "api": "60/m",
        "account": "30/m",
        "staff": "300/m",
        "site": "60/m",
    }.items()
}
MIDDLEWARE.insert(
    MIDDLEWARE.index("moothall.accounts.middleware.RequireStaffMFAMiddleware"),
    "moothall.core.ratelimit.RateLimitMiddleware",
)

# --- Audit log (issue 8, audit) -------------------------------------------------
# The audit log is append-only (triggers in the database, see core migration 0004): even
# `flush` cannot empty it. Only the test configuration (tests/conftest.py) turns this on,
# so the test suite's flush between transactional tests may; never set it in production.
AUDIT_LOG_FLUSHABLE = False

# --- Email outbox recovery (issue 8, durability) ---------------------------------
# Seconds after which the outbox sweep takes back a message still "sending" (its worker
# died mid-send; it is sent again, so it may arrive twice) and re-queues a due message
# whose delivery task never ran (lost with a killed worker). The defaults suit
# production (a live send times out after EMAIL_TIMEOUT); the crash test shortens them.
OUTBOX_STUCK_AFTER_SECONDS = env_int("OUTBOX_STUCK_AFTER_SECONDS", 15 * 60)
OUTBOX_REENQUEUE_AFTER_SECONDS = env_int("OUTBOX_REENQUEUE_AFTER_SECONDS", 10 * 60)
