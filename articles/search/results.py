"""Querying the index: ranked results, their snippets and highlighting, related articles.

A query is cleaned (``clean_query``), split into words as texts are
(``analysis.words``), each word's terms required, the words ANDed; the last English word
also matches as a prefix. A word that is in one of the editors' synonym groups
(``synonyms.py``) matches any term of its group: the query's word becomes alternatives,
each analysed as a query (``analysis.Synonyms``), so nothing is re-indexed when a group
changes. Every term is quoted by the backend, so FTS syntax typed by a reader is inert.
When no article has every word, any word will do, still ranked. Ranking is one indexed
query and yields article ids only; only the hits on the page shown are loaded and
described (``describe_hits``): where the words occur, so that a hit found only in
Safari's steps links to the Safari tab, and a highlighted snippet.
"""

import html
import json
import re
import unicodedata
from dataclasses import dataclass

from django.db import connection
from django.utils import translation
from django.utils.safestring import mark_safe

from articles.fields import LANGUAGE_CODES, columns
from articles.models import Article

from . import backends, synonyms
from .analysis import LATIN, fold, fold_with_positions, is_cjk, stem, words

MAX_QUERY_LENGTH = 200
MAX_TERMS = 16
# With synonyms: the terms of every alternative together.
MAX_EXPANDED_TERMS = 64
MAX_RESULTS = 200


@dataclass
class Hit:
    article: Article
    url: str
    platform: str = ""
    snippet: str = ""
    rowid: int = 0


def clean_query(raw):
    """Return the reader's query made safe to show and analyse: bounded, no control chars."""
    text = "".join(
        ch for ch in (raw or "")[: MAX_QUERY_LENGTH * 4] if unicodedata.category(ch)[0] != "C"
    )
    return re.sub(r"\s+", " ", text).strip()[:MAX_QUERY_LENGTH]


def _bounded_words(query):
    """Return ``words()`` of the query, within the terms a single query may ask for."""
    bounded, count = [], 0
    for word in words(query, for_query=True):
        if count + len(word[1]) > MAX_TERMS:
            break
        bounded.append(word)
        count += len(word[1])
    return bounded


def _query_words(query):
    """Return the query's words, each as the list of index terms that must all match."""
    return [terms for _word, terms, _cjk in _bounded_words(query)]


def query_units(query, language):
    """Return the query's units for the backends: per word (or run of words in a synonym
    group), its alternatives, each a list of terms that must all match; and per unit
    whether it may match as a prefix (see ``_prefix_last``)."""
    bounded = _bounded_words(query)
    table = synonyms.table(language)
    if not table:
        units = [([terms], False) for _word, terms, _cjk in bounded]
    else:
        units, count = [], 0
        for alternatives, expanded in table.expand(bounded):
            kept = []
            for alternative in alternatives:
                if kept and count + len(alternative) > MAX_EXPANDED_TERMS:
                    break
                kept.append(alternative)
                count += len(alternative)
            units.append((kept, expanded and len(kept) > 1))
    prefix = [not expanded for _alternatives, expanded in units]
    return [alternatives for alternatives, _expanded in units], prefix


def _prefix_last(units, prefix, allowed=None):
    """Return, per unit, whether its reader's own last term matches as a prefix: only the
    query's last word, which may still be being typed, and only when it is not Japanese
    (nor a word of a synonym group, which is whole)."""
    allowed = allowed or [True] * len(units)
    return [
        prefix and allowed[index] and index == len(units) - 1 and not is_cjk(unit[0][-1])
        for index, unit in enumerate(units)
    ]


def _ranked_rows(
    units, operator, language, prefix=True, exclude_article=None, limit=MAX_RESULTS, allowed=None
):
    """Return ``(article_id, row id)`` of the rows matching ``units``, best first."""
    return backends.current().ranked_rows(
        backends.table(language),
        language,
        units,
        operator,
        _prefix_last(units, prefix, allowed),
        exclude_article,
        limit,
    )


