"""Writing a validated content set to the database, idempotently.

An article whose file matches the database is not touched (its "last updated" date stays).
Each article is written in its own transaction and revision, through ``editing.py``'s
lock and version like every other write to an article; its variants and steps are updated
in place (matched by position), so their rows keep their ids and an editor's form opened
before the import is merged with it, not refused. Every key is written to the model field
the schema names for it.
"""

from dataclasses import dataclass
from datetime import datetime, time

import reversion
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from .. import editing, translation_status
from ..fields import LANGUAGE_CODES, column, set_text
from ..models import Article
from . import schema
from .stored import digest, source_language, stored_digest, stored_value

# Keys the importer writes after the row is saved (or, for links, after every article).
_WRITTEN_LATER = {schema.NUMBERS, schema.TRANSLATED_FROM, schema.RECORDS, schema.DATE}


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


class _Import:
    """One import: its content folder, and the categories and platforms by slug."""

    def __init__(self, base):
        self.base = base
        self._by_slug = {}

    def related(self, model, slug):
        if slug is None:
            return None
        if model not in self._by_slug:
            self._by_slug[model] = {row.slug: row for row in model.objects.all()}
        return self._by_slug[model][slug]


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


# --- Writing -----------------------------------------------------------------------------------


def _store_figure(base, relative):
    """Return the storage name for figure ``relative``, reusing an identical stored file."""
    source = base / relative
    name = f"{schema.FIGURES_FOLDER}/{source.name}"
    if _same_file(name, source):
        return name
    return default_storage.save(name, ContentFile(source.read_bytes()))


def _set_value(record, key, obj, value, run):
    """Set the model field(s) of ``key`` on ``obj`` to ``value`` as the reader returned it."""
    if key.kind == schema.TEXTS:
        for code in LANGUAGE_CODES:
            set_text(obj, key.model_field, code, value.get(code, ""))
    elif key.kind == schema.FIGURES:
        for code in LANGUAGE_CODES:
            relative = value[code]
            stored = _store_figure(run.base, relative) if relative else ""
            setattr(obj, column(key.model_field, code), stored)
    elif key.kind == schema.REFERENCE:
        setattr(obj, key.model_field, run.related(record.related_model(key), value))
    else:
        setattr(obj, key.model_field, value)


def _as_written_now(obj):
    """Let translation_status record every translation of ``obj`` as made from the source
    text it is saved with (as for a new row); the file's out-of-date list comes after."""
    obj.translated_from = {}
    obj._loaded_values = None


def _apply_translated_from(record, obj, wanted):
    """Record the source texts the file names for out-of-date translations of ``obj``."""
    if not wanted:
        return
    for language, texts in wanted.items():
        for key, text in texts.items():
            translation_status.set_source(obj, language, record.sources[key], text)
    type(obj).objects.filter(pk=obj.pk).update(translated_from=obj.translated_from)


def _write(record, obj, data, run):
    """Write one row from its file, then the rows it holds (variants, steps) in place.

    Every translation is taken as made from the file's source text, except those the file
    lists as out of date.
    """
    for key in record.keys:
        if key.kind not in _WRITTEN_LATER:
            _set_value(record, key, obj, data[key.name], run)
    _as_written_now(obj)
    obj.save()
    for key in record.of_kind(schema.TRANSLATED_FROM):
        _apply_translated_from(record, obj, data[key.name])
    for key in record.of_kind(schema.RECORDS):
        _write_children(key, obj, data[key.name], run)


def _set_dates(record, obj, data):
    """Give ``obj`` the dates its file names (``updated``), once all its rows are written.

    The model's ``auto_now`` dates every save by the clock, so the file's day is written
    after the last save, as noon in the site's time zone (the day stays the same in any
    zone within 12 hours of it). A file without a date keeps the import's own time.
    """
    for key in record.of_kind(schema.DATE):
        day = data[key.name]
        if day is not None:
            moment = timezone.make_aware(datetime.combine(day, time(12)))
            type(obj).objects.filter(pk=obj.pk).update(**{key.model_field: moment})
            setattr(obj, key.model_field, moment)


def _write_children(key, parent, items, run):
    manager = getattr(parent, key.model_field)
    old_rows = list(manager.all())
    # A platform is unique within an article and may move between positions: cleared
    # first, set again below.
    references = key.record.of_kind(schema.REFERENCE)
    if references and old_rows:
        manager.update(**{reference.model_field: None for reference in references})
    for position, item in enumerate(items):
        row = old_rows[position] if position < len(old_rows) else None
        row = row or key.record.model(**{manager.field.name: parent})
        row.order = position
        _write(key.record, row, item, run)
    key.record.model.objects.filter(pk__in=[row.pk for row in old_rows[len(items) :]]).delete()


def _upsert_vocabulary(record, entries, run):
    for entry in entries:
        model = record.model
        instance = model.objects.filter(slug=entry["slug"]).first() or model(slug=entry["slug"])
        changed = instance.pk is None
        for key in record.keys:
            if stored_value(record, key, instance, None) != entry[key.name]:
                _set_value(record, key, instance, entry[key.name], run)
                changed = True
        if changed:
            instance.save()


def _import_article(article_file, run):
    """Write one article if its file says something else; return "created", "updated" or
    "unchanged"."""
    data = article_file.data
    # One transaction and one revision (history) per article.
    with transaction.atomic(), reversion.create_revision():
        reversion.set_comment(f"Imported from {article_file.path.name}")
        article = (
            Article.objects.select_for_update()
            .filter(number=data["number"])
            .select_related("category")
            .first()
        )
        if article is not None and _matches(schema.ARTICLE, article, data, run, None):
            return "unchanged"
        created = article is None
        if created:
            article = Article(number=data["number"])
        else:
            editing.raise_version(article)
        _write(schema.ARTICLE, article, data, run)
        _set_dates(schema.ARTICLE, article, data)
        return "created" if created else "updated"


def _import_links(content):
    """Set the links between articles, once every article exists."""
    by_number = {a.number: a for a in Article.objects.all()}
    with transaction.atomic():
        for article_file in content.articles:
            data = article_file.data
            article = by_number[data["number"]]
            for key in schema.ARTICLE.of_kind(schema.NUMBERS):
                wanted = {by_number[n].pk for n in data[key.name]}
                manager = getattr(article, key.model_field)
                if set(manager.values_list("pk", flat=True)) != wanted:
                    # Its own revision, so the history shows the article with its links.
                    with reversion.create_revision():
                        reversion.set_comment(f"Imported links from {article_file.path.name}")
                        editing.lock(article.pk)
                        manager.set(wanted)
                        editing.raise_version(article)
                        reversion.add_to_revision(article)


def import_content(content, progress=None):
    """Write a validated ``ContentSet`` to the database; return what changed.

    ``progress(index, total, file_name, state)`` is called after each article.
    """
    result = ImportResult()
    run = _Import(content.base)
    with transaction.atomic():
        for (_name, record), entries in zip(
            schema.VOCABULARIES, (content.categories, content.platforms), strict=True
        ):
            _upsert_vocabulary(record, entries, run)

    total = len(content.articles)
    for index, article_file in enumerate(content.articles, start=1):
        state = _import_article(article_file, run)
        setattr(result, state, getattr(result, state) + 1)
        if progress:
            progress(index, total, article_file.path.name, state)
    _import_links(content)
    return result
