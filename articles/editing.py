"""The one write path: every change to an article goes through this module.

The doors are the admin's change form (ArticleAdmin and its nested inline formsets), its
list actions, restore and recover in the history, deleting an article, and the importer
(which the demo loader calls). Whatever the door, a write runs in one transaction with
the article's row locked (PostgreSQL: ``SELECT … FOR UPDATE``; SQLite: the connection's
``BEGIN IMMEDIATE``), and checks, in this order:

0. **size** — before any form is built, the page may declare at most ``MAX_VARIANTS``
   variants, ``MAX_STEPS_PER_VARIANT`` steps in one and ``MAX_ROWS`` rows in all;
1. **ownership** — every posted variant or step id is one of this article's rows, posted
   once (a step may move to another variant of the same article); anything else refuses
   the whole save;
2. **permissions** — ``Rights``: what the user's role may change. The form shows a role
   only what it may change; restore and recover write a stored revision (this article's
   part only), then what falls outside the role's rights is put back as it was (a
   restore by someone who may not publish never changes the status; a translator's
   restore changes translations only);
3. **no lost edits** — a form carries the version it was loaded at. A save from an older
   version is merged field by field against what the editor loaded (the revision of that
   version): fields the editor did not change keep what is stored now; a field both
   changed differently is a conflict, shown with both texts, and nothing is saved until
   the editor has chosen. Saving the refused form again unchanged is refused again. What
   cannot be merged (a row removed, moved or changed by both, a figure replaced by both,
   the source language switched, a checked translation whose source changed again) is
   refused with a request to reload;
4. **the result** — one variant per platform, and an article's texts in one language
   within ``MAX_TEXT_PER_LANGUAGE`` (the page's render time);
5. **the version** — raised with ``F()`` under the lock, by every door, list actions too;
6. the revision — django-reversion records the article with its variants and steps;
7. after commit — signals.py updates translation state, search index and page cache once
   per commit for every article touched (derived caches only, no rules there).

Longer than 400 lines on purpose: every rule of a write lives here, one module deep, so
that no door can enforce a different subset of them (that was the bug this module fixed).
"""

from dataclasses import dataclass, field

import reversion
from django import forms
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import IntegrityError, transaction
from django.db.models import F, FileField, Q, Value
from django.db.models.fields.files import FieldFile
from django.db.models.functions import Greatest
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext

from . import fields, revisions
from .fields import translated_columns
from .models import Article, Category, Platform, Step, Variant

LANGUAGE_NAMES = dict(settings.LANGUAGES)

# Written by the system, never by an editor: outside every rule below.
DERIVED = frozenset(
    {"id", "version", "translated_from", "translation_state", "created_at", "updated_at"}
)
# Bounds of one article, far above any real one (KB 1008: 5 variants, 30 steps). Every
# form of the page is built and validated before anything else happens (about 8 ms each),
# so the counts a form declares are checked before that: a forged "100000 steps" would
# otherwise hold a worker, and the article's lock, for minutes.
MAX_VARIANTS = 30
MAX_STEPS_PER_VARIANT = 150
MAX_ROWS = 400
# Each field's render time is bounded (markdown.py: about 20 ms for 10,000 characters at
# worst, about 2 µs a character); an article page renders all its fields in one language,
# so their total length bounds the page: at most about half a second, uncached.
MAX_TEXT_PER_LANGUAGE = 250_000
RESOLVE_PREFIX = "kb_resolve_"
SEEN_VERSION = "kb_seen_version"


class Refused(Exception):
    """A write that must not happen; ``message`` says why, for the editor."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


# --- Locking and the version ---------------------------------------------------------------


def lock(article_id):
    """Lock the article's row for the rest of the transaction; return its version (or None)."""
    return (
        Article.objects.select_for_update()
        .filter(pk=article_id)
        .values_list("version", flat=True)
        .first()
    )


