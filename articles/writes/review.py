"""The rules of a write, decided on plain values: what a change may leave, or why not.

``review`` compares the change with the article as stored now (and, for a change read at
an older version, with that version) and returns the ``Plan`` of every row and column to
write, or raises ``Refused``. It reads no form and writes nothing; the few queries it makes
(names for messages, whether referenced rows exist) are bounded, so the part of a write
that holds the lock is comparisons. In order:

1. **the article** exists (or is recovered), and a restore's version is still current;
2. **ownership** — every row id named is one of this article's rows (now, or at the
   version the change was read at), named once; a step may move between its variants;
3. **rights** — what the user's role may not change refuses the write, or, for restore
   and recover, keeps what is stored (a recovered article comes back as a draft);
4. **no lost edits** — a stale change is merged field by field (merge.py); rows someone
   removed, moved or changed meanwhile are refused, never overwritten;
5. **the result** — one variant per platform, references that exist, rows and texts
   within an article's bounds.

Longer than 400 lines on purpose: every rule of an article write lives here, one module
deep, so that no door can enforce a different subset of them.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext

from ..fields import LANGUAGE_CODES, column, columns, translated_columns
from ..models import Article, Category, Platform
from . import bounds
from .changes import KEEP, NewRow, Refused
from .graph import Graph
from .merge import CONFLICT, MISSING, REPLACED, THEIRS, Conflict, merge_field, normalise
from .rights import DERIVED, LINKS, MODELS, PARENT

# A figure column is supplied only when someone uploads or clears a figure.
FILE_COLUMNS = frozenset(columns("figure"))


@dataclass
class PlannedRow:
    kind: str
    pk: int | None  # None: a new row, given an id when written
    values: dict  # every column as it will be
    changed: list = field(default_factory=list)  # columns that differ from what is stored
    ref: NewRow | None = None
    parent: int | NewRow | None = None  # a step's variant (a variant's is the article)
    new: bool = False  # inserted (a restore writes a row back with its old id)
    label: str = ""
    made_from: dict = field(default_factory=dict)


@dataclass
class Plan:
    article_id: int | None
    article: dict  # the article's columns as they will be
    creating: bool
    changed: list = field(default_factory=list)  # article columns that change
    links: dict = field(default_factory=dict)  # link name -> ids, where they change
    rows: list = field(default_factory=list)  # PlannedRow of rows written
    deleted: list = field(default_factory=list)  # (kind, pk) removed
    checked: tuple = ()
    merged: list = field(default_factory=list)  # labels of fields merged with a colleague's
    made_from: dict = field(default_factory=dict)

    @property
    def empty(self):
        return not (
            self.creating
            or self.changed
            or self.links
            or self.deleted
            or self.checked
            or any(row.changed or row.new for row in self.rows)
        )

    def labels(self):
        """Return what changed, labelled as the history reads it ("Title (English)")."""
        found = [bounds.field_label("article", name) for name in self.changed]
        found += [bounds.field_label("article", name) for name in self.links]
        for row in self.rows:
            found += [
                bounds.field_label(row.kind, name, row.label)
                for name in row.changed
                if name not in DERIVED and name not in ("order", PARENT[row.kind])
            ]
        return found


def _defaults(kind):
    """Return a new row's columns before the change sets any."""
    return {f.attname: f.get_default() for f in MODELS[kind]._meta.concrete_fields}


def _refuse_ownership(whole):
    if whole:
        raise Refused(
            gettext("This version shares rows with another article; nothing was restored.")
        )
    raise Refused(
        gettext(
            "Nothing was saved: the form sent a variant or step that does not belong to "
            "this article. Reload the page and try again."
        )
    )


