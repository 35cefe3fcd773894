"""Translation status by content: is each translated text complete, missing or out of date?

Every article is written in one language (``Article.source_language``); the other is its
translation. Each tracked row (article, variant, step) stores, per translated field, the
source text its translation was last made from (``translated_from``, with a hash). When a
save changes the source text but not the translation, the stored hash no longer matches
and that one field is out of date; the stored text gives the translator a diff of what
changed. Writing the translation, or marking it checked, records the current source.

The per-language totals are denormalised onto ``Article.translation_state`` after every
change (signals.py), so the admin list can show and filter them without reading steps.
"""

import difflib
import hashlib
import re
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from .fields import LANGUAGE_CODES, column, texts

COMPLETE, MISSING, OUTDATED = "complete", "missing", "outdated"
STATUS_LABELS = {
    COMPLETE: _("Complete"),
    MISSING: _("Missing"),
    OUTDATED: _("Out of date"),
}


# Tracked like texts, by the stored file's name, but never missing: a step without its own
# Japanese figure shows the English one. A Japanese figure is out of date when the English
# figure it was made beside has been replaced.
FALLS_BACK = frozenset({"figure"})


def comparable(text):
    # Browsers send textarea line breaks as CRLF, and space at either end is invisible to
    # readers: neither makes a translation out of date. A figure is known by its file name.
    text = getattr(text, "name", text)
    return (text or "").replace("\r\n", "\n").strip()


def digest(text):
    return hashlib.sha256(comparable(text).encode()).hexdigest()[:16]


def _snapshot(text):
    return {"hash": digest(text), "text": comparable(text)}


def _text(obj, field, code):
    return comparable(getattr(obj, column(field, code), ""))


def record_sources(obj, made_from=None):
    """Before ``obj`` is saved: note the source text behind each translation written now.

    A translation that was (re)written in this save was made from the current source,
    unless ``made_from`` names an older one for it (``{(language, field): text}``). One
    left untouched keeps its old record, so a changed source shows it as out of date.
    """
    source = obj.source_language_code()
    loaded = getattr(obj, "_loaded_values", None)  # None: a new row
    made_from = made_from or {}
    sources = {}
    for target in LANGUAGE_CODES:
        if target == source:
            continue
        entries = dict((obj.translated_from or {}).get(target, {}))
        for field in obj.TRACKED_TEXTS:
            translation = _text(obj, field, target)
            if not translation:
                entries.pop(field, None)
                continue
            rewritten = (
                loaded is None or comparable(loaded.get(column(field, target))) != translation
            )
            if rewritten:
                entries[field] = _snapshot(
                    made_from.get((target, field), _text(obj, field, source))
                )
            elif field not in entries and column(field, source) in loaded:
                # A row from before tracking: its translation was made from the loaded text.
                entries[field] = _snapshot(loaded[column(field, source)])
        if entries:
            sources[target] = entries
    obj.translated_from = sources


def fields_to_check(obj):
    """Return the tracked fields that matter for ``obj`` (figure words only with a figure)."""
    fields = obj.TRACKED_TEXTS
    if hasattr(obj, "figure_caption") and not any(texts(obj, "figure").values()):
        fields = tuple(f for f in fields if f not in {"figure_caption", "figure_alt"})
    return fields


def field_status(obj, field, language, source):
    """Return COMPLETE, MISSING or OUTDATED for one field, or None if nothing is written."""
    text = _text(obj, field, language)
    if not text and field in FALLS_BACK:
        return None
    if not text:
        written_elsewhere = any(_text(obj, field, code) for code in LANGUAGE_CODES)
        return MISSING if written_elsewhere else None
    if language == source:
        return COMPLETE
    entry = (obj.translated_from or {}).get(language, {}).get(field)
    if entry and entry.get("hash") != digest(_text(obj, field, source)):
        return OUTDATED
    return COMPLETE


def _rows(article):
    """The article and its variants and steps (from ``Article.objects.for_detail()``)."""
    yield article, None, None
    for variant in article.ordered_variants:
        yield variant, variant, None
        for position, step in enumerate(variant.ordered_steps, start=1):
            yield step, variant, position


def article_state(article):
    """Return ``{language: {"missing": n, "outdated": n}}`` for the whole article."""
    state = {code: {MISSING: 0, OUTDATED: 0} for code in LANGUAGE_CODES}
    for obj, _variant, _position in _rows(article):
        for field in fields_to_check(obj):
            for code in LANGUAGE_CODES:
                status = field_status(obj, field, code, article.source_language)
                if status in (MISSING, OUTDATED):
                    state[code][status] += 1
    return state