def raise_version(article, floor=None):
    """Raise the stored version by one, atomically, and set it on ``article``.

    ``floor``: a restore has just written an old revision's number into the row; the new
    version must still come after the one before the restore.
    """
    current = F("version") if floor is None else Greatest(F("version"), Value(floor))
    Article.objects.filter(pk=article.pk).update(version=current + 1)
    article.version = Article.objects.filter(pk=article.pk).values_list("version", flat=True).get()
    return article.version


# --- Rights ----------------------------------------------------------------------------------


TRANSLATED = {model: translated_columns(model) for model in (Article, Variant, Step)}


@dataclass(frozen=True)
class Rights:
    """What one user may change in an article (the groups of migration 0005)."""

    publish: bool
    edit_source: bool
    translate: bool

    @classmethod
    def of(cls, user):
        return cls(
            publish=user.has_perm("articles.publish_article"),
            edit_source=user.has_perm("articles.edit_source"),
            translate=user.has_perm("articles.change_article"),
        )

    def may_change(self, model, name, source_language):
        """Return whether this user may change column ``name`` of a ``model`` row."""
        if name in DERIVED:
            return True
        if model is Article and name == "status":
            return self.publish
        translated = TRANSLATED[model].get(name)
        if translated and translated[1] != source_language:
            return self.translate
        return self.edit_source


# --- Restore and recover ---------------------------------------------------------------------


@dataclass
class Graph:
    """An article with its links, variants and steps, as model instances."""

    article: Article
    links: dict
    variants: dict = field(default_factory=dict)
    steps: dict = field(default_factory=dict)


def load_graph(article_id):
    """Return the article's ``Graph`` as stored now (None if it does not exist)."""
    article = Article.objects.filter(pk=article_id).first()
    if article is None:
        return None
    links = {
        name: set(getattr(article, name).values_list("pk", flat=True))
        for name in ("prerequisites", "related")
    }
    variants = {v.pk: v for v in Variant.objects.filter(article=article)}
    steps = {s.pk: s for s in Step.objects.filter(variant__article=article)}
    return Graph(article=article, links=links, variants=variants, steps=steps)


def _value(obj, attname):
    value = getattr(obj, attname)
    return value.name or "" if isinstance(value, FieldFile) else value


def _put_back(obj, old, rights, source_language):
    """Give ``obj`` back the values of ``old`` that ``rights`` may not change; save if any."""
    changed = False
    for column in obj._meta.concrete_fields:
        if rights.may_change(type(obj), column.name, source_language):
            continue
        if _value(obj, column.attname) != _value(old, column.attname):
            setattr(obj, column.attname, getattr(old, column.attname))
            changed = True
    if changed:
        obj.save()


def keep_within_rights(rights, before, article_id):
    """After a restore or recovery: put back what the user's role may not change.

    ``before`` is the article's ``Graph`` before the restore (None for a recovery, which
    brings back a deleted article: then only its status is at stake).
    """
    after = load_graph(article_id)
    if after is None:
        return
    if before is None:
        if not rights.publish and after.article.status != Article.Status.DRAFT:
            after.article.status = Article.Status.DRAFT
            after.article.save()
        return
    source = before.article.source_language
    _put_back(after.article, before.article, rights, source)
    if not rights.edit_source:
        for name, pks in before.links.items():
            if after.links[name] != pks:
                getattr(after.article, name).set(pks)
    for kind, model in (("variants", Variant), ("steps", Step)):
        old_rows, new_rows = getattr(before, kind), getattr(after, kind)
        for pk, row in new_rows.items():
            if pk in old_rows:
                _put_back(row, old_rows[pk], rights, source)
        if rights.edit_source:
            continue
        # Rows are structure: a restore by a translator neither adds nor removes any.
        model.objects.filter(pk__in=set(new_rows) - set(old_rows)).delete()
        for pk in sorted(set(old_rows) - set(new_rows)):
            old_rows[pk].save(force_insert=True)