class Results:
    """Ranked search results: a sequence the paginator can slice.

    Ranking yields article ids only; articles are loaded (and described, see
    ``describe_hits``) only for the slice shown, so a common word matching thousands of
    articles costs no more than a rare one.
    """

    def __init__(self, rows, query, language, synonym_terms=()):
        self.rows, self.query, self.language = rows, query, language
        self.synonym_terms = synonym_terms

    def __len__(self):
        return len(self.rows)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return self.load(self.rows[index])
        return self.load([self.rows[index]])[0]

    def load(self, rows):
        ids = [article_id for article_id, _rowid in rows]
        articles = (
            Article.objects.published()
            .select_related("category")
            .only(
                "number",
                "slug",
                "category__slug",
                *(f"category__{name}" for name in columns("name")),
                *columns("title"),
                *columns("summary"),
            )
            .in_bulk(ids)
        )
        hits = [
            Hit(articles[pk], articles[pk].get_absolute_url(), rowid=rowid)
            for pk, rowid in rows
            if pk in articles
        ]
        return describe_hits(hits, self.query, self.language, self.synonym_terms)


def search(raw_query, language):
    """Return the published articles matching ``raw_query`` for a reader of ``language``.

    Best first, at most ``MAX_RESULTS``, as ``Results``: slicing it gives described hits.
    """
    query = clean_query(raw_query)
    if language not in LANGUAGE_CODES:
        return Results([], query, language)
    units, allowed = query_units(query, language)
    if not units:
        return Results([], query, language)
    rows = _ranked_rows(units, "AND", language, allowed=allowed)
    if not rows and len(units) > 1:
        # Nothing has every word: fall back to any word (a whole word, never a fragment
        # of one), still ranked.
        rows = _ranked_rows(units, "OR", language, allowed=allowed)
    # Highlighted in snippets too: the synonyms a hit may have been found by instead.
    extra = [alternative for unit in units for alternative in unit[1:]]
    return Results(rows, query, language, extra)


def _word_start(word_stem):
    """Return a pattern for how a word with the Snowball stem ``word_stem`` starts."""
    start = word_stem[:-1] if word_stem.endswith("e") and len(word_stem) > 1 else word_stem
    if start.endswith("i"):
        return re.escape(start[:-1]) + "[iy]"
    return re.escape(start)


def _spelled_words(terms):
    """Return the words an alternative's index terms spell: an English stem is a word;
    Japanese pairs that overlap (携帯, 帯電, 電話) are one word (携帯電話)."""
    spelled = []
    for term in terms:
        previous = spelled[-1] if spelled else ""
        pair_goes_on = len(term) == 2 and len(previous) > 1 and previous[-1] == term[0]
        if pair_goes_on and is_cjk(term) and is_cjk(previous):
            spelled[-1] += term[1]
        else:
            spelled.append(term)
    return spelled