class _Review:
    """One review: the change, what is stored, the base, and what the plan holds so far."""

    def __init__(self, rights, change, stored, base, elsewhere):
        self.rights, self.change, self.stored, self.base = rights, change, stored, base
        self.elsewhere = elsewhere
        self.keep = change.outside_rights == KEEP
        self.conflicts = []
        self.merged = []
        creating = stored is None
        if creating and change.article_id is not None and not change.recover:
            raise Refused(
                gettext(
                    "Someone else deleted this article while you were editing. Nothing was saved."
                )
            )
        if not creating and change.recover:
            raise Refused(gettext("This article exists: it can be restored, not recovered."))
        self.creating = creating
        self.stale = (
            not creating
            and change.loaded_version is not None
            and change.loaded_version != stored.version
        )
        if self.stale and change.whole:
            raise Refused(
                gettext(
                    "Someone else saved this article after you opened this version. Nothing "
                    "was restored: open the version from the history again."
                )
            )
        if self.stale and base is None:
            self.base = None  # history unknown: every field both sides differ on conflicts
        self.seen = (
            change.seen_version is not None
            and not creating
            and (change.seen_version == stored.version)
        )
        self.source = (stored.article if stored else change.values).get(
            "source_language"
        ) or Article._meta.get_field("source_language").get_default()

    # --- helpers ------------------------------------------------------------------------

    def stored_row(self, kind, pk):
        return self.stored.row(kind, pk) if self.stored else None

    def base_row(self, kind, pk):
        if not self.stale or self.base is None:
            return None
        if kind == "article":
            return self.base.article
        return self.base.row(kind, pk)

    def allowed(self, kind, name):
        return self.rights.may_change(kind, name, self.source)

    def refuse_rights(self, kind, name, label=""):
        if name == "status":
            raise Refused(gettext("You may not publish, unpublish or archive articles."))
        raise Refused(
            gettext("You may not change %(field)s; nothing was saved.")
            % {"field": bounds.field_label(kind, name, label)}
        )

    def structure_allowed(self):
        if self.rights.edit_source:
            return True
        if self.keep:
            return False
        raise Refused(gettext("Only editors add or remove variants and steps; nothing was saved."))

    # --- the values of one row ----------------------------------------------------------

    def merged_values(self, kind, pk, supplied, now, label, prefix):
        """Return a row's columns after this change: ``now`` (stored) with ``supplied``
        merged in, within the user's rights."""
        final = dict(now)
        base = self.base_row(kind, pk) if pk is not None else None
        stale = self.stale and pk is not None
        for name, value in supplied.items():
            if name in DERIVED:
                continue
            is_file = name in FILE_COLUMNS
            if stale:
                key = f"{kind}-{pk}-{name}"
                outcome = merge_field(
                    value,
                    now.get(name),
                    MISSING if base is None else base.get(name, MISSING),
                    is_file=is_file,
                    resolution=self.change.resolutions.get(key) if self.seen else None,
                    refused_digest=self.change.refused_digests.get(key) if self.seen else None,
                )
                if outcome == THEIRS:
                    continue
                if outcome == REPLACED:
                    raise Refused(
                        gettext(
                            "Someone else replaced %(what)s while you were editing. Nothing "
                            "was saved: reload the page, then add your figure again if it is "
                            "still needed."
                        )
                        % {"what": bounds.field_label(kind, name, label)}
                    )
                if outcome == CONFLICT:
                    self.conflicts.append(
                        Conflict(
                            key=key,
                            label=bounds.field_label(kind, name, label),
                            mine=_as_text(name, value),
                            theirs=_as_text(name, now.get(name)),
                            input_name=f"{prefix}{name}" if prefix or kind == "article" else "",
                        )
                    )
                    continue
                if normalise(now.get(name)) != normalise(
                    MISSING if base is None else base.get(name, MISSING)
                ) and normalise(value) != normalise(now.get(name)):
                    self.merged.append(bounds.field_label(kind, name, label))
            final[name] = value
        for name in list(final):
            if name in DERIVED or normalise(final[name]) == normalise(now.get(name)):
                continue
            if not self.allowed(kind, name):
                if self.keep:
                    final[name] = now.get(name)
                else:
                    self.refuse_rights(kind, name, label)
        return final

    def expected(self, kind, pk, expected, now, label):
        for name, value in expected.items():
            if normalise(now.get(name)) != normalise(value):
                raise Refused(
                    gettext(
                        "Someone else changed %(what)s after this was read. Nothing was "
                        "saved for this article."
                    )
                    % {"what": bounds.field_label(kind, name, label)}
                )


