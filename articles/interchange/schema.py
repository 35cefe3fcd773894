"""The content-file format: every key of every record, defined once.

A ``Record`` lists its keys in the order the exporter writes them. Each ``Key`` says what
kind of value it holds, which model field holds it, and whether a file must have it. The
reader validates a file key by key from these definitions (the model field gives the
length limit and the choices), the importer writes each value to the field the key names,
and the exporter writes each field back under its key: a key read and the key written are
one definition and cannot drift apart. ``demo/README.md`` describes the format for people.
"""

from dataclasses import dataclass

from django.conf import settings

from ..models import Article, Category, Platform, Step, Variant

# The kinds of value a key holds. A key is written even when empty, except where said.
NUMBER = "number"  # a positive whole number: the article's public identity
SLUG = "slug"  # letters, digits and hyphens, within the model field's length
ORDER = "order"  # a whole number, 0 or more; 0 when left out
CHOICE = "choice"  # one of the model field's choices; ``Key.default`` when left out
LANGUAGE = "language"  # a language code; the default language when left out (and not written)
REFERENCE = "reference"  # the slug of a category or platform ("null" for no platform)
NUMBERS = "numbers"  # article numbers, written on one line: [1005, 1006]
TEXTS = "texts"  # a translated text: {en: ..., ja: ...}; empty languages not written,
# nor the key when all are empty (unless required)
FIGURES = "figures"  # a figure file per language, relative to the folder; not written empty
TRANSLATED_FROM = "translated_from"  # per language, the source of an out-of-date text;
# not written empty
RECORDS = "records"  # a list of records of ``Key.record`` (variants, steps)
DATE = "date"  # a day, 2026-11-24, in the site's time zone (TIME_ZONE); when left out, the
# import's own time is kept (the field's auto_now)

DEFAULT_LANGUAGE = settings.LANGUAGE_CODE


@dataclass(frozen=True)
class Key:
    name: str  # as spelled in the file
    kind: str
    field: str = ""  # the model field; the key's name when not given
    required: bool = False  # a file must have it (texts: in some language); always written
    default: object = None  # what a file that leaves the key out means (CHOICE)
    one_line: bool = False  # TEXTS: a short text written {en: ..., ja: ...} on one line
    record: "Record | None" = None  # RECORDS: what each item is

    @property
    def model_field(self):
        return self.field or self.name


@dataclass(frozen=True)
class Record:
    what: str  # how messages name one item: "an entry", "a step"…
    model: type
    keys: tuple

    def max_length(self, key):
        """Return the length limit of ``key``'s model field (None: no limit)."""
        return getattr(self.model._meta.get_field(key.model_field), "max_length", None)

    def choices(self, key):
        """Return the values ``key`` accepts, from its model field's choices."""
        return {value for value, _label in self.model._meta.get_field(key.model_field).choices}

    def related_model(self, key):
        """Return the model a REFERENCE key names by slug."""
        return self.model._meta.get_field(key.model_field).related_model

    def of_kind(self, *kinds):
        return tuple(key for key in self.keys if key.kind in kinds)

    @property
    def required(self):
        return tuple(key for key in self.keys if key.required)

    @property
    def sources(self):
        """Return ``{file key: model field}`` of what ``translated_from`` may name.

        The texts in key order, then the figure (which a translation is made beside): the
        order the exporter writes them in.
        """
        return {key.name: key.model_field for key in self.of_kind(TEXTS) + self.of_kind(FIGURES)}


CATEGORY = Record(
    "an entry",
    Category,
    (
        Key("slug", SLUG, required=True),
        Key("order", ORDER),
        Key("name", TEXTS, required=True, one_line=True),
        Key("description", TEXTS),
    ),
)

PLATFORM = Record(
    "an entry",
    Platform,
    (
        Key("slug", SLUG, required=True),
        Key("family", CHOICE),  # no default: refused when left out
        Key("order", ORDER),
        Key("name", TEXTS, required=True, one_line=True),
    ),
)

STEP = Record(
    "a step",
    Step,
    (
        Key("body", TEXTS, required=True),
        Key("figure", FIGURES),
        Key("caption", TEXTS, field="figure_caption"),
        Key("alt", TEXTS, field="figure_alt"),
        Key("translated_from", TRANSLATED_FROM),
    ),
)

VARIANT = Record(
    "a variant",
    Variant,
    (
        Key("platform", REFERENCE),
        Key("intro", TEXTS),
        Key("translated_from", TRANSLATED_FROM),
        Key("steps", RECORDS, record=STEP),
    ),
)

ARTICLE = Record(
    "the article file",
    Article,
    (
        Key("number", NUMBER, required=True),
        Key("slug", SLUG, required=True),
        Key("category", REFERENCE, required=True),
        Key("status", CHOICE, default=Article.Status.DRAFT.value),
        Key("updated", DATE, field="updated_at"),
        Key("written_in", LANGUAGE, field="source_language"),
        Key("prerequisites", NUMBERS),
        Key("related", NUMBERS),
        Key("title", TEXTS, required=True),
        Key("keywords", TEXTS),
        Key("summary", TEXTS),
        Key("body", TEXTS),
        Key("notes", TEXTS),
        Key("troubleshooting", TEXTS),
        Key("translated_from", TRANSLATED_FROM),
        Key("variants", RECORDS, required=True, record=VARIANT),
    ),
)

# The files of a content folder.
CATEGORIES_FILE = "categories.yaml"
PLATFORMS_FILE = "platforms.yaml"
ARTICLES_FOLDER = "articles"
FIGURES_FOLDER = "figures"
VOCABULARIES = ((CATEGORIES_FILE, CATEGORY), (PLATFORMS_FILE, PLATFORM))


def article_file_name(number, slug):
    return f"{number:04d}-{slug}.yaml"
