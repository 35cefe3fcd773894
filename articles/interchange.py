"""Articles as human-readable files: reading, validating, importing and exporting them.

The format is described in ``demo/README.md``: ``categories.yaml``, ``platforms.yaml`` and
one ``articles/NNNN-slug.yaml`` per article holding both languages, figures beside them.
Both directions live in this one module so that the keys read and the keys written are
defined side by side and cannot drift apart.

Import is idempotent: an article whose file matches the database is not touched (its "last
updated" date stays). The whole set is validated before anything is written, and each
article is written in its own transaction, so a bad file never leaves a half-written
article (or half an import) behind. Export writes what import reads, deterministically:
the same database gives byte-identical files.
"""

import hashlib
import shutil
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import reversion
import yaml
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.validators import validate_slug
from django.db import transaction
from django.db.models import Prefetch

from . import editing, translation_status
from .models import Article, Category, Platform, Step, Variant
from .uploads import FIGURE_EXTENSIONS, validate_figure

LANGUAGE_CODES = tuple(code for code, _name in settings.LANGUAGES)
# Translated texts: key in the file -> model field. Figures are handled on their own.
ARTICLE_TEXTS = {key: key for key in ("title", "summary", "body", "notes", "troubleshooting")}
STEP_TEXTS = {"body": "body", "caption": "figure_caption", "alt": "figure_alt"}
# What an out-of-date translation of a step can have been made from: its texts, and the
# English figure a Japanese figure was made beside (by the name it had; see
# translation_status.py).
STEP_SOURCES = {**STEP_TEXTS, "figure": "figure"}
VARIANT_TEXTS = {"intro": "intro"}
DEFAULT_SOURCE = settings.LANGUAGE_CODE
STATUSES = {choice.value for choice in Article.Status}
FAMILIES = {choice.value for choice in Platform.Family}


class ContentError(Exception):
    """One problem in a content file; says which file and line."""

    def __init__(self, path, line, message):
        self.path, self.line, self.message = path, line, message
        location = f"{path}:{line}" if line else str(path)
        super().__init__(f"{location}: {message}")


class InvalidContent(Exception):
    """A content set that cannot be imported: every problem found, one per file at most."""

    def __init__(self, errors):
        self.errors = list(errors)
        super().__init__("\n".join(str(error) for error in self.errors))


class ExportError(Exception):
    """An export that cannot be written (destination in use, a figure file missing…)."""


# --- YAML, read ---------------------------------------------------------------------------


class _Mapping(dict):
    """A mapping read from a file, with the line it starts on and the line of each key."""

    line = 0
    lines = {}


class _LineLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """A safe YAML loader that remembers lines, for messages an editor can act on.

    It parses with libyaml where PyYAML has it (its wheels do): ten times faster on a large
    set. libyaml is also the stricter parser (see the tabs in ``_Dumper``), so files written
    for it read everywhere.
    """


def _construct_mapping(loader, node):
    mapping = _Mapping()
    mapping.line = node.start_mark.line + 1
    mapping.lines = {
        key.value: key.start_mark.line + 1
        for key, _value in node.value
        if isinstance(key, yaml.ScalarNode)
    }
    yield mapping
    mapping.update(loader.construct_mapping(node))


def _construct_text(loader, node):
    text = loader.construct_scalar(node)
    # A `|` block (as written by hand, and as the writer below writes it) ends with the line
    # break that closes the block; it is not part of the text. Everything else is exact.
    if node.style in ("|", ">") and text.endswith("\n"):
        text = text[:-1]
    return text


_LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
_LineLoader.add_constructor("tag:yaml.org,2002:str", _construct_text)


def from_yaml(text, path="<text>"):
    """Return the data in YAML ``text``; raise ``ContentError`` naming ``path`` and the line."""
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        raise ContentError(
            path, mark.line + 1 if mark else 0, error.problem or str(error)
        ) from None
    except yaml.YAMLError as error:
        raise ContentError(path, 0, str(error)) from None


def _load_yaml(path):
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ContentError(path, 0, str(error)) from None
    return from_yaml(text, path)


# --- YAML, written ------------------------------------------------------------------------


class _OneLine(dict):
    """A mapping written on one line, like ``name: {en: Windows, ja: Windows}``."""


class _OneLineList(list):
    """A list written on one line, like ``related: [1005, 1006]``."""


