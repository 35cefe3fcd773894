"""Django's database sessions, refusing session keys Django never makes.

A quoted cookie may spell NUL as ``\\000`` in plain ASCII, and Django's cookie parser turns
it back into a NUL byte: looked up as it is, such a key answered 500 on PostgreSQL (text
cannot hold NUL) on every admin page. Django only makes keys of lowercase letters and
digits, so any other key is treated as no session at all, without a query.
"""

from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore


class SessionStore(DatabaseSessionStore):
    def _validate_session_key(self, key):
        return super()._validate_session_key(key) and all(
            character in VALID_KEY_CHARS for character in key
        )
