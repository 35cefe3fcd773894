"""The editors' synonym groups (``insights.models.SynonymGroup``) as search uses them.

Read from the database and analysed (``analysis.Synonyms``) once per process and version;
the version is a token in the shared cache (Redis with several app servers), replaced
whenever a group is saved or deleted (``insights/signals.py``, after commit). Every search
reads the token, one cache read, and reloads the groups when it differs from the one its
process loaded: a saved group takes effect on the next search on every server, and no
article is re-indexed. A token lost from the cache (evicted, Redis restarted) is made anew,
which only costs one reload.
"""

import threading
import uuid

from django.conf import settings
from django.core.cache import caches

from insights.models import SynonymGroup

from .analysis import Synonyms

VERSION_KEY = "kb:synonyms-version"
_loaded = {}  # language -> (version, Synonyms)
_lock = threading.Lock()


def _cache():
    return caches[settings.KB_PAGE_CACHE]


def version():
    current = _cache().get(VERSION_KEY)
    if current is None:
        current = uuid.uuid4().hex
        if not _cache().add(VERSION_KEY, current, timeout=None):
            current = _cache().get(VERSION_KEY, current)
    return current


def changed():
    """Make every server reload the groups on its next search."""
    _cache().set(VERSION_KEY, uuid.uuid4().hex, timeout=None)


def table(language):
    """Return the analysed synonym groups of ``language`` (``analysis.Synonyms``)."""
    current = version()
    loaded = _loaded.get(language)
    if loaded is not None and loaded[0] == current:
        return loaded[1]
    groups = [
        group.term_list()
        for group in SynonymGroup.objects.filter(language=language).only("terms").iterator()
    ]
    built = Synonyms(groups)
    with _lock:
        _loaded[language] = (current, built)
    return built
