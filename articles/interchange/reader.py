"""Reading a content folder and validating every file against the schema.

Each key is read by the reader of its kind (``_READERS``) from its ``schema.py`` entry,
with the limits and choices of the model field it names. Nothing is written here:
``read_directory`` returns a ``ContentSet``, or raises ``InvalidContent`` (one problem a file).

Longer than 400 lines: one reader per kind of key, each with the file and line of every
problem it can report, in one place so that no kind is checked twice or differently.
"""

import contextlib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.validators import validate_slug

from ..fields import LANGUAGE_CODES
from ..models import Article, Category, Platform
from ..uploads import FIGURE_EXTENSIONS, validate_figure
from . import schema
from .errors import ContentError, InvalidContent
from .yaml_io import load_file


@dataclass
class ArticleFile:
    path: Path
    data: dict


@dataclass
class ContentSet:
    base: Path
    categories: list = field(default_factory=list)
    platforms: list = field(default_factory=list)
    articles: list = field(default_factory=list)


@dataclass
class _Reading:
    """What reading one file needs besides the file: the folder, the known slugs."""

    path: Path
    base: Path
    known: dict  # model -> the slugs a reference to it may name


def _line(mapping, key=None):
    """Return the line of ``key`` in ``mapping`` (else of the mapping), 0 when unknown."""
    return getattr(mapping, "lines", {}).get(key) or getattr(mapping, "line", 0)


def _require_mapping(value, path, parent, what, key=None):
    if not isinstance(value, dict):
        raise ContentError(path, _line(value) or _line(parent, key), f"{what} must be a mapping")
    return value


def _whole_number(value):
    return isinstance(value, int) and not isinstance(value, bool)


# --- One reader per kind of key: (record, key, item, reading) -> the value -----------------


def _read_number(record, key, item, reading):
    number = item.get(key.name)
    if not _whole_number(number) or number <= 0:
        raise ContentError(
            reading.path, _line(item, key.name), f"{key.name} must be a positive whole number"
        )
    return number


def _read_slug(record, key, item, reading):
    slug, limit = item[key.name], record.max_length(key)
    try:
        if not isinstance(slug, str):
            raise ValidationError("not text")
        validate_slug(slug)
    except ValidationError:
        raise ContentError(
            reading.path,
            _line(item, key.name),
            f"{key.name} must be letters, digits and hyphens: {slug!r}",
        ) from None
    if len(slug) > limit:
        raise ContentError(
            reading.path, _line(item, key.name), f"{key.name} is longer than {limit} characters"
        )
    return slug


def _read_order(record, key, item, reading):
    order = item.get(key.name, 0)
    if not _whole_number(order) or order < 0:
        raise ContentError(
            reading.path, _line(item, key.name), f"{key.name} must be a whole number, 0 or more"
        )
    return order


def _read_choice(record, key, item, reading):
    value, choices = item.get(key.name, key.default), record.choices(key)
    if not isinstance(value, str) or value not in choices:
        raise ContentError(
            reading.path, _line(item, key.name), f"{key.name} must be one of {sorted(choices)}"
        )
    return value


def _read_language(record, key, item, reading):
    language = item.get(key.name, schema.DEFAULT_LANGUAGE)
    if language not in LANGUAGE_CODES:
        raise ContentError(
            reading.path,
            _line(item, key.name),
            f"{key.name} must be one of {list(LANGUAGE_CODES)}",
        )
    return language


def _read_reference(record, key, item, reading):
    slug = item.get(key.name)
    if slug is None and not key.required:
        return None
    if key.required:  # an article's category: a bare number (category: 2024) is its digits
        slug = str(slug)
    if not isinstance(slug, str) or slug not in reading.known[record.related_model(key)]:
        raise ContentError(reading.path, _line(item, key.name), f"unknown {key.name} {slug!r}")
    return slug


def _read_numbers(record, key, item, reading):
    numbers = item.get(key.name) or []
    if not isinstance(numbers, list) or not all(_whole_number(number) for number in numbers):
        raise ContentError(
            reading.path, _line(item, key.name), f"{key.name} must be a list of article numbers"
        )
    return numbers


def _read_date(record, key, item, reading):
    value = item.get(key.name)
    if value is None:
        return None
    # YAML reads a bare 2026-11-24 as a date; a quoted one is text, taken the same way.
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            value = date.fromisoformat(value)
    # A datetime (2026-11-24 10:00) is a kind of date in Python: refused all the same.
    if type(value) is not date:
        raise ContentError(
            reading.path, _line(item, key.name), f"{key.name} must be a date: 2026-11-24"
        )
    return value


