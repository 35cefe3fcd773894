"""Test settings: the real settings, with data in a throwaway folder."""

import os
import tempfile

os.environ.setdefault("KB_DATA_DIR", tempfile.mkdtemp(prefix="kb-test-"))
# With DATABASE_URL (`make test-postgres`) the settings demand a shared key.
os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-secret-key-" + "x" * 40)

from kb.settings import *  # noqa: E402,F403

# The manifest needs `collectstatic`; tests serve static files straight from static/.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405 - whitenoise expects it to exist
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A real database file, as in production (WAL, busy timeout), not SQLite's in-memory
    # shared cache, whose table locks would fail concurrent writers that production serves.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test-db.sqlite3")}  # noqa: F405
# With DATABASE_URL (`make test-postgres`) Django creates and drops test_<name> there.

if REDIS_URL:  # noqa: F405
    # `make test-postgres`: the real shared cache, which app servers started by the
    # multi-server tests share with this process.
    CACHES["default"]["KEY_PREFIX"] = "kb-test"  # noqa: F405
else:
    # One in-process cache: the live server runs in this process, so tests share it with it.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
