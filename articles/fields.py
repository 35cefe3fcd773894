"""Translated fields and the column that holds each language: the one place that knows.

Which fields are translated is declared once, in ``articles/translation.py``, through
django-modeltranslation; everything else asks this module. Column names come from
modeltranslation's own ``build_localized_fieldname``, so no other module spells
``f"{field}_{code}"`` by hand.
"""

from functools import cache

from django.conf import settings
from modeltranslation.translator import translator
from modeltranslation.utils import build_localized_fieldname

LANGUAGE_CODES = tuple(code for code, _name in settings.LANGUAGES)
# The name of each language, as the interface says it ("Japanese" / 「日本語」).
LANGUAGE_NAMES = dict(settings.LANGUAGES)


def column(field, language):
    """Return the column that holds ``field`` in ``language`` ("title", "ja" -> "title_ja")."""
    return build_localized_fieldname(field, language)


def columns(field, languages=LANGUAGE_CODES):
    """Return ``field``'s column in every language, in the order of ``settings.LANGUAGES``."""
    return tuple(column(field, code) for code in languages)


@cache
def translated_fields(model):
    """Return the model's translated fields, in the order the model declares them."""
    names = translator.get_options_for_model(model).all_fields
    order = {field.name: index for index, field in enumerate(model._meta.get_fields())}
    return tuple(sorted(names, key=order.__getitem__))


@cache
def translated_columns(model):
    """Return ``{column: (field, language)}`` for every translated column of the model."""
    return {
        column(field, code): (field, code)
        for field in translated_fields(model)
        for code in LANGUAGE_CODES
    }


def text(obj, field, language):
    """Return ``obj``'s value of ``field`` in ``language`` (None stays None)."""
    return getattr(obj, column(field, language))


def texts(obj, field):
    """Return ``{language: value}`` of ``field`` for every language."""
    return {code: text(obj, field, code) for code in LANGUAGE_CODES}


def set_text(obj, field, language, value):
    """Set ``obj``'s ``field`` in ``language`` (the caller saves)."""
    setattr(obj, column(field, language), value)
