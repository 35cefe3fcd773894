"""Test settings: the real settings, with data in a throwaway folder."""

import os
import tempfile

os.environ.setdefault("KB_DATA_DIR", tempfile.mkdtemp(prefix="kb-test-"))

from kb.settings import *  # noqa: E402,F403

# The manifest needs `collectstatic`; tests serve static files straight from static/.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405 - whitenoise expects it to exist
# A real database file, as in production (WAL, busy timeout), not SQLite's in-memory
# shared cache, whose table locks would fail concurrent writers that production serves.
DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test-db.sqlite3")}  # noqa: F405
# One in-process cache: the live server runs in this process, so tests share it with it.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
