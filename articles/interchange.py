"""Articles as human-readable files: reading, validating and importing them.

The format is described in ``demo/README.md``: ``categories.yaml``, ``platforms.yaml`` and
one ``articles/NNNN-slug.yaml`` per article holding both languages. Import is idempotent:
an article whose file matches the database is not touched (its "last updated" date stays).
Each article is written in its own transaction, after the whole set has been validated,
so a bad file never leaves a half-written article behind.
"""

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from .models import Article, Category, Platform, Step, Variant

LANGUAGE_CODES = tuple(code for code, _name in settings.LANGUAGES)
ARTICLE_TEXTS = ("title", "summary", "body", "notes", "troubleshooting")
STEP_TEXTS = {"body": "body", "caption": "figure_caption", "alt": "figure_alt"}
STATUSES = {choice.value for choice in Article.Status}
FAMILIES = {choice.value for choice in Platform.Family}


class ContentError(Exception):
    """A content file that cannot be imported; says which file and line."""

    def __init__(self, path, line, message):
        self.path, self.line, self.message = path, line, message
        location = f"{path}:{line}" if line else str(path)
        super().__init__(f"{location}: {message}")


class _Mapping(dict):
    line = 0


class _LineLoader(yaml.SafeLoader):
    """A safe YAML loader that remembers the line each mapping starts on."""


def _construct_mapping(loader, node):
    mapping = _Mapping()
    mapping.line = node.start_mark.line + 1
    yield mapping
    mapping.update(loader.construct_mapping(node))


_LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)


def _load_yaml(path):
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader)  # noqa: S506
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        raise ContentError(
            path, mark.line + 1 if mark else 0, error.problem or str(error)
        ) from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise ContentError(path, 0, str(error)) from None


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


def _line(value, parent):
    return getattr(value, "line", 0) or getattr(parent, "line", 0)


def _require_mapping(value, path, parent, what):
    if not isinstance(value, dict):
        raise ContentError(path, _line(value, parent), f"{what} must be a mapping")
    return value


def _texts(value, path, parent, key, required=False):
    """Return ``{language: text}`` for a translated text, stripped, '' when missing."""
    if value is None:
        value = {}
    if isinstance(value, str):
        raise ContentError(
            path, _line(value, parent), f"{key} needs one text per language: {{en: ..., ja: ...}}"
        )
    _require_mapping(value, path, parent, key)
    unknown = set(value) - set(LANGUAGE_CODES)
    if unknown:
        raise ContentError(
            path, _line(value, parent), f"{key}: unknown language {sorted(unknown)[0]!r}"
        )
    texts = {}
    for code in LANGUAGE_CODES:
        text = value.get(code)
        if text is not None and not isinstance(text, (str, int, float)):
            raise ContentError(path, _line(value, parent), f"{key}.{code} must be text")
        texts[code] = "" if text is None else str(text).strip()
    if required and not any(texts.values()):
        raise ContentError(path, _line(value, parent), f"{key} is required")
    return texts


def _validate_article(path, data, base, platforms):
    _require_mapping(data, path, None, "the article file")
    for key in ("number", "slug", "category", "title", "variants"):
        if key not in data:
            raise ContentError(path, data.line, f"missing key {key!r}")
    if not isinstance(data["number"], int) or data["number"] <= 0:
        raise ContentError(path, data.line, "number must be a positive whole number")
    status = data.get("status", "draft")
    if status not in STATUSES:
        raise ContentError(path, data.line, f"status must be one of {sorted(STATUSES)}")
    article = {
        "number": data["number"],
        "slug": str(data["slug"]),
        "category": str(data["category"]),
        "status": status,
        "prerequisites": list(data.get("prerequisites") or []),
        "related": list(data.get("related") or []),
    }
    for key in ("prerequisites", "related"):
        if not all(isinstance(number, int) for number in article[key]):
            raise ContentError(path, data.line, f"{key} must be a list of article numbers")
    for key in ARTICLE_TEXTS:
        article[key] = _texts(data.get(key), path, data, key, required=key == "title")
    if not isinstance(data["variants"], list):
        raise ContentError(path, data.line, "variants must be a list")
    article["variants"] = []
    for variant in data["variants"]:
        _require_mapping(variant, path, data, "a variant")
        platform = variant.get("platform")
        if platform is not None and platform not in platforms:
            raise ContentError(path, variant.line, f"unknown platform {platform!r}")
        steps = variant.get("steps") or []
        if not isinstance(steps, list):
            raise ContentError(path, variant.line, "steps must be a list")
        checked_steps = []
        for step in steps:
            _require_mapping(step, path, variant, "a step")
            checked = {
                key: _texts(step.get(key), path, step, key, required=key == "body")
                for key in STEP_TEXTS
            }
            figures = _texts(step.get("figure"), path, step, "figure")
            for figure in figures.values():
                if figure and not (base / figure).is_file():
                    raise ContentError(path, step.line, f"figure file not found: {figure}")
            if any(figures.values()) and not any(checked["alt"].values()):
                raise ContentError(path, step.line, "a step with a figure needs alt text")
            checked["figure"] = figures
            checked_steps.append(checked)
        article["variants"].append(
            {
                "platform": platform,
                "intro": _texts(variant.get("intro"), path, variant, "intro"),
                "steps": checked_steps,
            }
        )
    return article


