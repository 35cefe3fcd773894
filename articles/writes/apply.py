"""Writing a reviewed plan, inside the transaction that locked the article.

The only code that saves an article's content: the article row with its version raised,
its variants and steps (in an order the database's one-variant-per-platform rule never
refuses half way), its links, the translations marked checked, and one django-reversion
revision with who and why. Derived state (translation status, search index, page cache)
follows after the commit (signals.py).
"""

import reversion
from django.core.files.base import File
from django.db import IntegrityError, connection, transaction
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


def _made_from(planned):
    return {
        (language, name): text
        for language, texts in (planned.made_from or {}).items()
        for name, text in texts.items()
    }


def _forget_translations(obj, current):
    if current:
        obj.translated_from = {}
        obj._loaded_values = None  # every translation is written now (an import)


def _save(obj, planned, current, insert=False):
    """Save one row; translations written now were made from the source written with
    them, unless the door says which older source (``made_from``)."""
    _forget_translations(obj, current)
    obj.save(force_insert=insert, made_from=_made_from(planned))


def _record_sources(obj, planned, current):
    """What ``_save`` does before saving, for rows written together (``bulk_update``)."""
    _forget_translations(obj, current)
    translation_status.record_sources(obj, _made_from(planned))


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
        instances_after = _rows(plan, stored, change, article)
        if change.updated_at is not None:
            # The model dates every save by the clock (auto_now): the door's date after it.
            Article.objects.filter(pk=article.pk).update(updated_at=change.updated_at)
            article.updated_at = change.updated_at
        for name, ids in plan.links.items():
            # Links to articles deleted since are left out (the database would refuse them).
            existing = Article.objects.filter(pk__in=ids).values_list("pk", flat=True)
            getattr(article, name).set(list(existing))
        if plan.checked:
            translation_status.mark_current(
                Article.objects.for_detail().get(pk=article.pk), plan.checked
            )
        _follow_written_rows(article, instances_after, plan)
        reversion.add_to_revision(article)
    return article


def _update(model, rows, columns):
    """UPDATE these rows' ``columns``: one statement, executed for every row (Django's
    ``bulk_update`` builds a CASE per column that SQLite evaluates for every row: slower
    than one save per row at 400 rows)."""
    fields = [model._meta.get_field(name) for name in columns]
    table = connection.ops.quote_name(model._meta.db_table)
    assignments = ", ".join(f"{connection.ops.quote_name(f.column)} = %s" for f in fields)
    pk = connection.ops.quote_name(model._meta.pk.column)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET {assignments} WHERE {pk} = %s",  # noqa: S608 - names only
            [
                [f.get_db_prep_save(getattr(row, f.attname), connection) for f in fields] + [row.pk]
                for row in rows
            ],
        )


def _follow_written_rows(article, instances, plan):
    """Hand the revision the article's rows as just written, so that django-reversion's
    "follow" (article → variants → steps) reads them from memory, not with a query per
    variant: a related manager answers from ``_prefetched_objects_cache``."""
    deleted = set(plan.deleted)
    variants = sorted(
        (
            obj
            for (kind, pk), obj in instances.items()
            if kind == "variant" and (kind, pk) not in deleted
        ),
        key=lambda v: (v.order, v.pk),
    )
    kept = {variant.pk for variant in variants}
    steps = {}
    for (kind, pk), obj in instances.items():
        if kind == "step" and (kind, pk) not in deleted and obj.variant_id in kept:
            steps.setdefault(obj.variant_id, []).append(obj)
    article._prefetched_objects_cache = {"variants": _loaded(Variant, variants)}
    for variant in variants:
        rows = sorted(steps.get(variant.pk, ()), key=lambda s: (s.order, s.pk))
        variant._prefetched_objects_cache = {"steps": _loaded(Step, rows)}


def _loaded(model, rows):
    queryset = model.objects.none()
    queryset._result_cache = list(rows)
    queryset._prefetch_done = True
    return queryset


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
        new, changed, columns = [], [], {"translated_from"}
        for row in (planned for planned in plan.rows if planned.kind == kind):
            if not (row.new or row.changed):
                continue
            if row.new:
                obj = _MODELS[kind](pk=row.pk)
                _set(obj, row.values, [n for n in row.values if n != "id"])
            else:
                obj = instances[(kind, row.pk)]
                _set(obj, row.values, row.changed)
                columns.update(n for n in row.changed if n not in _KEPT)
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
            _record_sources(obj, row, change.translations_current and not row.new)
            (new if row.new else changed).append((row, obj))
        # In a few statements, not one per row: an article at its bounds has 400 rows,
        # and this is the time the lock is held. (No row signal is needed: the article's
        # own save schedules the after-commit work for the whole article.)
        model = _MODELS[kind]
        if changed:
            _update(model, [obj for _row, obj in changed], sorted(columns))
        if new:
            # Rows of a stored version keep their ids; the others get theirs back.
            model.objects.bulk_create([obj for _row, obj in new], batch_size=100)
        for row, obj in new:
            if kind == "variant":
                written[row.ref if row.ref is not None else obj.pk] = obj
        for _row, obj in new + changed:
            instances[(kind, obj.pk)] = obj
    steps = [pk for kind, pk in deleted if kind == "step"]
    variants = [pk for kind, pk in deleted if kind == "variant"]
    if steps:
        Step.objects.filter(pk__in=steps, variant__article=article).delete()
    if variants:
        Variant.objects.filter(pk__in=variants, article=article).delete()
    return instances
