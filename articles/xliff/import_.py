"""Translated XLIFF back in: checked whole first, then written through the write path.

``read()`` checks every file and every unit before anything is written, and refuses the
whole import, naming file, unit and problem, when any of these holds:

- the file is not well-formed XML, has a DOCTYPE, is not XLIFF 1.2 from this knowledge
  base, or is too large;
- a ``<file>`` names an article that does not exist, is written in another language now,
  or is for a language that is not this site's translation language of the article;
- a unit id is not one of ours, names a row that is not the article's, or a unit is
  missing or repeated;
- a unit's inline codes were lost (emphasis and line breaks may go), added, duplicated,
  changed or no longer nest (inline.check_codes);
- the translation is longer than the field may be or cannot be shown (the model's own
  validators);
- the write path refuses the article's change (``writes.review_article``: every rule of
  a write, the length of the article's texts in that language included);
- the user may not change that language's texts (``writes.Rights``), or the translation
  was changed in the admin after the export (nobody's work is overwritten unseen).

``apply()`` then writes each article through the write path (``writes.save_article``): its
own transaction with its row locked, the version raised and one django-reversion revision
by the importing user. Only the
target language's columns are ever written: never the source text, the status or the
structure. A translation of a source that changed since the export is written but stays
out of date, with the diff from the source it was made from.

A unit whose target is still its source (as exported, nothing translated) is left alone;
a field whose units are translated only in part is left alone too and reported.

Longer than 400 lines because every check of a translation file lives here (its XML, its
units, their inline codes), before the write path's own rules.
"""

import json
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from lxml import etree

from .. import translation_status, writes
from ..fields import LANGUAGE_NAMES, column
from ..models import Article
from . import inline
from .export import FORMAT_VERSION, TOOL_ID
from .fields import FieldKey, is_markdown, parse_unit_id, segment

Q = inline.Q
# A file much larger than any export of a whole knowledge base is refused unread.
MAX_FILE_BYTES = 20 * 1024 * 1024
# Target states saying that a translator decided, even where the words equal the source.
DECIDED_STATES = frozenset({"translated", "final", "signed-off"})


@dataclass
class Problem:
    file: str
    where: str
    message: str

    def __str__(self):
        return (
            f"{self.file}: {self.where}: {self.message}"
            if self.where
            else (f"{self.file}: {self.message}")
        )


class ImportRefused(Exception):
    """Nothing was imported: every problem found, in file order."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


@dataclass
class FieldChange:
    key: FieldKey
    text: str  # the new translation
    expected: str  # the translation stored when checked (the write refuses if it moved)
    made_from: str | None  # the exported source, when the source changed since
    confirm: bool = False  # unchanged text, confirmed by the translator: mark current
    first_unit: str = ""


@dataclass
class ArticlePlan:
    file: str
    article_id: int
    number: int
    language: str
    source_language: str
    changes: list = field(default_factory=list)
    untranslated: int = 0  # units left as exported
    incomplete: list = field(default_factory=list)  # unit ids of partly translated fields


@dataclass
class ImportResult:
    articles: int = 0
    fields: int = 0
    unchanged: int = 0
    untranslated: int = 0
    incomplete: list = field(default_factory=list)
    # Articles changed by someone else between the check and the write: not imported.
    refused: list = field(default_factory=list)


def _display_name(name):
    """A file name as the user gave it, safe to show (no control characters, bounded)."""
    cleaned = "".join(char if char.isprintable() else "?" for char in str(name))
    return cleaned[:200] or "?"


def _parse(name, data, problems):
    if len(data) > MAX_FILE_BYTES:
        problems.append(
            Problem(name, "", gettext("the file is larger than %(size)s MB") % {"size": 20})
        )
        return None
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        line = getattr(error, "lineno", 0) or 0
        problems.append(
            Problem(
                name,
                gettext("line %(line)s") % {"line": line} if line else "",
                gettext("not well-formed XML: %(error)s") % {"error": error.msg or error},
            )
        )
        return None
    if root.getroottree().docinfo.doctype:
        problems.append(Problem(name, "", gettext("a DOCTYPE is not allowed in XLIFF files")))
        return None
    if root.tag != Q + "xliff" or root.get("version") != "1.2":
        problems.append(Problem(name, "", gettext("this is not an XLIFF 1.2 file")))
        return None
    return root


def _contexts(element):
    """Return ``{context-type: text}`` of the element's own context group (named by its id)."""
    found = {}
    for group in element.findall(Q + "context-group"):
        if group.get("name") != element.get("id"):
            continue
        for context in group.findall(Q + "context"):
            found[context.get("context-type")] = context.text or ""
    return found


