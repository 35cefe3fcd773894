"""Who may change what in an article: the roles of migration 0005, as two permissions.

Publishers change the status; Editors (``edit_source``) the source language's texts and
the structure (rows, order, platforms, links, number, category); Translators
(``change_article`` alone) the other language's texts. The same rule for every door.
"""

from dataclasses import dataclass

from ..fields import translated_columns
from ..models import Article, Step, Variant

# Written by the system, never by an editor: outside every rule.
DERIVED = frozenset(
    {"id", "version", "translated_from", "translation_state", "created_at", "updated_at"}
)
MODELS = {"article": Article, "variant": Variant, "step": Step}
# A row's link to its parent is structure, as its order is.
PARENT = {"variant": "article_id", "step": "variant_id"}
LINKS = ("prerequisites", "related")


@dataclass(frozen=True)
class Rights:
    publish: bool
    edit_source: bool
    translate: bool

    @classmethod
    def of(cls, user):
        """Return the rights of ``user``; None is the system itself (a shell command)."""
        if user is None:
            return cls(publish=True, edit_source=True, translate=True)
        return cls(
            publish=user.has_perm("articles.publish_article"),
            edit_source=user.has_perm("articles.edit_source"),
            translate=user.has_perm("articles.change_article"),
        )

    def may_change(self, kind, column, source_language):
        """Return whether this user may change ``column`` of a ``kind`` row."""
        if column in DERIVED:
            return True
        if kind == "article" and column == "status":
            return self.publish
        translated = translated_columns(MODELS[kind]).get(column)
        if translated and translated[1] != source_language:
            return self.translate
        return self.edit_source