def overall_status(state, language):
    """Return the one status of a language from an article's stored state."""
    counts = (state or {}).get(language, {})
    if counts.get(MISSING):
        return MISSING
    if counts.get(OUTDATED):
        return OUTDATED
    return COMPLETE


def refresh_loaded(articles):
    """Recompute and store the translation state of these articles, loaded with
    ``Article.objects.for_detail()`` (after a change)."""
    for article in articles:
        state = article_state(article)
        if state != article.translation_state:
            # update(): no save signal, no new version; this is bookkeeping, not an edit.
            type(article).objects.filter(pk=article.pk).update(translation_state=state)


@dataclass
class OutdatedText:
    """One translated text whose source changed since it was translated."""

    key: str  # "<model>:<pk>:<field>:<language>", the form's checkbox value
    field: str
    place: str
    field_label: str
    language: str
    diff_html: str


def _place(obj, variant, position):
    if variant is None:
        return str(_("Article"))
    platform = variant.platform.name if variant.platform_id else _("Shared steps")
    if position is None:
        return str(platform)
    return str(_("%(platform)s, step %(position)s") % {"platform": platform, "position": position})


def outdated_texts(article):
    """Return every out-of-date translated text of ``article``, in reading order."""
    found = []
    for obj, variant, position in _rows(article):
        for field in fields_to_check(obj):
            for code in LANGUAGE_CODES:
                if field_status(obj, field, code, article.source_language) != OUTDATED:
                    continue
                before = obj.translated_from[code][field]["text"]
                found.append(
                    OutdatedText(
                        key=f"{obj._meta.model_name}:{obj.pk}:{field}:{code}",
                        field=field,
                        place=_place(obj, variant, position),
                        field_label=capfirst(obj._meta.get_field(field).verbose_name),
                        language=code,
                        diff_html=diff_html(before, _text(obj, field, article.source_language)),
                    )
                )
    return found


def set_source(obj, language, field, text):
    """Record ``text`` as the source the ``language`` translation of ``field`` was made from."""
    obj.translated_from = dict(obj.translated_from or {})
    obj.translated_from.setdefault(language, {})[field] = _snapshot(text)


def mark_current(article, keys):
    """Record the current source text behind each translation named in ``keys``."""
    wanted = set(keys)
    for obj, _variant, _position in _rows(article):
        changed = False
        for field in obj.TRACKED_TEXTS:
            for code in LANGUAGE_CODES:
                if f"{obj._meta.model_name}:{obj.pk}:{field}:{code}" in wanted:
                    entries = obj.translated_from.setdefault(code, {})
                    entries[field] = _snapshot(_text(obj, field, article.source_language))
                    changed = True
        if changed:
            type(obj).objects.filter(pk=obj.pk).update(translated_from=obj.translated_from)


# Words, single CJK characters (Japanese has no spaces), runs of spaces, punctuation.
_TOKENS = re.compile(r"[A-Za-z0-9_]+|\s+|.", re.DOTALL)


def _change_regions(old, new):
    """Yield ("equal", text) and ("change", removed, added) in order.

    Changes separated only by spaces are merged: "for our team" -> "(updated by Aiko)"
    reads as one replacement, not as six interleaved words.
    """
    regions = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for operation, a1, a2, b1, b2 in matcher.get_opcodes():
        if operation == "equal":
            regions.append(["equal", "".join(new[b1:b2])])
            continue
        removed, added = "".join(old[a1:a2]), "".join(new[b1:b2])
        if (
            len(regions) >= 2
            and regions[-1][0] == "equal"
            and not regions[-1][1].strip()
            and regions[-2][0] == "change"
        ):
            space = regions.pop()[1]
            regions[-1][1] += space + removed
            regions[-1][2] += space + added
        elif regions and regions[-1][0] == "change":
            regions[-1][1] += removed
            regions[-1][2] += added
        else:
            regions.append(["change", removed, added])
    return regions


def diff_html(before, after):
    """Return ``after`` with what changed since ``before`` marked with <del> and <ins>."""
    parts = []
    for region in _change_regions(_TOKENS.findall(before or ""), _TOKENS.findall(after or "")):
        if region[0] == "equal":
            parts.append(("{}", region[1]))
            continue
        if region[1]:
            parts.append(("<del>{}</del>", region[1]))
        if region[2]:
            parts.append(("<ins>{}</ins>", region[2]))
    return format_html(
        '<span class="kb-diff">{}</span>',
        format_html_join("", "{}", ((format_html(template, text),) for template, text in parts)),
    )
