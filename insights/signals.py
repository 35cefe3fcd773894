"""A saved or deleted synonym group takes effect on the next search on every server."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from articles.search import synonyms

from .models import SynonymGroup


@receiver(post_save, sender=SynonymGroup)
@receiver(post_delete, sender=SynonymGroup)
def synonyms_changed(sender, **kwargs):
    transaction.on_commit(synonyms.changed)
