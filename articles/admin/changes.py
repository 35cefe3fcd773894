"""The article page's forms, once valid, as the plain change the write path takes.

The forms have checked each value (types, lengths, Markdown that can be shown, figures);
which rows the page names and what may be written of them is the write path's decision
(articles/writes/), so a posted id is carried as it came, even another article's, for the
write path to refuse.
"""

from django.core.exceptions import FieldDoesNotExist
from django.db.models import FileField
from django.utils.translation import gettext

from .. import writes

RESOLVE_PREFIX = "kb_resolve_"
REFUSED_PREFIX = "kb_refused_"
SEEN_VERSION = "kb_seen_version"


def _posted_pk(form):
    """Return the row id a form posted (None for a new row)."""
    value = form.cleaned_data.get("id")
    if value is None or value == "":
        return None
    return int(getattr(value, "pk", value))


def _values(form, skip=(), whole=False):
    """Return ``{attname: value}`` of the model fields the form edits (``whole``: the page
    is a stored version written back, figures as it shows them included)."""
    model = form._meta.model
    values = {}
    for name, value in form.cleaned_data.items():
        if name in skip or name in ("id", "DELETE"):
            continue
        try:
            model_field = model._meta.get_field(name)
        except FieldDoesNotExist:  # a form-only field (loaded_version, mark_translated)
            continue
        if not model_field.concrete and not model_field.many_to_many:
            continue
        if isinstance(model_field, FileField):
            if name not in form.changed_data:
                if whole:
                    values[model_field.attname] = getattr(value, "name", value) or ""
                continue  # unchanged: nothing to write, nothing to merge
            values[model_field.attname] = value or ""  # an upload, or cleared
        elif model_field.many_to_many:
            values[name] = sorted(item.pk for item in value)
        elif model_field.is_relation:
            values[model_field.attname] = getattr(value, "pk", value)
        else:
            values[model_field.attname] = value
    return values


def _choices(data, prefix):
    return {key[len(prefix) :]: data.get(key) for key in data if key.startswith(prefix)}


def _seen_version(data):
    try:
        return int(data.get(SEEN_VERSION, ""))
    except (TypeError, ValueError):
        return None


def change_from_forms(form, variant_formset, article_id, whole=False):
    """Return the ``ArticleChange`` the page's valid forms ask for (``whole``: the page
    shows a stored version, restored or recovered as a whole)."""
    data = form.data
    change = writes.ArticleChange(
        article_id=article_id,
        values=_values(form, whole=whole),
        # A page always says which version it shows; one that does not (forged) is taken
        # as read at a version nobody knows: every text that differs is a conflict.
        loaded_version=(form.cleaned_data.get("loaded_version") or 0) if article_id else None,
        read_version=form.instance.version if article_id else None,
        seen_version=_seen_version(data),
        resolutions=_choices(data, RESOLVE_PREFIX),
        refused_digests=_choices(data, REFUSED_PREFIX),
        checked=tuple(form.cleaned_data.get("mark_translated") or ()),
    )
    for index, variant_form in enumerate(variant_formset.forms):
        variant_pk = _posted_pk(variant_form)
        if variant_pk is None and not variant_form.has_changed():
            continue  # an extra row left empty
        platform = variant_form.cleaned_data.get("platform")
        place = str(platform.name) if platform else gettext("Shared steps")
        ref = writes.NewRow(index) if variant_pk is None else None
        change.rows.append(
            writes.RowChange(
                kind="variant",
                pk=variant_pk,
                ref=ref,
                values=_values(variant_form, skip=("article",), whole=whole),
                deleted=bool(variant_form.cleaned_data.get("DELETE")),
                label=place,
                prefix=f"{variant_form.prefix}-",
            )
        )
        for step_formset in getattr(variant_form, "nested_formsets", ()):
            for position, step_form in enumerate(step_formset.forms, start=1):
                step_pk = _posted_pk(step_form)
                if step_pk is None and not step_form.has_changed():
                    continue
                change.rows.append(
                    writes.RowChange(
                        kind="step",
                        pk=step_pk,
                        parent=variant_pk if variant_pk is not None else ref,
                        values=_values(step_form, skip=("variant",), whole=whole),
                        deleted=bool(step_form.cleaned_data.get("DELETE")),
                        label=gettext("%(place)s, step %(position)s")
                        % {"place": place, "position": position},
                        prefix=f"{step_form.prefix}-",
                    )
                )
    return change
