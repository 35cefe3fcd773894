"""Settings for the knowledge base.

Everything comes from environment variables (prefix ``DJANGO_`` or ``KB_``) with safe
defaults for the embedded mode: SQLite and uploaded media in a data folder outside the
source tree, DEBUG off, a secret key generated once and kept in the data folder.
Several app servers: ``DATABASE_URL`` (PostgreSQL), ``REDIS_URL`` (the shared cache) and
``KB_MEDIA_S3_BUCKET`` (or one media folder shared by the servers); see docs/deployment.md.
"""

import importlib.util
import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default):
    value = os.environ.get(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


# The data folder holds everything an installation owns: database, media, secret key.
# It is git-ignored and survives code updates.
# An empty variable counts as unset: `KB_DATA_DIR= make run` must not turn the source
# tree into the data folder (Path("") is the current directory).
DATA_DIR = Path(os.environ.get("KB_DATA_DIR") or BASE_DIR / "data").resolve()
if DATA_DIR == BASE_DIR:
    raise ImproperlyConfigured(
        "KB_DATA_DIR points at the source tree; use a folder of its own (default: ./data)"
    )
DATA_DIR.mkdir(parents=True, exist_ok=True)


def read_or_create_secret_key(path):
    """Return the secret key stored at ``path``, creating it once if it is missing.

    Created with O_EXCL so that several gunicorn workers starting together agree on one
    key instead of each minting its own (which would log everybody out on every restart).
    """
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


# Several app servers (DATABASE_URL set) must share one key, or a session signed by one is
# refused by the next: there each server would quietly make its own, so refuse to start.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "").strip()
if not SECRET_KEY:
    if os.environ.get("DATABASE_URL"):
        raise ImproperlyConfigured(
            "DATABASE_URL is set, so several app servers may share this database: set "
            "DJANGO_SECRET_KEY to one long random value shared by all of them, e.g. from "
            "`python3 -c 'import secrets; print(secrets.token_urlsafe(50))'`."
        )
    SECRET_KEY = read_or_create_secret_key(DATA_DIR / "secret_key")

DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])

INSTALLED_APPS = [
    # modeltranslation patches models and the admin: it must come before contrib.admin.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "nested_admin",
    "axes",
    # Login throttling's rule and the vote limits' counts (throttling/).
    "throttling",
    "reversion",
    "csp",
    "articles",
    # What readers look for: synonyms, search analytics and its report.
    "insights",
    # HTTP plumbing: page cache, security headers, robots/healthz/media, backup.
    "serving",
]

MIDDLEWARE = [
    # First: its headers reach every response, whitenoise's and error pages included.
    "serving.middleware.SecurityHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # ETag on every page, and 304 for a reader who already has it (cached pages too).
    "django.middleware.http.ConditionalGetMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # After sessions, before common: the language comes from the URL prefix.
    "django.middleware.locale.LocaleMiddleware",
    # Whole public pages for anonymous readers (serving/page_cache.py).
    "serving.page_cache.PageCacheMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A NUL byte in an admin list's filters would reach the database as it is.
    "serving.middleware.AdminQueryGuardMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: turns a locked-out login into a 429 page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # First: refuses to authenticate a client that is locked out.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "kb.urls"
WSGI_APPLICATION = "kb.wsgi.application"

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
                "articles.context_processors.site",
            ],
        },
    },
]


def database_from_url(url):
    """Return the Django database settings for a ``postgres://user:pass@host:port/name`` URL.

    Parsed by dj-database-url (percent-encoded passwords, a ``%2F``-encoded socket folder as
    the host, query parameters such as ``sslmode=require`` as libpq options).
    """
    if urlsplit(url).scheme not in {"postgres", "postgresql"}:
        raise ImproperlyConfigured("DATABASE_URL must start with postgres:// (or unset: SQLite)")
    # Keep a worker's connection between requests (checked before reuse).
    config = dj_database_url.parse(
        url,
        conn_max_age=int(os.environ.get("KB_DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
    # Parameters bound client-side (Django's default, whatever the URL says): search sends
    # its ranking with the planner settings for it in one query string
    # (articles/search/backends/postgresql/ranking.py), which server-side binding refuses.
    config.setdefault("OPTIONS", {})["server_side_binding"] = False
    return config


DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": database_from_url(DATABASE_URL)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("KB_DATABASE_PATH") or DATA_DIR / "db.sqlite3",
            # A worker keeps its connection between requests too: opening one (and its
            # PRAGMAs) cost ~1.5 ms of every uncached page (make bench). Restore works on
            # an empty data folder only, so no kept connection outlives its database.
            "CONN_MAX_AGE": int(os.environ.get("KB_DB_CONN_MAX_AGE", "60")),
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": {
                # Readers and editors write concurrently (votes, saves): take the write lock
                # at the start of a transaction and wait for it rather than fail.
                "transaction_mode": "IMMEDIATE",
                # Seconds a write waits for another to finish: writes hold the lock for
                # milliseconds (articles/writes/), so a wait this long means trouble, and
                # answers 503 with Retry-After well before gunicorn's 30 s worker timeout.
                "timeout": float(os.environ.get("KB_SQLITE_BUSY_TIMEOUT", "10")),
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ja", _("Japanese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("KB_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# Each language falls back to the other only field by field for figures; whole-article
# language fallback for text is decided in articles.models.Article.display_language.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = {"default": ("en",), "en": ("ja",), "ja": ("en",)}

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("KB_STATIC_ROOT") or DATA_DIR / "static")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("KB_MEDIA_ROOT") or DATA_DIR / "media")
# Uploaded figures are served by the app itself in the embedded mode (see kb/urls.py).
KB_SERVE_MEDIA = env_bool("KB_SERVE_MEDIA", True)

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Several app servers: either one media folder they all mount (KB_MEDIA_ROOT), or an
# S3-compatible bucket through django-storages (optional: requirements-s3.txt).
KB_MEDIA_S3_BUCKET = os.environ.get("KB_MEDIA_S3_BUCKET", "")
if KB_MEDIA_S3_BUCKET:
    if importlib.util.find_spec("storages") is None:
        raise ImproperlyConfigured(
            "KB_MEDIA_S3_BUCKET needs django-storages: .venv/bin/pip install -r requirements-s3.txt"
        )
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": KB_MEDIA_S3_BUCKET,
            # Credentials: boto3's own AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or a role).
            "endpoint_url": os.environ.get("KB_MEDIA_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("KB_MEDIA_S3_REGION") or None,
            "custom_domain": os.environ.get("KB_MEDIA_S3_CUSTOM_DOMAIN") or None,
            "location": os.environ.get("KB_MEDIA_S3_PREFIX", "media"),
            # Figures are public, and cached pages embed their URLs: plain, unsigned URLs
            # that do not expire while a page is cached (the bucket allows public reads).
            "querystring_auth": False,
            "default_acl": None,
            # Two figures with one name never replace each other.
            "file_overwrite": False,
        },
    }
    KB_SERVE_MEDIA = False

LOGIN_URL = "admin:login"

# One cache shared by every worker process of this installation (the page cache and its
# content version): files in the data folder by default; with REDIS_URL, Redis, shared by
# every app server. Nothing in it must survive: a full cache evicts entries. (Sessions,
# login attempts and vote limits live in the database, which the servers share already.)
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # Several installations may share one Redis: keys are prefixed per site.
            "KEY_PREFIX": os.environ.get("KB_CACHE_KEY_PREFIX", "kb"),
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    }
KB_PAGE_CACHE = "default"
KB_PAGE_CACHE_SECONDS = int(os.environ.get("KB_PAGE_CACHE_SECONDS", "600"))
# Behind deploy/nginx-kb.conf: let nginx's proxy cache keep each stored page until the end
# of the current second (serving/page_cache.py, docs/speed.md).
KB_NGINX_CACHE = os.environ.get("KB_NGINX_CACHE", "0") == "1"