class _Dumper(yaml.SafeDumper):
    """Write content files the way a person would: block texts, indented lists, no wrapping."""

    def increase_indent(self, flow=False, indentless=False):
        # Indent list items under their key, as the hand-written demo files do.
        return super().increase_indent(flow, False)

    def analyze_scalar(self, scalar):
        # PyYAML quotes any text holding a tab; inside a `|` block a tab within a line is
        # ordinary text, so let such Markdown stay a block. A tab opening a line is not:
        # libyaml (and so other tools) refuse it there, so that text is quoted.
        analysis = super().analyze_scalar(scalar.replace("\t", " "))
        analysis.scalar = scalar
        if "\t" in scalar:
            analysis.allow_flow_plain = analysis.allow_block_plain = False
            analysis.allow_single_quoted = False
            if scalar.startswith("\t") or "\n\t" in scalar:
                analysis.allow_block = False
        if any(char in scalar for char in "\x85\u2028\u2029"):
            # YAML reads these as line breaks (NEL even as "\n"): only escapes keep them.
            analysis.allow_block = analysis.allow_single_quoted = False
            analysis.allow_flow_plain = analysis.allow_block_plain = False
        return analysis

    def choose_scalar_style(self):
        style = super().choose_scalar_style()
        # A text that cannot be plain (`: `, a leading `>` or quote…) goes in a `|` block
        # rather than quotes: a block needs no escaping, so an editor can change it safely.
        # Quotes stay for what YAML would read as another type ('1.10', 'yes'): short, clear.
        if (
            style in ("'", '"')
            and self.event.implicit[0]
            and self.analysis.allow_block
            and not self.flow_level
            and not self.simple_key_context
        ):
            return "|"
        return style

    def write_literal(self, text):
        # The reader drops the line break that closes a block (see _construct_text): add it.
        super().write_literal(text + "\n")


def _represent_text(dumper, text):
    return dumper.represent_scalar(
        "tag:yaml.org,2002:str", text, style="|" if "\n" in text else None
    )


def _represent_one_line(dumper, mapping):
    return dumper.represent_mapping("tag:yaml.org,2002:map", mapping, flow_style=True)


def _represent_one_line_list(dumper, items):
    return dumper.represent_sequence("tag:yaml.org,2002:seq", items, flow_style=True)


_Dumper.add_representer(str, _represent_text)
_Dumper.add_representer(_OneLine, _represent_one_line)
_Dumper.add_representer(_OneLineList, _represent_one_line_list)


def to_yaml(data):
    """Return ``data`` as YAML text that ``from_yaml`` reads back exactly."""
    return yaml.dump(
        data,
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,  # the writers below choose the order
        default_flow_style=False,
        width=2**31,  # never fold a long line: one text, one line, clean diffs
        indent=2,
    )


# --- Validation ---------------------------------------------------------------------------


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


def _line(mapping, key=None):
    """Return the line of ``key`` in ``mapping`` (else of the mapping), 0 when unknown."""
    return getattr(mapping, "lines", {}).get(key) or getattr(mapping, "line", 0)


def _require_mapping(value, path, parent, what, key=None):
    if not isinstance(value, dict):
        raise ContentError(path, _line(value) or _line(parent, key), f"{what} must be a mapping")
    return value


def _require_order(item, path):
    order = item.get("order", 0)
    if not isinstance(order, int) or isinstance(order, bool) or order < 0:
        raise ContentError(path, _line(item, "order"), "order must be a whole number, 0 or more")
    return order


def _require_slug(item, path, model):
    slug, limit = item["slug"], _max_length(model, "slug")
    try:
        if not isinstance(slug, str):
            raise ValidationError("not text")
        validate_slug(slug)
    except ValidationError:
        raise ContentError(
            path, _line(item, "slug"), f"slug must be letters, digits and hyphens: {slug!r}"
        ) from None
    if len(slug) > limit:
        raise ContentError(path, _line(item, "slug"), f"slug is longer than {limit} characters")
    return slug


def _max_length(model, field_name):
    return getattr(model._meta.get_field(field_name), "max_length", None)


def _texts(parent, key, path, model=None, field_name=None, required=False):
    """Return ``{language: text}`` for the translated text ``parent[key]``, '' when missing.

    Texts are taken exactly as written (see ``_construct_text`` for the end of a block).
    """
    value = parent.get(key)
    if value is None:
        value = {}
    if isinstance(value, str):
        raise ContentError(
            path, _line(parent, key), f"{key} needs one text per language: {{en: ..., ja: ...}}"
        )
    _require_mapping(value, path, parent, key, key)
    unknown = set(value) - set(LANGUAGE_CODES)
    if unknown:
        language = sorted(map(str, unknown))[0]
        raise ContentError(path, _line(value, language), f"{key}: unknown language {language!r}")
    limit = _max_length(model, field_name or key) if model else None
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
        raise ContentError(path, _line(parent, key), f"{key} is required")
    return texts