@dataclass
class Restoring:
    """A restore or recovery under way: the article before it (None: a recovery) and the
    version the form is shown at, which the new version counts on from."""

    before: Graph | None
    version: int


def restore(revision, article_id):
    """Write this article's part of a stored revision over it, and nothing else.

    A revision may hold other articles too (a list action stores every article it
    changed in one revision); django-reversion's ``Revision.revert`` would write them all
    back. Only this article, its variants and its steps are written here. Rows the
    article has now but the revision has not are removed.
    """
    types = ContentType.objects.get_for_models(Article, Variant, Step)
    by_model = {model: [] for model in types}
    for version in revision.version_set.all():
        for model, content_type in types.items():
            if version.content_type_id == content_type.pk:
                by_model[model].append(version)
    articles = [v for v in by_model[Article] if v.object_id == str(article_id)]
    if not articles:
        raise Refused(gettext("This version is not a version of this article."))
    variants = [v for v in by_model[Variant] if v.field_dict.get("article_id") == article_id]
    variant_ids = {int(v.object_id) for v in variants}
    steps = [v for v in by_model[Step] if v.field_dict.get("variant_id") in variant_ids]
    step_ids = {int(v.object_id) for v in steps}
    if (
        Variant.objects.filter(pk__in=variant_ids).exclude(article_id=article_id).exists()
        or Step.objects.filter(pk__in=step_ids).exclude(variant__article_id=article_id).exists()
    ):
        raise Refused(
            gettext("This version shares rows with another article; nothing was restored.")
        )
    Step.objects.filter(variant__article_id=article_id).exclude(pk__in=step_ids).delete()
    Variant.objects.filter(article_id=article_id).exclude(pk__in=variant_ids).delete()
    # Platforms may have moved between variants since: cleared first, so that writing the
    # revision's never meets the one-variant-per-platform rule half way.
    Variant.objects.filter(article_id=article_id).update(platform=None)
    missing = _missing_references(articles[0], variants)
    if missing:
        raise Refused(
            gettext(
                "This version cannot be restored: its %(what)s no longer exists. Nothing was "
                "restored."
            )
            % {"what": missing}
        )
    try:
        with transaction.atomic():
            for version in (*articles, *variants, *steps):
                version.revert()
    except IntegrityError:
        raise Refused(
            gettext(
                "This version cannot be restored as it is: its number is now another "
                "article's. Nothing was restored."
            )
        ) from None
    # Links to articles deleted since are left out (the database would refuse them).
    existing = Article.objects.values("pk")
    for through in (Article.prerequisites.through, Article.related.through):
        through.objects.filter(from_article_id=article_id).exclude(
            to_article_id__in=existing
        ).delete()


def _missing_references(article_version, variant_versions):
    """Return what a stored version refers to that was deleted since ("" if nothing)."""
    category = article_version.field_dict.get("category_id")
    if category is not None and not Category.objects.filter(pk=category).exists():
        return gettext("category")
    platforms = {v.field_dict.get("platform_id") for v in variant_versions} - {None}
    if Platform.objects.filter(pk__in=platforms).count() != len(platforms):
        return gettext("platform")
    return ""


def highest_version(article_id):
    """Return the highest version this article ever had, by its history (0 if none)."""
    stored = [
        version.field_dict.get("version") or 0
        for version in revisions.article_versions(article_id)[:500]
    ]
    return max(stored, default=0)


# --- List actions ----------------------------------------------------------------------------


def set_status(user, article_ids, status):
    """Set the status of these articles (a list action); return how many changed."""
    if not Rights.of(user).publish:
        raise Refused(gettext("You may not publish, unpublish or archive articles."))
    count = 0
    for article_id in article_ids:
        with transaction.atomic():
            if lock(article_id) is None:
                continue
            article = Article.objects.get(pk=article_id)
            if article.status == status:
                continue
            article.status = status
            raise_version(article)
            article.save()
            count += 1
    return count


