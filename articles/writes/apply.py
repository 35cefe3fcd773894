"""Writing a reviewed plan, inside the transaction that locked the article.

The only code that saves an article's content: the article row with its version raised,
its variants and steps (in an order the database's one-variant-per-platform rule never
refuses half way), its links, the translations marked checked, and one django-reversion
revision with who and why. Derived state (translation status, search index, page cache)
follows after the commit (signals.py).
"""

import reversion
from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from .. import translation_status
from ..models import Article, Step, Variant
from .changes import NewRow, Refused
from .rights import DERIVED

_MODELS = {"variant": Variant, "step": Step}
# Never copied from a plan onto a row: the database or the tracker keeps them.
_KEPT = DERIVED - {"id"}


def _set(obj, values, names):
    for name in names:
        if name in _KEPT:
            continue
        value = values[name]
        if isinstance(value, NewRow):
            continue  # a parent written first: set by the caller
        setattr(obj, name, value)


def _save(obj, planned, current, insert=False):
    """Save one row; translations written now were made from the source written with
    them, unless the door says which older source (``made_from``)."""
    if current:
        obj.translated_from = {}
        obj._loaded_values = None  # every translation is written now (an import)
    made_from = {
        (language, name): text
        for language, texts in (planned.made_from or {}).items()
        for name, text in texts.items()
    }
    obj.save(force_insert=insert, made_from=made_from)


def _article(plan, stored, change):
    if plan.creating:
        names = {f.attname for f in Article._meta.concrete_fields} - _KEPT - {"id"}
        article = Article(**{name: plan.article[name] for name in names if name in plan.article})
        if change.article_id is not None:
            article.pk = change.article_id  # recovered with the id its history knows
        article.version = (change.version_floor or 0) + 1
        return article
    article = stored.instances[("article", stored.pk)]
    _set(article, plan.article, plan.changed)
    # Under the lock: nobody else writes this row until the transaction ends.
    article.version = max(stored.version, change.version_floor or 0) + 1
    return article


def write(plan, stored, change, user, comment):
    """Write ``plan`` over ``stored``; return the saved article."""
    # Managed by hand: the revision records the article with its rows once, as written
    # (reversion would otherwise serialise them again at each row's save).
    with reversion.create_revision(manage_manually=True, atomic=False):
        reversion.set_user(user)
        reversion.set_comment(comment)
        article = _article(plan, stored, change)
        current = change.translations_current and not plan.creating
        if plan.creating or "number" in plan.changed:
            try:
                with transaction.atomic():
                    _save(article, plan, current, plan.creating)
            except IntegrityError:
                raise Refused(
                    gettext("Nothing was saved: the number %(number)s is another article's now.")
                    % {"number": plan.article.get("number")}
                ) from None
        else:
            _save(article, plan, current)
        _rows(plan, stored, change, article)
        for name, ids in plan.links.items():
            # Links to articles deleted since are left out (the database would refuse them).
            existing = Article.objects.filter(pk__in=ids).values_list("pk", flat=True)
            getattr(article, name).set(list(existing))
        if plan.checked:
            translation_status.mark_current(
                Article.objects.for_detail().get(pk=article.pk), plan.checked
            )
        reversion.add_to_revision(article)
    return article


def _rows(plan, stored, change, article):
    instances = dict(stored.instances) if stored else {}
    deleted = set(plan.deleted)
    # Platforms given up (changed or removed) are cleared first: swapping two platforms
    # never meets the one-variant-per-platform rule half way. The result was checked.
    leaving = [
        row.pk
        for row in plan.rows
        if row.kind == "variant" and not row.new and "platform_id" in row.changed
    ] + [pk for kind, pk in deleted if kind == "variant"]
    if leaving:
        Variant.objects.filter(pk__in=leaving).update(platform=None)
    written = {}
    for kind in ("variant", "step"):
        for row in (planned for planned in plan.rows if planned.kind == kind):
            if not (row.new or row.changed):
                continue
            if row.new:
                obj = _MODELS[kind](pk=row.pk)
                _set(obj, row.values, [n for n in row.values if n != "id"])
            else:
                obj = instances[(kind, row.pk)]
                _set(obj, row.values, row.changed)
            if kind == "variant":
                obj.article = article
            else:
                parent = row.parent if row.parent is not None else row.values.get("variant_id")
                obj.variant = written.get(parent) or instances[("variant", parent)]
            for name, value in row.values.items():
                if isinstance(value, File) and name in row.changed:
                    # Stored first, so that the row records the name it is stored under
                    # (a translation's figure is made beside the source figure's name).
                    getattr(obj, name).save(value.name, value, save=False)
            _save(obj, row, change.translations_current and not row.new, row.new)
            if kind == "variant":
                written[row.ref if row.ref is not None else obj.pk] = obj
            instances[(kind, obj.pk)] = obj
    steps = [pk for kind, pk in deleted if kind == "step"]
    variants = [pk for kind, pk in deleted if kind == "variant"]
    if steps:
        Step.objects.filter(pk__in=steps, variant__article=article).delete()
    if variants:
        Variant.objects.filter(pk__in=variants, article=article).delete()
