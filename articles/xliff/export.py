"""Articles to translate, out as XLIFF 1.2.

One ``<file>`` per article, one ``<group>`` per translated field of the article, its
variants and steps, and in it one ``<trans-unit>`` per paragraph, list item, heading or
table cell (segments.py). Each unit has:

- a stable id, ``step-57-body-2`` (row, field, position in the field);
- its ``<source>`` with Markdown as inline codes (inline.py);
- a ``<target>``: the current translation, or a copy of the source to translate over
  (OmegaT 3.6 translates a unit only when it has a ``<target>``; it translates *in* it),
  with the XLIFF ``state`` saying which: ``needs-translation``, ``needs-review-translation``
  (out of date) or ``translated``;
- a ``<note>`` with the context a translator needs: KB number and title, platform, step
  number, field, the article's public URLs, and for an out-of-date text its old and
  current source;
- the hash of the source it was exported from (a ``<context>``).

The group keeps, for the import, the whole field's source text as exported and the hash
of the translation it had: the import rebuilds the translated field around the same
skeleton, and knows whether the source or the translation moved meanwhile.

Written with lxml, never by joining strings: every text is escaped by the serializer.
"""

import json
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import QuerySet
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext
from lxml import etree

from .. import translation_status
from ..fields import LANGUAGE_NAMES, column
from ..models import Article
from . import inline
from .fields import MODEL_KINDS, TEXT_FIELDS, FieldKey, is_markdown, segment

Q = inline.Q
FORMAT_VERSION = "1"
TOOL_ID = "kb-xliff"
SCOPES = ("missing", "outdated", "all")
DEFAULT_SCOPES = ("missing", "outdated")
# Elements whose content is words (never indented: whitespace there would be text).
_TEXT_ELEMENTS = {Q + name for name in ("source", "target", "note", "context", "internal-file")}


class ExportError(Exception):
    """An export that cannot be made (no such language…); ``message`` is for the user."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass
class ExportResult:
    articles: int = 0
    fields: int = 0
    units: int = 0
    # Articles written in the requested language: nothing to translate into it.
    skipped: list = field(default_factory=list)


def _rows(article):
    """Yield ``(row, place)`` for the article, its variants and steps, in reading order."""
    yield article, gettext("Article")
    for variant in article.ordered_variants:
        platform = variant.platform.name if variant.platform_id else gettext("Shared steps")
        yield variant, platform
        for position, step in enumerate(variant.ordered_steps, start=1):
            yield (
                step,
                gettext("%(platform)s, step %(position)s")
                % {
                    "platform": platform,
                    "position": position,
                },
            )


def _wanted(obj, name, language, source, scopes):
    """Return the field's translation status if it is to be exported, else None."""
    if name in obj.TRACKED_TEXTS and name not in translation_status.fields_to_check(obj):
        return None  # a caption or alt text without a figure: not shown to readers
    if not (getattr(obj, column(name, source)) or "").strip():
        return None
    status = translation_status.field_status(obj, name, language, source)
    if "all" in scopes or status in scopes:
        return status
    return None


def _shape(skeleton):
    return [" ".join(part.split()) for part in skeleton]


def _target_events(model, name, segmented, translation):
    """Return the current translation's events per unit, or None when its blocks do not
    line up with the source's (then the translator starts from the source)."""
    if not (translation or "").strip():
        return None
    own = segment(model, name, translation)
    if len(own.units) != len(segmented.units) or _shape(own.skeleton) != _shape(segmented.skeleton):
        return None
    if not is_markdown(model, name):
        return [inline.plain_events(unit) for unit in own.units]
    return [
        inline.match_ids(inline.parse_markdown(source_unit), inline.parse_markdown(unit))
        for source_unit, unit in zip(segmented.units, own.units, strict=True)
    ]


