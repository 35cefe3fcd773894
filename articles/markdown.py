"""Rendering of editor-written Markdown: the one place it happens.

Editors' Markdown is stored as typed and rendered on output: Markdown → HTML, article
cross-references (``[[KB 1042]]``) → links, then the HTML is sanitised with nh3 (the Rust
``ammonia`` sanitiser) so that nothing an editor types can reach the page as script.
Sanitising *after* rendering matters: Markdown happily passes raw HTML through.

Rendering time is bounded, whatever the text (docs/editing.md: *Markdown: bounded rendering time*).
Python-Markdown's work is not proportional to the length of its input: it looks for the
end of a link by scanning forward from every ``[``, tries some thirty patterns on the
text of every element, and re-examines what is left of a block each time it splits one
off. So the renderer counts that work as it happens (``_Meter``) and stops at a fixed
budget, well above what real texts need; such a text, and any text longer than a field
may be, is shown as what it is: escaped plain text in paragraphs.

Longer than 400 lines because the metered renderer and the sanitiser's rules belong
together: splitting them would let a caller render without the budget or the sanitiser.
"""

import bisect
import hashlib
import re
import threading
from functools import lru_cache

import markdown as markdown_lib
import nh3
from django.core.exceptions import ValidationError
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from markdown.extensions.tables import PIPE_LEFT, PIPE_NONE, PIPE_RIGHT, TableProcessor
from markdown.htmlparser import HTMLExtractor
from markdown.inlinepatterns import LinkInlineProcessor
from markdown.preprocessors import HtmlBlockPreprocessor

EXTENSIONS = ["tables", "fenced_code", "sane_lists", "smarty"]

# Japanese characters: kana, CJK ideographs, Japanese punctuation (「」、。) and full-width forms.
JAPANESE = re.compile("[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")


def smart_quotes(text):
    """Return whether ``text`` gets typographic quotes ("a" → “a”, it's → it’s).

    Not a text with Japanese in it. Smarty tells an opening quote from a closing one by
    what stands before it (a space or punctuation opens, a letter closes), and Japanese
    has no spaces: 「メニューバーに"開発"メニュー」 came out as ”開発”, two closing quotes.
    Nor would guessing per quote do: in "Develop"メニュー one quote stands next to Japanese
    and the other does not, and a pair must look alike. So a Japanese text keeps the
    quotes as typed (Japanese writing uses 「」 anyway); dashes and ellipses are still set.
    """
    return JAPANESE.search(text) is None


def extension_configs(text):
    """Return the extensions' settings ``text`` is rendered with (see ``smart_quotes``)."""
    return {"smarty": {"smart_quotes": smart_quotes(text)}}


# The longest text a Markdown field may hold (models.py keeps every field at or under it);
# the time bound is measured up to this length (bench/markdown_bench.py).
MAX_TEXT_LENGTH = 10_000

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "details", "dd", "dl", "dt", "em",
    "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd", "li",
    "mark", "ol", "p", "pre", "s", "samp", "small", "strong", "sub", "summary", "sup",
    "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start"},
    "td": {"align", "colspan", "rowspan"},
    "th": {"align", "colspan", "rowspan", "scope"},
}
# Relative URLs (our own pages and media) are always allowed; of absolute ones, only these.
URL_SCHEMES = {"http", "https", "mailto"}

CROSS_REFERENCE = re.compile(r"\[\[\s*KB\s*(\d{1,9})\s*\]\]", re.IGNORECASE)


def referenced_numbers(*texts):
    """Return the article numbers cross-referenced in ``texts`` as ``[[KB n]]``."""
    numbers = set()
    for text in texts:
        if text:
            numbers.update(int(match) for match in CROSS_REFERENCE.findall(text))
    return numbers


def _link_references(html, references):
    def replace(match):
        number = int(match.group(1))
        target = references.get(number)
        if target is None:
            # A draft or unknown article: plain text, never a broken link.
            return f"KB {number}"
        url, title = target
        return f'<a href="{escape(url)}" class="kb-ref">{escape(title)}</a>'

    return CROSS_REFERENCE.sub(replace, html)


def _clean(html):
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        allowed_classes={"a": {"kb-ref"}},
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def sanitize(html):
    """Return ``html`` with everything but harmless formatting removed.

    Cleaned until stable: for badly nested input (``<p><object></p>``) one pass can leave
    markup that a second parse would rearrange; the result must be a fixed point so that
    sanitising twice never changes a page.
    """
    cleaned = _clean(html)
    for _attempt in range(3):
        again = _clean(cleaned)
        if again == cleaned:
            break
        cleaned = again
    return cleaned


