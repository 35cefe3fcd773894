"""Keep derived state in step with the content, once per article per transaction.

After a change commits: the translation state of the touched articles is recomputed, cached
pages are forgotten and the search index is updated. Derived caches only: the rules of a
write (version, permissions, ownership, merge) live in articles/writes/.
"""

import contextlib
import threading

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from serving import page_cache

from . import search, translation_status
from .models import Article, Category, Platform, Step, Variant

_pending = threading.local()


def _schedule(article_id=None):
    """After the current transaction commits (at once outside one): forget cached pages
    and re-index the touched articles, each once.

    An admin save touches the article, its variants and every step; collecting the ids
    means one flush after everything is written. A page rendered before the commit was
    stored under the old content token, so it can never be served afterwards.
    """
    if not hasattr(_pending, "ids"):
        _pending.ids = set()
    if article_id is not None:
        _pending.ids.add(article_id)
    _pending.dirty = True
    # Every change registers a flush; the first to run takes all the work, the rest find
    # none. (Registering only once would strand the work of a rolled-back transaction.)
    transaction.on_commit(_flush)


def _flush():
    if not getattr(_pending, "dirty", False):
        return
    ids, _pending.ids, _pending.dirty = getattr(_pending, "ids", set()), set(), False
    # The touched articles are loaded once, for the translation state and the index.
    articles = list(Article.objects.for_detail().filter(pk__in=ids)) if ids else []
    translation_status.refresh_loaded(articles)
    page_cache.invalidate()
    if ids:
        search.index_articles(ids, loaded=articles)


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
    _schedule()


@receiver(post_save, sender=Category)
@receiver(post_delete, sender=Category)
@receiver(m2m_changed, sender=Article.prerequisites.through)
@receiver(m2m_changed, sender=Article.related.through)
def _shown_content_changed(sender, **kwargs):
    """Categories and links between articles: no re-indexing, but pages show them."""
    if kwargs.get("action", "post_").startswith("post_"):
        _schedule()
