"""Which texts travel in XLIFF: the translated text fields of modeltranslation's registry.

An article's title, summary, introduction, notes and troubleshooting, each variant's
introduction, each step's text, figure caption and alt text — whatever translation.py
registers, so a text field registered later (search keywords, say) travels too. Figures
are files, not words: they stay in the admin. A field is Markdown when the model
validates it as such (``markdown.validate_renderable``); the others are plain text.
"""

import re
from dataclasses import dataclass

from django.db import models as db

from ..fields import translated_fields
from ..markdown import validate_renderable
from ..models import Article, Step, Variant
from . import segments

KINDS = {"article": Article, "variant": Variant, "step": Step}
MODEL_KINDS = {model: kind for kind, model in KINDS.items()}


def _text_fields(model):
    # In the model's own order: the order a reader meets the texts in.
    return tuple(
        name
        for name in translated_fields(model)
        if isinstance(model._meta.get_field(name), db.CharField | db.TextField)
    )


TEXT_FIELDS = {model: _text_fields(model) for model in KINDS.values()}


def is_markdown(model, field):
    return validate_renderable in model._meta.get_field(field).validators


def segment(model, field, text):
    """Return the units and skeleton of a field's text."""
    if is_markdown(model, field):
        return segments.markdown(text or "")
    return segments.plain(text or "")


@dataclass(frozen=True)
class FieldKey:
    """One translated field of one row: ``step-57-body``."""

    kind: str
    pk: int
    field: str

    @property
    def model(self):
        return KINDS[self.kind]

    @property
    def group_id(self):
        return f"{self.kind}-{self.pk}-{self.field}"

    def unit_id(self, position):
        return f"{self.group_id}-{position}"


_UNIT_ID = re.compile(r"^(article|variant|step)-(\d{1,18})-([a-z_]{1,40})-(\d{1,4})$")


def parse_unit_id(unit_id):
    """Return ``(FieldKey, position)`` for a unit id, or None if it is not one of ours."""
    match = _UNIT_ID.match(unit_id or "")
    if not match:
        return None
    kind, pk, field, position = match.groups()
    if field not in TEXT_FIELDS[KINDS[kind]]:
        return None
    return FieldKey(kind, int(pk), field), int(position)