def _as_text(name, value):
    """Return a value as an editor reads it in a conflict ("KB 1002, KB 1003", not ids)."""
    if name in LINKS:
        numbers = dict(Article.objects.filter(pk__in=value or ()).values_list("pk", "number"))
        return ", ".join(f"KB {numbers.get(pk, pk)}" for pk in sorted(value or ()))
    if name == "category_id":
        return str(Category.objects.filter(pk=value).first() or "")
    if name == "platform_id":
        return str(Platform.objects.filter(pk=value).first() or gettext("Shared steps"))
    return str(normalise(value))


def review(rights, change, stored, base=None, elsewhere=frozenset()):
    """Return the ``Plan`` of what ``change`` writes over ``stored`` (None: a new or a
    recovered article), or raise ``Refused``.

    ``base``: the article's graph at ``change.loaded_version`` when that is not the
    version stored now. ``elsewhere``: ``(kind, pk)`` of the rows the change names that
    exist under another article.
    """
    r = _Review(rights, change, stored, base, elsewhere)
    plan = Plan(article_id=change.article_id, article={}, creating=r.creating)
    now = stored.article if stored else {**_defaults("article"), "id": change.article_id}

    # 1. The article's own columns and links.
    if change.expected:
        r.expected("article", change.article_id, change.expected, now, change.label)
    supplied = {k: v for k, v in change.values.items() if k not in LINKS}
    plan.article = r.merged_values("article", change.article_id, supplied, now, "", "")
    plan.changed = [
        name
        for name, value in plan.article.items()
        if name not in DERIVED and normalise(value) != normalise(now.get(name))
    ]
    for name in LINKS:
        if name not in change.values:
            continue
        linked = r.merged_values(
            "article",
            change.article_id,
            {name: sorted(change.values[name])},
            {name: now.get(name, [])},
            "",
            "",
        )[name]
        if normalise(linked) != normalise(now.get(name, [])):
            plan.links[name] = sorted(linked)
    r.source = plan.article.get("source_language") or r.source

    # 2. Ownership: every row named is this article's, named once.
    known = dict(stored.rows()) if stored else {}
    if r.stale and r.base is not None:
        for key, values in r.base.rows():
            known.setdefault(key, values)
    known_variants = {pk for (kind, pk) in known if kind == "variant"}
    named_variants = {row.pk for row in change.rows if row.kind == "variant" and row.pk}
    seen = set()
    for row in change.rows:
        if row.pk is None:
            continue
        if row.key in seen or row.key in elsewhere:
            _refuse_ownership(change.whole)
        seen.add(row.key)
        values = known.get(row.key)
        if change.whole and values is None:
            continue  # a row of the version written back (checked by ``elsewhere``)
        if values is None:
            _refuse_ownership(change.whole)
        if row.kind == "variant" and values["article_id"] != change.article_id:
            _refuse_ownership(change.whole)
        if row.kind == "step" and values["variant_id"] not in known_variants | named_variants:
            _refuse_ownership(change.whole)

    # 3. Rows removed by someone else meanwhile.
    if r.stale:
        gone = [
            row.label
            for row in change.rows
            if row.pk is not None and r.stored_row(row.kind, row.pk) is None
        ]
        if gone:
            raise Refused(
                gettext(
                    "Someone else removed %(what)s while you were editing. Nothing was saved: "
                    "reload the page to see the article as it is now."
                )
                % {"what": ", ".join(gone)}
            )

    # 4. Each row: added, removed, moved, changed.
    for index, row in enumerate(change.rows):
        stored_values = r.stored_row(row.kind, row.pk) if row.pk is not None else None
        new = stored_values is None
        if row.deleted:
            if new:
                continue
            if not r.structure_allowed():
                continue
            base = r.base_row(row.kind, row.pk)
            if r.stale and (
                base is None
                or any(
                    normalise(stored_values.get(name)) != normalise(base.get(name))
                    for name in stored_values
                    if name not in DERIVED
                )
            ):
                raise Refused(
                    gettext(
                        "Someone else changed %(what)s while you were editing, and you removed "
                        "it. Nothing was saved: reload the page to see their change first."
                    )
                    % {"what": row.label}
                )
            plan.deleted.append(row.key)
            continue
        if new and not r.structure_allowed():
            continue
        if row.expected:
            r.expected(row.kind, row.pk, row.expected, stored_values or {}, row.label)
        now_values = stored_values or {**_defaults(row.kind), "id": row.pk}
        values = r.merged_values(row.kind, row.pk, row.values, now_values, row.label, row.prefix)
        parent = row.parent
        if row.kind == "variant":
            values["article_id"] = change.article_id
        elif not new and parent is None:
            parent = stored_values["variant_id"]  # a door that does not move rows
        elif not new and isinstance(parent, int) and parent != stored_values["variant_id"]:
            parent = _moved(r, row, parent, stored_values)
        planned = PlannedRow(
            row.kind,
            row.pk,
            values,
            # Every new row is named, so that the result can be counted and shown.
            ref=row.ref if row.ref is not None or row.pk is not None else NewRow(-1 - index),
            parent=parent,
            new=new,
            label=row.label,
            made_from=row.made_from,
        )
        if row.kind == "step":
            values["variant_id"] = parent  # a NewRow until that variant is written
        planned.changed = [
            name
            for name, value in values.items()
            if name not in DERIVED and (new or normalise(value) != normalise(now_values.get(name)))
        ]
        if row.made_from or change.translations_current:
            # What each translation was made from is written too (an import says it for
            # every row it names).
            planned.changed = planned.changed or ["translated_from"]
        plan.rows.append(planned)

    # 5. A whole change removes what it does not name (a restore; an import's extra rows).
    if change.whole and stored:
        named = {row.key for row in change.rows if row.pk is not None}
        for key, _values in stored.rows():
            if key in named:
                continue
            if r.structure_allowed():
                plan.deleted.append(key)

    if r.conflicts:
        raise Refused(_conflict_message(), conflicts=r.conflicts)
    plan.merged = r.merged
    plan.made_from = change.made_from
    plan.checked = tuple(change.checked)
    if plan.checked and r.stale:
        _check_ticks(r, plan.checked)
    _check_result(plan, stored)
    return plan