def _read_category(item, path):
    return {
        "slug": _require_slug(item, path, Category),
        "order": _require_order(item, path),
        "name": _texts(item, "name", path, Category, required=True),
        "description": _texts(item, "description", path, Category),
    }


def _read_platform(item, path):
    if not isinstance(item.get("family"), str) or item["family"] not in FAMILIES:
        raise ContentError(path, _line(item, "family"), f"family must be one of {sorted(FAMILIES)}")
    return {
        "slug": _require_slug(item, path, Platform),
        "family": item["family"],
        "order": _require_order(item, path),
        "name": _texts(item, "name", path, Platform, required=True),
    }


def _read_vocabulary(path, read_entry):
    """Return the validated entries of ``categories.yaml`` or ``platforms.yaml``."""
    items = _load_yaml(path) or []
    if not isinstance(items, list):
        raise ContentError(path, _line(items), "expected a list of entries")
    entries, seen = [], set()
    for item in items:
        _require_mapping(item, path, None, "an entry")
        if "slug" not in item:
            raise ContentError(path, item.line, "missing key 'slug'")
        entry = read_entry(item, path)
        if entry["slug"] in seen:
            raise ContentError(path, item.line, f"slug {entry['slug']!r} is listed twice")
        seen.add(entry["slug"])
        entries.append(entry)
    return entries


def _figure_path(base, relative, path, step):
    """Return the figure file ``relative`` names, which must lie inside the content folder."""
    try:
        source = (base / relative).resolve()
        inside, found = source.is_relative_to(base.resolve()), source.is_file()
    except (OSError, ValueError):  # a name no file system accepts (a NUL byte, too long)
        inside, found = True, False
    if not inside:
        raise ContentError(path, _line(step, "figure"), f"figure outside the folder: {relative}")
    if not found:
        raise ContentError(path, _line(step, "figure"), f"figure file not found: {relative!r}")
    return source


def _check_figure_file(source, relative, path, step):
    """Apply the admin's upload rules to a figure brought in by a content file."""
    if source.suffix.lower().lstrip(".") not in FIGURE_EXTENSIONS:
        raise ContentError(
            path, _line(step, "figure"), f"figure must be PNG, JPEG, GIF or WebP: {relative}"
        )
    with source.open("rb") as handle:
        try:
            validate_figure(File(handle, name=source.name))
        except ValidationError as error:
            raise ContentError(
                path, _line(step, "figure"), f"{relative}: {' '.join(error.messages)}"
            ) from None


def _read_translated_from(item, path, keys):
    """Read ``translated_from``: per language, the source text an out-of-date translation
    was made from (see translation_status.py). Only out-of-date texts are written."""
    value = item.get("translated_from")
    if value is None:
        return {}
    _require_mapping(value, path, item, "translated_from", "translated_from")
    result = {}
    for language, texts in value.items():
        if language not in LANGUAGE_CODES:
            raise ContentError(
                path, _line(item, "translated_from"), f"unknown language {language!r}"
            )
        _require_mapping(texts, path, value, f"translated_from.{language}", language)
        for key, text in texts.items():
            if key not in keys or not isinstance(text, str):
                raise ContentError(
                    path,
                    _line(item, "translated_from"),
                    f"translated_from.{language}: {key!r} must be one of {sorted(keys)} with text",
                )
        result[language] = dict(texts)
    return result


def _read_step(step, path, base):
    checked = {
        key: _texts(step, key, path, Step, field_name, required=key == "body")
        for key, field_name in STEP_TEXTS.items()
    }
    figures = _texts(step, "figure", path)
    for relative in figures.values():
        if relative:
            source = _figure_path(base, relative, path, step)
            _check_figure_file(source, relative, path, step)
    if any(figures.values()) and not any(checked["alt"].values()):
        raise ContentError(path, step.line, "a step with a figure needs alt text")
    checked["figure"] = figures
    checked["translated_from"] = _read_translated_from(step, path, STEP_SOURCES)
    return checked


