"""What the database holds under each key of the schema, in the form the reader returns.

The importer compares a file with it (an article that already says what its file says is
left untouched) and the exporter writes it: one conversion for both directions.
"""

import hashlib

from django.core.files.storage import default_storage
from django.utils import timezone

from .. import translation_status
from ..fields import LANGUAGE_CODES, column, texts
from . import schema


def file_texts(obj, field):
    """Return ``{language: text}`` of ``obj``'s translated ``field``, as a file holds it.

    Browsers send a textarea's line breaks as CRLF; in a file (and in Markdown) a line break
    is "\\n", and YAML could not keep a CR in a readable block anyway.
    """
    return {
        code: (text or "").replace("\r\n", "\n").replace("\r", "\n")
        for code, text in texts(obj, field).items()
    }


def figure_names(obj, field):
    """Return ``{language: stored file name}`` of a figure field, '' where there is none."""
    return {code: getattr(obj, column(field, code)).name or "" for code in LANGUAGE_CODES}


def outdated_sources(obj, record, source):
    """Return ``{language: {file key: source text}}`` for the out-of-date texts of ``obj``."""
    found = {}
    for key, field in record.sources.items():
        for code in LANGUAGE_CODES:
            status = translation_status.field_status(obj, field, code, source)
            if status == translation_status.OUTDATED:
                text = obj.translated_from[code][field]["text"]
                found.setdefault(code, {})[key] = text
    return found


def source_language(record, obj, inherited=None):
    """Return the language ``obj``'s translations are made from (its article's)."""
    for key in record.of_kind(schema.LANGUAGE):
        return getattr(obj, key.model_field)
    return inherited


def stored_value(record, key, obj, source):
    """Return the value of ``key`` that ``obj`` holds, as the reader would return it.

    Figures are their stored file names; linked articles and child records come in the
    order their query gives; a date is the day in the site's time zone.
    """
    kind = key.kind
    if kind == schema.TEXTS:
        return file_texts(obj, key.model_field)
    if kind == schema.FIGURES:
        return figure_names(obj, key.model_field)
    if kind == schema.TRANSLATED_FROM:
        return outdated_sources(obj, record, source)
    if kind == schema.REFERENCE:
        related = getattr(obj, key.model_field)
        return related.slug if related else None
    if kind == schema.NUMBERS:
        return [linked.number for linked in getattr(obj, key.model_field).all()]
    if kind == schema.RECORDS:
        return list(getattr(obj, key.model_field).all())
    if kind == schema.DATE:
        moment = getattr(obj, key.model_field)
        return timezone.localdate(moment) if moment else None
    return getattr(obj, key.model_field)


def digest(read):
    return hashlib.sha256(read()).hexdigest()


def stored_digest(stored_name):
    """Return the SHA-256 of a file in the media storage."""
    with default_storage.open(stored_name, "rb") as handle:
        return digest(handle.read)
