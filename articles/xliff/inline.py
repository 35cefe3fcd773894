"""Inline Markdown as XLIFF inline codes, and back.

A translator moves codes but cannot edit them: everything in a unit's text that is
Markdown rather than words travels as an XLIFF 1.2 inline element whose content (or, for
``<g>``, whose ``ctype``) holds the Markdown exactly as written.

=====================================  ====================================================
Markdown                               XLIFF
=====================================  ====================================================
``**bold**`` / ``*italic*``            ``<g ctype="bold|italic">words</g>``
```code```                             ``<ph ctype="x-code">`code`</ph>``
``[[KB 1005]]``                        ``<ph ctype="x-kb-ref">[[KB 1005]]</ph>``
``[words](url "title")``               ``<bpt ctype="link">[</bpt>words<ept>](url "title")</ept>``
``![alt text](figure.png)``            ``<bpt ctype="x-image">![</bpt>alt text<ept>](…)</ept>``
``<kbd>Ctrl</kbd>``                    ``<bpt ctype="x-html">&lt;kbd&gt;</bpt>Ctrl<ept>…</ept>``
``<br>``, ``<https://…>``, ``\\*``     ``<ph ctype="x-html|x-autolink|x-escape">…</ph>``
a line break inside a paragraph        ``<ph ctype="lb">`` holding the break and the indent
=====================================  ====================================================

A unit's Markdown is a list of *events*: text, a placeholder, the opening or the closing
of a pair. Joining every event's Markdown gives back the text exactly (``to_markdown``),
whatever the text: anything the scanner does not recognise stays text.

Longer than 400 lines because the scanner, the writer and the reader of inline codes are
one grammar: a code the scanner makes must be exactly the code the checker expects back.
"""

import bisect
import re
from dataclasses import dataclass

from django.utils.translation import gettext
from lxml import etree

from ..markdown import CROSS_REFERENCE

NS = "urn:oasis:names:tc:xliff:document:1.2"
Q = f"{{{NS}}}"

# Emphasis written with underscores becomes asterisks in a translation: "__" only works
# between non-word characters, and Japanese has no spaces to stand there.
EMPHASIS = {"bold": "**", "italic": "*"}
# Codes a translation may leave out, as a pair with its words kept: Japanese marks a
# button's name with 「」 rather than bold type. Every other code must stay, once.
OPTIONAL_CTYPES = frozenset(EMPHASIS)
# Line breaks inside a paragraph are the translator's too: Japanese texts often break
# after a bold lead-in where English runs on. A break the source does not have may be
# kept (it comes from the current translation), as long as it is only a line break.
EXTRA_LINE_BREAK = re.compile(r"(?: {2,}|\\)?\n[ \t]*")


@dataclass(frozen=True)
class Text:
    text: str

    def markdown(self):
        return self.text


@dataclass(frozen=True)
class Placeholder:
    """A code standing alone: ``<ph>``."""

    id: str
    ctype: str
    native: str

    def markdown(self):
        return self.native


@dataclass(frozen=True)
class Open:
    """The start of a pair: ``<g>`` (emphasis) or ``<bpt>`` (link, image, HTML)."""

    id: str
    element: str  # "g" or "bpt"
    ctype: str
    native: str

    def markdown(self):
        return self.native


@dataclass(frozen=True)
class Close:
    id: str
    element: str  # "g" or "ept"
    native: str

    def markdown(self):
        return self.native


def to_markdown(events):
    return "".join(event.markdown() for event in events)


# --- Markdown -> events --------------------------------------------------------------------

_ESCAPE = re.compile(r"\\[\\`*_{}\[\]()#+\-.!<>|~\"']")
_LINE_BREAK = re.compile(r"(?: {2,}|\\)?\n[ \t>]*")
_SPACES = re.compile(r" +")
_BACKTICKS = re.compile(r"`+")
_AUTOLINK = re.compile(r"<(?:(?:https?|ftp|mailto):[^<>\s]+|[^<>@\s]+@[^<>@\s]+\.[^<>@\s]+)>")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)(?:\s[^<>]*?)?(/?)>")
_VOID_TAGS = frozenset({"br", "hr", "img", "wbr"})
_EMPHASIS_RUN = re.compile(r"\*{1,3}|_{1,3}")
# Pairs inside pairs deeper than this are text: no real text nests so deep, and the
# scanner's recursion stays far from Python's limit whatever a field holds.
MAX_DEPTH = 16


