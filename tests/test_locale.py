"""Interface translations: the compiled catalogue says what the .po file says."""

import gettext
import re
from pathlib import Path

import polib
from django.conf import settings
from django.utils import translation

LOCALE = Path(settings.BASE_DIR) / "locale" / "ja" / "LC_MESSAGES"


def test_mo_file_agrees_with_po_file():
    po = polib.pofile(str(LOCALE / "django.po"))
    with open(LOCALE / "django.mo", "rb") as handle:
        mo = gettext.GNUTranslations(handle)
    entries = [e for e in po if not e.obsolete and not e.fuzzy and e.msgid]
    assert entries
    for entry in entries:
        if entry.msgid_plural:
            for index, text in entry.msgstr_plural.items():
                assert mo.ngettext(entry.msgid, entry.msgid_plural, 1 if index == 0 else 2) == text
        else:
            key = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
            assert mo._catalog.get(key) == entry.msgstr, entry.msgid


def test_every_interface_string_is_translated():
    po = polib.pofile(str(LOCALE / "django.po"))
    assert po.untranslated_entries() == []
    assert po.fuzzy_entries() == []


def test_interface_is_japanese_under_ja():
    with translation.override("ja"):
        assert translation.gettext("Page not found") == "ページが見つかりません"


def test_japanese_strings_use_full_width_punctuation_and_no_spaces_around_placeholders():
    # 「（）」 and 「：」 in Japanese text; a value put into a sentence sits against the
    # words around it (「%(counter)s項目」, not 「%(counter)s 個の項目」).
    cjk = r"[\u3000-\u30ff\u4e00-\u9fff\uff00-\uffef]"
    value = r"(?:%\(\w+\)s|\{\w+\})"
    rules = [
        rf"{cjk}\s*\(|\)\s*{cjk}|\(\s*{cjk}",  # half-width parentheses
        rf"{cjk}: ",  # half-width colon
        rf"{cjk} {value}|{value} {cjk}|{cjk} [A-Za-z]+{cjk}",  # spaces around values, words
    ]
    wrong = []
    for entry in polib.pofile(str(LOCALE / "django.po")):
        for text in (entry.msgstr, *entry.msgstr_plural.values()):
            text = re.sub(r"<[^>]+>", "", text)  # markup is not text
            wrong += [(entry.msgid, text) for rule in rules if re.search(rule, text)]
    assert not wrong, wrong
