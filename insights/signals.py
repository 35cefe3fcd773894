"""A saved or deleted synonym group takes effect on the next search on every server.

After commit the page cache's content version is replaced: every server reloads the groups
on its next search (``articles/search/synonyms.py``), and a results page stored before the
change ("no results" for a word just added) is not served again.
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from serving import page_cache

from .models import SynonymGroup


@receiver(post_save, sender=SynonymGroup)
@receiver(post_delete, sender=SynonymGroup)
def synonyms_changed(sender, **kwargs):
    transaction.on_commit(page_cache.invalidate)
