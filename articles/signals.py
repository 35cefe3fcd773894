"""Keep the search index in step with the content, once per article per transaction."""

import contextlib
import threading

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from . import page_cache, search
from .models import Article, Category, Platform, Step, Variant

_pending = threading.local()


def _schedule(article_id):
    """Reindex ``article_id`` when the current transaction commits (or now, outside one).

    An admin save touches the article, its variants and every step; collecting the ids
    means the article is indexed once, after everything is written.
    """
    if not hasattr(_pending, "ids"):
        _pending.ids = set()
    _pending.ids.add(article_id)
    # Every change registers a flush; the first to run takes all ids, the rest find none.
    # (Registering only once would strand the ids of a rolled-back transaction.)
    transaction.on_commit(_flush)


def _flush():
    ids, _pending.ids = getattr(_pending, "ids", set()), set()
    if ids:
        search.index_articles(ids)


def _deleted_with_parent(instance, kwargs):
    """Return whether this row is being deleted as part of deleting its article/variant."""
    origin = kwargs.get("origin")
    return origin is not None and origin is not instance and not isinstance(origin, type(instance))


@receiver(post_save, sender=Article)
@receiver(post_delete, sender=Article)
def _article_changed(sender, instance, **kwargs):
    _schedule(instance.pk)


@receiver(post_save, sender=Variant)
@receiver(post_delete, sender=Variant)
def _variant_changed(sender, instance, **kwargs):
    if not _deleted_with_parent(instance, kwargs):
        _schedule(instance.article_id)


@receiver(post_save, sender=Step)
@receiver(post_delete, sender=Step)
def _step_changed(sender, instance, **kwargs):
    if _deleted_with_parent(instance, kwargs):
        return
    # Admin inlines and the importer set step.variant, so this is usually cached.
    with contextlib.suppress(Variant.DoesNotExist):
        _schedule(instance.variant.article_id)


@receiver(post_save, sender=Platform)
def _platform_changed(sender, instance, **kwargs):
    for article_id in Variant.objects.filter(platform=instance).values_list(
        "article_id", flat=True
    ):
        _schedule(article_id)


@receiver(post_save)
@receiver(post_delete)
@receiver(m2m_changed)
def _content_changed(sender, **kwargs):
    """Invalidate cached pages when anything a page shows changes.

    Now, and again after the commit: a reader rendering the old content between the two
    could otherwise store it under the new token.
    """
    model = kwargs.get("model") if sender in _LINK_TABLES else sender
    if model in _CONTENT or sender in _LINK_TABLES:
        page_cache.invalidate()
        transaction.on_commit(page_cache.invalidate)


_CONTENT = {Article, Variant, Step, Category, Platform}
_LINK_TABLES = {Article.prerequisites.through, Article.related.through}
