"""What one write may cost, checked before any lock is taken.

Every form of an article's page is built and validated before the write (each Markdown
text is rendered to check it), and an import or a translation file is read whole. So
first, the cheapest checks of all: how many rows a page declares and how much text it
carries per language, on the raw request, before a form exists; then, on the change,
every supplied text against its field's own limits. Only then does a write lock the
article, for the comparisons and the writes alone.
"""

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.files.base import File
from django.db.models import FileField
from django.utils.text import capfirst
from django.utils.translation import gettext

from ..fields import LANGUAGE_NAMES, translated_columns
from .changes import Refused
from .rights import MODELS

# Bounds of one article, far above any real one (KB 1008: 5 variants, 30 steps).
MAX_VARIANTS = 30
MAX_STEPS_PER_VARIANT = 150
MAX_ROWS = 400
# Each field's render time is bounded (markdown.py: about 20 ms for 10,000 characters at
# worst); an article page renders all its fields in one language, so their total length
# bounds the page: at most about half a second, uncached.
MAX_TEXT_PER_LANGUAGE = 250_000

# Every translated column of every model, by column name: what a posted field holds.
_LANGUAGE_OF = {
    column: language
    for model in MODELS.values()
    for column, (_field, language) in translated_columns(model).items()
}


def rows_message():
    return gettext(
        "Nothing was saved: an article has at most %(variants)s variants, "
        "%(steps)s steps in a variant and %(rows)s variants and steps in all."
    ) % {"variants": MAX_VARIANTS, "steps": MAX_STEPS_PER_VARIANT, "rows": MAX_ROWS}


def text_message(languages, where=""):
    message = gettext(
        "Nothing was saved: the %(languages)s texts of this article add up to more "
        "than %(limit)s characters. Split it into several articles."
    ) % {
        "languages": ", ".join(sorted(str(LANGUAGE_NAMES[code]) for code in languages)),
        "limit": f"{MAX_TEXT_PER_LANGUAGE:,}",
    }
    return f"{where}: {message}" if where else message


def check_rows(data):
    """Refuse a posted article page declaring more rows than an article may have, before
    any form is built (``data``: the request's POST; counts only, no query)."""

    def declared(key):
        try:
            return max(int(data.get(key, 0)), 0)
        except (TypeError, ValueError):
            return 0  # the formset itself reports a malformed count

    variants = declared("variants-TOTAL_FORMS")
    steps = [
        declared(f"variants-{index}-steps-TOTAL_FORMS")
        for index in range(min(variants, MAX_VARIANTS + 1))
    ]
    if (
        variants > MAX_VARIANTS
        or max(steps, default=0) > MAX_STEPS_PER_VARIANT
        or variants + sum(steps) > MAX_ROWS
    ):
        raise Refused(rows_message())


def check_text(data):
    """Refuse a posted article page carrying more text in one language than a page may
    hold, before any form is validated (validating renders each Markdown text): lengths
    only, so 230 steps of 5,000 characters are refused in milliseconds."""
    totals = {}
    for key in data:
        language = _LANGUAGE_OF.get(key.rpartition("-")[2])
        if language:
            totals[language] = totals.get(language, 0) + sum(len(v) for v in data.getlist(key))
    over = [code for code, total in totals.items() if total > MAX_TEXT_PER_LANGUAGE]
    if over:
        raise Refused(text_message(over))


def _field_label(kind, column):
    model = MODELS[kind]
    translated = translated_columns(model).get(column)
    if translated:
        name, language = translated
        return f"{capfirst(model._meta.get_field(name).verbose_name)} ({LANGUAGE_NAMES[language]})"
    try:
        return capfirst(str(model._meta.get_field(column).verbose_name))
    except FieldDoesNotExist:
        return column


def field_label(kind, column, row_label=""):
    """Return how messages name a column of a row: "Chrome, step 2 · Text (Japanese)"."""
    label = _field_label(kind, column)
    return f"{row_label} · {label}" if row_label else label


def _validate(kind, column, value):
    """Run the model field's own validators on a supplied value (length, Markdown that
    can be shown, figure format and size). Markdown checks are remembered by text
    (markdown.is_too_complex), so a text the form checked already costs nothing here."""
    model_field = MODELS[kind]._meta.get_field(column)
    if isinstance(model_field, FileField):
        # A file to store is checked; a name is a file stored already, checked then.
        checked = isinstance(value, File)
    else:
        checked = isinstance(value, str) and value
    if checked:
        for validator in model_field.validators:
            validator(value)


def check_change(change):
    """Refuse a change that carries more than an article may hold, or a text its field
    refuses, before the write locks anything. What the write will leave (stored rows
    included) is checked again under the lock (review.py), by comparisons only."""
    kept = [row for row in change.rows if not row.deleted]
    variants = [row for row in kept if row.kind == "variant"]
    per_variant = {}
    for row in kept:
        if row.kind == "step":
            per_variant[row.parent] = per_variant.get(row.parent, 0) + 1
    if (
        len(variants) > MAX_VARIANTS
        or max(per_variant.values(), default=0) > MAX_STEPS_PER_VARIANT
        or len(kept) > MAX_ROWS
    ):
        raise Refused(rows_message())
    totals = {}
    supplied = [("article", change.values, "")]
    supplied += [(row.kind, row.values, row.label) for row in kept]
    for kind, values, _label in supplied:
        for column, value in values.items():
            language = translated_columns(MODELS[kind]).get(column, (None, None))[1]
            if language and isinstance(value, str):
                totals[language] = totals.get(language, 0) + len(value)
    over = [code for code, total in totals.items() if total > MAX_TEXT_PER_LANGUAGE]
    if over:
        raise Refused(text_message(over, change.label))
    for kind, values, label in supplied:
        for column, value in values.items():
            if kind == "article" and column in ("prerequisites", "related"):
                continue
            try:
                _validate(kind, column, value)
            except ValidationError as error:
                raise Refused(
                    gettext("Nothing was saved: %(field)s: %(error)s")
                    % {
                        "field": field_label(kind, column, label),
                        "error": " ".join(error.messages),
                    }
                ) from None