def read_directory(base):
    """Read and validate a content directory; raise ``ContentError`` on the first problem."""
    base = Path(base)
    content = ContentSet(base=base)
    for name, target in (
        ("categories.yaml", content.categories),
        ("platforms.yaml", content.platforms),
    ):
        path = base / name
        if not path.exists():
            continue
        items = _load_yaml(path) or []
        if not isinstance(items, list):
            raise ContentError(path, 0, "expected a list")
        for item in items:
            _require_mapping(item, path, None, "an entry")
            if "slug" not in item:
                raise ContentError(path, item.line, "missing key 'slug'")
            if name == "platforms.yaml" and item.get("family") not in FAMILIES:
                raise ContentError(path, item.line, f"family must be one of {sorted(FAMILIES)}")
            entry = {
                "slug": str(item["slug"]),
                "order": int(item.get("order", 0)),
                "name": _texts(item.get("name"), path, item, "name", required=True),
            }
            if name == "categories.yaml":
                entry["description"] = _texts(item.get("description"), path, item, "description")
            else:
                entry["family"] = item["family"]
            target.append(entry)

    known_platforms = {p["slug"] for p in content.platforms} | set(
        Platform.objects.values_list("slug", flat=True)
    )
    known_categories = {c["slug"] for c in content.categories} | set(
        Category.objects.values_list("slug", flat=True)
    )
    numbers = {}
    for path in sorted((base / "articles").glob("*.yaml")):
        data = _load_yaml(path)
        article = _validate_article(path, data, base, known_platforms)
        if article["category"] not in known_categories:
            raise ContentError(path, data.line, f"unknown category {article['category']!r}")
        if article["number"] in numbers:
            raise ContentError(
                path,
                data.line,
                f"number {article['number']} is also used by {numbers[article['number']].name}",
            )
        numbers[article["number"]] = path
        content.articles.append(ArticleFile(path=path, data=article))

    existing = set(Article.objects.values_list("number", flat=True))
    for article_file in content.articles:
        for key in ("prerequisites", "related"):
            for number in article_file.data[key]:
                if number not in numbers and number not in existing:
                    raise ContentError(
                        article_file.path, 0, f"{key} names unknown article {number}"
                    )
    return content


def _translated(instance, name):
    return {code: getattr(instance, f"{name}_{code}") or "" for code in LANGUAGE_CODES}


def _set_translated(instance, name, texts):
    for code in LANGUAGE_CODES:
        setattr(instance, f"{name}_{code}", texts.get(code, ""))


def _digest(read):
    return hashlib.sha256(read()).hexdigest()


def _same_file(stored_name, source):
    if not stored_name or not default_storage.exists(stored_name):
        return False
    with default_storage.open(stored_name, "rb") as handle:
        return _digest(handle.read) == _digest(source.read_bytes)


def _store_figure(base, relative):
    """Return the storage name for figure ``relative``, reusing an identical stored file."""
    source = base / relative
    name = f"figures/{source.name}"
    if _same_file(name, source):
        return name
    return default_storage.save(name, ContentFile(source.read_bytes()))


def _article_matches(article, data, base):
    """Return whether the stored ``article`` already says exactly what ``data`` says."""
    simple = {
        "slug": article.slug,
        "category": article.category.slug,
        "status": article.status,
        "prerequisites": sorted(a.number for a in article.prerequisites.all()),
        "related": sorted(a.number for a in article.related.all()),
        **{key: _translated(article, key) for key in ARTICLE_TEXTS},
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
        ):
            return False
        steps = list(variant.steps.order_by("order", "pk"))
        if len(steps) != len(wanted_variant["steps"]):
            return False
        for step, wanted_step in zip(steps, wanted_variant["steps"], strict=True):
            for key, field_name in STEP_TEXTS.items():
                if _translated(step, field_name) != wanted_step[key]:
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
    article.slug = data["slug"]
    article.category = Category.objects.get(slug=data["category"])
    article.status = data["status"]
    for key in ARTICLE_TEXTS:
        _set_translated(article, key, data[key])
    article.save()
    article.variants.all().delete()
    platforms = {p.slug: p for p in Platform.objects.all()}
    for variant_order, variant_data in enumerate(data["variants"]):
        variant = Variant(
            article=article, order=variant_order, platform=platforms.get(variant_data["platform"])
        )
        _set_translated(variant, "intro", variant_data["intro"])
        variant.save()
        for step_order, step_data in enumerate(variant_data["steps"]):
            step = Step(variant=variant, order=step_order)
            for key, field_name in STEP_TEXTS.items():
                _set_translated(step, field_name, step_data[key])
            for code in LANGUAGE_CODES:
                relative = step_data["figure"][code]
                setattr(step, f"figure_{code}", _store_figure(base, relative) if relative else "")
            step.save()


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
    """Write a validated ``ContentSet`` to the database; return what changed."""
    result = ImportResult()
    with transaction.atomic():
        _upsert_vocabulary(Category, content.categories, ("name", "description"))
        _upsert_vocabulary(Platform, content.platforms, ("name",))

    total = len(content.articles)
    for index, article_file in enumerate(content.articles, start=1):
        data = article_file.data
        with transaction.atomic():
            article = (
                Article.objects.filter(number=data["number"]).select_related("category").first()
            )
            if article is not None and _article_matches(article, data, content.base):
                result.unchanged += 1
                state = "unchanged"
            else:
                created = article is None
                article = article or Article(number=data["number"])
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
                    manager.set(wanted)
    return result
