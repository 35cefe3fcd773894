"""Read the glossary (docs/glossary.yaml) and find the variants it rules out in a text.

Shared by tests/test_glossary.py and anyone who wants to check a folder of content files
before importing it:

    .venv/bin/python -m tests.glossary demo/
"""

import re
import sys
from dataclasses import dataclass
from pathlib import Path

import polib
import yaml

BASE = Path(__file__).resolve().parent.parent
GLOSSARY = BASE / "docs" / "glossary.yaml"
CATALOG = BASE / "locale" / "ja" / "LC_MESSAGES" / "django.po"
LANGUAGES = ("en", "ja")
# Keys of a content file whose values are not reader-facing text.
NOT_TEXT = {"figure", "translated_from"}


@dataclass(frozen=True)
class Finding:
    where: str  # file and place in it
    language: str
    variant: str
    use: str  # the glossary's term
    context: str  # the variant with a few characters either side

    def __str__(self):
        return f"{self.where} [{self.language}]: {self.variant!r} -> {self.use!r}: …{self.context}…"


def terms(value):
    """Return the terms of a glossary cell: "a, b" or a list."""
    if isinstance(value, list):
        return [str(v) for v in value]
    return [part.strip() for part in str(value or "").split(",") if part.strip()]


def load(path=GLOSSARY):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


# What ``{n}`` in a term stands for: a number as a text writes it, digits or a placeholder
# of the interface strings (%(count)s, %(count)d, {count}).
NUMBER = r"(?:\d+|%\(\w+\)[sd]|\{\w+\})"


def _pattern(term, language):
    literal = NUMBER.join(re.escape(part) for part in term.split("{n}"))
    if language == "en":
        # Whole words, any case, with a plural ending: "security codes" is "security code".
        return re.compile(rf"(?<![\w-]){literal}(?:e?s)?(?![\w-])", re.IGNORECASE)
    return re.compile(literal)


class Checker:
    """Find ruled-out variants in texts, never inside a longer allowed term."""

    def __init__(self, glossary):
        self.allowed = {language: [] for language in LANGUAGES}
        self.variants = []  # (language, variant, use, pattern, interface only)
        for entry in glossary:
            for language in LANGUAGES:
                for term in terms(entry.get(language)):
                    self.allowed[language].append(_pattern(term, language))
        for entry in glossary:
            for key, interface_only in (("avoid", False), ("avoid_in_interface", True)):
                for language, variants in (entry.get(key) or {}).items():
                    use = ", ".join(terms(entry.get(language))) or entry["concept"]
                    for variant in terms(variants):
                        pattern = _pattern(variant, language)
                        self.variants.append((language, variant, use, pattern, interface_only))

    def find(self, text, language, where, interface=False):
        """Return a Finding for every ruled-out variant in ``text``."""
        covered = [
            match.span() for pattern in self.allowed[language] for match in pattern.finditer(text)
        ]
        found = []  # (span, Finding)
        for variant_language, variant, use, pattern, interface_only in self.variants:
            if variant_language != language or (interface_only and not interface):
                continue
            for match in pattern.finditer(text):
                start, end = match.span()
                inside_longer_term = any(
                    s <= start and end <= e and (e - s) > (end - start) for s, e in covered
                )
                if not inside_longer_term:
                    context = text[max(0, start - 12) : end + 12].replace("\n", " ")
                    found.append(((start, end), Finding(where, language, variant, use, context)))
        # "authenticator app" inside "mobile authenticator app" is one finding, not two.
        return [
            finding
            for (start, end), finding in found
            if not any(s <= start and end <= e and (e - s) > (end - start) for (s, e), _ in found)
        ]


def content_texts(path):
    """Yield (place, language, text) for every reader-facing text of a content file."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))

    def walk(value, place):
        if isinstance(value, dict):
            if set(value) & set(LANGUAGES) and all(isinstance(v, str) for v in value.values()):
                for language in LANGUAGES:
                    if value.get(language):
                        yield place, language, value[language]
                return
            for key, item in value.items():
                if key not in NOT_TEXT:
                    yield from walk(item, f"{place}.{key}" if place else str(key))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                yield from walk(item, f"{place}[{index}]")

    yield from walk(data, "")


def content_files(folder):
    return [
        folder / "categories.yaml",
        folder / "platforms.yaml",
        *sorted((folder / "articles").glob("*.yaml")),
    ]


def check_content(checker, folder):
    findings = []
    for path in content_files(folder):
        for place, language, text in content_texts(path):
            where = f"{path.relative_to(folder.parent)}: {place}"
            findings += checker.find(text, language, where)
    return findings


def check_catalog(checker, path=CATALOG):
    findings = []
    for entry in polib.pofile(str(path)):
        if entry.obsolete:
            continue
        where = f"{path.name}: msgid {entry.msgid[:50]!r}"
        for text in (entry.msgid, entry.msgid_plural):
            findings += checker.find(text or "", "en", where, interface=True)
        for text in (entry.msgstr, *entry.msgstr_plural.values()):
            findings += checker.find(text or "", "ja", where, interface=True)
    return findings


if __name__ == "__main__":
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else BASE / "demo"
    found = check_content(Checker(load()), folder.resolve())
    print("\n".join(map(str, found)) or "No ruled-out variant.")
    sys.exit(1 if found else 0)
