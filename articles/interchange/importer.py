"""Writing a validated content set to the database, idempotently.

An article whose file matches the database is not touched (its "last updated" date stays).
Every other file becomes an ``ArticleChange`` written by the write path
(``writes.save_article``), like every other write to an article: its own transaction and
revision, the row locked, the version raised, the user's rights and an article's bounds
checked (the bounds of every file before anything is written). Variants and steps are
matched by position, so their rows keep their ids and an editor's form opened before the
import is merged with it, not refused. Every key goes to the model field the schema names.
"""

from dataclasses import dataclass, field
from datetime import datetime, time

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from .. import writes
from ..fields import LANGUAGE_CODES, column, set_text
from ..models import Article
from . import schema
from .errors import ContentError, InvalidContent
from .stored import digest, source_language, stored_digest, stored_value

# Keys the importer writes after the row is saved (or, for links, after every article).
_WRITTEN_LATER = {schema.NUMBERS, schema.TRANSLATED_FROM, schema.RECORDS, schema.DATE}


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    refused: int = 0
    problems: list = field(default_factory=list)  # "file: why" of each refused article


class _Import:
    """One import: its content folder, the categories and platforms by slug, and what the
    write path refused."""

    def __init__(self, base):
        self.base = base
        self._by_slug = {}
        self.refused = []

    def related(self, model, slug):
        """Return the row with this slug (None before the vocabulary is written)."""
        if slug is None:
            return None
        if model not in self._by_slug:
            self._by_slug[model] = {row.slug: row for row in model.objects.all()}
        return self._by_slug[model].get(slug)

    def forget_vocabulary(self):
        self._by_slug = {}


# --- Is it the same? ---------------------------------------------------------------------------


def _same_file(stored_name, source):
    if not stored_name or not default_storage.exists(stored_name):
        return False
    return stored_digest(stored_name) == digest(source.read_bytes)


def _same_figures(stored, wanted, base):
    for code in LANGUAGE_CODES:
        if bool(stored[code]) != bool(wanted[code]):
            return False
        if wanted[code] and not _same_file(stored[code], base / wanted[code]):
            return False
    return True


def _children(key, obj):
    """Return the rows of a RECORDS key, in order, with the rows their keys name."""
    rows = getattr(obj, key.model_field).all()
    references = [child.model_field for child in key.record.of_kind(schema.REFERENCE)]
    return list(rows.select_related(*references) if references else rows)


def _matches(record, obj, data, run, source):
    """Return whether ``obj`` already says exactly what ``data`` (read from a file) says."""
    source = source_language(record, obj, source)
    for key in record.keys:
        wanted = data[key.name]
        if key.kind == schema.RECORDS:
            rows = _children(key, obj)
            if len(rows) != len(wanted) or not all(
                _matches(key.record, row, item, run, source)
                for row, item in zip(rows, wanted, strict=True)
            ):
                return False
            continue
        stored = stored_value(record, key, obj, source)
        if key.kind == schema.FIGURES:
            same = _same_figures(stored, wanted, run.base)
        elif key.kind == schema.NUMBERS:
            same = sorted(stored) == sorted(wanted)
        elif key.kind == schema.DATE:
            same = wanted is None or stored == wanted  # a file without one: any
        else:
            same = stored == wanted
        if not same:
            return False
    return True


# --- The change a file asks for ----------------------------------------------------------------


def _figure(run, relative, stored_name):
    """Return a figure's value for the write path: the stored name when the file is the
    one stored (here, or under its own name), else the file itself, stored on write."""
    if not relative:
        return ""
    source = run.base / relative
    for name in (stored_name, f"{schema.FIGURES_FOLDER}/{source.name}"):
        if name and _same_file(name, source):
            return name
    return ContentFile(source.read_bytes(), name=source.name)


def _values(record, data, obj, run):
    """Return ``{attname: value}`` of one row's keys (not its links, rows or sources)."""
    values = {}
    for key in record.keys:
        if key.kind in _WRITTEN_LATER:
            continue
        value = data[key.name]
        if key.kind == schema.TEXTS:
            for code in LANGUAGE_CODES:
                values[column(key.model_field, code)] = value.get(code, "")
        elif key.kind == schema.FIGURES:
            for code in LANGUAGE_CODES:
                name = column(key.model_field, code)
                stored = getattr(obj, name).name if obj is not None else ""
                values[name] = _figure(run, value[code], stored)
        elif key.kind == schema.REFERENCE:
            related = run.related(record.related_model(key), value)
            values[f"{key.model_field}_id"] = related.pk if related else None
        else:
            values[key.model_field] = value
    return values


def _made_from(record, data):
    """Return the file's ``translated_from`` as the write path takes it (model fields)."""
    made_from = {}
    for key in record.of_kind(schema.TRANSLATED_FROM):
        for language, texts in (data[key.name] or {}).items():
            made_from[language] = {record.sources[name]: text for name, text in texts.items()}
    return made_from


def _file_date(data):
    """Return the last-updated moment the file names (``updated``), or None.

    Noon in the site's time zone: the day stays the same in any zone within 12 hours of
    it. A file without a date is dated by the import itself.
    """
    for key in schema.ARTICLE.of_kind(schema.DATE):
        day = data[key.name]
        if day is not None:
            return timezone.make_aware(datetime.combine(day, time(12)))
    return None


