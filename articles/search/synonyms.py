"""The editors' synonym groups (``insights.models.SynonymGroup``) as search uses them.

Read from the database and analysed (``analysis.Synonyms``) once per process and content
version: the page cache's token in the shared cache (Redis with several app servers), which
a saved or deleted group replaces after commit (``insights/signals.py``) as every article
save does. Every search reads the token, one cache read, and reloads the groups when it
differs from the one its process loaded: a saved group takes effect on the next search on
every server, no article is re-indexed, and no results page stored before it is served.
"""

import threading

from insights.models import SynonymGroup
from serving import page_cache

from .analysis import Synonyms

_loaded = {}  # language -> (content version, Synonyms)
_lock = threading.Lock()


def table(language):
    """Return the analysed synonym groups of ``language`` (``analysis.Synonyms``)."""
    current = page_cache.content_version()
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