def delete_articles(user, article_ids):
    """Delete these articles. Every other article that linked to one of them loses that
    link, which is a change of that article: its version goes up and it gets a revision."""
    ids = set(article_ids)
    linking = set(
        Article.objects.filter(Q(prerequisites__in=ids) | Q(related__in=ids))
        .exclude(pk__in=ids)
        .values_list("pk", flat=True)
    )
    with transaction.atomic():
        for article_id in sorted(ids | linking):  # one order: no deadlock between two deletes
            lock(article_id)
        for article in Article.objects.filter(pk__in=ids):
            article.delete()
        if not linking:
            return
        with reversion.create_revision():
            reversion.set_user(user)
            reversion.set_comment(gettext("Links to deleted articles removed"))
            for article in Article.objects.filter(pk__in=linking):
                raise_version(article)
                article.save()


# --- The admin form ------------------------------------------------------------------------


def check_row_counts(data):
    """Refuse a page declaring more variants or steps than an article may have."""

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
        raise Refused(
            gettext(
                "Nothing was saved: an article has at most %(variants)s variants, "
                "%(steps)s steps in a variant and %(rows)s variants and steps in all."
            )
            % {"variants": MAX_VARIANTS, "steps": MAX_STEPS_PER_VARIANT, "rows": MAX_ROWS}
        )


# --- Rows of the admin page ------------------------------------------------------------------


@dataclass
class Row:
    """One form of the admin page: the article, a variant or a step."""

    kind: str  # "article", "variant", "step"
    form: forms.BaseForm
    label: str
    posted_pk: int | None
    parent_pk: int | None = None  # a step: the variant it is posted under


@dataclass
class Conflict:
    key: str
    label: str
    mine: str
    theirs: str


def _posted_pk(form):
    """Return the row id a form posted (None for a new row); refuse a malformed one."""
    raw = form.data.get(form.add_prefix("id"), "")
    if raw in ("", None):
        return None
    try:
        return int(raw)
    except (TypeError, ValueError):
        raise Refused(gettext("A row of this form does not belong to this article.")) from None


def _deleted(form):
    return bool(getattr(form, "cleaned_data", {}).get("DELETE"))


def _has_content(form):
    return form.has_changed() and not _deleted(form)


def _variant_label(form):
    platform = form.cleaned_data.get("platform") if hasattr(form, "cleaned_data") else None
    return str(platform.name) if platform else gettext("Shared steps")


def _rows(article_form, variant_formset):
    """Yield the ``Row`` of every form on the page, the article's first, in reading order."""
    yield Row("article", article_form, "", article_form.instance.pk)
    for variant_form in variant_formset.forms:
        place = _variant_label(variant_form)
        variant_pk = _posted_pk(variant_form)
        yield Row("variant", variant_form, place, variant_pk)
        for step_formset in getattr(variant_form, "nested_formsets", []):
            for position, step_form in enumerate(step_formset.forms, start=1):
                label = gettext("%(place)s, step %(position)s") % {
                    "place": place,
                    "position": position,
                }
                yield Row("step", step_form, label, _posted_pk(step_form), variant_pk)


def check_ownership(article, rows, known):
    """Refuse unless every posted row id is one of this article's rows, each posted once.

    ``known`` maps ("variant"|"step", pk) to the parent's pk for every row this article
    has now or had at the version the form was loaded from. A step may be posted under
    another variant of the same article: dragging it there moves it.
    """
    variants = {pk for (kind, pk) in known if kind == "variant"}
    seen = set()
    for row in rows:
        if row.kind == "article" or row.posted_pk is None:
            continue
        key = (row.kind, row.posted_pk)
        parent = known.get(key)
        owned = parent == article.pk if row.kind == "variant" else parent in variants
        if not owned or key in seen:
            raise Refused(
                gettext(
                    "Nothing was saved: the form sent a variant or step that does not belong "
                    "to this article. Reload the page and try again."
                )
            )
        seen.add(key)