# Bounded rendering time.
#
# Work is counted in units of about a microsecond of Python-Markdown's time on the
# project's 2-core machine; `bench/markdown_bench.py --calibrate` compares the two for
# every construct. Ten thousand characters of the demo articles need about 14,000.
WORK_LIMIT = 20_000

# What counted work costs, in those units.
COST_PER_CHARACTER = 0.35  # reading any text at all
COST_PER_MARKUP_CHARACTER = 4  # each "<" and "&": Python's HTML parser stops at them
COST_PER_BLOCK = 12  # a block the parser builds (paragraph, list, header, table, ...)
COST_PER_BLOCK_CHARACTER = 0.005  # ... per character of what is left of it, copied
COST_PER_BLOCK_LINE = 0.05  # ... per line of it, split and joined again
COST_PER_SIBLING = 0.01  # ... per element already in its parent (found again by a search)
# Block processors whose question "is this block mine?" searches the whole block:
# (fixed, per character, per line).
BLOCK_TEST_COSTS = {
    "hashheader": (0, 0.018, 0.02),
    "setextheader": (0, 0.015, 0),
    "hr": (0, 0.008, 0.12),
    "quote": (5, 0.02, 0.02),
}
BLOCK_LINE_COSTS = {"quote": 1}  # ... and whose work is per line, in Python
# The block quote's question also walks Python's whole stack, which grows with each
# quote inside a quote: per quote the block is inside.
COST_PER_QUOTE_DEPTH = 0.3
COST_PER_CELL = 12  # a table cell (counted by its "|")
COST_PER_ROW_CHARACTER = 0.07  # ... per character of a row split into cells (or tried)
COST_PER_PIPE_AND_BACKTICK = 0.012  # ... per "|" and "`" of the same row
COST_PER_STASHED = 3  # a piece of raw HTML or code set aside until the end
COST_PER_PATTERN_TRY = 1  # an inline pattern applied to the text of an element
COST_PER_PATTERN_SEARCH = 0.25  # ... only looked for, when none of them is there
COST_PER_MATCH = 8  # an inline pattern found where it could start (quote, dash, entity, ...)
MATCH_COSTS = {  # ... for the patterns measured to cost more, by their Python-Markdown name
    "em_strong": 35,
    "automail": 35,
    "autolink": 20,
    "backtick": 20,
    "image_link": 25,
    "link": 16,
    "reference": 17,
    "image_reference": 17,
    "short_reference": 16,
    "short_image_ref": 16,
    "linebreak": 18,
}
COST_PER_REWRITTEN_CHARACTER = 0.0005  # ... per character of the text it rewrites
COST_PER_LINK_CHARACTER = 0.15  # looking for the "]" or ")" that ends a link
COST_PER_TAG = 8  # an HTML tag, or what starts like one ("<a")
COST_PER_TAG_CHARACTER = 0.07  # ... per character looked at for the ">" that ends it
COST_PER_SEARCHED_CHARACTER = 0.002  # ... for the ">" that ends an end tag or declaration
COST_PER_FENCE_CHARACTER = 0.03  # looking for the line that closes a code fence


class TooComplex(Exception):
    """The text needs more work than ``WORK_LIMIT``: no real article does."""


FENCE_LINE = re.compile(r"^(?:~{3,}|`{3,})[^\n]*", re.MULTILINE)
SIMPLE_OPENING = re.compile(r"(~{3,}|`{3,})[ ]*\.?[\w#.+-]*[ ]*")


def _unclosed_fence_scans(text):
    """Return how many characters the fenced-code extension scans in vain.

    Its pattern looks, from each line opening a fence (``` or ~~~ at the start of a line),
    for a later line holding the same fence alone; for an opening that has none, it reads
    to the end of the text, inside one regular-expression search that nothing could count
    from outside. So the search is replayed here, from the fence lines alone.
    """
    # As Python-Markdown reads it: without STX/ETX characters, with one kind of newline.
    text = text.replace("\x02", "").replace("\x03", "")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = [(match.start(), match.group()) for match in FENCE_LINE.finditer(text)]
    closings = {}
    for start, line in lines:
        closings.setdefault(line.rstrip(" "), []).append(start)
    scanned, resume = 0, 0
    for start, line in lines:
        if start < resume:
            continue  # inside a code block already found
        opening = SIMPLE_OPENING.fullmatch(line)
        if opening is None:
            # Attributes, highlighted lines or no valid opening at all: assume the worst.
            scanned += len(text) - start
            continue
        later = closings.get(opening.group(1), [])
        index = bisect.bisect_right(later, start)
        if index < len(later):
            resume = later[index] + 1
        else:
            scanned += len(text) - start
    return scanned


