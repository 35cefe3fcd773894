"""Writing the knowledge base as content files that the importer reads back.

Each record is written key by key in the schema's order, each value as ``stored.py`` reads
it from the database: the same database gives byte-identical files. An optional key with
nothing to say is left out rather than written empty.
"""

import shutil
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.core.files.storage import default_storage
from django.db.models import Prefetch

from ..fields import columns
from ..models import Article, Step
from . import schema
from .errors import ExportError
from .stored import source_language, stored_digest, stored_value
from .yaml_io import OneLine, OneLineList, to_yaml

# An optional key with nothing to say is left out of the file rather than written empty.
_OMIT = object()
# A name this short is written on one line, {en: ..., ja: ...}, as the demo's names are.
_ONE_LINE_CHARACTERS = 60
# What an export owns in its folder: replaced by a new export, everything else is kept.
_EXPORTED = (
    schema.CATEGORIES_FILE,
    schema.PLATFORMS_FILE,
    f"{schema.ARTICLES_FOLDER}/*.yaml",
    f"{schema.FIGURES_FOLDER}/*",
)


@dataclass
class ExportResult:
    categories: int = 0
    platforms: int = 0
    articles: int = 0
    figures: int = 0


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
            return stored_digest(stored_name)
        except OSError:
            raise ExportError(f"figure missing from the media folder: {stored_name}") from None

    def _add(self, stored_name, digest, hashed):
        base = PurePosixPath(stored_name)
        exported = f"{base.stem}-{digest[:8]}{base.suffix}" if hashed else base.name
        if self._digests.setdefault(exported, digest) != digest:
            if hashed:
                raise ExportError(f"two different figures would both be named {exported}")
            return self._add(stored_name, digest, hashed=True)
        self.relative[stored_name] = f"{schema.FIGURES_FOLDER}/{exported}"

    def references(self, stored_names):
        """Return a step's ``figure`` mapping from its stored names, or ``_OMIT``."""
        references = {}
        for code, stored in stored_names.items():
            if not stored:
                continue
            if stored not in self.relative:  # uploaded while this export ran
                self._add(stored, self._digest(stored), hashed=False)
            references[code] = self.relative[stored]
        return OneLine(references) if references else _OMIT

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


def _texts_out(key, texts):
    """Return the texts of a translated key without its empty languages (or ``_OMIT``).

    Each language goes on a line of its own (one changed translation, one changed line),
    except a short one-line ``name`` of the shared vocabulary.
    """
    texts = {code: text for code, text in texts.items() if text}
    if not texts and not key.required:
        return _OMIT
    short = sum(len(text) for text in texts.values()) <= _ONE_LINE_CHARACTERS
    if key.one_line and short and all("\n" not in text for text in texts.values()):
        return OneLine(texts)
    return texts


def _document(record, obj, figures, source=None):
    """Return ``obj`` as the mapping its file holds, its keys in the schema's order."""
    source = source_language(record, obj, source)
    document = {}
    for key in record.keys:
        value = stored_value(record, key, obj, source)
        if key.kind == schema.TEXTS:
            value = _texts_out(key, value)
        elif key.kind == schema.FIGURES:
            value = figures.references(value)
        elif key.kind == schema.TRANSLATED_FROM:
            value = value or _OMIT
        elif key.kind == schema.LANGUAGE:
            value = value if value != schema.DEFAULT_LANGUAGE else _OMIT
        elif key.kind == schema.NUMBERS:
            value = OneLineList(value)
        elif key.kind == schema.DATE:
            value = _OMIT if value is None else value
        elif key.kind == schema.RECORDS:
            value = [_document(key.record, row, figures, source) for row in value]
        if value is not _OMIT:
            document[key.name] = value
    return document


def _prefetches(record, prefix=""):
    """Yield the prefetches of ``record``'s linked articles and rows, then of theirs.

    Rows come in their models' order (``order``, then id), which is the order of the file.
    """
    for key in record.keys:
        path = prefix + key.model_field
        if key.kind == schema.NUMBERS:
            yield Prefetch(path, queryset=Article.objects.only("pk", "number").order_by("number"))
        elif key.kind == schema.RECORDS:
            yield Prefetch(path, queryset=_with_references(key.record, key.record.model.objects))
            yield from _prefetches(key.record, f"{path}__")


def _with_references(record, rows):
    """Return ``rows`` with the rows their REFERENCE keys name (a variant's platform)."""
    references = [key.model_field for key in record.of_kind(schema.REFERENCE)]
    return rows.select_related(*references) if references else rows.all()


def _articles():
    """Return every article, with what its file holds, in a fixed number of queries."""
    articles = _with_references(schema.ARTICLE, Article.objects)
    return articles.prefetch_related(*_prefetches(schema.ARTICLE)).order_by("number")


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
    (destination / schema.ARTICLES_FOLDER).mkdir(parents=True, exist_ok=True)
    (destination / schema.FIGURES_FOLDER).mkdir(exist_ok=True)


def _write(path, data):
    path.write_bytes(to_yaml(data).encode("utf-8"))


def export_content(destination, replace=False, progress=None):
    """Write every category, platform and article, with their figures, into ``destination``.

    ``progress(index, total, file_name)`` is called after each article.
    """
    destination = Path(destination)
    _check_destination(destination, replace)
    figure_columns = [
        column for key in schema.STEP.of_kind(schema.FIGURES) for column in columns(key.model_field)
    ]
    stored = {name for row in Step.objects.values_list(*figure_columns) for name in row if name}
    figures = _FigureFiles(stored)  # checks every figure before anything is written
    _prepare_destination(destination)

    result = ExportResult()
    counts = []
    for name, record in schema.VOCABULARIES:
        entries = [
            _document(record, row, figures)
            for row in record.model.objects.order_by("order", "slug")
        ]
        _write(destination / name, entries)
        counts.append(len(entries))
    result.categories, result.platforms = counts

    articles = _articles()
    total = articles.count()
    for index, article in enumerate(articles.iterator(chunk_size=200), start=1):
        name = schema.article_file_name(article.number, article.slug)
        _write(
            destination / schema.ARTICLES_FOLDER / name, _document(schema.ARTICLE, article, figures)
        )
        result.articles = index
        if progress:
            progress(index, total, name)
    result.figures = figures.copy_to(destination)
    return result