class _FileReader:
    """Check one ``<file>`` (one article) of an XLIFF document."""

    def __init__(self, name, element, user, language, problems):
        self.name, self.element, self.user = name, element, user
        self.wanted_language = language
        self.problems = problems
        self.where = f"<file original={element.get('original', '')!r}>"

    def problem(self, where, message):
        self.problems.append(Problem(self.name, where, message))

    def read(self):
        element = self.element
        original = element.get("original", "")
        number = original[3:] if original.startswith("KB ") else ""
        if not number.isdigit() or len(number) > 9:
            self.problem(self.where, gettext("this file does not name a KB article"))
            return None
        article = Article.objects.for_detail().filter(number=int(number)).first()
        if article is None:
            self.problem(self.where, gettext("there is no article KB %(n)s") % {"n": number})
            return None
        tools = [
            tool for tool in element.findall(f"{Q}header/{Q}tool") if tool.get("tool-id") == TOOL_ID
        ]
        if not tools or tools[0].get("tool-version") != FORMAT_VERSION:
            self.problem(
                self.where,
                gettext(
                    "this file was not exported by this knowledge base (or by another version)"
                ),
            )
            return None
        source = element.get("source-language", "")
        language = element.get("target-language", "")
        if (
            language not in LANGUAGE_NAMES
            or language == article.source_language
            or (self.wanted_language and language != self.wanted_language)
        ):
            self.problem(
                self.where,
                gettext(
                    "this file is a translation into %(language)s, but KB %(n)s can only be "
                    "translated into %(wanted)s here"
                )
                % {
                    "language": LANGUAGE_NAMES.get(language, language or "?"),
                    "n": number,
                    "wanted": ", ".join(
                        str(name)
                        for code, name in settings.LANGUAGES
                        if code != article.source_language
                        and (not self.wanted_language or code == self.wanted_language)
                    )
                    or "—",
                },
            )
            return None
        if source != article.source_language:
            self.problem(
                self.where,
                gettext("KB %(n)s is now written in %(language)s; export it again to translate it")
                % {"n": number, "language": LANGUAGE_NAMES[article.source_language]},
            )
            return None
        self.article = article
        self.language = language
        self.rights = writes.Rights.of(self.user)
        self.rows = {("article", article.pk): article}
        for variant in article.ordered_variants:
            self.rows[("variant", variant.pk)] = variant
            for step in variant.ordered_steps:
                self.rows[("step", step.pk)] = step
        plan = ArticlePlan(
            file=self.name,
            article_id=article.pk,
            number=article.number,
            language=language,
            source_language=article.source_language,
        )
        fields = self._units()
        if fields is None:
            return None
        for key, (group, units) in fields.items():
            change = self._field(plan, key, group, units)
            if change is not None:
                plan.changes.append(change)
        return plan

    def _units(self):
        """Return ``{FieldKey: (group element, {position: unit element})}``."""
        fields, seen, ok = {}, set(), True
        for unit in self.element.iter(Q + "trans-unit"):
            unit_id = unit.get("id", "")
            parsed = parse_unit_id(unit_id)
            where = gettext("unit %(id)s") % {"id": unit_id[:100]}
            if parsed is None or (parsed[0].kind, parsed[0].pk) not in self.rows:
                self.problem(
                    where,
                    gettext(
                        "no such text in KB %(n)s (the unit id is unknown, or the variant or "
                        "step was deleted since the export)"
                    )
                    % {"n": self.article.number},
                )
                ok = False
                continue
            if unit_id in seen:
                self.problem(where, gettext("this unit appears more than once"))
                ok = False
                continue
            seen.add(unit_id)
            key, position = parsed
            group = unit.getparent()
            if group.tag != Q + "group" or group.get("id") != key.group_id:
                self.problem(where, gettext("this unit was moved out of its group"))
                ok = False
                continue
            fields.setdefault(key, (group, {}))[1][position] = unit
        return fields if ok else None

    def _field(self, plan, key, group, units):
        """Check one field's units; return its ``FieldChange`` (None: nothing to write)."""
        first = key.unit_id(1)
        contexts = _contexts(group)
        try:
            exported = json.loads(contexts.get("x-kb-source", ""))
        except ValueError:
            exported = None
        if not isinstance(exported, str) or translation_status.digest(exported) != contexts.get(
            "x-kb-source-hash"
        ):
            self.problem(
                gettext("group %(id)s") % {"id": key.group_id},
                gettext("the exported source text of this field is missing or was changed"),
            )
            return None
        model = key.model
        segmented = segment(model, key.field, exported)
        count = len(segmented.units)
        extra = sorted(set(units) - set(range(1, count + 1)))
        missing = sorted(set(range(1, count + 1)) - set(units))
        if extra:
            self.problem(
                gettext("unit %(id)s") % {"id": key.unit_id(extra[0])},
                gettext("no such text in KB %(n)s (the unit id is unknown)")
                % {"n": self.article.number},
            )
            return None
        if missing:
            self.problem(
                gettext("unit %(id)s") % {"id": key.unit_id(missing[0])},
                gettext("this unit is missing from the file"),
            )
            return None

        translated, untranslated, decided, code_errors = [], 0, True, []
        for position, unit_text in enumerate(segmented.units, start=1):
            unit = units[position]
            where = gettext("unit %(id)s") % {"id": key.unit_id(position)}
            markdown_field = is_markdown(model, key.field)
            source_events = (
                inline.parse_markdown(unit_text)
                if markdown_field
                else inline.plain_events(unit_text)
            )
            target = unit.find(Q + "target")
            if target is None:
                untranslated += 1
                translated.append(None)
                continue
            try:
                events = inline.read_content(target)
                if not markdown_field and any(not isinstance(e, inline.Text) for e in events):
                    raise inline.InlineError(gettext("this plain text has no inline codes"))
            except inline.InlineError as error:
                self.problem(where, error.message)
                return None
            try:
                checked = inline.normalise_translation(inline.check_codes(source_events, events))
            except inline.InlineError as error:
                # Refused below unless the field comes back as it is stored: a current
                # translation sent back untouched may lack codes its source has.
                code_errors.append((where, error.message))
                checked = inline.normalise_translation(events)
            text = inline.to_markdown(checked).strip()
            state = target.get("state", "")
            if " ".join(text.split()) == " ".join(unit_text.split()) and (
                state not in DECIDED_STATES
            ):
                untranslated += 1
                translated.append(None)
                continue
            if not text:
                self.problem(where, gettext("the translation is empty"))
                return None
            decided = decided and state in DECIDED_STATES
            translated.append(text)
        plan.untranslated += untranslated
        if untranslated == count:
            return None
        if untranslated:
            plan.incomplete.append(first)
            return None

        obj = self.rows[(key.kind, key.pk)]
        source = self.article.source_language
        target_column = column(key.field, self.language)
        current = getattr(obj, target_column) or ""
        new = "".join(
            part
            for pair in zip(segmented.skeleton, [*translated, ""], strict=True)
            for part in pair
        )
        current_source = getattr(obj, column(key.field, source)) or ""
        source_moved = translation_status.digest(current_source) != contexts.get("x-kb-source-hash")
        if not self.rights.may_change(key.kind, target_column, source):
            self.problem(
                gettext("unit %(id)s") % {"id": first},
                gettext("you may not change the %(language)s texts of this article")
                % {"language": LANGUAGE_NAMES[self.language]},
            )
            return None
        if translation_status.comparable(new) == translation_status.comparable(current):
            outdated = (
                translation_status.field_status(obj, key.field, self.language, source)
                == translation_status.OUTDATED
            )
            if decided and outdated and not source_moved:
                return FieldChange(key, current, current, None, confirm=True, first_unit=first)
            return None
        if code_errors:
            self.problem(*code_errors[0])
            return None
        if translation_status.digest(current) != contexts.get("x-kb-target-hash"):
            self.problem(
                gettext("unit %(id)s") % {"id": first},
                gettext(
                    "the %(language)s text was changed in the admin after this file was "
                    "exported; export this article again so that nobody's work is lost"
                )
                % {"language": LANGUAGE_NAMES[self.language]},
            )
            return None
        try:
            obj._meta.get_field(target_column).clean(new, obj)
        except ValidationError as error:
            self.problem(gettext("unit %(id)s") % {"id": first}, " ".join(error.messages))
            return None
        return FieldChange(key, new, current, exported if source_moved else None, first_unit=first)