class _Meter:
    """Count Python-Markdown's work for one text, and stop it at ``WORK_LIMIT``.

    Work is counted where its cost is not proportional to the length of the text: per
    block, element and inline match, per character of the forward scans that can run to
    the end of the text (links, tags, code fences), and of what is copied each time a
    block or a line of text is split. The count depends on the text only, never on the
    clock: a text always renders the same way, whatever else the machine is doing.
    """

    def __init__(self):
        self.left = WORK_LIMIT
        self.depth = 0

    def start(self, text):
        """Start counting for ``text``, charging first what is cheaper to foresee."""
        self.left = WORK_LIMIT
        self.depth = 0
        self.spend(
            len(text) * COST_PER_CHARACTER
            + (text.count("<") + text.count("&")) * COST_PER_MARKUP_CHARACTER
            + _unclosed_fence_scans(text) * COST_PER_FENCE_CHARACTER
        )

    def spend(self, units):
        self.left -= units
        if self.left < 0:
            raise TooComplex

    def install(self, md):
        """Wrap the parts of ``md`` whose work is counted."""
        blocks = md.parser.blockprocessors
        for name, costs in BLOCK_TEST_COSTS.items():
            blocks[name].test = self._counting_test(blocks[name].test, *costs)
        line_costs = {id(blocks[name]): cost for name, cost in BLOCK_LINE_COSTS.items()}
        for processor in blocks:
            processor.run = self._counting_run(processor.run, line_costs.get(id(processor), 0))
        quote = blocks["quote"]
        quote.test, quote.run = self._counting_depth(quote.test, quote.run)
        # Python-Markdown's inline pass (and smarty's, the same class) tries each of its
        # patterns on the text of every element, and again on what follows each match.
        for name in ("inline", "smarty"):
            inline = md.treeprocessors[name]
            inline._InlineProcessor__handleInline = self._counting_inline(inline)
            costs = {
                id(inline.inlinePatterns[pattern]): cost
                for pattern, cost in MATCH_COSTS.items()
                if pattern in inline.inlinePatterns
            }
            for processor in inline.inlinePatterns:
                processor.handleMatch = self._counting_match(
                    processor.handleMatch, costs.get(id(processor), COST_PER_MATCH)
                )
                if isinstance(processor, LinkInlineProcessor):
                    processor.getText = self._counting_scan(processor.getText)
                    processor.getLink = self._counting_scan(processor.getLink)
        md.preprocessors.register(_HtmlBlocks(md, self), "html_block", 20)
        md.htmlStash.store = self._counting_stash(md.htmlStash.store)

    def _counting_test(self, test, fixed, per_character, per_line):
        def counted(parent, block):
            self.spend(fixed + len(block) * per_character + block.count("\n") * per_line)
            return test(parent, block)

        return counted

    def _counting_run(self, run, per_line):
        def counted(parent, blocks):
            # The processor copies what it leaves of the block, splitting it into lines;
            # the inline pass later finds the new element among its siblings by a search.
            block = blocks[0]
            self.spend(
                COST_PER_BLOCK
                + len(block) * COST_PER_BLOCK_CHARACTER
                + block.count("\n") * (COST_PER_BLOCK_LINE + per_line)
                + len(parent) * COST_PER_SIBLING
            )
            return run(parent, blocks)

        return counted

    def _counting_depth(self, test, run):
        def counted_test(parent, block):
            self.spend(self.depth * COST_PER_QUOTE_DEPTH)
            return test(parent, block)

        def counted_run(parent, blocks):
            self.depth += 1
            try:
                return run(parent, blocks)
            finally:
                self.depth -= 1

        return counted_test, counted_run

    def _counting_inline(self, inline):
        handle_inline = inline._InlineProcessor__handleInline
        patterns = [pattern.getCompiledRegExp() for pattern in inline.inlinePatterns]

        def counted(data, patternIndex=0):  # Python-Markdown's signature
            # Most texts (a cell, an item, a sentence) match none of the patterns: asking
            # each regular expression once is what the inline pass would find out, at a
            # tenth of its cost. Otherwise, the pass runs as it always has, and is charged.
            remaining = patterns[patternIndex:]
            for pattern in remaining:
                if pattern.search(data):
                    self.spend(len(remaining) * COST_PER_PATTERN_TRY)
                    return handle_inline(data, patternIndex)
            self.spend(len(remaining) * COST_PER_PATTERN_SEARCH)
            return data

        return counted

    def _counting_match(self, handle_match, cost):
        def counted(match, data):
            # A match rewrites the text around it and adds an element to its parent.
            self.spend(cost + len(data) * COST_PER_REWRITTEN_CHARACTER)
            return handle_match(match, data)

        return counted

    def _counting_scan(self, scan):
        # getText and getLink take (data, index) and return, second to last, the index
        # they reached.
        def counted(data, index):
            result = scan(data, index)
            self.spend((result[-2] - index) * COST_PER_LINK_CHARACTER)
            return result

        return counted

    def _counting_stash(self, store):
        def counted(html):
            self.spend(COST_PER_STASHED)
            return store(html)

        return counted