def _moved(r, row, parent, stored_values):
    """A step named under another variant than its own is moved there (drag and drop)."""
    stored_parent = stored_values["variant_id"]
    if not r.rights.edit_source:
        if r.keep:
            return stored_parent
        raise Refused(gettext("Only editors move steps between variants; nothing was saved."))
    if not r.stale:
        return parent
    base = r.base_row("step", row.pk)
    loaded_parent = base["variant_id"] if base else None
    if parent == loaded_parent:
        return stored_parent  # not moved by this editor: where someone else put it
    if stored_parent != loaded_parent:
        raise Refused(
            gettext(
                "Someone else moved %(what)s while you were editing. Nothing was saved: "
                "reload the page to see the article as it is now."
            )
            % {"what": row.label}
        )
    return parent


def _conflict_message():
    return gettext(
        "Someone else saved this article while you were editing it and changed the same "
        "texts as you. Nothing was saved."
    )


def _check_ticks(r, keys):
    """Refuse a "checked translation" tick, from a stale change, whose source text changed
    again since it was read: the translator checked the older change only."""
    for key in keys:
        kind, _sep, rest = key.partition(":")
        pk, _sep, rest = rest.partition(":")
        name = rest.partition(":")[0]
        if kind not in MODELS or not pk.isdigit():
            continue
        source_column = column(name, r.source)
        now = (r.stored.article if kind == "article" else r.stored_row(kind, int(pk))) or {}
        base = (
            r.base_row(kind, int(pk)) if kind != "article" else r.base_row("article", None)
        ) or None
        if base is None or normalise(now.get(source_column)) != normalise(base.get(source_column)):
            raise Refused(
                gettext(
                    "The source text you marked as checked changed again while you were "
                    "editing. Nothing was saved: reload the page and check the latest change."
                )
            )


