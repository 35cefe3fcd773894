"""A field's Markdown as translation units: one per paragraph, list item, heading or
table cell, and the skeleton around them.

The skeleton is everything a translator does not translate: blank lines, list markers,
``>`` of quotes, ``#`` of headings, table pipes and rules, fenced code blocks, code
indented by four spaces, link reference definitions. ``join(skeleton, units)`` gives the
text back exactly; a translation is the same skeleton around the translated units, so a
translator can neither break the page's structure nor move text between blocks.

A paragraph's lines stay one unit: the line break and the indent of the next line are a
code of the unit (``lb``, see inline.py), which the translator places.
"""

import re
from dataclasses import dataclass

_FENCE = re.compile(r"^[ \t]*(?:>[ \t]?)*[ \t]*(`{3,}|~{3,})")
_RULE = re.compile(r"^[ \t]*(?:>[ \t]*)*(?:(?:[-*_][ \t]*){3,}|=+[ \t]*)$")
_REFERENCE = re.compile(r"^[ \t]{0,3}\[[^\]\n]+\]:[ \t]*\S")
_TABLE_RULE = re.compile(r"^[ \t]*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$")
# What opens a block: indentation, quote marks, then a list marker or a heading's hashes.
_BLOCK_PREFIX = re.compile(
    r"^([ \t]*(?:>[ \t]?)*[ \t]*)((?:[-*+]|\d{1,9}[.)])[ \t]+|#{1,6}(?:[ \t]+|(?=\S)))?"
)
_CLOSING_HASHES = re.compile(r"[ \t]+#+[ \t]*$")
_CELL_SPACE = re.compile(r"^([ \t]*)(.*?)([ \t]*)$", re.DOTALL)


@dataclass
class Segmented:
    skeleton: list  # len(units) + 1 strings
    units: list


def join(skeleton, units):
    """Return the skeleton with ``units`` in its places."""
    parts = [skeleton[0]]
    for unit, after in zip(units, skeleton[1:], strict=True):
        parts.extend((unit, after))
    return "".join(parts)


def plain(text):
    """Segment a plain-text field (a title, a caption): its words are one unit."""
    text = text.replace("\r\n", "\n")
    core = text.strip()
    if not core:
        return Segmented([text], [])
    start = text.index(core)
    return Segmented([text[:start], text[start + len(core) :]], [core])


class _Builder:
    def __init__(self):
        self.skeleton = [""]
        self.units = []
        self.open = False  # the last unit may still take a paragraph's next line

    def keep(self, text, closes=True):
        self.skeleton[-1] += text
        if closes:
            self.open = False

    def unit(self, text, open_paragraph=False):
        core = text.rstrip(" \t")
        if not core:
            self.keep(text)
            return
        self.units.append(core)
        self.skeleton.append(text[len(core) :])
        self.open = open_paragraph

    def continue_unit(self, indent, text):
        """Add a paragraph's next line: the line break before it (with any spaces that
        make it a hard break) and ``indent`` become part of the unit."""
        line_break = self.skeleton.pop()
        core = text.rstrip(" \t")
        self.units[-1] += line_break + indent + core
        self.skeleton.append(text[len(core) :])


def markdown(text):
    """Segment a Markdown field."""
    text = text.replace("\r\n", "\n")
    lines = text.split("\n")
    builder = _Builder()
    fence = None
    in_table = False
    previous_blank = True
    in_list = False
    for index, line in enumerate(lines):
        ending = "\n" if index < len(lines) - 1 else ""
        if fence:
            builder.keep(line + ending)
            if line.strip().startswith(fence):
                fence = None
            continue
        opening = _FENCE.match(line)
        if opening:
            fence = opening.group(1)[0] * 3
            builder.keep(line + ending)
            previous_blank = False
            continue
        if not line.strip():
            builder.keep(line + ending)
            previous_blank, in_table = True, False
            continue
        if in_table or (
            "|" in line
            and index + 1 < len(lines)
            and _TABLE_RULE.match(lines[index + 1])
            and "|" in lines[index + 1] + line
        ):
            in_table = True
            if _TABLE_RULE.match(line):
                builder.keep(line + ending)
            else:
                _table_row(builder, line)
                builder.keep(ending)
            previous_blank = False
            continue
        if _RULE.match(line) or _REFERENCE.match(line):
            builder.keep(line + ending)
            previous_blank = False
            continue
        if (
            previous_blank
            and not in_list
            and (line.startswith("    ") or line.startswith("\t"))
            and not builder.open
        ):
            builder.keep(line + ending)  # indented code
            continue
        prefix = _BLOCK_PREFIX.match(line)
        quote_and_indent, marker = prefix.group(1), prefix.group(2) or ""
        content = line[prefix.end() :]
        if marker.startswith("#"):
            hashes = _CLOSING_HASHES.search(content)
            closing = hashes.group() if hashes else ""
            builder.keep(quote_and_indent + marker)
            builder.unit(content[: len(content) - len(closing)])
            builder.keep(closing + ending)
            previous_blank = False
            continue
        if builder.open and not marker and not previous_blank:
            builder.continue_unit(quote_and_indent, content)
        else:
            builder.keep(quote_and_indent + marker)
            builder.unit(content, open_paragraph=True)
        if marker:
            in_list = True
        elif previous_blank and not quote_and_indent:
            in_list = False
        builder.keep(ending, closes=False)
        previous_blank = False
    segmented = Segmented(builder.skeleton, builder.units)
    if join(segmented.skeleton, segmented.units) != text:  # pragma: no cover - a bug here
        raise AssertionError("segmenting lost text")
    return segmented


def _table_row(builder, line):
    """Each cell of a table row is a unit; pipes and padding are skeleton."""
    cells = _split_cells(line)
    for cell, pipe in cells:
        match = _CELL_SPACE.match(cell)
        builder.keep(match.group(1))
        builder.unit(match.group(2))
        builder.keep(match.group(3) + pipe)


def _split_cells(line):
    """Return ``[(cell, pipe after it)]``: split at pipes outside code spans and escapes."""
    cells, current, i = [], "", 0
    while i < len(line):
        char = line[i]
        if char == "\\" and i + 1 < len(line):
            current += line[i : i + 2]
            i += 2
            continue
        if char == "`":
            run = re.match(r"`+", line[i:]).group()
            close = line.find(run, i + len(run))
            if close != -1:
                current += line[i : close + len(run)]
                i = close + len(run)
                continue
        if char == "|":
            cells.append((current, "|"))
            current = ""
        else:
            current += char
        i += 1
    cells.append((current, ""))
    return cells