# Security. Safe by default; KB_HTTPS=1 adds what a deployment behind TLS needs, and with
# it `manage.py check --deploy --fail-level WARNING` passes.
# Content-Security-Policy (django-csp; serving/middleware.py picks the admin's for /admin/).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "connect-src": [SELF],
        "manifest-src": [SELF],
        "form-action": [SELF],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
    }
}
# The admin's own templates use style="" attributes, hence 'unsafe-inline' for styles
# only; scripts stay restricted to our own files.
KB_ADMIN_CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "form-action": [SELF],
        "base-uri": [NONE],
        "frame-ancestors": [SELF],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Database sessions that never look up a key Django could not have made (kb/sessions.py).
SESSION_ENGINE = "kb.sessions"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Admin login throttling (django-axes): a client address gets five wrong passwords; the
# attempt that reaches AXES_FAILURE_LIMIT (the sixth) and every later one answer 429 until
# the cool-off ends. A good login forgives only its own account's failures from that
# address, never those at other accounts (throttling/login.py; docs/deployment.md, "Throttling").
# Attempts live in the database, so every app server sharing it sees them.
# Reset: `manage.py axes_reset`.
AXES_FAILURE_LIMIT = int(os.environ.get("KB_LOGIN_FAILURE_LIMIT", "6"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("KB_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["ip_address"]
AXES_HANDLER = "throttling.login.AddressLockoutHandler"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "lockout.html"
# The client's address: behind the TLS proxy (KB_HTTPS), the one the proxy appended.
AXES_CLIENT_IP_CALLABLE = "kb.client_address.client_address"
KB_HTTPS = env_bool("KB_HTTPS", False)
if KB_HTTPS:
    SECURE_SSL_REDIRECT = True
    # The TLS-terminating proxy (see docs/deployment.md) sets this header; only trust it behind one.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("KB_HSTS_SECONDS", 365 * 24 * 3600))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("KB_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("KB_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # __Host- cookies: only sent over HTTPS, only to this exact host, path /.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    LANGUAGE_COOKIE_SECURE = True

KB_SITE_NAME = os.environ.get("KB_SITE_NAME", "")
# Largest figure an editor may upload (bytes); larger uploads are refused with a message.
KB_MAX_FIGURE_BYTES = int(os.environ.get("KB_MAX_FIGURE_BYTES", str(5 * 1024 * 1024)))
# "Was this helpful?" votes one client address may cast per window (abuse limit). The window
# is fixed: it opens at the address's first vote and lasts this long (throttling/).
KB_FEEDBACK_VOTES_PER_HOUR = int(os.environ.get("KB_FEEDBACK_VOTES_PER_HOUR", "30"))
KB_FEEDBACK_VOTE_WINDOW = timedelta(
    seconds=int(os.environ.get("KB_FEEDBACK_VOTE_WINDOW_SECONDS", "3600"))
)
# Search analytics (insights/): how long raw events are kept (then
# `manage.py purge_search_log` removes them; the daily totals stay), and how many events
# one client may post per window.
KB_SEARCH_LOG_DAYS = int(os.environ.get("KB_SEARCH_LOG_DAYS", "180"))
KB_SEARCH_EVENTS_PER_HOUR = int(os.environ.get("KB_SEARCH_EVENTS_PER_HOUR", "600"))
KB_SEARCH_EVENT_WINDOW = timedelta(
    seconds=int(os.environ.get("KB_SEARCH_EVENT_WINDOW_SECONDS", "3600"))
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("KB_LOG_LEVEL", "INFO")},
}