def check_platforms(rows, existing):
    """Refuse two variants for one platform (a form error, not a database error).

    Checked on what the save will leave: the merged values of the variants on the page,
    the stored ones of any variant not on it; deleted variants do not count.
    """
    platforms = {}
    on_page = set()
    for row in rows:
        if row.kind != "variant":
            continue
        if row.posted_pk is not None:
            on_page.add(row.posted_pk)
        if _deleted(row.form) or (row.posted_pk is None and not _has_content(row.form)):
            continue
        platforms.setdefault(row.form.instance.platform_id, []).append(row)
    for pk, variant in existing.items():
        if pk not in on_page:
            platforms.setdefault(variant.platform_id, []).append(variant)
    names = Platform.objects.in_bulk(
        [pk for pk, found in platforms.items() if pk and len(found) > 1]
    )
    if names:
        raise Refused(
            gettext(
                "An article has one variant per platform: %(platforms)s appears more than "
                "once. Choose another platform or remove the extra variant."
            )
            % {"platforms": ", ".join(sorted(str(p.name) for p in names.values()))}
        )


def free_platforms(rows, stored_variants):
    """Before the variants are written: clear the platform of each variant that gives its
    platform up (changed or deleted), so that swapping two platforms never meets the
    database's one-variant-per-platform rule half way. The final state was checked.

    ``stored_variants``: the article's variants as loaded, each with ``loaded_platform``.
    """
    leaving = [
        row.posted_pk
        for row in rows
        if row.kind == "variant"
        and row.posted_pk in stored_variants
        and (
            _deleted(row.form)
            or row.form.instance.platform_id != stored_variants[row.posted_pk].loaded_platform
        )
    ]
    if leaving:
        Variant.objects.filter(pk__in=leaving).update(platform=None)


def _normalise(model_field, value):
    """Return a comparable form of a field value (form, instance or revision side)."""
    if model_field.many_to_many:
        return tuple(sorted(getattr(item, "pk", item) for item in (value or ())))
    if model_field.is_relation:
        return getattr(value, "pk", value)
    if isinstance(value, FieldFile) or hasattr(value, "name"):
        return getattr(value, "name", "") or ""
    if value is None or value is False:
        return ""
    if isinstance(value, str):
        return value.replace("\r\n", "\n")
    return value


def _as_text(model_field, value):
    """Return a field's value as an editor reads it in a conflict ("KB 1002: …", not 7)."""
    normalised = _normalise(model_field, value)
    if model_field.is_relation:
        pks = [pk for pk in (normalised if isinstance(normalised, tuple) else (normalised,)) if pk]
        found = model_field.related_model._default_manager.in_bulk(pks)
        return ", ".join(str(found.get(pk, pk)) for pk in pks)
    return str(normalised)


def _form_fields(row):
    """Yield (form field name, model field) for the model fields a form edits."""
    model = row.form._meta.model
    for name in row.form.fields:
        if name in DERIVED or name in {"DELETE", "article", "variant"}:
            continue
        try:
            yield name, model._meta.get_field(name)
        except FieldDoesNotExist:  # a form-only field (loaded_version, mark_translated)
            continue


def _keep_theirs(row, name, model_field):
    """Make the save leave this field as it is stored now."""
    theirs = row.form.initial.get(name)
    if model_field.many_to_many:
        row.form.cleaned_data[name] = theirs or []
    elif model_field.is_relation:
        setattr(row.form.instance, model_field.attname, getattr(theirs, "pk", theirs))
    elif not isinstance(model_field, FileField):
        setattr(row.form.instance, model_field.attname, theirs)