class _Scanner:
    """Turn one unit's Markdown into events, numbering codes from 1.

    Every closing mark (a code span's backticks, a bracket, a parenthesis, an HTML tag,
    an emphasis run) is found in one pass over the text before scanning, so the time is
    close to linear in the length whatever the text: a field of ten thousand ``[`` or
    ``*`` costs no more than ordinary words.
    """

    def __init__(self, text):
        self.text = text
        self.events = []
        self.next_id = 1
        self.depth = 0
        self.code_spans = self._find_code_spans()
        self.in_code = bytearray(len(text))
        for start, stop in self.code_spans.items():
            self.in_code[start:stop] = b"\x01" * (stop - start)
        self.closing = self._find_pairs()
        self.tag_pairs = self._find_tag_pairs()
        self.closers = {}

    # One pass each, before scanning.

    def _find_code_spans(self):
        """Return ``{start: end}`` of every code span: a run of backticks closed by the
        next run of the same length."""
        runs = [(m.start(), m.end()) for m in _BACKTICKS.finditer(self.text)]
        spans, by_length = {}, {}
        for index, (start, stop) in enumerate(runs):
            by_length.setdefault(stop - start, []).append(index)
        index = 0
        while index < len(runs):
            start, stop = runs[index]
            same = by_length[stop - start]
            following = bisect.bisect_right(same, index)
            if following < len(same):
                close = same[following]
                spans[start] = runs[close][1]
                index = close + 1
            else:
                index += 1
        return spans

    def _find_pairs(self):
        """Return ``{index of "[" or "(": index of its closing "]" or ")"}``."""
        text, closing, stacks = self.text, {}, {"[": [], "(": []}
        pairs = {"]": "[", ")": "("}
        i = 0
        while i < len(text):
            if self.in_code[i]:
                i += 1
                continue
            char = text[i]
            if char == "\\":
                i += 2
                continue
            if char == "\n":
                stacks["("].clear()  # a link's destination stays on its line
            if char in stacks:
                stacks[char].append(i)
            elif char in pairs and stacks[pairs[char]]:
                closing[stacks[pairs[char]].pop()] = i
            i += 1
        return closing

    def _find_tag_pairs(self):
        """Return ``{start of an opening tag: match of its closing tag}``."""
        pairs, stacks = {}, {}
        for match in _TAG.finditer(self.text):
            if self.in_code[match.start()]:
                continue
            closing, name, self_closing = match.group(1), match.group(2).lower(), match.group(3)
            if self_closing or name in _VOID_TAGS:
                continue
            if closing:
                if stacks.get(name):
                    pairs[stacks[name].pop()] = match
            else:
                stacks.setdefault(name, []).append(match.start())
        return pairs

    def _closer_positions(self, run):
        """Return the sorted positions where ``run`` can close emphasis."""
        if run not in self.closers:
            text, marker = self.text, re.escape(run)
            positions = []
            for match in re.finditer(f"{marker}(?!{re.escape(run[0])})", text):
                j = match.start()
                if j == 0 or text[j - 1].isspace() or text[j - 1] == "\\" or self.in_code[j]:
                    continue
                following = match.end()
                if run[0] == "_" and following < len(text) and _is_word(text[following]):
                    continue
                positions.append(j)
            self.closers[run] = positions
        return self.closers[run]

    # Scanning.

    def new_id(self):
        code_id = str(self.next_id)
        self.next_id += 1
        return code_id

    def add_text(self, text):
        if not text:
            return
        if self.events and isinstance(self.events[-1], Text):
            self.events[-1] = Text(self.events[-1].text + text)
        else:
            self.events.append(Text(text))

    def placeholder(self, ctype, native):
        self.events.append(Placeholder(self.new_id(), ctype, native))

    def pair(self, element, ctype, opening, start, stop, closing):
        """Add a pair around ``text[start:stop]``; its inside is scanned too."""
        code_id = self.new_id()
        self.events.append(Open(code_id, element, ctype, opening))
        self.depth += 1
        self.scan(start, stop)
        self.depth -= 1
        self.events.append(Close(code_id, "g" if element == "g" else "ept", closing))

    def scan(self, start, end):
        """Add the events of ``text[start:end]``."""
        text = self.text
        i = start
        while i < end:
            char = text[i]
            found = None
            if char == "`":
                found = self._code_span(i, end)
            elif char in "\\\n":
                found = self._escape_or_break(i, end)
            elif char == " ":
                found = self._spaces(i, end)
            elif self.depth >= MAX_DEPTH:
                found = None
            elif char == "[":
                found = self._cross_reference(i, end) or self._link(i, end, image=False)
            elif char == "!" and text.startswith("![", i):
                found = self._link(i + 1, end, image=True)
            elif char == "<":
                found = self._html(i, end)
            elif char in "*_":
                found = self._emphasis(i, end)
            if found is None:
                self.add_text(char)
                i += 1
            else:
                i = found

    def _match(self, pattern, i, end):
        match = pattern.match(self.text, i, end)
        return match if match and match.end() <= end else None

    def _code_span(self, i, end):
        stop = self.code_spans.get(i)
        if stop is None or stop > end:
            # A run of backticks without its closing run is text, all of it.
            run = _BACKTICKS.match(self.text, i, end).group()
            self.add_text(run)
            return i + len(run)
        self.placeholder("x-code", self.text[i:stop])
        return stop

    def _spaces(self, i, end):
        run = _SPACES.match(self.text, i, end).group()
        if len(run) >= 2:
            match = self._match(_LINE_BREAK, i, end)
            if match:
                self.placeholder("lb", match.group())
                return match.end()
        self.add_text(run)
        return i + len(run)

    def _escape_or_break(self, i, end):
        match = self._match(_LINE_BREAK, i, end)
        if match:
            self.placeholder("lb", match.group())
            return match.end()
        match = self._match(_ESCAPE, i, end)
        if match:
            self.placeholder("x-escape", match.group())
            return match.end()
        return None

    def _cross_reference(self, i, end):
        match = self._match(CROSS_REFERENCE, i, end)
        if not match:
            return None
        self.placeholder("x-kb-ref", match.group())
        return match.end()

    def _link(self, i, end, image):
        """``[words](url)`` at ``i`` (``![alt](src)`` from ``i - 1`` when ``image``)."""
        text = self.text
        close = self.closing.get(i)
        if close is None or close >= end:
            return None
        after = close + 1
        if after < end and text[after] == "(" or after < end and text[after] == "[":
            tail_end = self.closing.get(after)
            tail_end = None if tail_end is None else tail_end + 1
        else:
            tail_end = None
        if tail_end is None or tail_end > end:
            return None
        start = i - 1 if image else i
        self.pair(
            "bpt",
            "x-image" if image else "link",
            text[start : i + 1],
            i + 1,
            close,
            text[close:tail_end],
        )
        return tail_end

    def _html(self, i, end):
        for pattern, ctype in ((_AUTOLINK, "x-autolink"), (_COMMENT, "x-html")):
            match = self._match(pattern, i, end)
            if match:
                self.placeholder(ctype, match.group())
                return match.end()
        match = self._match(_TAG, i, end)
        if not match:
            return None
        close = self.tag_pairs.get(i)
        if close is None or close.end() > end:
            self.placeholder("x-html", match.group())
            return match.end()
        self.pair("bpt", "x-html", match.group(), match.end(), close.start(), close.group())
        return close.end()

    def _emphasis(self, i, end):
        text = self.text
        run = _EMPHASIS_RUN.match(text, i, end).group()
        after = i + len(run)
        if after >= end or text[after].isspace():
            self.add_text(run)
            return after
        if run[0] == "_" and i > 0 and _is_word(text[i - 1]):
            self.add_text(run)  # snake_case: underscores inside a word are text
            return after
        positions = self._closer_positions(run)
        index = bisect.bisect_right(positions, after)
        close = positions[index] if index < len(positions) else None
        if close is None or close + len(run) > end:
            self.add_text(run)
            return after
        if len(run) == 3:  # ***both*** is bold around italic
            code_id = self.new_id()
            self.events.append(Open(code_id, "g", "bold", run[:2]))
            self.pair("g", "italic", run[:1], after, close, run[:1])
            self.events.append(Close(code_id, "g", run[:2]))
        else:
            ctype = "bold" if len(run) == 2 else "italic"
            self.pair("g", ctype, run, after, close, run)
        return close + len(run)


