"""Interface translations: every string is in the .po file, and the compiled catalogue
says what the .po file says."""

import gettext
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
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


# Every string marked for translation in the code and templates is in the .po file: the
# strings are extracted as `make messages` extracts them (Django's makemessages, which runs
# gettext's xgettext), from a copy of the sources, and compared with the committed file.

# What `make messages` leaves out (--ignore), and what holds no source at all.
NOT_SOURCES = [".venv", "data", "tests", ".git", ".hypothesis", ".ruff_cache", "node_modules"]
SOURCE_SUFFIXES = {".py", ".html", ".txt"}


def extract_messages(tmp_path):
    """Return the .po file makemessages writes for Japanese from a copy of the sources."""
    if shutil.which("xgettext") is None:
        pytest.fail("gettext's xgettext is needed: `make test` installs gettext")
    root = Path(settings.BASE_DIR)

    def not_sources(folder, names):
        return [
            name
            for name in names
            if name in NOT_SOURCES
            or ((Path(folder) / name).is_file() and Path(name).suffix not in SOURCE_SUFFIXES)
        ]

    copy = tmp_path / "sources"
    shutil.copytree(root, copy, ignore=not_sources)
    (copy / "locale").mkdir(exist_ok=True)
    environment = {
        name: value
        for name, value in os.environ.items()
        if name not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "ja", "--no-location"],
        cwd=copy,
        env={**environment, "KB_DATA_DIR": str(tmp_path / "data")},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return polib.pofile(str(copy / "locale" / "ja" / "LC_MESSAGES" / "django.po"))


def describe(entry):
    text = repr(entry.msgid)
    if entry.msgid_plural:
        text += f" (plural {entry.msgid_plural!r})"
    if entry.msgctxt:
        text += f" (context {entry.msgctxt!r})"
    return text


def test_every_translatable_string_in_code_and_templates_is_in_the_po_file(tmp_path):
    def key(entry):
        return entry.msgctxt, entry.msgid, entry.msgid_plural

    extracted = [e for e in extract_messages(tmp_path) if e.msgid and not e.obsolete]
    assert len(extracted) > 100  # the extraction found the interface's strings
    committed = {key(e) for e in polib.pofile(str(LOCALE / "django.po")) if not e.obsolete}
    missing = [describe(e) for e in extracted if key(e) not in committed]
    assert not missing, (
        f"{len(missing)} translatable strings are not in locale/ja/LC_MESSAGES/django.po "
        "(run `make messages`, then translate them):\n" + "\n".join(missing)
    )