def merge(rows, base_rows, choices):
    """Merge a form loaded at an older version into what is stored now; return conflicts.

    ``base_rows`` maps (kind, pk) to the row's field values when the form was loaded
    (None: that version is not in the history, so every difference is a conflict).
    ``choices`` maps a conflict key to "mine" or "theirs", as the editor chose.
    """
    conflicts = []
    for row in rows:
        pk = row.form.instance.pk if row.kind == "article" else row.posted_pk
        if pk is None or not hasattr(row.form, "cleaned_data"):
            continue  # a new row is the editor's own
        base = None if base_rows is None else base_rows.get((row.kind, pk))
        for name, model_field in _form_fields(row):
            mine = row.form.cleaned_data.get(name)
            theirs = row.form.initial.get(name)
            if isinstance(model_field, FileField):
                mine_changed = name in row.form.changed_data
            elif base is None:
                mine_changed = _normalise(model_field, mine) != _normalise(model_field, theirs)
            else:
                mine_changed = _normalise(model_field, mine) != _normalise(
                    model_field, base.get(model_field.attname)
                )
            if not mine_changed:
                _keep_theirs(row, name, model_field)
                continue
            theirs_changed = base is None or _normalise(model_field, theirs) != _normalise(
                model_field, base.get(model_field.attname)
            )
            if not theirs_changed or _normalise(model_field, mine) == _normalise(
                model_field, theirs
            ):
                continue
            if isinstance(model_field, FileField):
                # An upload cannot be carried over to the next form: no choice here.
                raise Refused(
                    gettext(
                        "Someone else replaced %(what)s while you were editing. Nothing was "
                        "saved: reload the page, then add your figure again if it is still "
                        "needed."
                    )
                    % {"what": _field_label(row, model_field)}
                )
            key = f"{row.kind}-{pk}-{name}"
            choice = choices.get(key)
            if choice == "theirs":
                _keep_theirs(row, name, model_field)
            elif choice != "mine":
                conflicts.append(
                    Conflict(
                        key=key,
                        label=_field_label(row, model_field),
                        mine=_as_text(model_field, mine),
                        theirs=_as_text(model_field, theirs),
                    )
                )
    return conflicts


def _field_label(row, model_field):
    model = row.form._meta.model
    translated = TRANSLATED[model].get(model_field.name)
    if translated:
        name, language = translated
        label = f"{capfirst(model._meta.get_field(name).verbose_name)} ({LANGUAGE_NAMES[language]})"
    else:
        label = capfirst(str(model_field.verbose_name))
    return f"{row.label} · {label}" if row.label else label


def _base_rows(article, loaded_version):
    """Return ``{(kind, pk): values}`` of the article at ``loaded_version`` (None if unknown)."""
    for version in revisions.article_versions(article.pk)[:200]:
        if version.field_dict.get("version") != loaded_version:
            continue
        state = revisions.revision_state(version.revision, article.pk)
        if state is None:
            return None
        rows = {("article", article.pk): state.article}
        for variant in state.variants:
            rows[("variant", variant["id"])] = variant
        for steps in state.steps.values():
            for step in steps:
                rows[("step", step["id"])] = step
        return rows
    return None


def _conflict_error(conflicts, current_version, article):
    latest = revisions.article_versions(article.pk).first()
    who = revisions.describe_revision(latest.revision if latest else None) or "?"
    rows = format_html_join(
        "",
        '<tr><th scope="row">{}</th>'
        '<td><label><input type="radio" name="{}{}" value="mine"> {}</label>'
        '<div class="kb-conflict__text">{}</div></td>'
        '<td><label><input type="radio" name="{}{}" value="theirs"> {}</label>'
        '<div class="kb-conflict__text">{}</div></td></tr>',
        (
            (
                c.label,
                RESOLVE_PREFIX,
                c.key,
                gettext("Keep your text"),
                c.mine or "—",
                RESOLVE_PREFIX,
                c.key,
                gettext("Keep their text"),
                c.theirs or "—",
            )
            for c in conflicts
        ),
    )
    return format_html(
        "<p>{}</p>"
        '<table class="kb-conflict"><thead><tr><th scope="col">{}</th><th scope="col">{}</th>'
        '<th scope="col">{}</th></tr></thead><tbody>{}</tbody></table>'
        '<input type="hidden" name="{}" value="{}">',
        gettext(
            "Someone else saved this article while you were editing it (%(who)s) and changed "
            "the same texts as you. Nothing was saved. Everything else you changed is kept "
            "in the form; for each text below, choose which version to keep, then save again."
        )
        % {"who": who},
        gettext("Field"),
        gettext("Your text"),
        gettext("Their text, saved now"),
        rows,
        SEEN_VERSION,
        current_version,
    )


