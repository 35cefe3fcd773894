"""Rendering of editor-written Markdown: the one place it happens.

Editors' Markdown is stored as typed and rendered on output: Markdown → HTML, article
cross-references (``[[KB 1042]]``) → links, then the HTML is sanitised with nh3 (the Rust
``ammonia`` sanitiser) so that nothing an editor types can reach the page as script.
Sanitising *after* rendering matters: Markdown happily passes raw HTML through.
"""

import re
import threading
from functools import lru_cache

import markdown as markdown_lib
import nh3
from django.utils.html import escape
from django.utils.safestring import mark_safe

EXTENSIONS = ["tables", "fenced_code", "sane_lists", "smarty"]

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


_local = threading.local()


def _converter():
    # Building a Markdown parser costs more than converting a step; one per thread, reset
    # between documents, is the library's intended reuse.
    if not hasattr(_local, "converter"):
        _local.converter = markdown_lib.Markdown(extensions=EXTENSIONS, output_format="html")
    return _local.converter


@lru_cache(maxsize=8192)
def _render_cached(text, references):
    html = _converter().reset().convert(text)
    return sanitize(_link_references(html, dict(references)))


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
