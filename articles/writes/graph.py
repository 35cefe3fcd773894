"""An article with its links, variants and steps as plain values: as stored now (with
the model instances, to write them), or as a revision of its history stored it.

Values are keyed by attname (``category_id``, ``body_ja``); a figure is its storage name
("" for none); links are sorted lists of article ids under ``prerequisites`` and
``related``. Both kinds of graph have the same shape, so the write path compares a form
with what it was loaded from and with what is stored now in one way.
"""

from dataclasses import dataclass, field

from django.db.models.fields.files import FieldFile

from .. import revisions
from ..models import Article, Step, Variant
from .rights import LINKS


def plain(value):
    """Return a value as the graph holds it (a figure by its name)."""
    if isinstance(value, FieldFile):
        return value.name or ""
    return value


def values_of(obj):
    return {
        column.attname: plain(getattr(obj, column.attname)) for column in obj._meta.concrete_fields
    }


@dataclass
class Graph:
    article: dict
    variants: dict = field(default_factory=dict)  # pk -> values
    steps: dict = field(default_factory=dict)  # pk -> values
    # ("article" | "variant" | "step", pk) -> the stored instance (graphs read from the
    # database only): what the write changes and saves.
    instances: dict = field(default_factory=dict)

    @property
    def pk(self):
        return self.article["id"]

    @property
    def version(self):
        return self.article.get("version") or 0

    def row(self, kind, pk):
        return (self.variants if kind == "variant" else self.steps).get(pk)

    def rows(self):
        """Yield ``((kind, pk), values)`` of every variant, then every step."""
        for pk, values in self.variants.items():
            yield ("variant", pk), values
        for pk, values in self.steps.items():
            yield ("step", pk), values


def stored(article_id, lock=False):
    """Return the article's graph as stored now (None if it does not exist).

    ``lock``: inside a transaction, lock the article's row first (PostgreSQL:
    ``SELECT … FOR UPDATE``; SQLite's write transaction is ``BEGIN IMMEDIATE``), so that
    nothing else writes this article until the transaction ends.
    """
    articles = Article.objects.filter(pk=article_id)
    article = (articles.select_for_update() if lock else articles).first()
    if article is None:
        return None
    values = values_of(article)
    for name in LINKS:
        through = getattr(Article, name).through
        values[name] = sorted(
            through.objects.filter(from_article_id=article_id).values_list(
                "to_article_id", flat=True
            )
        )
    graph = Graph(article=values, instances={("article", article.pk): article})
    variants = {}
    for variant in Variant.objects.filter(article_id=article_id):
        variant.article = article  # the source language, without a query per row
        variants[variant.pk] = variant
        graph.variants[variant.pk] = values_of(variant)
        graph.instances[("variant", variant.pk)] = variant
    for step in Step.objects.filter(variant__article_id=article_id):
        step.variant = variants[step.variant_id]
        graph.steps[step.pk] = values_of(step)
        graph.instances[("step", step.pk)] = step
    return graph


def from_revision(revision, article_id):
    """Return the article's graph as ``revision`` stored it (None if it lacks it).

    A revision may hold other articles too (a list action stores every article it
    changed in one revision): only this article, its variants and its steps are taken.
    """
    state = revisions.revision_state(revision, article_id)
    if state is None:
        return None
    article = dict(state.article)
    for name in LINKS:
        article[name] = sorted(article.get(name) or ())
    graph = Graph(article=article)
    for variant in state.variants:
        graph.variants[variant["id"]] = dict(variant)
        for step in state.steps.get(variant["id"], ()):
            graph.steps[step["id"]] = dict(step)
    return graph


def at_version(article_id, version):
    """Return the article's graph at ``version``, from its history (None if unknown)."""
    for stored_version in revisions.article_versions(article_id)[:200]:
        if stored_version.field_dict.get("version") == version:
            return from_revision(stored_version.revision, article_id)
    return None


def _instance(model, values):
    names = {column.attname for column in model._meta.concrete_fields}
    obj = model(**{name: value for name, value in values.items() if name in names})
    # Rows of a stored version keep their ids: the forms built on them treat them as the
    # rows they were (a unique check excludes the row itself).
    obj._state.adding = False
    return obj


def as_instances(graph):
    """Return the graph as unsaved model instances, shaped as ``for_detail()`` returns an
    article (``ordered_variants``, each with ``ordered_steps``): for a form or a preview
    of what is not (or not yet) stored."""
    article = _instance(Article, graph.article)
    variants = []
    for values in sorted(graph.variants.values(), key=lambda v: (v["order"], v["id"])):
        variant = _instance(Variant, values)
        variant.article = article
        steps = [
            _instance(Step, step)
            for step in sorted(graph.steps.values(), key=lambda s: (s["order"], s["id"]))
            if step["variant_id"] == variant.pk
        ]
        for step in steps:
            step.variant = variant
        variant.ordered_steps = steps
        variants.append(variant)
    article.ordered_variants = variants
    return article