def review_admin_save(article_form, variant_formset, rights, stored, restoring_version=None):
    """Check an admin save before anything is written; refuse it with a form error.

    Runs inside the admin's transaction, after the article row was locked (the admin's
    ``get_object``). ``stored`` is ``(variants, steps)``: the article's rows as loaded for
    the forms, ``{pk: row}``, each row with its ``loaded_parent``. On success the forms'
    instances hold exactly what may be written: the editor's changes merged into what is
    stored now; the page's rows are returned for ``free_platforms``.
    """
    article = article_form.instance
    for step_formsets in (getattr(f, "nested_formsets", []) for f in variant_formset.forms):
        for step_formset in step_formsets:
            step_formset.is_valid()
    rows = list(_rows(article_form, variant_formset))

    existing_variants, existing_steps = stored
    if not rights.edit_source:
        for row in rows[1:]:
            if _deleted(row.form) or (row.posted_pk is None and _has_content(row.form)):
                raise Refused(
                    gettext("Only editors add or remove variants and steps; nothing was saved.")
                )

    loaded = article_form.cleaned_data.get("loaded_version")
    # A restore has written the stored revision's number into the row already.
    current = restoring_version or article.version
    stale = bool(article.pk) and loaded != current
    base_rows = _base_rows(article, loaded) if stale and loaded is not None else None
    # Every row the article has now, and every row it had when the form was loaded.
    now = {("variant", pk): row.loaded_parent for pk, row in existing_variants.items()}
    now.update((("step", pk), row.loaded_parent) for pk, row in existing_steps.items())
    known = dict(now)
    for (kind, pk), values in (base_rows or {}).items():
        if kind != "article":
            known.setdefault(
                (kind, pk), values["article_id" if kind == "variant" else "variant_id"]
            )
    check_ownership(article, rows, known)
    check_moves(rows, now, base_rows, rights, stale)

    if stale and restoring_version:
        raise Refused(
            gettext(
                "Someone else saved this article after you opened this version. Nothing was "
                "restored: open the version from the history again."
            )
        )
    if stale:
        gone = _rows_deleted_since(rows, now)
        if gone:
            raise Refused(
                gettext(
                    "Someone else removed %(what)s while you were editing. Nothing was saved: "
                    "reload the page to see the article as it is now."
                )
                % {"what": ", ".join(gone)}
            )
        check_stale_deletions(rows, base_rows)
        check_stale_ticks(article_form, base_rows)
        data = article_form.data
        choices = {}
        if data.get(SEEN_VERSION) == str(current):
            choices = {
                key[len(RESOLVE_PREFIX) :]: data.get(key)
                for key in data
                if key.startswith(RESOLVE_PREFIX)
            }
        conflicts = merge(rows, base_rows, choices)
        if conflicts:
            raise Refused(_conflict_error(conflicts, current, article))
    check_platforms(rows, existing_variants)
    check_text_total(rows)
    return rows