def read(files, user, language=None):
    """Check XLIFF ``files`` (``[(name, bytes)]``); return one plan per article.

    Raise ``ImportRefused`` with every problem found when anything is wrong: then
    nothing may be imported. ``language``: the only target language accepted (None: any
    of the site's languages that is not the article's own).
    """
    problems, plans, seen = [], [], {}
    if not user.has_perm("articles.change_article"):
        raise ImportRefused([Problem("", "", gettext("You may not change articles."))])
    for raw_name, data in files:
        name = _display_name(raw_name)
        root = _parse(name, data, problems)
        if root is None:
            continue
        elements = root.findall(Q + "file")
        if not elements:
            problems.append(Problem(name, "", gettext("this file holds no articles")))
        for element in elements:
            reader = _FileReader(name, element, user, language, problems)
            before = len(problems)
            plan = reader.read()
            if plan is None or len(problems) > before:
                continue
            if plan.article_id in seen:
                problems.append(
                    Problem(
                        name,
                        reader.where,
                        gettext("KB %(n)s is also in %(file)s")
                        % {"n": plan.number, "file": seen[plan.article_id]},
                    )
                )
                continue
            seen[plan.article_id] = name
            try:
                # Every rule of the write, before anything is written (no lock taken).
                writes.review_article(user, as_change(plan))
            except writes.Refused as refusal:
                problems.append(Problem(name, reader.where, refusal.message))
                continue
            plans.append(plan)
    if problems:
        raise ImportRefused(problems)
    return plans