def _final_rows(plan, stored):
    """Return ``{(kind, pk or ref): values}`` of every row the article keeps after ``plan``."""
    rows = {}
    if stored:
        rows.update(stored.rows())
    for key in plan.deleted:
        rows.pop(key, None)
    for row in plan.rows:
        key = (row.kind, row.pk if row.pk is not None else row.ref)
        rows[key] = row.values
    return rows


def _check_result(plan, stored):
    rows = _final_rows(plan, stored)
    variants = {key: values for key, values in rows.items() if key[0] == "variant"}
    steps = [values for key, values in rows.items() if key[0] == "step"]
    # Steps whose variant is removed go with it.
    per_variant = {}
    for key, values in rows.items():
        if key[0] == "step":
            parent = values.get("variant_id")
            per_variant[parent] = per_variant.get(parent, 0) + 1
    if (
        len(variants) > bounds.MAX_VARIANTS
        or max(per_variant.values(), default=0) > bounds.MAX_STEPS_PER_VARIANT
        or len(variants) + len(steps) > bounds.MAX_ROWS
    ):
        raise Refused(bounds.rows_message())

    platforms = {}
    for values in variants.values():
        if values.get("platform_id"):
            platforms.setdefault(values["platform_id"], 0)
            platforms[values["platform_id"]] += 1
    twice = [pk for pk, count in platforms.items() if count > 1]
    if twice:
        names = sorted(str(p.name) for p in Platform.objects.filter(pk__in=twice))
        raise Refused(
            gettext(
                "An article has one variant per platform: %(platforms)s appears more than "
                "once. Choose another platform or remove the extra variant."
            )
            % {"platforms": ", ".join(names)}
        )
    # References that changed (a restore's may name what was deleted since): the
    # database would refuse them half way.
    missing = ""
    category = plan.article.get("category_id")
    if "category_id" in plan.changed and not Category.objects.filter(pk=category).exists():
        missing = gettext("category")
    changed_platforms = {
        row.values.get("platform_id")
        for row in plan.rows
        if row.kind == "variant" and "platform_id" in row.changed
    } - {None}
    if changed_platforms and Platform.objects.filter(pk__in=changed_platforms).count() != len(
        changed_platforms
    ):
        missing = gettext("platform")
    if missing:
        raise Refused(
            gettext(
                "This version cannot be restored: its %(what)s no longer exists. Nothing was "
                "restored."
            )
            % {"what": missing}
        )

    totals = dict.fromkeys(LANGUAGE_CODES, 0)
    for kind, values in [("article", plan.article)] + [(key[0], v) for key, v in rows.items()]:
        for name, (_field, language) in translated_columns(MODELS[kind]).items():
            value = values.get(name)
            if isinstance(value, str):
                totals[language] += len(value)
    over = [code for code, total in totals.items() if total > bounds.MAX_TEXT_PER_LANGUAGE]
    if over:
        raise Refused(bounds.text_message(over))


def graph_after(plan, stored):
    """Return the article as ``plan`` leaves it, as a ``Graph`` (for a preview). Rows not
    written yet get negative ids, so that steps find their new variant."""
    graph = Graph(article=dict(plan.article))
    temporary = {}
    for (kind, key), values in _final_rows(plan, stored).items():
        values = dict(values)
        if not isinstance(key, int):
            temporary[key] = values["id"] = -(len(temporary) + 1)
        (graph.variants if kind == "variant" else graph.steps)[values["id"]] = values
    for values in graph.steps.values():
        parent = values.get("variant_id")
        values["variant_id"] = temporary.get(parent, parent)
    return graph