def _read_variant(variant, path, base, platforms):
    platform = variant.get("platform")
    if platform is not None and (not isinstance(platform, str) or platform not in platforms):
        raise ContentError(path, _line(variant, "platform"), f"unknown platform {platform!r}")
    steps = variant.get("steps") or []
    if not isinstance(steps, list):
        raise ContentError(path, _line(variant, "steps"), "steps must be a list")
    checked_steps = []
    for step in steps:
        _require_mapping(step, path, variant, "a step", "steps")
        checked_steps.append(_read_step(step, path, base))
    return {
        "platform": platform,
        "intro": _texts(variant, "intro", path, Variant),
        "translated_from": _read_translated_from(variant, path, VARIANT_TEXTS),
        "steps": checked_steps,
    }


def _numbers(data, key, path):
    numbers = data.get(key) or []
    if not isinstance(numbers, list) or not all(
        isinstance(number, int) and not isinstance(number, bool) for number in numbers
    ):
        raise ContentError(path, _line(data, key), f"{key} must be a list of article numbers")
    return numbers


def _validate_article(path, data, base, platforms):
    _require_mapping(data, path, None, "the article file")
    for key in ("number", "slug", "category", "title", "variants"):
        if key not in data:
            raise ContentError(path, data.line, f"missing key {key!r}")
    number = data["number"]
    if not isinstance(number, int) or isinstance(number, bool) or number <= 0:
        raise ContentError(path, _line(data, "number"), "number must be a positive whole number")
    status = data.get("status", "draft")
    if not isinstance(status, str) or status not in STATUSES:
        raise ContentError(path, _line(data, "status"), f"status must be one of {sorted(STATUSES)}")
    written_in = data.get("written_in", DEFAULT_SOURCE)
    if written_in not in LANGUAGE_CODES:
        raise ContentError(
            path, _line(data, "written_in"), f"written_in must be one of {list(LANGUAGE_CODES)}"
        )
    article = {
        "number": number,
        "slug": _require_slug(data, path, Article),
        "category": str(data["category"]),
        "status": status,
        "written_in": written_in,
        "translated_from": _read_translated_from(data, path, ARTICLE_TEXTS),
        "prerequisites": _numbers(data, "prerequisites", path),
        "related": _numbers(data, "related", path),
    }
    for key, field_name in ARTICLE_TEXTS.items():
        article[key] = _texts(data, key, path, Article, field_name, required=key == "title")
    if not isinstance(data["variants"], list):
        raise ContentError(path, _line(data, "variants"), "variants must be a list")
    article["variants"] = []
    for variant in data["variants"]:
        _require_mapping(variant, path, data, "a variant", "variants")
        checked = _read_variant(variant, path, base, platforms)
        if checked["platform"] and checked["platform"] in {
            v["platform"] for v in article["variants"]
        }:
            raise ContentError(
                path, _line(variant, "platform"), f"platform {checked['platform']!r} appears twice"
            )
        article["variants"].append(checked)
    return article


def read_directory(base):
    """Read and validate a content directory; raise ``InvalidContent`` listing every problem.

    One problem is reported per file (the first); a problem in the shared vocabulary stops
    the check there, since every article is checked against it.
    """
    base = Path(base)
    if not base.is_dir():
        reason = "not a directory" if base.exists() else "no such directory"
        raise InvalidContent([ContentError(base, 0, reason)])
    if not any(
        (base / name).exists() for name in ("categories.yaml", "platforms.yaml", "articles")
    ):
        raise InvalidContent(
            [ContentError(base, 0, "no content files (categories.yaml, platforms.yaml, articles/)")]
        )
    content = ContentSet(base=base)
    errors = []
    for name, read_entry, target in (
        ("categories.yaml", _read_category, content.categories),
        ("platforms.yaml", _read_platform, content.platforms),
    ):
        if (base / name).exists():
            try:
                target.extend(_read_vocabulary(base / name, read_entry))
            except ContentError as error:
                errors.append(error)
    if errors:
        raise InvalidContent(errors)

    known_platforms = {p["slug"] for p in content.platforms} | set(
        Platform.objects.values_list("slug", flat=True)
    )
    known_categories = {c["slug"] for c in content.categories} | set(
        Category.objects.values_list("slug", flat=True)
    )
    numbers = {}
    for path in sorted((base / "articles").glob("*.yaml")):
        try:
            data = _load_yaml(path)
            article = _validate_article(path, data, base, known_platforms)
            if article["category"] not in known_categories:
                raise ContentError(
                    path, _line(data, "category"), f"unknown category {article['category']!r}"
                )
            if article["number"] in numbers:
                raise ContentError(
                    path,
                    _line(data, "number"),
                    f"number {article['number']} is also used by {numbers[article['number']].name}",
                )
        except ContentError as error:
            errors.append(error)
            continue
        numbers[article["number"]] = path
        content.articles.append(ArticleFile(path=path, data=article))

    existing = set(Article.objects.values_list("number", flat=True))
    for article_file in content.articles:
        for key in ("prerequisites", "related"):
            unknown = [n for n in article_file.data[key] if n not in numbers and n not in existing]
            if unknown:
                errors.append(
                    ContentError(article_file.path, 0, f"{key} names unknown article {unknown[0]}")
                )
                break
    if errors:
        raise InvalidContent(sorted(errors, key=lambda error: str(error.path)))
    return content