def check_text_total(rows):
    """Refuse an article whose texts in one language add up to more than a page may hold."""
    totals = {}
    for row in rows:
        if row.kind != "article" and (_deleted(row.form) or not hasattr(row.form, "cleaned_data")):
            continue
        for column, (_field, language) in TRANSLATED[row.form._meta.model].items():
            value = getattr(row.form.instance, column, "")
            if isinstance(value, str):
                totals[language] = totals.get(language, 0) + len(value)
    over = sorted(
        str(LANGUAGE_NAMES[code]) for code, total in totals.items() if total > MAX_TEXT_PER_LANGUAGE
    )
    if over:
        raise Refused(
            gettext(
                "Nothing was saved: the %(languages)s texts of this article add up to more "
                "than %(limit)s characters. Split it into several articles."
            )
            % {"languages": ", ".join(over), "limit": f"{MAX_TEXT_PER_LANGUAGE:,}"}
        )


def check_moves(rows, now, base_rows, rights, stale):
    """A step posted under another variant than its own is moved there (drag and drop).

    Only editors move steps. From a stale form, a step the editor did not move stays
    where someone else put it meanwhile; both moved it elsewhere is refused.
    """
    for row in rows:
        if row.kind != "step" or row.posted_pk is None:
            continue
        stored_parent = now.get(("step", row.posted_pk))
        if stored_parent is None or row.parent_pk == stored_parent:
            continue
        if not rights.edit_source:
            raise Refused(gettext("Only editors move steps between variants; nothing was saved."))
        if not stale:
            continue
        base = (base_rows or {}).get(("step", row.posted_pk))
        loaded_parent = base["variant_id"] if base else None
        if row.parent_pk == loaded_parent:
            row.form.instance.variant_id = stored_parent  # not moved by this editor
        elif stored_parent != loaded_parent:
            raise Refused(
                gettext(
                    "Someone else moved %(what)s while you were editing. Nothing was saved: "
                    "reload the page to see the article as it is now."
                )
                % {"what": row.label}
            )


def check_stale_deletions(rows, base_rows):
    """Refuse removing, from a stale form, a row someone else changed meanwhile."""
    for row in rows:
        if row.kind == "article" or row.posted_pk is None or not _deleted(row.form):
            continue
        base = (base_rows or {}).get((row.kind, row.posted_pk))
        changed = base is None or any(
            _normalise(model_field, row.form.initial.get(name))
            != _normalise(model_field, base.get(model_field.attname))
            for name, model_field in _form_fields(row)
        )
        if changed:
            raise Refused(
                gettext(
                    "Someone else changed %(what)s while you were editing, and you removed it. "
                    "Nothing was saved: reload the page to see their change first."
                )
                % {"what": row.label}
            )


def check_stale_ticks(article_form, base_rows):
    """Refuse a "checked translation" tick, from a stale form, whose source text changed
    again since the form was loaded: the translator checked the older change only."""
    models = {"article": Article, "variant": Variant, "step": Step}
    source = article_form.instance.source_language
    for key in article_form.cleaned_data.get("mark_translated") or ():
        kind, _sep, rest = key.partition(":")
        pk, _sep, rest = rest.partition(":")
        field_name = rest.partition(":")[0]
        model = models.get(kind)
        if model is None or not pk.isdigit():
            continue
        source_column = fields.column(field_name, source)
        now = model.objects.filter(pk=int(pk)).values_list(source_column, flat=True).first()
        base = (base_rows or {}).get((kind, int(pk)))
        if base is None or (now or "") != (
            getattr(base.get(source_column), "name", base.get(source_column)) or ""
        ):
            raise Refused(
                gettext(
                    "The source text you marked as checked changed again while you were "
                    "editing. Nothing was saved: reload the page and check the latest change."
                )
            )


def _rows_deleted_since(rows, known_now):
    """Return labels of rows the form still shows that someone else deleted meanwhile."""
    return [
        row.label
        for row in rows
        if row.kind != "article"
        and row.posted_pk is not None
        and (row.kind, row.posted_pk) not in known_now
    ]