def _is_word(char):
    return char.isalnum() or char == "_"


def parse_markdown(text):
    """Return the events of one unit's Markdown; ``to_markdown`` gives ``text`` back."""
    scanner = _Scanner(text)
    scanner.scan(0, len(text))
    return scanner.events


def plain_events(text):
    """Return the events of a plain-text field: its words, no codes."""
    return [Text(text)] if text else []


# --- Events -> XLIFF -----------------------------------------------------------------------


def write_content(element, events):
    """Write ``events`` as the mixed content of ``element`` (a ``<source>`` or ``<target>``)."""
    stack = [element]
    last = None  # the element whose tail receives the next text (None: the parent's text)

    def add_text(text):
        if last is None:
            stack[-1].text = (stack[-1].text or "") + text
        else:
            last.tail = (last.tail or "") + text

    for event in events:
        if isinstance(event, Text):
            add_text(event.text)
        elif isinstance(event, Placeholder):
            last = etree.SubElement(stack[-1], Q + "ph", id=event.id, ctype=event.ctype)
            last.text = event.native
        elif isinstance(event, Open) and event.element == "g":
            group = etree.SubElement(stack[-1], Q + "g", id=event.id, ctype=event.ctype)
            stack.append(group)
            last = None
        elif isinstance(event, Close) and event.element == "g":
            last = stack.pop()
        elif isinstance(event, Open):
            last = etree.SubElement(stack[-1], Q + "bpt", id=event.id, ctype=event.ctype)
            last.text = event.native
        else:
            last = etree.SubElement(stack[-1], Q + "ept", id=event.id)
            last.text = event.native