# --- Import -------------------------------------------------------------------------------


def _file_text(text):
    # Browsers send a textarea's line breaks as CRLF; in a file (and in Markdown) a line
    # break is "\n", and YAML could not keep a CR in a readable block anyway.
    return (text or "").replace("\r\n", "\n").replace("\r", "\n")


def _translated(instance, name):
    return {code: _file_text(getattr(instance, f"{name}_{code}")) for code in LANGUAGE_CODES}


def _set_translated(instance, name, texts):
    for code in LANGUAGE_CODES:
        setattr(instance, f"{name}_{code}", texts.get(code, ""))


def _digest(read):
    return hashlib.sha256(read()).hexdigest()


def _stored_digest(stored_name):
    with default_storage.open(stored_name, "rb") as handle:
        return _digest(handle.read)


def _same_file(stored_name, source):
    if not stored_name or not default_storage.exists(stored_name):
        return False
    return _stored_digest(stored_name) == _digest(source.read_bytes)


def _store_figure(base, relative):
    """Return the storage name for figure ``relative``, reusing an identical stored file."""
    source = base / relative
    name = f"figures/{source.name}"
    if _same_file(name, source):
        return name
    return default_storage.save(name, ContentFile(source.read_bytes()))


def _outdated_sources(obj, source, keys):
    """Return ``{language: {file key: source text}}`` for the out-of-date texts of ``obj``."""
    found = {}
    for key, field_name in keys.items():
        for code in LANGUAGE_CODES:
            status = translation_status.field_status(obj, field_name, code, source)
            if status == translation_status.OUTDATED:
                text = obj.translated_from[code][field_name]["text"]
                found.setdefault(code, {})[key] = text
    return found


def _apply_translated_from(obj, wanted, keys):
    """Record the source texts the file names for out-of-date translations of ``obj``."""
    if not wanted:
        return
    for language, texts in wanted.items():
        for key, text in texts.items():
            translation_status.set_source(obj, language, keys[key], text)
    type(obj).objects.filter(pk=obj.pk).update(translated_from=obj.translated_from)


def _article_matches(article, data, base):
    """Return whether the stored ``article`` already says exactly what ``data`` says."""
    source = article.source_language
    simple = {
        "slug": article.slug,
        "category": article.category.slug,
        "status": article.status,
        "written_in": source,
        "translated_from": _outdated_sources(article, source, ARTICLE_TEXTS),
        "prerequisites": sorted(a.number for a in article.prerequisites.all()),
        "related": sorted(a.number for a in article.related.all()),
        **{key: _translated(article, name) for key, name in ARTICLE_TEXTS.items()},
    }
    wanted = {key: data[key] for key in simple}
    wanted["prerequisites"] = sorted(wanted["prerequisites"])
    wanted["related"] = sorted(wanted["related"])
    if simple != wanted:
        return False
    variants = list(article.variants.select_related("platform").order_by("order", "pk"))
    if len(variants) != len(data["variants"]):
        return False
    for variant, wanted_variant in zip(variants, data["variants"], strict=True):
        platform = variant.platform.slug if variant.platform else None
        if (
            platform != wanted_variant["platform"]
            or _translated(variant, "intro") != wanted_variant["intro"]
            or _outdated_sources(variant, source, VARIANT_TEXTS)
            != wanted_variant["translated_from"]
        ):
            return False
        steps = list(variant.steps.order_by("order", "pk"))
        if len(steps) != len(wanted_variant["steps"]):
            return False
        for step, wanted_step in zip(steps, wanted_variant["steps"], strict=True):
            for key, field_name in STEP_TEXTS.items():
                if _translated(step, field_name) != wanted_step[key]:
                    return False
            if _outdated_sources(step, source, STEP_SOURCES) != wanted_step["translated_from"]:
                return False
            for code in LANGUAGE_CODES:
                stored = getattr(step, f"figure_{code}").name or ""
                relative = wanted_step["figure"][code]
                if bool(stored) != bool(relative):
                    return False
                if relative and not _same_file(stored, base / relative):
                    return False
    return True