class _MeteredHTMLExtractor(HTMLExtractor):
    def __init__(self, md, meter):
        self.meter = meter
        super().__init__(md)

    def check_for_whole_start_tag(self, i):
        # Python's HTML parser looks for the end of "<tag" with a pattern that can run to
        # the end of the text (attributes may span lines): charge how far it went.
        end = super().check_for_whole_start_tag(i)
        scanned = (end if end >= 0 else len(self.rawdata)) - i
        self.meter.spend(COST_PER_TAG + scanned * COST_PER_TAG_CHARACTER)
        return end

    # End tags, processing instructions and declarations are read up to their ">" (or
    # "]]>") by a search that runs to the end of the text when there is none: charged by
    # where it ends, found by a much faster search for the same characters.

    def parse_endtag(self, i):
        self._charge_search(i, ">")
        return super().parse_endtag(i)

    def parse_pi(self, i):
        self._charge_search(i, ">")
        return super().parse_pi(i)

    def parse_html_declaration(self, i):
        self._charge_search(i, "]]>" if self.rawdata.startswith("<![", i) else ">")
        return super().parse_html_declaration(i)

    def _charge_search(self, i, end):
        found = self.rawdata.find(end, i)
        scanned = (found if found >= 0 else len(self.rawdata)) - i
        self.meter.spend(COST_PER_TAG + scanned * COST_PER_SEARCHED_CHARACTER)


class _HtmlBlocks(HtmlBlockPreprocessor):
    """Python-Markdown's raw-HTML preprocessor, with the tag scans counted."""

    def __init__(self, md, meter):
        super().__init__(md)
        self.meter = meter

    def run(self, lines):
        parser = _MeteredHTMLExtractor(self.md, self.meter)
        parser.feed("\n".join(lines))
        parser.close()
        return "".join(parser.cleandoc).split("\n")


class _Table(TableProcessor):
    """The tables extension's processor, asking only the lines it needs.

    ``TableProcessor.test`` split and stripped every line of a block to look at two of
    them, and the parser asks again for what is left each time it splits a line off a
    block: 2,500 underlined headers took 0.8 s. Same answers, from the first lines.
    """

    def __init__(self, parser, config, meter):
        super().__init__(parser, config)
        self.meter = meter

    def run(self, parent, blocks):
        self.meter.spend(blocks[0].count("|") * COST_PER_CELL)
        return super().run(parent, blocks)

    def _split_row(self, row):
        # A row is split by a pattern tried at every character, and each "|" is then
        # compared with every `code` span of the row.
        self.meter.spend(
            len(row) * COST_PER_ROW_CHARACTER
            + row.count("|") * row.count("`") * COST_PER_PIPE_AND_BACKTICK
        )
        return super()._split_row(row)

    def test(self, parent, block):
        lines = block.split("\n", 2)
        if len(lines) < 2:
            return False
        header0 = lines[0].strip(" ")
        self.border = PIPE_NONE
        if header0.startswith("|"):
            self.border |= PIPE_LEFT
        if self.RE_END_BORDER.search(header0) is not None:
            self.border |= PIPE_RIGHT
        row0_len = len(self._split_row(header0))
        is_table = row0_len > 1
        if not is_table and row0_len == 1 and self.border:
            # Each row in a single column table needs at least one pipe.
            self.meter.spend(len(block) * COST_PER_BLOCK_CHARACTER)
            for line in block.split("\n")[1:]:
                row = line.strip(" ")
                is_table = row.startswith("|") or self.RE_END_BORDER.search(row) is not None
                if not is_table:
                    break
        if is_table:
            row = self._split_row(lines[1].strip(" "))
            is_table = len(row) == row0_len and set("".join(row)) <= set("|:- ")
            if is_table:
                self.separator = row
        return is_table


