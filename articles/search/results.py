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
Safari's steps links to the Safari tab, and a highlighted snippet (``snippets.py``).
"""

import json
import re
import unicodedata
from dataclasses import dataclass

from django.db import connection
from django.utils import translation

from articles.fields import LANGUAGE_CODES, columns
from articles.models import Article

from . import backends, synonyms
from .analysis import fold, is_cjk, words
from .snippets import highlighter, snippet, snippet_text

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
    units, operators, language, prefix=True, exclude_article=None, limit=MAX_RESULTS, allowed=None
):
    """Return ``(article_id, row id)`` of the rows matching ``units``, best first, with the
    first of ``operators`` that finds any."""
    return backends.current().ranked_rows(
        backends.table(language),
        language,
        units,
        operators,
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
    # When nothing has every word, any word will do (a whole word, never a fragment of
    # one), still ranked.
    operators = ("AND", "OR") if len(units) > 1 else ("AND",)
    rows = _ranked_rows(units, operators, language, allowed=allowed)
    # Highlighted in snippets too: the synonyms a hit may have been found by instead.
    extra = [alternative for unit in units for alternative in unit[1:]]
    return Results(rows, query, language, extra)


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
    pattern = highlighter(_bounded_words(query), synonym_terms)
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
        hit.snippet = snippet(snippet_text(groups, pattern), pattern)
    return hits


def distinctive_words(text, count=8):
    """Return up to ``count`` words of ``text`` (each as its index terms) that say most
    about it: the longest, then in alphabetical order, so that every process chooses the
    same words (a set's order changes from one process to the next)."""
    found = {tuple(w) for w in _query_words(text) if len("".join(w)) > 2}
    return sorted(found, key=lambda w: (-len("".join(w)), w))[:count]


def related_to(article, language, limit=3):
    """Return up to ``limit`` published articles most like ``article`` (by its title and
    summary words, ranked as a search) in its own category, for articles whose editors
    chose none. Words alone are a weak sign ("send", "your" link a HAR file to an SMS
    code); sharing the category as well is what makes another article a next read."""
    with translation.override(language):
        distinct = distinctive_words(f"{article.title} {article.summary}")
    if not distinct:
        return []
    rows = _ranked_rows(
        [[list(w)] for w in distinct],
        ("OR",),
        language,
        prefix=False,
        exclude_article=article.pk,
        limit=limit * 5,
    )
    ids = [article_id for article_id, _row in rows]
    found = Article.objects.published().filter(category_id=article.category_id).in_bulk(ids)
    return [found[pk] for pk in ids if pk in found][:limit]