def _write_article(article, data, base):
    """Write one article from its file, its variants and steps updated in place.

    Rows keep their ids where they stay (matched by position): an editor's form opened
    before the import is then merged with it, not refused. Every translation is taken as
    made from the file's source text, except those the file lists as out of date.
    """
    article.slug = data["slug"]
    article.category = Category.objects.get(slug=data["category"])
    article.status = data["status"]
    article.source_language = data["written_in"]
    for key, name in ARTICLE_TEXTS.items():
        _set_translated(article, name, data[key])
    _as_written_now(article)
    article.save()
    _apply_translated_from(article, data["translated_from"], ARTICLE_TEXTS)
    old_variants = list(article.variants.order_by("order", "pk"))
    # Platforms may move between positions: cleared first, set again below.
    Variant.objects.filter(article=article).update(platform=None)
    platforms = {p.slug: p for p in Platform.objects.all()}
    for variant_order, variant_data in enumerate(data["variants"]):
        variant = _reuse(old_variants, variant_order) or Variant(article=article)
        old_steps = list(variant.steps.order_by("order", "pk")) if variant.pk else []
        variant.order = variant_order
        variant.platform = platforms.get(variant_data["platform"])
        _set_translated(variant, "intro", variant_data["intro"])
        _as_written_now(variant)
        variant.save()
        _apply_translated_from(variant, variant_data["translated_from"], VARIANT_TEXTS)
        for step_order, step_data in enumerate(variant_data["steps"]):
            step = _reuse(old_steps, step_order) or Step(variant=variant)
            step.order = step_order
            for key, field_name in STEP_TEXTS.items():
                _set_translated(step, field_name, step_data[key])
            for code in LANGUAGE_CODES:
                relative = step_data["figure"][code]
                setattr(step, f"figure_{code}", _store_figure(base, relative) if relative else "")
            _as_written_now(step)
            step.save()
            _apply_translated_from(step, step_data["translated_from"], STEP_SOURCES)
        Step.objects.filter(pk__in=[s.pk for s in old_steps[len(variant_data["steps"]) :]]).delete()
    Variant.objects.filter(pk__in=[v.pk for v in old_variants[len(data["variants"]) :]]).delete()


def _reuse(rows, position):
    return rows[position] if position < len(rows) else None


def _as_written_now(obj):
    """Let translation_status record every translation of ``obj`` as made from the source
    text it is saved with (as for a new row); the file's out-of-date list comes after."""
    obj.translated_from = {}
    obj._loaded_values = None


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def _upsert_vocabulary(model, entries, texts):
    for entry in entries:
        instance = model.objects.filter(slug=entry["slug"]).first() or model(slug=entry["slug"])
        wanted = {
            "order": entry["order"],
            **({"family": entry["family"]} if "family" in entry else {}),
        }
        changed = instance.pk is None
        for key, value in wanted.items():
            if getattr(instance, key) != value:
                setattr(instance, key, value)
                changed = True
        for name in texts:
            if _translated(instance, name) != entry[name]:
                _set_translated(instance, name, entry[name])
                changed = True
        if changed:
            instance.save()


def import_content(content, progress=None):
    """Write a validated ``ContentSet`` to the database; return what changed.

    ``progress(index, total, file_name, state)`` is called after each article.
    """
    result = ImportResult()
    with transaction.atomic():
        _upsert_vocabulary(Category, content.categories, ("name", "description"))
        _upsert_vocabulary(Platform, content.platforms, ("name",))

    total = len(content.articles)
    for index, article_file in enumerate(content.articles, start=1):
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
            if article is not None and _article_matches(article, data, content.base):
                result.unchanged += 1
                state = "unchanged"
            else:
                created = article is None
                if created:
                    article = Article(number=data["number"])
                else:
                    editing.raise_version(article)
                _write_article(article, data, content.base)
                if created:
                    result.created += 1
                    state = "created"
                else:
                    result.updated += 1
                    state = "updated"
        if progress:
            progress(index, total, article_file.path.name, state)

    # Links between articles, once every article exists.
    by_number = {a.number: a for a in Article.objects.all()}
    with transaction.atomic():
        for article_file in content.articles:
            data = article_file.data
            article = by_number[data["number"]]
            for key in ("prerequisites", "related"):
                wanted = {by_number[n].pk for n in data[key]}
                manager = getattr(article, key)
                if set(manager.values_list("pk", flat=True)) != wanted:
                    # Its own revision, so the history shows the article with its links.
                    with reversion.create_revision():
                        reversion.set_comment(f"Imported links from {article_file.path.name}")
                        editing.lock(article.pk)
                        manager.set(wanted)
                        editing.raise_version(article)
                        reversion.add_to_revision(article)
    return result