def _language_values(item, key, path, limit=None, required=False):
    """Return ``{language: text}`` for ``item[key]``, '' for a language left out.

    Texts are taken exactly as written (see ``yaml_io`` for the end of a block).
    """
    value = item.get(key)
    if value is None:
        value = {}
    if isinstance(value, str):
        raise ContentError(
            path, _line(item, key), f"{key} needs one text per language: {{en: ..., ja: ...}}"
        )
    _require_mapping(value, path, item, key, key)
    unknown = set(value) - set(LANGUAGE_CODES)
    if unknown:
        language = sorted(map(str, unknown))[0]
        raise ContentError(path, _line(value, language), f"{key}: unknown language {language!r}")
    texts = {}
    for code in LANGUAGE_CODES:
        text = value.get(code)
        if text is not None and not isinstance(text, str):
            # A bare 1.10, yes or 2024-01-01 is a number, a truth value or a date in YAML.
            raise ContentError(
                path, _line(value, code), f"{key}.{code} must be text (put it in quotes)"
            )
        if limit and text and len(text) > limit:
            raise ContentError(
                path, _line(value, code), f"{key}.{code} is longer than {limit} characters"
            )
        texts[code] = text or ""
    if required and not any(text.strip() for text in texts.values()):
        raise ContentError(path, _line(item, key), f"{key} is required")
    return texts


def _read_texts(record, key, item, reading):
    limit = record.max_length(key)
    return _language_values(item, key.name, reading.path, limit, key.required)


def _read_figures(record, key, item, reading):
    figures = _language_values(item, key.name, reading.path)
    line = _line(item, key.name)
    for relative in figures.values():
        if relative:
            _check_figure_file(
                _figure_path(reading.base, relative, reading.path, line),
                relative,
                reading.path,
                line,
            )
    return figures


def _figure_path(base, relative, path, line):
    """Return the figure file ``relative`` names, which must lie inside the content folder."""
    try:
        source = (base / relative).resolve()
        inside, found = source.is_relative_to(base.resolve()), source.is_file()
    except (OSError, ValueError):  # a name no file system accepts (a NUL byte, too long)
        inside, found = True, False
    if not inside:
        raise ContentError(path, line, f"figure outside the folder: {relative}")
    if not found:
        raise ContentError(path, line, f"figure file not found: {relative!r}")
    return source


def _check_figure_file(source, relative, path, line):
    """Apply the admin's upload rules to a figure brought in by a content file."""
    if source.suffix.lower().lstrip(".") not in FIGURE_EXTENSIONS:
        raise ContentError(path, line, f"figure must be PNG, JPEG, GIF or WebP: {relative}")
    with source.open("rb") as handle:
        try:
            validate_figure(File(handle, name=source.name))
        except ValidationError as error:
            raise ContentError(path, line, f"{relative}: {' '.join(error.messages)}") from None


def _read_translated_from(record, key, item, reading):
    """Read ``translated_from``: per language, the source text an out-of-date translation
    was made from (see translation_status.py). Only out-of-date texts are written."""
    value, path, sources = item.get(key.name), reading.path, record.sources
    if value is None:
        return {}
    _require_mapping(value, path, item, key.name, key.name)
    result = {}
    for language, texts in value.items():
        if language not in LANGUAGE_CODES:
            raise ContentError(path, _line(item, key.name), f"unknown language {language!r}")
        _require_mapping(texts, path, value, f"{key.name}.{language}", language)
        for name, text in texts.items():
            if name not in sources or not isinstance(text, str):
                raise ContentError(
                    path,
                    _line(item, key.name),
                    f"{key.name}.{language}: {name!r} must be one of {sorted(sources)} with text",
                )
        result[language] = dict(texts)
    return result


def _read_records(record, key, item, reading):
    items = item.get(key.name)
    if not key.required:
        items = items or []
    if not isinstance(items, list):
        raise ContentError(reading.path, _line(item, key.name), f"{key.name} must be a list")
    checked = []
    for child in items:
        _require_mapping(child, reading.path, item, key.record.what, key.name)
        checked.append(read_record(key.record, child, reading))
    if key.record is schema.VARIANT:
        _check_platforms_once(items, checked, reading.path)
    return checked


_READERS = {
    schema.NUMBER: _read_number,
    schema.SLUG: _read_slug,
    schema.ORDER: _read_order,
    schema.CHOICE: _read_choice,
    schema.LANGUAGE: _read_language,
    schema.REFERENCE: _read_reference,
    schema.NUMBERS: _read_numbers,
    schema.DATE: _read_date,
    schema.TEXTS: _read_texts,
    schema.FIGURES: _read_figures,
    schema.TRANSLATED_FROM: _read_translated_from,
    schema.RECORDS: _read_records,
}