class Highlighter:
    """Find, in a text as written, the words a reader's query matched: whole words.

    English: every word whose stem is the stem of a query word (or, for the query's last
    word, which may still be being typed, starts with it), as the index matched them:
    "trying" marks "tries" and "try". Japanese: each occurrence of a query word as typed,
    「コード」 and never 「コー」 inside it (nor 「ード」 in 「カード」). Where a text has no
    whole occurrence (the index matched the word's pairs of characters spread over the
    article), its longest pieces of two characters or more: 認証コード marks 「認証」 and
    「コード」 in 「認証に使うコード」. Matching is on the folded text (NFKC, lower case: ＨＡＲ
    finds HAR); the text shown is the original, full-width （） as written.
    """

    def __init__(self, query, synonyms=()):
        self.stems, self.prefixes, self.japanese = set(), set(), set()
        tokens = _bounded_words(query)
        for index, (token, terms, cjk) in enumerate(tokens):
            if cjk:
                self.japanese.add(token)
            elif index == len(tokens) - 1:
                self.prefixes.add(terms[0])
            else:
                self.stems.add(terms[0])
        # The synonyms a hit may have been found by, whole too: English stems, and the
        # Japanese words their chains of pairs spell (携帯 帯電 電話: 携帯電話).
        for alternative in synonyms:
            for word in _spelled_words(alternative):
                (self.japanese if is_cjk(word) else self.stems).add(word)
        longest_first = sorted(self.japanese, key=len, reverse=True)
        self.whole = re.compile("|".join(map(re.escape, longest_first))) if longest_first else None
        # Latin words that may have one of the stems: those starting like it, a stem's
        # final "i" standing for "y" too (try → tri) and a final "e" left out (save →
        # saving). Only these are stemmed, rather than every word of every text.
        starts = {_word_start(word_stem) for word_stem in self.stems | self.prefixes}
        self.latin = None
        if starts:
            alternatives = "|".join(sorted(starts, key=len, reverse=True))
            self.latin = re.compile(rf"(?<!{LATIN})(?:{alternatives}){LATIN}*")

    def __bool__(self):
        return bool(self.stems or self.prefixes or self.japanese)

    def _latin_match(self, token):
        """Return the query word ``token`` matches (its stem, or the prefix), or None."""
        token_stem = stem(token)
        if token_stem in self.stems:
            return token_stem
        return next((p for p in self.prefixes if token_stem.startswith(p)), None)

    def _whole_words(self, folded):
        """Return ``(spans, words found)`` of the query's whole words in ``folded``."""
        spans, found = [], set()
        if self.latin is not None:
            for match in self.latin.finditer(folded):
                if (word := self._latin_match(match.group())) is not None:
                    spans.append(match.span())
                    found.add(word)
        if self.whole is not None:
            for match in self.whole.finditer(folded):
                spans.append(match.span())
                found.add(match.group())
        return spans, found

    def _pieces(self, folded, japanese_words):
        """Return the spans of the longest pieces (two characters or more) of ``words``."""
        pairs = {word[i : i + 2] for word in japanese_words for i in range(len(word) - 1)}
        pattern = re.compile("|".join(map(re.escape, sorted(pairs))))
        spans, position, longest = [], 0, max(map(len, japanese_words))
        while (match := pattern.search(folded, position)) is not None:
            start = match.start()
            length = next(
                n
                for n in range(min(longest, len(folded) - start), 1, -1)
                if any(folded[start : start + n] in word for word in japanese_words)
            )
            spans.append((start, start + length))
            position = start + length
        return spans

    def count(self, text):
        """Return how many of the query's words ``text`` holds whole."""
        return len(self._whole_words(fold(text))[1])

    def spans(self, text):
        """Return the ``(start, end)`` of every match in ``text``, in order, not overlapping."""
        folded, where = fold_with_positions(text)
        spans, found = self._whole_words(folded)
        # Pieces of two characters or more: a word of two has none but itself.
        missing = {word for word in self.japanese if word not in found and len(word) > 2}
        if missing:
            spans += self._pieces(folded, missing)
        if where is not None:
            spans = [(where[start][0], where[end - 1][1]) for start, end in spans]
        merged = []
        for start, end in sorted(spans):
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
            else:
                merged.append((start, end))
        return merged


def _highlighter(query, synonyms=()):
    """Return the ``Highlighter`` of the reader's words and the ``synonyms`` (alternatives,
    lists of index terms) they were expanded to, or None when there are none."""
    highlighter = Highlighter(query, synonyms)
    return highlighter if highlighter else None