# --- Export -------------------------------------------------------------------------------

# An optional key with nothing to say is left out of the file rather than written empty.
_OMIT = object()
# A name this short is written on one line, {en: ..., ja: ...}, as the demo's names are.
_ONE_LINE_CHARACTERS = 60


def _entry(**keys):
    """Return the keys given, in the order given, without the omitted ones."""
    return {key: value for key, value in keys.items() if value is not _OMIT}


def _texts_out(instance, field_name, required=False, name=False):
    """Return ``{language: text}`` for a translated field, leaving out empty languages.

    Each language goes on a line of its own (one changed translation, one changed line),
    except a short ``name`` of the shared vocabulary.
    """
    texts = {code: text for code, text in _translated(instance, field_name).items() if text}
    if not texts and not required:
        return _OMIT
    short = sum(len(text) for text in texts.values()) <= _ONE_LINE_CHARACTERS
    if name and short and all("\n" not in text for text in texts.values()):
        return _OneLine(texts)
    return texts


class _FigureFiles:
    """The figure files an export writes, named after their stored files, unique by content.

    A figure keeps its stored base name. Where figures with different contents share a base
    name (stored in different folders), each gets a short hash of its content added, so the
    names do not depend on which article happens to be exported first.
    """

    def __init__(self, stored_names):
        self.relative = {}  # stored name -> path relative to the export folder
        self._digests = {}  # exported name -> content digest
        digests = {name: self._digest(name) for name in sorted(stored_names)}
        contents = defaultdict(set)
        for name, digest in digests.items():
            contents[PurePosixPath(name).name].add(digest)
        for name, digest in digests.items():
            self._add(name, digest, hashed=len(contents[PurePosixPath(name).name]) > 1)

    @staticmethod
    def _digest(stored_name):
        try:
            return _stored_digest(stored_name)
        except OSError:
            raise ExportError(f"figure missing from the media folder: {stored_name}") from None

    def _add(self, stored_name, digest, hashed):
        base = PurePosixPath(stored_name)
        exported = f"{base.stem}-{digest[:8]}{base.suffix}" if hashed else base.name
        if self._digests.setdefault(exported, digest) != digest:
            if hashed:
                raise ExportError(f"two different figures would both be named {exported}")
            return self._add(stored_name, digest, hashed=True)
        self.relative[stored_name] = f"figures/{exported}"

    def references(self, step):
        """Return the step's ``figure`` mapping, or ``_OMIT`` when it has none."""
        references = {}
        for code in LANGUAGE_CODES:
            stored = getattr(step, f"figure_{code}")
            if not stored:
                continue
            if stored.name not in self.relative:  # uploaded while this export ran
                self._add(stored.name, self._digest(stored.name), hashed=False)
            references[code] = self.relative[stored.name]
        return _OneLine(references) if references else _OMIT

    def copy_to(self, destination):
        """Copy every figure once into ``destination``; return how many files were written."""
        copied = set()
        for stored_name, relative in self.relative.items():
            if relative not in copied:
                try:
                    with default_storage.open(stored_name, "rb") as source:
                        (destination / relative).write_bytes(source.read())
                except FileNotFoundError:
                    raise ExportError(
                        f"figure deleted from the media folder during the export: {stored_name}"
                    ) from None
                copied.add(relative)
        return len(copied)


def _category_entry(category):
    """Return ``category`` as an entry of categories.yaml."""
    return _entry(
        slug=category.slug,
        order=category.order,
        name=_texts_out(category, "name", required=True, name=True),
        description=_texts_out(category, "description"),
    )


def _platform_entry(platform):
    """Return ``platform`` as an entry of platforms.yaml."""
    return _entry(
        slug=platform.slug,
        family=platform.family,
        order=platform.order,
        name=_texts_out(platform, "name", required=True, name=True),
    )


