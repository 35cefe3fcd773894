"""Ranking on PostgreSQL: FTS5's bm25, computed as SQLite computes it.

``fts5_aux.c``'s operations in the same order, so that a query gives the same results on
both databases: for every query term (phrase), its inverse document frequency times a
saturated, length-normalised weighted term frequency, summed in query order.

A query is two statements. The first reads the index totals and each term's document
count from the terms table (and the terms a prefix starts): a query that cannot match
stops there, and the rest is planned here, in Python (``_Ranking``). The second ranks.
When every match must have some terms (an AND query's words, a Japanese word's pairs),
it starts from the rarest of them and merge-joins the other terms' postings in row
order, each read once along its primary key (term, row): no aggregate, no hash, work in
proportion to the postings read. Otherwise (any of several words) the postings are
summed per row. Counting document frequencies from the postings at query time, with a
hash aggregate, cost 24–39 ms at p95 for 10,000 articles; one ``ts_rank_cd`` per term
per row, before the postings, 50–84 ms (docs/search.md has the figures).
"""

import math
from dataclasses import dataclass

from django.db import connection

from .storage import postings, terms

# bm25's constants, as FTS5's (fts5_aux.c).
K1 = 1.2
B = 0.75
# FTS5's idf for a term in over half the rows (where log() is not above 0).
IDF_FLOOR = 1e-6

# The ranking statement's plan, set for it alone. Sent with it as one query string (one
# round trip; kb/settings.py keeps parameters bound client-side, which allows that),
# ``SET LOCAL`` lasts to the end of that string's implicit transaction, or of the
# transaction around it, where the last line puts the session's values back. The joins
# in the order written, rarest term first, since the planner's cost model, which takes
# terms as independent, cannot know that the pairs of one Japanese word come together;
# and merge joins only, since every term's postings come in row order along the primary
# key.
_MERGE_IN_ORDER = (
    "SET LOCAL join_collapse_limit = 1; SET LOCAL enable_hashjoin = off; "
    "SET LOCAL enable_nestloop = off; "
)
_SESSION_PLANNER = (
    "; SET LOCAL join_collapse_limit TO DEFAULT; SET LOCAL enable_hashjoin TO DEFAULT; "
    "SET LOCAL enable_nestloop TO DEFAULT"
)


def _prefix_end(term):
    """Return the smallest string after every string that starts with ``term`` (byte order,
    the postings' "C" collation)."""
    return term[:-1] + chr(ord(term[-1]) + 1)


@dataclass
class _Term:
    """One distinct term of a query, or the reader's last word as a prefix."""

    term: str
    prefix: bool
    # Rows that have it: from the terms table; None for a prefix of several terms, whose
    # rows the scan counts (a row with two of them counts once, as FTS5 counts).
    document_count: int | None = 0
    # The one term a prefix stands for, when it starts a single one.
    only: str | None = None


def _bm25(idf):
    """SQL of one term's bm25 in a row of postings, as fts5_aux.c computes it: idf times
    num / denom, with the row's length normalised by the average (parameters: idf, the
    average row length)."""
    return (
        f"{idf} * ((frequency * {K1 + 1.0!r}::float8) / (frequency + {K1!r}::float8 * "
        f"({1 - B!r}::float8 + {B!r}::float8 * row_length / %s::float8)))"
    )


def _scan(table, term, row_count, average):
    """Return ``(sql, params)``: the term's postings, as (row_id, article_id, score)."""
    if term.document_count is not None:
        idf = math.log((row_count - term.document_count + 0.5) / (term.document_count + 0.5))
        return (
            f"SELECT row_id, article_id, {_bm25('%s::float8')} AS score "  # noqa: S608
            f"FROM {postings(table)} WHERE term = %s",
            [idf if idf > 0 else IDF_FLOOR, average, term.only or term.term],
        )
    # A prefix of several terms: their frequencies add up in a row, and the rows found are
    # the document count.
    return (
        f"SELECT row_id, article_id, {_bm25('idf')} AS score FROM ("  # noqa: S608
        f"SELECT *, CASE WHEN raw_idf > 0 THEN raw_idf ELSE {IDF_FLOOR!r} END AS idf FROM ("
        "SELECT row_id, article_id, row_length, frequency, "
        "ln((%s::float8 - count(*) OVER () + 0.5) / (count(*) OVER () + 0.5)) AS raw_idf FROM ("
        "SELECT row_id, article_id, row_length, sum(frequency) AS frequency "
        f"FROM {postings(table)} WHERE term >= %s AND term < %s "
        "GROUP BY row_id, article_id, row_length) AS summed) AS counted) AS floored",
        [average, row_count, term.term, _prefix_end(term.term)],
    )