def as_change(plan):
    """Return the ``ArticleChange`` of one article's checked units: its translation
    columns only, each refused if the stored translation moved since it was read."""
    change = writes.ArticleChange(
        article_id=plan.article_id,
        expected={"source_language": plan.source_language},
        comment=gettext("Translation imported from %(file)s (XLIFF)") % {"file": plan.file},
        label=f"{plan.file}: KB {plan.number}",
    )
    rows = {}
    checked = []
    for unit in plan.changes:
        key = unit.key
        target_column = column(key.field, plan.language)
        if key.kind == "article":
            values, expected, made_from = change.values, change.expected, change.made_from
        else:
            row = rows.get((key.kind, key.pk))
            if row is None:
                row = rows[(key.kind, key.pk)] = writes.RowChange(kind=key.kind, pk=key.pk)
                change.rows.append(row)
            values, expected, made_from = row.values, row.expected, row.made_from
        expected[target_column] = unit.expected
        if unit.confirm:
            checked.append(f"{key.kind}:{key.pk}:{key.field}:{plan.language}")
            continue
        values[target_column] = unit.text
        if unit.made_from is not None:
            made_from.setdefault(plan.language, {})[key.field] = unit.made_from
    change.checked = tuple(checked)
    return change


def apply(plans, user, progress=None):
    """Write checked plans through the write path, one transaction and one revision per
    article; an article someone changed since the check is left out and reported."""
    result = ImportResult()
    total = len(plans)
    for index, plan in enumerate(plans, start=1):
        result.untranslated += plan.untranslated
        result.incomplete.extend(f"KB {plan.number}: {unit}" for unit in plan.incomplete)
        state = "unchanged"
        if plan.changes:
            try:
                writes.save_article(user, as_change(plan))
            except writes.Refused:
                result.refused.append(plan.number)
                state = "refused"
            else:
                result.articles += 1
                result.fields += len(plan.changes)
                state = "updated"
        else:
            result.unchanged += 1
        if progress:
            progress(index, total, f"KB {plan.number}", state)
    return result


def import_files(files, user, language=None, progress=None):
    """Check every file, then write: ``read`` and ``apply`` in one call."""
    return apply(read(files, user, language), user, progress)
