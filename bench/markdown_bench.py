"""Markdown benchmark: the worst render time of editor text at the longest a field may be.

Run with `make bench` (or `.venv/bin/python bench/markdown_bench.py`). Every shape below is
a text that once made Python-Markdown slow, or that is dense in whatever a Markdown
renderer does per element (links, emphasis, cells, list items, tags, entities, quotes).
Each is rendered uncached at the longest length a Markdown field may hold (best and median
of ``BENCH_MARKDOWN_ROUNDS``, default 5), and at every tenth of it, since a text just short
of the work limit costs more than a longer one shown as plain text; the slowest overall
ends the report. The renderer promises 50 ms per field whatever it contains; the README
says how (*Markdown: bounded rendering time*).

`--calibrate` prints, per Markdown construct, its time against the work the renderer
counts for it (articles/markdown.py): run it after upgrading Python-Markdown.

``PATHOLOGICAL`` is imported by the tests (tests/test_markdown.py,
tests/test_sanitizer_properties.py), so this module does nothing when imported.
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path


def _repeat(unit):
    return lambda length: (unit * (length // len(unit) + 1))[:length]


def _lines(make_line):
    def build(length):
        parts, size, index = [], 0, 0
        while size < length:
            line = make_line(index)
            parts.append(line)
            size += len(line)
            index += 1
        return "".join(parts)[:length]

    return build


def _nested_brackets(length):
    return "[" * (length // 2) + "]" * (length - length // 2)


def _table(unit_row, header="| a | b |\n|---|---|\n"):
    return lambda length: (header + unit_row * (length // len(unit_row) + 1))[:length]


def _wide_table(length):
    columns = max(1, (length // 3 - 2) // 4)
    header = "|a" * columns + "|\n" + "|-" * columns + "|\n"
    return (header + ("|x" * columns + "|\n") * (length // (2 * columns + 2) + 1))[:length]


# name -> function of the length returning a text of exactly that length.
PATHOLOGICAL = {
    # Links and images: Python-Markdown finds the end of "[…]" and "(…)" by scanning
    # forward from every opening bracket, to the end of the text when there is none.
    "opening brackets [[[[": _repeat("["),
    "closing brackets ]]]]": _repeat("]"),
    "nested brackets [[…]]": _nested_brackets,
    "image openers ![![": _repeat("!["),
    "empty links, unclosed [](": _repeat("[]("),
    "links, unclosed [a](": _repeat("[a]("),
    "angle links, unclosed [a](<": _repeat("[a](<"),
    'link titles, unclosed [a](b "': _repeat('[a](b "'),
    "reference links [a][": _repeat("[a]["),
    "links [a](b)": _repeat("[a](b) "),
    "images ![a](b)": _repeat("![a](b) "),
    "cross-references [[KB 1]]": _repeat("[[KB 1]]"),
    "cross-references, unclosed [[KB 1": _repeat("[[KB 1 "),
    # Emphasis, code spans, escapes.
    "emphasis runs *_*_": _repeat("*_"),
    "strong runs **a": _repeat("**a"),
    "strong emphasis ***a": _repeat("***a"),
    "underscores _a": _repeat("_a"),
    "backtick runs ````": _repeat("`"),
    "code spans `a": _repeat("`a"),
    "escaped backticks \\`": _repeat("\\`"),
    "backslashes \\\\": _repeat("\\"),
    "emails <a@b.c>": _repeat("<a@b.c> "),
    # Raw HTML and entities (Markdown passes them through; nh3 removes what is not allowed).
    # Python's HTML parser looks for the ">" ending each "<" by scanning forward.
    "less-than signs <<<<": _repeat("<"),
    "unclosed tags <a<a": _repeat("<a"),
    "unclosed tags with attributes <a b c": _repeat("<a b c d "),
    "quoted attributes <a x='>'": _repeat("<a x='>'"),
    "unclosed end tags </a": _repeat("</a"),
    "tags <b>": _repeat("<b>x</b>"),
    "autolinks, unclosed <http://": _repeat("<http://"),
    "comments <!--": _repeat("<!--"),
    "CDATA <![CDATA[": _repeat("<![CDATA["),
    "marked sections <![x": _repeat("<![x\n"),
    "declarations <!x": _repeat("<!x\n"),
    "processing instructions <?": _repeat("<?"),
    "processing instructions <?x": _repeat("<?x\n"),
    "HTML blocks <div>": _repeat("<div>\n"),
    "ampersands &&&&": _repeat("&"),
    "entities &amp;": _repeat("&amp;"),
    "quotes \"'": _repeat("\"'"),
    "dashes and ellipses --...": _repeat("--..."),
    # Blocks.
    "table rows": _table("| x | y |\n"),
    "one-column table": _table("|x|\n", header="|a|\n|-|\n"),
    "wide table": _wide_table,
    "code spans in one table row |`a`": _table("|`a`", header="|a|b|\n|-|-|\n"),
    "table over nested blockquotes": _table(">"),
    "deep list (nested indentation)": _lines(lambda i: "    " * i + "- x\n"),
    "staircase list": _lines(lambda i: " " * i + "- x\n"),
    "list items": _repeat("- x\n"),
    "numbered items": _repeat("1. x\n"),
    "nested lists of every kind": _repeat("- a\n  1. b\n     - > c\n"),
    "paragraphs": _repeat("x\n\n"),
    "headers": _repeat("# x\n"),
    "underlined headers": _repeat("x\n=\n"),
    "horizontal rules": _repeat("***\n"),
    "headers and rules": _repeat("# x\n***\n"),
    "nested blockquotes >>>>": _repeat(">"),
    "blockquote lines": _lines(lambda i: "> " * (i % 50) + "x\n"),
    "code fences": _repeat("```\n"),
    "tilde fences": _repeat("~~~\n"),
    "unclosed fences with a language ```a": _repeat("```a\n"),
    "unclosed tilde fences ~~~a": _repeat("~~~a\n"),
    "unclosed fences behind control characters": _repeat("\x02```a\r"),
    "indented code": _repeat("    x\n"),
    "line breaks": _repeat("a  \n"),
    "reference definitions": _lines(lambda i: f"[{i}]: /x\n"),
    "references [a]": lambda length: ("[a]: /x\n\n" + "[a] " * length)[:length],
    # Plain but long.
    "one long line": _repeat("word "),
    "Japanese prose": _repeat("日本語の文章です。"),
    "mixed punctuation": _repeat("[*_`<&(]!\\\"'"),
}

ROUNDS = int(os.environ.get("BENCH_MARKDOWN_ROUNDS", "5"))

# For --calibrate: one of each construct, repeated; a table row is added to a table.
CONSTRUCTS = {
    "paragraph": "x\n\n", "list item": "- x\n", "numbered item": "1. x\n",
    "header": "# x\n", "underlined header": "x\n=\n\n", "rule": "***\n\n",
    "blockquote": "> x\n\n", "code fence": "```\nx\n```\n\n", "indented code": "    x\n\n",
    "HTML block": "<div>\n\n", "table row": "|x|y|\n", "word": "word ",
    "code span": "`a` ", "escape": "\\* ", "link": "[a](b) ", "image": "![a](b) ",
    "reference": "[a][x] ", "short reference": "[x] ", "autolink": "<http://a.b> ",
    "email": "<a@b.c> ", "line break": "a  \n", "inline HTML": "<b>x</b> ",
    "entity": "&copy; ", "strong": "**a** ", "emphasis": "*a* ", "strong emphasis": "***a*** ",
    "quotes": '"a" ', "apostrophe": "don't ", "dash": "a -- b ", "ellipsis": "a... ",
    "cross-reference": "[[KB 1]] ", "less-than": "< ", "ampersand": "& ",
}  # fmt: skip
PREFIX = {
    "table row": "|a|b|\n|-|-|\n",
    "reference": "[x]: /u\n\n",
    "short reference": "[x]: /u\n\n",
}


def _best(convert, text, rounds):
    best = float("inf")
    for _round in range(rounds):
        start = time.perf_counter()
        convert(text)
        best = min(best, time.perf_counter() - start)
    return best


def worst_cases(markdown):
    """Print each shape's render time at the longest length, and its worst at any length.

    A render's own time is its best of the rounds (whatever else the machine does only
    adds to it); the median shows how much that was.
    """
    longest = markdown.MAX_TEXT_LENGTH
    lengths = [*range(longest // 10, longest, longest // 10), longest]
    print(f"Markdown: render time of each shape, best and median of {ROUNDS} rounds, at")
    print(f"{longest:,} characters, and its worst at any length up to it (every {longest // 10:,})")
    print(f"  {'shape':<40} {'at ' + format(longest, ','):>29}  {'worst, at length':>22}")
    slowest = (0.0, "", 0)
    for name, build in PATHOLOGICAL.items():
        text = build(longest)
        times = []
        for _round in range(ROUNDS):
            start = time.perf_counter()
            markdown.convert(text)
            times.append(time.perf_counter() - start)
        kind = "as plain text" if markdown.is_too_complex(text) else "as Markdown"
        worst = max((_best(markdown.convert, build(n), ROUNDS), n) for n in lengths)
        print(
            f"  {name:<40} {min(times) * 1000:5.1f} /{statistics.median(times) * 1000:5.1f} ms"
            f" {kind:<13} {worst[0] * 1000:5.1f} ms at {worst[1]:>6,}"
        )
        slowest = max(slowest, (worst[0], name, worst[1]))
    print(
        f"  slowest: {slowest[1]}, {slowest[0] * 1000:.1f} ms at {slowest[2]:,} characters"
        " (promise: 50 ms per field)"
    )


def calibrate(markdown):
    """Print what each construct costs in time and in counted work, per occurrence."""
    markdown.WORK_LIMIT = 10**12  # count everything, stop nothing

    def measure(name, count):
        text = PREFIX.get(name, "") + CONSTRUCTS[name] * count
        seconds = _best(markdown.convert, text, 5)
        _parser, meter = markdown._converter(markdown.smart_quotes(text))
        return seconds, markdown.WORK_LIMIT - meter.left

    print("Markdown work units against time, per occurrence (marginal, best of 5).")
    print("A ratio well above 1 means the meter undercounts that construct.")
    print(f"  {'construct':<18} {'us each':>8} {'units each':>11} {'ratio':>6}")
    for name, unit in CONSTRUCTS.items():
        many = min(1_000, (markdown.MAX_TEXT_LENGTH - 100) // len(unit))
        few = many // 5
        (t1, u1), (t2, u2) = measure(name, few), measure(name, many)
        seconds, units = (t2 - t1) / (many - few) * 1e6, (u2 - u1) / (many - few)
        print(f"  {name:<18} {seconds:8.1f} {units:11.1f} {seconds / units:6.2f}")


def main():
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kb.settings")
    # No database is needed; the settings only want a data folder they may write to.
    os.environ.setdefault("KB_DATA_DIR", tempfile.mkdtemp(prefix="kb-bench-markdown-"))
    import django

    django.setup()
    from articles import markdown

    markdown.convert("warm up: build the parser once")
    if sys.argv[1:] == ["--calibrate"]:
        calibrate(markdown)
    else:
        worst_cases(markdown)


if __name__ == "__main__":
    main()