def _query_terms(words, prefix_last):
    """Return the query's distinct terms; per word, the bit masks (a bit per term) of its
    alternatives; and the terms in the order FTS5 sees them as phrases (a term twice in
    the query, as in 更新更新 or in two synonyms, counts twice in its bm25)."""
    found, index_of, word_masks, phrases = [], {}, [], []
    for alternatives, prefix in zip(words, prefix_last, strict=True):
        masks = []
        for number, alternative in enumerate(alternatives):
            mask = 0
            for position, term in enumerate(alternative):
                is_prefix = prefix and number == 0 and position == len(alternative) - 1
                if (term, is_prefix) not in index_of:
                    index_of[term, is_prefix] = len(found)
                    found.append(_Term(term, is_prefix))
                mask |= 1 << index_of[term, is_prefix]
                phrases.append(index_of[term, is_prefix])
            masks.append(mask)
        word_masks.append(masks)
    return found, word_masks, phrases


def _look_up(cursor, table, language, found):
    """Fill in each term's document count (one statement); return the index's row count
    and total length."""
    exact = [t.term for t in found if not t.prefix]
    prefixes = [t.term for t in found if t.prefix]
    cursor.execute(
        "SELECT s.row_count, s.token_count, "  # noqa: S608
        "ARRAY(SELECT coalesce(c.document_count, 0) FROM unnest(%s::text[]) WITH ORDINALITY "
        f"AS q(term, o) LEFT JOIN {terms(table)} c USING (term) ORDER BY q.o), "
        # Per prefix, the first two terms it starts: none, one (as good as that term), or
        # several (whose rows the ranking counts).
        "ARRAY(SELECT coalesce((SELECT json_agg(json_build_array(term, document_count)) "
        f"FROM (SELECT term, document_count FROM {terms(table)} WHERE term >= r.low "
        "AND term < r.high AND document_count > 0 ORDER BY term LIMIT 2) AS e), '[]') "
        "FROM unnest(%s::text[], %s::text[]) WITH ORDINALITY AS r(low, high, o) ORDER BY r.o) "
        "FROM articles_search_stats s WHERE s.language = %s",
        [exact, prefixes, [_prefix_end(t) for t in prefixes], language],
    )
    row_count, token_count, counts, starts = cursor.fetchone()
    counts, starts = iter(counts), iter(starts)
    for term in found:
        if not term.prefix:
            term.document_count = next(counts)
            continue
        started = next(starts)
        if len(started) == 1:
            term.only, term.document_count = started[0]
        else:
            term.document_count = None if started else 0
    return row_count, token_count


def ranked_rows(table, language, words, operator, prefix_last, exclude_article, limit):
    """Return ``(article_id, row id)`` of the rows matching, best first by bm25.

    Two statements, whatever the query: the term counts, then the ranking.
    """
    found, word_masks, phrases = _query_terms(words, prefix_last)
    with connection.cursor() as cursor:
        row_count, token_count = _look_up(cursor, table, language, found)
        present = sum(1 << i for i, term in enumerate(found) if term.document_count != 0)
        # A word can match only by an alternative whose terms are all in the index; the
        # others' terms still count in the score of a row found by another word (FTS5).
        word_masks = [[m for m in masks if m & present == m] for masks in word_masks]
        if not row_count or not (all if operator == "AND" else any)(word_masks):
            return []
        ranking = _Ranking(
            table,
            found,
            [masks for masks in word_masks if masks],
            operator,
            [i for i in phrases if present >> i & 1],
            [i for i in range(len(found)) if present >> i & 1],
            row_count,
            token_count / row_count,
        )
        sql, params = ranking.sql(exclude_article is not None)
        cursor.execute(
            sql, [*params, *([] if exclude_article is None else [exclude_article]), limit]
        )
        while cursor.description is None:  # past the SET LOCAL lines
            cursor.nextset()
        return cursor.fetchall()