class _Writer:
    def __init__(self, language, site_url):
        self.language = language
        self.site_url = site_url.rstrip("/")
        self.root = etree.Element(Q + "xliff", nsmap={None: inline.NS}, version="1.2")
        self.result = ExportResult()

    def url(self, article, language):
        with translation.override(language):
            return self.site_url + article.get_absolute_url()

    def article(self, article, scopes):
        source = article.source_language
        if source == self.language:
            self.result.skipped.append(article.number)
            return
        with translation.override(source):
            groups = self._groups(article, source, scopes)
            if not groups:
                return
            file = etree.SubElement(
                self.root,
                Q + "file",
                original=f"KB {article.number}",
                datatype="x-markdown",
                **{"source-language": source, "target-language": self.language},
            )
            header = etree.SubElement(file, Q + "header")
            etree.SubElement(
                header,
                Q + "tool",
                **{
                    "tool-id": TOOL_ID,
                    "tool-name": "Help Center knowledge base",
                    "tool-version": FORMAT_VERSION,
                },
            )
            etree.SubElement(header, Q + "note").text = self._article_note(article)
            body = etree.SubElement(file, Q + "body")
            body.extend(groups)
        self.result.articles += 1

    def _article_note(self, article):
        lines = [
            f"KB {article.number}: {getattr(article, column('title', article.source_language))}",
            gettext("Status: %(status)s") % {"status": article.get_status_display()},
        ]
        for code, name in settings.LANGUAGES:
            lines.append(f"{name}: {self.url(article, code)}")
        return "\n".join(lines)

    def _groups(self, article, source, scopes):
        groups = []
        for obj, place in _rows(article):
            model = type(obj)
            for name in TEXT_FIELDS[model]:
                status = _wanted(obj, name, self.language, source, scopes)
                if status is None:
                    continue
                group = self._group(article, obj, place, name, status, source)
                if group is not None:
                    groups.append(group)
        return groups

    def _group(self, article, obj, place, name, status, source):
        model = type(obj)
        key = FieldKey(MODEL_KINDS[model], obj.pk, name)
        text = (getattr(obj, column(name, source)) or "").replace("\r\n", "\n")
        translated = getattr(obj, column(name, self.language)) or ""
        segmented = segment(model, name, text)
        if not segmented.units:
            return None
        targets = _target_events(model, name, segmented, translated)
        outdated = status == translation_status.OUTDATED
        if targets is None:
            state = "needs-translation"
        else:
            state = "needs-review-translation" if outdated else "translated"

        group = etree.Element(Q + "group", id=key.group_id, resname=key.group_id)
        # Context-group names are unique within a <file>: named after their element.
        contexts = etree.SubElement(
            group, Q + "context-group", name=key.group_id, purpose="information"
        )
        for context_type, value in (
            ("x-kb-source", json.dumps(text, ensure_ascii=False)),
            ("x-kb-source-hash", translation_status.digest(text)),
            ("x-kb-target-hash", translation_status.digest(translated)),
        ):
            etree.SubElement(contexts, Q + "context", **{"context-type": context_type}).text = value

        label = capfirst(model._meta.get_field(name).verbose_name)
        total = len(segmented.units)
        for position, unit_text in enumerate(segmented.units, start=1):
            if is_markdown(model, name):
                source_events = inline.parse_markdown(unit_text)
            else:
                source_events = inline.plain_events(unit_text)
            unit = etree.SubElement(
                group, Q + "trans-unit", id=key.unit_id(position), resname=key.unit_id(position)
            )
            inline.write_content(etree.SubElement(unit, Q + "source"), source_events)
            target = etree.SubElement(unit, Q + "target", state=state)
            own = source_events if targets is None else targets[position - 1]
            inline.write_content(target, own)
            unit_contexts = etree.SubElement(
                unit, Q + "context-group", name=key.unit_id(position), purpose="information"
            )
            etree.SubElement(
                unit_contexts, Q + "context", **{"context-type": "x-kb-source-hash"}
            ).text = translation_status.digest(text)
            note = [f"KB {article.number} · {place} · {label}"]
            if total > 1:
                note[0] += " · " + gettext("part %(position)s of %(total)s") % {
                    "position": position,
                    "total": total,
                }
            note.append(self.url(article, article.source_language))
            etree.SubElement(unit, Q + "note").text = "\n".join(note)
            if outdated:
                before = obj.translated_from[self.language][name]["text"]
                etree.SubElement(unit, Q + "note").text = gettext(
                    "Out of date: the %(source)s text changed after this translation was "
                    "made.\nBefore:\n%(before)s\nNow:\n%(now)s"
                ) % {"source": LANGUAGE_NAMES[source], "before": before, "now": text}
            if targets is None and translated.strip():
                etree.SubElement(unit, Q + "note").text = gettext(
                    "The current translation has other paragraphs than the source, so it "
                    "could not be split the same way:\n%(translation)s"
                ) % {"translation": translated}
            self.result.units += 1
        self.result.fields += 1
        return group

    def document(self):
        _indent(self.root, 0)
        return etree.tostring(self.root, xml_declaration=True, encoding="UTF-8") + b"\n"


def _indent(element, level):
    """Indent structural elements only: whitespace inside words would be text."""
    if element.tag in _TEXT_ELEMENTS or not len(element):
        return
    inner = "\n" + "  " * (level + 1)
    element.text = inner
    for child in element:
        _indent(child, level + 1)
        child.tail = inner
    element[-1].tail = "\n" + "  " * level


def export(articles, language, scopes=DEFAULT_SCOPES, site_url="", progress=None):
    """Return ``(XLIFF bytes, ExportResult)`` for these articles (a queryset or ids).

    ``scopes``: "missing", "outdated" (the default, both) or "all" (every text).
    ``progress(index, total, name)`` is called after each article.
    """
    if language not in LANGUAGE_NAMES:
        raise ExportError(gettext("Unknown language: %(language)s") % {"language": language})
    unknown = set(scopes) - set(SCOPES)
    if unknown or not scopes:
        raise ExportError(
            gettext("Choose what to export among: %(scopes)s") % {"scopes": ", ".join(SCOPES)}
        )
    if not isinstance(articles, QuerySet):
        articles = Article.objects.filter(pk__in=list(articles))
    queryset = Article.objects.for_detail().filter(pk__in=articles.values("pk")).order_by("number")
    writer = _Writer(language, site_url)
    total = queryset.count()
    for index, article in enumerate(queryset, start=1):
        writer.article(article, set(scopes))
        if progress:
            progress(index, total, f"KB {article.number}")
    return writer.document(), writer.result