_local = threading.local()


def _converter(quotes=True):
    """Return this thread's ``(parser, meter)``, with or without smart quotes."""
    # Building a Markdown parser costs more than converting a step; one per thread (and
    # setting), reset between documents, is the library's intended reuse.
    converters = _local.__dict__.setdefault("converters", {})
    if quotes not in converters:
        md = markdown_lib.Markdown(
            extensions=EXTENSIONS,
            extension_configs={"smarty": {"smart_quotes": quotes}},
            output_format="html",
        )
        meter = _Meter()
        table = md.parser.blockprocessors["table"]
        md.parser.blockprocessors.register(_Table(md.parser, table.config, meter), "table", 75)
        meter.install(md)
        converters[quotes] = md, meter
    return converters[quotes]


def _markdown_to_html(text):
    """Return Python-Markdown's HTML for ``text``; raise ``TooComplex`` past the budget."""
    if len(text) > MAX_TEXT_LENGTH:
        raise TooComplex
    quotes = smart_quotes(text)
    md, meter = _converter(quotes)
    meter.start(text)
    try:
        return md.reset().convert(text)
    except TooComplex:
        # Stopped half-way, the parser may keep state (an open list, stashed HTML) that
        # would change the next text's rendering: start the next one on a new parser.
        del _local.converters[quotes]
        raise


PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")


def _plain_paragraphs(text):
    """Return ``text`` as escaped plain-text paragraphs: the renderer's cheap fallback."""
    paragraphs = PARAGRAPH_BREAK.split(text.strip())
    return "\n".join(f"<p>{escape(paragraph)}</p>" for paragraph in paragraphs if paragraph)


def is_too_complex(text):
    """Return whether ``text`` is shown as plain paragraphs rather than as Markdown.

    Remembered by the text's digest (not the text: 8,192 texts of 10,000 characters would
    be a lot to keep): the admin's form checks each text, then the write path checks what
    it writes, and a text already checked costs a hash.
    """
    key = hashlib.blake2b(text.encode(), digest_size=16).digest()
    known = _complexity.get(key)
    if known is None:
        try:
            _markdown_to_html(text)
            known = False
        except TooComplex:
            known = True
        if len(_complexity) >= 8192:
            _complexity.pop(next(iter(_complexity)), None)  # the oldest first
        _complexity[key] = known
    return known


_complexity = {}


def convert(text, references=()):
    """Return the sanitised HTML for ``text`` (uncached; ``render`` remembers results).

    ``references`` is ``render``'s, as ``(number, (url, title))`` pairs.
    """
    try:
        html = _markdown_to_html(text)
    except TooComplex:
        html = _plain_paragraphs(text)
    return sanitize(_link_references(html, dict(references)))


@lru_cache(maxsize=8192)
def _render_cached(text, references):
    return convert(text, references)


def render(text, references=None):
    """Return the safe HTML for editor Markdown ``text``.

    ``references`` maps article numbers to ``(url, title)`` for ``[[KB n]]`` links; numbers
    missing from it render as plain text. Results are memoised by text and link targets
    (an edited text is a new key), so unchanged fields are not rendered again.
    """
    if not text:
        return mark_safe("")
    key = tuple(sorted((references or {}).items()))
    return mark_safe(_render_cached(text, key))  # noqa: S308 - sanitised in _render_cached


def validate_renderable(text):
    """Refuse editor text that would be shown as plain paragraphs (see ``is_too_complex``).

    Longer texts are left to the field's length limit, which says so more plainly.
    """
    if text and len(text) <= MAX_TEXT_LENGTH and is_too_complex(text):
        raise ValidationError(
            _(
                "This text has too much formatting to be shown as Markdown: readers would "
                "see it as plain text. Use fewer links, emphasis, list items, table cells "
                "or HTML tags, or shorten it."
            ),
            code="too_complex",
        )