def snippet(text, highlighter, width=160):
    """Return an escaped excerpt of ``text`` as written, around the first match, matches in
    <mark>. ``highlighter`` is ``_highlighter(query)``'s; a match is never cut off."""
    text = text or ""
    spans = highlighter.spans(text) if highlighter else []
    start = max(0, spans[0][0] - width // 3) if spans else 0
    end = min(len(text), start + width)
    parts, position = [], start
    for span_start, span_end in spans:
        if span_start >= end:
            break
        parts += [html.escape(text[position:span_start]), "<mark>"]
        parts += [html.escape(text[span_start:span_end]), "</mark>"]
        position = span_end
        end = max(end, span_end)
    parts.append(html.escape(text[position:end]))
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    return mark_safe(f"{prefix}{''.join(parts)}{suffix}")  # noqa: S308 - built from escaped text


def _term_patterns(query):
    """Return one regex per query term, matching it in folded original text."""
    patterns = []
    for _word, terms, cjk in words(query, for_query=True):
        if cjk:
            patterns.extend(re.compile(re.escape(term)) for term in terms)
        else:
            patterns.append(re.compile(r"\b" + re.escape(terms[0])))
    return patterns[:MAX_TERMS]


def _contains_all(texts, patterns):
    text = fold(" ".join(texts))
    return all(pattern.search(text) for pattern in patterns)


def _snippet_text(groups, highlighter):
    """Return the text to cut a snippet from: of the first group of texts that holds any
    of the reader's words whole, the text holding most of them (the first on a tie); else
    the first text with pieces of a Japanese word; else the first text."""
    if highlighter:
        for texts in groups:
            counts = [highlighter.count(text) for text in texts]
            if counts and max(counts):
                return texts[counts.index(max(counts))]
        for texts in groups:
            found = next((text for text in texts if highlighter.spans(text)), None)
            if found is not None:
                return found
    return next((texts[0] for texts in groups if texts), "")


def describe_hits(hits, query, language, synonym_terms=()):
    """Fill in each hit's snippet and, when the words occur only in one platform's steps,
    point its URL at that platform's tab. One indexed lookup for all hits.
    ``synonym_terms``: the alternatives (lists of index terms) the query's words were
    expanded to, highlighted too."""
    if not hits:
        return hits
    row_id = backends.current().ROW_ID
    placeholders = ", ".join(["%s"] * len(hits))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {row_id}, texts FROM {backends.table(language)} "  # noqa: S608
            f"WHERE {row_id} IN ({placeholders})",
            [hit.rowid for hit in hits],
        )
        stored = {rowid: json.loads(texts) for rowid, texts in cursor.fetchall()}
    terms = _term_patterns(query)
    pattern = _highlighter(query, synonym_terms)
    for hit in hits:
        row = stored.get(hit.rowid, {"own": [], "platforms": {}})
        texts_own, stored_platforms = row["own"], row["platforms"]
        source = texts_own
        if terms and not _contains_all(source, terms):
            platform = next((s for s, t in stored_platforms.items() if _contains_all(t, terms)), "")
            if platform:
                hit.platform = platform
                hit.url = f"{hit.url}?platform={platform}"
                source = stored_platforms[platform]
        # Each list starts with the title or the platform's name: never the snippet.
        groups = [source[1:]]
        if source is texts_own:
            groups += [platform_texts[1:] for platform_texts in stored_platforms.values()]
        hit.snippet = snippet(_snippet_text(groups, pattern), pattern)
    return hits


def related_to(article, language, limit=3):
    """Return up to ``limit`` published articles most like ``article`` (by its title and
    summary words, ranked as a search) in its own category, for articles whose editors
    chose none. Words alone are a weak sign ("send", "your" link a HAR file to an SMS
    code); sharing the category as well is what makes another article a next read."""
    with translation.override(language):
        query_words = _query_words(f"{article.title} {article.summary}")
    # Prefer distinctive words: longer ones first, within the term budget.
    distinct = sorted(
        {tuple(w) for w in query_words if len("".join(w)) > 2}, key=lambda w: -len("".join(w))
    )
    if not distinct:
        return []
    rows = _ranked_rows(
        [[list(w)] for w in distinct[:8]],
        "OR",
        language,
        prefix=False,
        exclude_article=article.pk,
        limit=limit * 5,
    )
    ids = [article_id for article_id, _row in rows]
    found = Article.objects.published().filter(category_id=article.category_id).in_bulk(ids)
    return [found[pk] for pk in ids if pk in found][:limit]
