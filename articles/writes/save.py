"""Create or change an article: the one write function every door of content calls.

The admin's form (and its preview), restore and recover, the content importer and the
XLIFF import each build an ``ArticleChange`` and call ``save_article``. The order is the
point: everything that costs time (each supplied text checked against its field, figures
included, and the history a stale change is merged against) happens before the
transaction; inside it, the article's row is locked, the stored article read, the change
reviewed by comparisons (review.py) and written (apply.py). The time the lock is held is
logged (``kb.writes``) and measured by ``make bench``.
"""

import logging
import time
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext, pgettext

from ..models import Article, Step, Variant
from . import bounds, graph
from .apply import write
from .review import Plan, graph_after, review
from .rights import Rights

log = logging.getLogger("kb.writes")


@dataclass
class Saved:
    article: object  # the saved Article (None when nothing needed writing)
    plan: Plan
    held: float  # seconds the article's lock was held
    description: str = ""  # the history's line

    @property
    def unchanged(self):
        return self.article is None


def _version_now(article_id):
    return Article.objects.filter(pk=article_id).values_list("version", flat=True).first()


def _base(change, version_now):
    """Return the article's graph at the version the change was read at, when that is not
    the version stored now: the history never changes, so it is read before the lock."""
    if change.article_id is None or change.loaded_version is None or version_now is None:
        return None
    if change.loaded_version == version_now:
        return None
    return graph.at_version(change.article_id, change.loaded_version)


def _elsewhere(change):
    """Return ``(kind, pk)`` of the rows a whole change names that are another article's
    (a restore of a revision whose rows were moved or reused since)."""
    if not change.whole:
        return frozenset()
    wanted = {
        kind: [r.pk for r in change.rows if r.kind == kind and r.pk] for kind in ("variant", "step")
    }
    found = {
        ("variant", pk)
        for pk in Variant.objects.filter(pk__in=wanted["variant"])
        .exclude(article_id=change.article_id)
        .values_list("pk", flat=True)
    }
    found |= {
        ("step", pk)
        for pk in Step.objects.filter(pk__in=wanted["step"])
        .exclude(variant__article_id=change.article_id)
        .values_list("pk", flat=True)
    }
    return frozenset(found)


def describe(plan, change):
    """Return the history's line for a write: the door's own, or what changed."""
    if change.comment:
        return change.comment
    if plan.creating:
        return gettext("Added.")
    labels = plan.labels()
    if not labels:
        return gettext("No fields changed.")
    separator = pgettext("between the items of a list", ", ")
    line = gettext("Changed %(fields)s.") % {"fields": separator.join(labels)}
    if plan.merged:
        line += " " + gettext("Merged with a colleague's change: %(fields)s.") % {
            "fields": separator.join(plan.merged)
        }
    return line


def save_article(user, change, *, only_if_changed=False):
    """Write ``change`` as ``user`` (None: the system, with every right); return ``Saved``.

    Raise ``Refused`` with the reason when any rule says no; then nothing is written.
    ``only_if_changed``: write nothing (no version, no revision) when the change leaves
    the article as it is (an import of an unchanged file).
    """
    rights = Rights.of(user)
    bounds.check_change(change)
    version_now = change.read_version
    if version_now is None and change.article_id and change.loaded_version is not None:
        version_now = _version_now(change.article_id)
    base = _base(change, version_now)
    elsewhere = _elsewhere(change)
    with transaction.atomic():
        started = time.perf_counter()
        stored = graph.stored(change.article_id, lock=True) if change.article_id else None
        if stored is not None and stored.version != version_now and base is None:
            base = _base(change, stored.version)  # saved by someone else a moment ago
        plan = review(rights, change, stored, base, elsewhere)
        if only_if_changed and plan.empty:
            return Saved(article=None, plan=plan, held=time.perf_counter() - started)
        description = describe(plan, change)
        article = write(plan, stored, change, user, description)
        held = time.perf_counter() - started
    log.debug("KB %s written, lock held %.1f ms", article.number, held * 1000)
    return Saved(article=article, plan=plan, held=held, description=description)


def review_article(user, change):
    """Return the article as ``change`` would leave it (unsaved instances, shaped as
    ``for_detail()`` returns them), or raise ``Refused``: every rule of
    ``save_article``, nothing written, no lock (the preview)."""
    rights = Rights.of(user)
    bounds.check_change(change)
    stored = graph.stored(change.article_id) if change.article_id else None
    base = _base(change, stored.version if stored else None)
    plan = review(rights, change, stored, base, _elsewhere(change))
    return graph.as_instances(graph_after(plan, stored)), plan