# --- Rules across keys ---------------------------------------------------------------------


def _check_alt_text(item, values, path):
    """A step with a figure needs alt text (the reader of a screen reader needs it)."""
    if any(values["figure"].values()) and not any(values["alt"].values()):
        raise ContentError(path, item.line, "a step with a figure needs alt text")


def _check_platforms_once(items, variants, path):
    seen = set()
    for item, variant in zip(items, variants, strict=True):
        platform = variant["platform"]
        if platform and platform in seen:
            raise ContentError(
                path, _line(item, "platform"), f"platform {platform!r} appears twice"
            )
        seen.add(platform)


_RULES = {schema.STEP: _check_alt_text}


def read_record(record, item, reading):
    """Return the validated values of one item of ``record``, by file key."""
    for key in record.required:
        if key.name not in item:
            raise ContentError(reading.path, item.line, f"missing key {key.name!r}")
    values = {key.name: _READERS[key.kind](record, key, item, reading) for key in record.keys}
    if record in _RULES:
        _RULES[record](item, values, reading.path)
    return values


# --- Files and folders -----------------------------------------------------------------------


def _read_vocabulary(path, record, base):
    """Return the validated entries of ``categories.yaml`` or ``platforms.yaml``."""
    items = load_file(path) or []
    if not isinstance(items, list):
        raise ContentError(path, _line(items), "expected a list of entries")
    reading = _Reading(path, base, known={})
    entries, seen = [], set()
    for item in items:
        _require_mapping(item, path, None, record.what)
        entry = read_record(record, item, reading)
        if entry["slug"] in seen:
            raise ContentError(path, item.line, f"slug {entry['slug']!r} is listed twice")
        seen.add(entry["slug"])
        entries.append(entry)
    return entries


def _read_article(path, base, known, numbers):
    data = load_file(path)
    _require_mapping(data, path, None, schema.ARTICLE.what)
    article = read_record(schema.ARTICLE, data, _Reading(path, base, known))
    if article["number"] in numbers:
        raise ContentError(
            path,
            _line(data, "number"),
            f"number {article['number']} is also used by {numbers[article['number']].name}",
        )
    return article


def _check_folder(base):
    if not base.is_dir():
        reason = "not a directory" if base.exists() else "no such directory"
        raise InvalidContent([ContentError(base, 0, reason)])
    names = (schema.CATEGORIES_FILE, schema.PLATFORMS_FILE, schema.ARTICLES_FOLDER)
    if not any((base / name).exists() for name in names):
        raise InvalidContent([ContentError(base, 0, f"no content files ({', '.join(names)}/)")])


def read_directory(base):
    """Read and validate a content directory; raise ``InvalidContent`` listing every problem.

    One problem is reported per file (the first); a problem in the shared vocabulary stops
    the check there, since every article is checked against it.
    """
    base = Path(base)
    _check_folder(base)
    content = ContentSet(base=base)
    errors = []
    for (name, record), target in zip(
        schema.VOCABULARIES, (content.categories, content.platforms), strict=True
    ):
        if (base / name).exists():
            try:
                target.extend(_read_vocabulary(base / name, record, base))
            except ContentError as error:
                errors.append(error)
    if errors:
        raise InvalidContent(errors)

    known = {
        Category: {c["slug"] for c in content.categories}
        | set(Category.objects.values_list("slug", flat=True)),
        Platform: {p["slug"] for p in content.platforms}
        | set(Platform.objects.values_list("slug", flat=True)),
    }
    numbers = {}
    for path in sorted((base / schema.ARTICLES_FOLDER).glob("*.yaml")):
        try:
            article = _read_article(path, base, known, numbers)
        except ContentError as error:
            errors.append(error)
            continue
        numbers[article["number"]] = path
        content.articles.append(ArticleFile(path=path, data=article))

    existing = set(Article.objects.values_list("number", flat=True))
    for article_file in content.articles:
        for key in schema.ARTICLE.of_kind(schema.NUMBERS):
            names = article_file.data[key.name]
            unknown = [n for n in names if n not in numbers and n not in existing]
            if unknown:
                errors.append(
                    ContentError(
                        article_file.path, 0, f"{key.name} names unknown article {unknown[0]}"
                    )
                )
                break
    if errors:
        raise InvalidContent(sorted(errors, key=lambda error: str(error.path)))
    return content