@dataclass
class _Ranking:
    """The ranking statement of a query whose terms have been looked up.

    Two shapes, by what every match must have:
    - some terms (an AND query's words, a Japanese word's pairs): start from the rarest
      of them and merge-join the others' postings, each read once in row order, the
      optional ones (synonyms) left-joined (``_from_required``);
    - no one term (an OR of words, related articles, a word and its synonyms): every
      term's postings summed per row (``_summed``). Finding the rows of each alternative
      by merge joins first, then scoring them, was slower: a Japanese word with synonyms
      has many pairs, and each was read twice.
    """

    table: str
    found: list  # _Term per query term
    word_masks: list  # per word that can match, its alternatives' term bit masks
    operator: str  # "AND" or "OR": how the words combine
    phrases: list  # the terms in the index, in FTS5's phrase order (repeats repeated)
    present: list  # the terms in the index, in query order
    row_count: int
    average: float  # the average row length

    def sql(self, excluding):
        """Return ``(sql, params)``; the caller appends the excluded article (when
        ``excluding``) and the limit."""
        required = self._required()
        if required:
            return self._from_required(required, excluding)
        return self._summed(excluding)

    def _required(self):
        """Return the mask of the terms every match has: an AND query's words' terms
        common to all of a word's alternatives; of an OR query, those of its only word."""
        if self.operator == "OR" and len(self.word_masks) != 1:
            return 0
        required = 0
        for masks in self.word_masks:
            common = masks[0]
            for mask in masks[1:]:
                common &= mask
            required |= common
        return required

    def _terms_of(self, mask):
        return [i for i in self.present if mask >> i & 1]

    def _by_rarity(self, indexes):
        """The terms, rarest first (a prefix of several terms last: its count is unknown)."""
        return sorted(
            indexes,
            key=lambda i: (
                self.found[i].document_count is None,
                self.found[i].document_count or 0,
            ),
        )

    def _scan(self, i):
        return _scan(self.table, self.found[i], self.row_count, self.average)

    def _score(self, always=()):
        """SQL of the row's bm25: the terms' scores, phrase by phrase in query order, as
        FTS5 sums them (the same float operations, so that equal rows score equal)."""
        return " + ".join(
            f"t{i}.score" if i in always else f"coalesce(t{i}.score, 0)" for i in self.phrases
        )

    def _matches(self, has):
        """SQL of the query's match: ``has(mask)`` for an alternative's test."""
        return f" {self.operator} ".join(
            "(" + " OR ".join(has(mask) for mask in masks) + ")" for masks in self.word_masks
        )

    def _from_required(self, required, excluding):
        """The rarest required term's postings, every other required term's joined to
        them on the row, the optional terms' left-joined."""
        first, *rest = self._by_rarity(self._terms_of(required))
        rest += [i for i in self.present if not required >> i & 1]
        sql, params = self._scan(first)
        sql, params = f"({sql}) AS t{first}", list(params)
        for i in rest:
            scan_sql, scan_params = self._scan(i)
            join = "JOIN" if required >> i & 1 else "LEFT JOIN"
            sql += f" {join} ({scan_sql}) AS t{i} ON t{i}.row_id = t{first}.row_id"
            params += scan_params

        def has(mask):
            optional = self._terms_of(mask & ~required)
            return " AND ".join(f"t{i}.row_id IS NOT NULL" for i in optional) or "TRUE"

        where = self._matches(has)
        if excluding:
            where += f" AND t{first}.article_id != %s"
        return (
            f"{_MERGE_IN_ORDER}SELECT t{first}.article_id, t{first}.row_id FROM {sql} "  # noqa: S608
            f"WHERE {where} ORDER BY {self._score(self._terms_of(required))} DESC, "
            f"t{first}.row_id LIMIT %s{_SESSION_PLANNER}",
            params,
        )

    def _summed(self, excluding):
        """Every present term's postings, a bit per term to test the match with, summed
        per row (a term as many times as the query has it)."""
        union, params = [], []
        for i in self.present:
            scan_sql, scan_params = self._scan(i)
            union.append(
                f"SELECT row_id, article_id, {1 << i} AS bit, "  # noqa: S608
                f"{self.phrases.count(i)} * score AS score FROM ({scan_sql}) AS t{i}"
            )
            params += scan_params
        matches = self._matches(lambda mask: f"bit_or(bit) & {mask} = {mask}")
        where = "WHERE article_id != %s" if excluding else ""
        return (
            f"SELECT article_id, row_id FROM ({' UNION ALL '.join(union)}) AS m {where} "  # noqa: S608
            f"GROUP BY row_id, article_id HAVING {matches} "
            "ORDER BY sum(score) DESC, row_id LIMIT %s",
            params,
        )