def _row(record, item, stored, position, run, label, **place):
    """Return the ``RowChange`` of a variant or step at ``position`` of its list."""
    values = _values(record, item, stored, run)
    values["order"] = position
    return writes.RowChange(
        kind="variant" if record is schema.VARIANT else "step",
        pk=stored.pk if stored else None,
        values=values,
        made_from=_made_from(record, item),
        label=label,
        **place,
    )


def article_change(article_file, run, article):
    """Return the ``ArticleChange`` that makes ``article`` (None: a new one) say what its
    file says: rows matched by position keep their ids, rows past the file's are removed."""
    data = article_file.data
    name = article_file.path.name
    change = writes.ArticleChange(
        article_id=article.pk if article else None,
        values=_values(schema.ARTICLE, data, article, run),
        made_from=_made_from(schema.ARTICLE, data),
        whole=True,
        translations_current=True,
        comment=f"Imported from {name}",
        label=name,
        updated_at=_file_date(data),
    )
    variants = list(article.variants.order_by("order", "pk")) if article else []
    for position, item in enumerate(data["variants"]):
        variant = variants[position] if position < len(variants) else None
        ref = None if variant else writes.NewRow(position)
        where = f"{name}: variant {position + 1}"
        change.rows.append(_row(schema.VARIANT, item, variant, position, run, where, ref=ref))
        steps = list(variant.steps.order_by("order", "pk")) if variant else []
        for index, step_item in enumerate(item["steps"]):
            step = steps[index] if index < len(steps) else None
            parent = variant.pk if variant else ref
            label = f"{where}, step {index + 1}"
            change.rows.append(_row(schema.STEP, step_item, step, index, run, label, parent=parent))
    return change


def _stored(number):
    return Article.objects.filter(number=number).select_related("category").first()


def _upsert_vocabulary(record, entries, run):
    for entry in entries:
        model = record.model
        instance = model.objects.filter(slug=entry["slug"]).first() or model(slug=entry["slug"])
        changed = instance.pk is None
        for key in record.keys:
            if stored_value(record, key, instance, None) != entry[key.name]:
                if key.kind == schema.TEXTS:
                    for code in LANGUAGE_CODES:
                        set_text(instance, key.model_field, code, entry[key.name].get(code, ""))
                else:
                    setattr(instance, key.model_field, entry[key.name])
                changed = True
        if changed:
            instance.save()


def _check_bounds(content, run):
    """Refuse the whole import, naming each file, when an article is over the bounds of
    an article (the write path's own check, before anything is written)."""
    errors = []
    for article_file in content.articles:
        change = article_change(article_file, run, _stored(article_file.data["number"]))
        try:
            writes.check_change(change)
        except writes.Refused as refusal:
            errors.append(ContentError(article_file.path, 0, refusal.message))
    if errors:
        raise InvalidContent(errors)


def _import_article(article_file, run, user):
    """Write one article if its file says something else; return "created", "updated",
    "unchanged" or "refused"."""
    data = article_file.data
    article = _stored(data["number"])
    if article is not None and _matches(schema.ARTICLE, article, data, run, None):
        return "unchanged"
    try:
        writes.save_article(user, article_change(article_file, run, article))
    except writes.Refused as refusal:
        run.refused.append(f"{article_file.path.name}: {refusal.message}")
        return "refused"
    return "created" if article is None else "updated"


def _import_links(content, run, user):
    """Set the links between articles, once every article exists: a change of its own per
    article (the history shows the article with its links)."""
    by_number = {a.number: a for a in Article.objects.all()}
    for article_file in content.articles:
        data = article_file.data
        article = by_number.get(data["number"])
        if article is None:
            continue  # refused
        values = {}
        for key in schema.ARTICLE.of_kind(schema.NUMBERS):
            wanted = sorted(by_number[n].pk for n in data[key.name] if n in by_number)
            if sorted(getattr(article, key.model_field).values_list("pk", flat=True)) != wanted:
                values[key.model_field] = wanted
        if not values:
            continue
        change = writes.ArticleChange(
            article_id=article.pk,
            values=values,
            comment=f"Imported links from {article_file.path.name}",
            label=article_file.path.name,
            updated_at=_file_date(data),  # the file's day, as the article's own write
        )
        try:
            writes.save_article(user, change)
        except writes.Refused as refusal:
            run.refused.append(f"{article_file.path.name}: {refusal.message}")


def import_content(content, progress=None, user=None):
    """Write a validated ``ContentSet`` to the database as ``user`` (None: the system, as
    ``make run`` loads the demo); return what changed.

    ``progress(index, total, file_name, state)`` is called after each article. An article
    the write path refuses (a rule of the user's role) is not written and is reported.
    """
    result = ImportResult()
    run = _Import(content.base)
    _check_bounds(content, run)
    with transaction.atomic():
        for (_name, record), entries in zip(
            schema.VOCABULARIES, (content.categories, content.platforms), strict=True
        ):
            _upsert_vocabulary(record, entries, run)
    run.forget_vocabulary()

    total = len(content.articles)
    for index, article_file in enumerate(content.articles, start=1):
        state = _import_article(article_file, run, user)
        setattr(result, state, getattr(result, state) + 1)
        if progress:
            progress(index, total, article_file.path.name, state)
    _import_links(content, run, user)
    result.problems = list(run.refused)
    return result