def _translated_from_out(obj, source, keys):
    return _outdated_sources(obj, source, keys) or _OMIT


def _step_entry(step, figures, source):
    """Return ``step`` as an item of its variant's ``steps``."""
    return _entry(
        body=_texts_out(step, "body", required=True),
        figure=figures.references(step),
        caption=_texts_out(step, "figure_caption"),
        alt=_texts_out(step, "figure_alt"),
        translated_from=_translated_from_out(step, source, STEP_SOURCES),
    )


def _variant_entry(variant, figures, source):
    """Return ``variant`` as an item of its article's ``variants``."""
    return _entry(
        platform=variant.platform.slug if variant.platform else None,
        intro=_texts_out(variant, "intro"),
        translated_from=_translated_from_out(variant, source, VARIANT_TEXTS),
        steps=[_step_entry(step, figures, source) for step in variant.ordered_steps],
    )


def _article_document(article, figures):
    """Return ``article`` as the content of its ``articles/NNNN-slug.yaml``."""
    return _entry(
        number=article.number,
        slug=article.slug,
        category=article.category.slug,
        status=article.status,
        written_in=article.source_language if article.source_language != DEFAULT_SOURCE else _OMIT,
        prerequisites=_OneLineList(a.number for a in article.all_prerequisites),
        related=_OneLineList(a.number for a in article.all_related),
        title=_texts_out(article, "title", required=True),
        summary=_texts_out(article, "summary"),
        body=_texts_out(article, "body"),
        notes=_texts_out(article, "notes"),
        troubleshooting=_texts_out(article, "troubleshooting"),
        translated_from=_translated_from_out(article, article.source_language, ARTICLE_TEXTS),
        variants=[
            _variant_entry(variant, figures, article.source_language)
            for variant in article.ordered_variants
        ],
    )


def _article_file_name(article):
    return f"{article.number:04d}-{article.slug}.yaml"


@dataclass
class ExportResult:
    categories: int = 0
    platforms: int = 0
    articles: int = 0
    figures: int = 0


# What an export owns in its folder: replaced by a new export, everything else is kept.
_EXPORTED = ("categories.yaml", "platforms.yaml", "articles/*.yaml", "figures/*")


def _check_destination(destination, replace):
    if destination.exists() and not destination.is_dir():
        raise ExportError(f"{destination}: not a directory")
    if not replace and destination.is_dir() and any(destination.iterdir()):
        raise ExportError(
            f"{destination}: not empty; choose a new folder, or replace a previous export "
            "there with --replace"
        )


def _prepare_destination(destination):
    if destination.is_dir():
        for pattern in _EXPORTED:
            for path in destination.glob(pattern):
                if path.is_dir():
                    shutil.rmtree(path)
                else:
                    path.unlink()
    (destination / "articles").mkdir(parents=True, exist_ok=True)
    (destination / "figures").mkdir(exist_ok=True)


def _write(path, data):
    path.write_bytes(to_yaml(data).encode("utf-8"))


def export_content(destination, replace=False, progress=None):
    """Write every category, platform and article, with their figures, into ``destination``.

    ``progress(index, total, file_name)`` is called after each article.
    """
    destination = Path(destination)
    _check_destination(destination, replace)
    figure_fields = [f"figure_{code}" for code in LANGUAGE_CODES]
    stored = {name for row in Step.objects.values_list(*figure_fields) for name in row if name}
    figures = _FigureFiles(stored)  # checks every figure before anything is written
    _prepare_destination(destination)

    result = ExportResult()
    categories = [_category_entry(c) for c in Category.objects.order_by("order", "slug")]
    platforms = [_platform_entry(p) for p in Platform.objects.order_by("order", "slug")]
    _write(destination / "categories.yaml", categories)
    _write(destination / "platforms.yaml", platforms)
    result.categories, result.platforms = len(categories), len(platforms)

    links = Article.objects.only("pk", "number").order_by("number")
    articles = (
        Article.objects.for_detail()
        .prefetch_related(
            Prefetch("prerequisites", queryset=links, to_attr="all_prerequisites"),
            Prefetch("related", queryset=links, to_attr="all_related"),
        )
        .order_by("number")
    )
    total = articles.count()
    for index, article in enumerate(articles.iterator(chunk_size=200), start=1):
        name = _article_file_name(article)
        _write(destination / "articles" / name, _article_document(article, figures))
        result.articles = index
        if progress:
            progress(index, total, name)
    result.figures = figures.copy_to(destination)
    return result