# --- XLIFF -> events ------------------------------------------------------------------------


class InlineError(Exception):
    """A unit's content that cannot be taken: ``message`` says what, for the translator."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def read_content(element):
    """Return the events of a ``<source>`` or ``<target>`` as a translator's tool wrote it.

    Natives are read as written (``<g>``: from its ctype); ``check_codes`` compares them
    with the source. ``<mrk>`` (a tool's segment or term marks) is transparent.
    """
    events = []

    def add_text(text):
        if text:
            events.append(Text(text))

    def walk(parent):
        add_text(parent.text)
        for child in parent:
            if not isinstance(child.tag, str):  # a comment or processing instruction
                add_text(child.tail)
                continue
            tag = etree.QName(child).localname if child.tag.startswith(Q) else None
            code_id = child.get("id", "")
            if tag == "ph":
                _no_children(child)
                events.append(Placeholder(code_id, child.get("ctype", ""), child.text or ""))
            elif tag == "bpt":
                _no_children(child)
                events.append(Open(code_id, "bpt", child.get("ctype", ""), child.text or ""))
            elif tag == "ept":
                _no_children(child)
                events.append(Close(code_id, "ept", child.text or ""))
            elif tag == "g":
                marker = EMPHASIS.get(child.get("ctype", ""), "")
                events.append(Open(code_id, "g", child.get("ctype", ""), marker))
                walk(child)
                events.append(Close(code_id, "g", marker))
            elif tag == "mrk":
                walk(child)
            else:
                raise InlineError(
                    gettext("unexpected element <%(name)s>")
                    % {"name": etree.QName(child).localname}
                )
            add_text(child.tail)

    walk(element)
    merged = []
    for event in events:
        if isinstance(event, Text) and merged and isinstance(merged[-1], Text):
            merged[-1] = Text(merged[-1].text + event.text)
        else:
            merged.append(event)
    return merged


def _no_children(element):
    for child in element:
        if isinstance(child.tag, str):
            raise InlineError(
                gettext("unexpected element inside <%(name)s>")
                % {"name": etree.QName(element).localname}
            )


# --- Checking a translation's codes against its source --------------------------------------


def _codes(events):
    return [event for event in events if not isinstance(event, Text)]


def check_codes(source, target):
    """Return the target's events with every code's Markdown taken from the source.

    Raise ``InlineError`` when a code was lost (only emphasis may go, as a pair), added,
    duplicated, changed, or when pairs no longer nest.
    """
    by_id = {}
    for event in _codes(source):
        by_id.setdefault(event.id, {})[type(event)] = event
    seen = {}
    stack = []
    result = []
    for event in target:
        if isinstance(event, Text):
            result.append(event)
            continue
        kind = type(event)
        original = by_id.get(event.id, {}).get(kind)
        if (
            original is None
            and kind is Placeholder
            and event.ctype == "lb"
            and EXTRA_LINE_BREAK.fullmatch(event.native)
            and not seen.get((event.id, kind))
        ):
            seen[(event.id, kind)] = True
            result.append(event)
            continue
        if original is None:
            raise InlineError(
                gettext("inline code %(id)s is not in the source") % {"id": repr(event.id)}
            )
        if _signature(original) != _signature(event):
            raise InlineError(
                gettext("inline code %(id)s was changed: %(before)s became %(after)s")
                % {
                    "id": repr(event.id),
                    "before": repr(original.native),
                    "after": repr(event.native),
                }
            )
        if seen.get((event.id, kind)):
            raise InlineError(
                gettext("inline code %(id)s appears more than once") % {"id": repr(event.id)}
            )
        seen[(event.id, kind)] = True
        if kind is Open:
            stack.append(event.id)
        elif kind is Close:
            if not stack or stack[-1] != event.id:
                raise InlineError(
                    gettext("inline code %(id)s closes before it opens or across another pair")
                    % {"id": repr(event.id)}
                )
            stack.pop()
        result.append(original)
    if stack:
        raise InlineError(
            gettext("inline code %(id)s is opened but never closed") % {"id": repr(stack[-1])}
        )
    for code_id, kinds in by_id.items():
        for kind, original in kinds.items():
            if seen.get((code_id, kind)):
                continue
            if kind is Placeholder and original.ctype == "lb":
                continue
            opening = kinds.get(Open)
            if (
                kind in (Open, Close)
                and original.element == "g"
                and opening is not None
                and opening.ctype in OPTIONAL_CTYPES
                and not seen.get((code_id, Open))
                and not seen.get((code_id, Close))
            ):
                continue  # emphasis left out as a pair
            raise InlineError(
                gettext("inline code %(id)s (%(code)s) was lost")
                % {"id": repr(code_id), "code": repr(original.native)}
            )
    return result


def _signature(event):
    if isinstance(event, Open) and event.element == "g":
        return ("g", event.ctype)
    if isinstance(event, Close) and event.element == "g":
        return ("g",)
    return (type(event).__name__, getattr(event, "element", ""), event.native)


def normalise_translation(events):
    """Return a translation's events made safe for the unit's place.

    Line breaks a tool put inside the words become spaces (a line break would start a
    new block and so escape the list item or table cell the unit belongs to); a code
    holding a line break (``lb``) keeps its own. Emphasis is always written with asterisks.
    """
    result, markers = [], {}
    for event in events:
        if isinstance(event, Text):
            result.append(
                Text(re.sub(r"[ \t]*[\r\n][ \t\r\n]*", " ", event.text).replace("\t", " "))
            )
        elif isinstance(event, Open) and event.element == "g":
            markers[event.id] = EMPHASIS.get(event.ctype, event.native)
            result.append(Open(event.id, "g", event.ctype, markers[event.id]))
        elif isinstance(event, Close) and event.element == "g":
            result.append(Close(event.id, "g", markers.get(event.id, event.native)))
        else:
            result.append(event)
    return result


def match_ids(source, translation):
    """Give the codes of an existing translation the ids of the same codes in the source.

    A code matches the first unused source code of the same kind and Markdown (emphasis:
    the same ctype). A code the source does not have keeps an id no source code has, so
    that a translation which changes it is refused rather than guessed at.
    """
    unused = [event for event in _codes(source) if not isinstance(event, Close)]
    renamed, opened = [], {}
    extra = 0
    for event in translation:
        if isinstance(event, Text):
            renamed.append(event)
            continue
        if isinstance(event, Close):
            renamed.append(type(event)(**{**event.__dict__, "id": opened.get(event.id, event.id)}))
            continue
        match = next((code for code in unused if _same_code(code, event)), None)
        if match is not None:
            unused.remove(match)
            new_id = match.id
        else:
            extra += 1
            new_id = f"t{extra}"
        if isinstance(event, Open):
            opened[event.id] = new_id
        renamed.append(type(event)(**{**event.__dict__, "id": new_id}))
    return renamed


def _same_code(source_code, code):
    if type(source_code) is not type(code):
        return False
    if isinstance(code, Open) and code.element == "g":
        return source_code.element == "g" and source_code.ctype == code.ctype
    return source_code.native == code.native
