"""History: what an article said in a revision, and readable differences between two states.

django-reversion stores every save of an article together with its variants and steps (the
registration in apps.py follows them). To show what changed, each state, stored or
current, is flattened into labelled texts in reading order ("Chrome, step 2 · Text
(Japanese)"), and two flattened states are compared label by label. Steps are labelled by
position, so a diff reads the way the article reads.
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from reversion.models import Version

from .fields import column
from .models import Article, Category, Platform, Step, Variant
from .translation_status import diff_html


@dataclass
class State:
    """One article as dictionaries of field values (attnames), the way reversion stores it."""

    article: dict
    variants: list  # ordered
    steps: dict  # variant pk -> ordered list of step dicts


def _values(obj):
    values = {field.attname: getattr(obj, field.attname) for field in obj._meta.concrete_fields}
    for field in obj._meta.many_to_many:
        values[field.attname] = sorted(related.pk for related in getattr(obj, field.name).all())
    return values


def _ordered(rows):
    return sorted(rows, key=lambda row: (row["order"], row["id"]))


def current_state(article):
    variants = list(Variant.objects.filter(article=article))
    steps = {}
    for step in Step.objects.filter(variant__article=article):
        steps.setdefault(step.variant_id, []).append(_values(step))
    return State(
        article=_values(article),
        variants=_ordered(_values(v) for v in variants),
        steps={pk: _ordered(rows) for pk, rows in steps.items()},
    )


def revision_state(revision, article_pk):
    """Return the article as stored in ``revision`` (None if the revision lacks it)."""
    types = ContentType.objects.get_for_models(Article, Variant, Step)
    by_type = {model: [] for model in types}
    for version in revision.version_set.all():
        for model, content_type in types.items():
            if version.content_type_id == content_type.pk:
                by_type[model].append(version.field_dict)
    articles = [a for a in by_type[Article] if str(a["id"]) == str(article_pk)]
    if not articles:
        return None
    variants = [v for v in by_type[Variant] if v["article_id"] == articles[0]["id"]]
    pks = {v["id"] for v in variants}
    steps = {}
    for step in by_type[Step]:
        if step["variant_id"] in pks:
            steps.setdefault(step["variant_id"], []).append(step)
    return State(
        article=articles[0],
        variants=_ordered(variants),
        steps={pk: _ordered(rows) for pk, rows in steps.items()},
    )


def _text(value):
    if value is None:
        return ""
    return str(getattr(value, "name", value) or "")


def flatten(state):
    """Return ``{label: text}`` in reading order for everything an editor can change."""
    article = state.article
    platforms = {p.pk: p.name for p in Platform.objects.all()}
    categories = {c.pk: c.name for c in Category.objects.all()}
    numbers = dict(Article.objects.values_list("pk", "number"))
    statuses = dict(Article.Status.choices)
    rows = {
        _("Status"): str(statuses.get(article.get("status"), article.get("status"))),
        _("Category"): categories.get(article.get("category_id"), ""),
        _("Slug"): _text(article.get("slug")),
    }

    def add_texts(prefix, obj, model):
        for field in model.TRACKED_TEXTS:
            label = capfirst(str(model._meta.get_field(field).verbose_name))
            for code, name in settings.LANGUAGES:
                key = f"{prefix}{label} ({name})"
                rows[key] = _text(obj.get(column(field, code)))

    add_texts("", article, Article)
    for key, label in (("prerequisites", _("Prerequisites")), ("related", _("Related articles"))):
        linked = article.get(key) or []
        rows[label] = ", ".join(f"KB {numbers.get(pk, pk)}" for pk in sorted(linked, key=str))
    seen = {}
    for variant in state.variants:
        place = platforms.get(variant.get("platform_id")) or _("Shared steps")
        seen[place] = seen.get(place, 0) + 1
        if seen[place] > 1:
            place = f"{place} ({seen[place]})"
        add_texts(f"{place} · ", variant, Variant)
        for position, step in enumerate(state.steps.get(variant["id"], []), start=1):
            prefix = _("%(place)s, step %(position)s") % {"place": place, "position": position}
            add_texts(f"{prefix} · ", step, Step)
    return rows


@dataclass
class Change:
    label: str
    html: str


def compare(before, after):
    """Return the changes from flattened state ``before`` to ``after``, in reading order."""
    labels = list(before) + [label for label in after if label not in before]
    changes = []
    for label in labels:
        old, new = before.get(label, ""), after.get(label, "")
        if old != new:
            changes.append(Change(label=label, html=diff_html(old, new)))
    return changes


def article_versions(article_pk):
    """Return the stored versions of one article, newest first."""
    return Version.objects.get_for_object_reference(Article, article_pk).select_related(
        "revision__user"
    )


def describe_revision(revision):
    if revision is None:
        return ""
    who = revision.user.get_username() if revision.user else _("someone")
    return format_html("{} · {}", who, revision.date_created.strftime("%Y-%m-%d %H:%M"))
