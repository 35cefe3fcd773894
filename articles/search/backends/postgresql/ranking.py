"""Ranking on PostgreSQL: FTS5's bm25, computed as SQLite computes it.

``fts5_aux.c``'s operations in the same order, so that a query gives the same results on
both databases: for every phrase (query term) in a part of the query the row matches,
its inverse document frequency times a saturated, length-normalised weighted term
frequency, summed in query order. On the 10,000-article benchmark every hit of 736
queries (with and without 500 synonym groups) comes out in the same order as SQLite's.

A query is two statements. The first reads the index totals and each term's document
count from the terms table (and the terms a prefix starts): a query that cannot match
stops there, and the rest is planned here, in Python (``_Ranking``). The second ranks:
each alternative's rows (a word's terms; a Japanese word's pairs) start from its rarest
term and merge-join the other terms' postings in row order, each read once along the
primary key (term, row): no aggregate, no hash, work in proportion to the postings
read. Counting document frequencies from the postings at query time, with a hash
aggregate, cost 24–39 ms at p95 for 10,000 articles; one ``ts_rank_cd`` per term per
row, before the postings, 50–84 ms (docs/search.md has the figures).
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
        n = term.document_count
        # log() is above 0 exactly when the term is in fewer than half the rows; otherwise
        # FTS5's floor, without taking the log of what may be below 0 (a count read a
        # moment after the totals, during a rebuild).
        idf = math.log((row_count - n + 0.5) / (n + 0.5)) if row_count - n > n else IDF_FLOOR
        return (
            f"SELECT row_id, article_id, {_bm25('%s::float8')} AS score "  # noqa: S608
            f"FROM {postings(table)} WHERE term = %s",
            [idf, average, term.only or term.term],
        )
    # A prefix of several terms: their frequencies add up in a row, and the rows found are
    # the document count.
    return (
        f"SELECT row_id, article_id, {_bm25('idf')} AS score FROM ("  # noqa: S608
        f"SELECT *, CASE WHEN total - n > n THEN ln((total - n + 0.5) / (n + 0.5)) "
        f"ELSE {IDF_FLOOR!r} END AS idf FROM ("
        "SELECT row_id, article_id, row_length, frequency, %s::float8 AS total, "
        "count(*) OVER () AS n FROM ("
        "SELECT row_id, article_id, row_length, sum(frequency) AS frequency "
        f"FROM {postings(table)} WHERE term >= %s AND term < %s "
        "GROUP BY row_id, article_id, row_length) AS summed) AS counted) AS floored",
        [average, row_count, term.term, _prefix_end(term.term)],
    )


def _query_terms(words, prefix_last):
    """Return the query's distinct terms, and its words: per word, its alternatives, each
    the indexes of its terms in ``found``, in query order, a repeated term repeated (FTS5
    counts each occurrence as a phrase of its own: 更新更新 has 更新 twice)."""
    found, index_of, query_words = [], {}, []
    for alternatives, prefix in zip(words, prefix_last, strict=True):
        word = []
        for number, alternative in enumerate(alternatives):
            phrases = []
            for position, term in enumerate(alternative):
                is_prefix = prefix and number == 0 and position == len(alternative) - 1
                if (term, is_prefix) not in index_of:
                    index_of[term, is_prefix] = len(found)
                    found.append(_Term(term, is_prefix))
                phrases.append(index_of[term, is_prefix])
            word.append(phrases)
        query_words.append(word)
    return found, query_words


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


def ranked_rows(table, language, words, operators, prefix_last, exclude_article, limit):
    """Return ``(article_id, row id)`` of the rows matching, best first by bm25, with the
    first of ``operators`` ("AND", "OR": how the words combine) that finds any.

    The term counts are read once, whatever the operators; then a ranking statement per
    operator tried, none for one that cannot match (a word nobody wrote, with "AND").
    """
    found, query_words = _query_terms(words, prefix_last)
    with connection.cursor() as cursor:
        row_count, token_count = _look_up(cursor, table, language, found)
        # An alternative can match only if all its terms are in the index; a word, only
        # by such an alternative.
        query_words = [
            [phrases for phrases in word if all(found[i].document_count != 0 for i in phrases)]
            for word in query_words
        ]
        for operator in operators:
            if not row_count or not (all if operator == "AND" else any)(query_words):
                continue
            ranking = _Ranking(
                table,
                found,
                [word for word in query_words if word],
                operator,
                row_count,
                token_count / row_count,
            )
            sql, params = ranking.sql(exclude_article is not None)
            excluded = [] if exclude_article is None else [exclude_article]
            cursor.execute(sql, [*params, *excluded, limit])
            while cursor.description is None:  # past the SET LOCAL lines
                if not cursor.nextset():
                    raise RuntimeError("the ranking statement returned no rows")
            if rows := cursor.fetchall():
                return rows
        return []


@dataclass
class _Ranking:
    """The ranking statement of a query whose terms have been looked up.

    As in FTS5, a row's score sums, phrase by phrase in query order, the bm25 of the
    phrases whose alternative the row matches: a synonym's terms, or a word's in a query
    where any word will do, count only in the rows that have all of them. So each
    alternative is found on its own: its postings merge-joined in row order from its
    rarest term (``_rows_of``). A query of one alternative per word whose rows must have
    them all (an AND query without synonyms; one word of an OR query) is that join
    alone; otherwise the alternatives' rows are put together and summed per row
    (``_united``).
    """

    table: str
    found: list  # _Term per query term
    words: list  # per word that can match, its alternatives that can (term indexes)
    operator: str  # "AND" or "OR": how the words combine
    row_count: int
    average: float  # the average row length

    def sql(self, excluding):
        """Return ``(sql, params)``; the caller appends the excluded article (when
        ``excluding``) and the limit."""
        single = all(len(word) == 1 for word in self.words)
        if single and (self.operator == "AND" or len(self.words) == 1):
            return self._joined(excluding)
        return self._united(excluding)

    def _rows_of(self, terms, columns):
        """Return ``(sql, params)``: the rows (article_id, row_id, ``columns``) having
        every one of ``terms`` (term indexes), their postings ``t{index}`` joined on the
        row from the rarest term."""
        first, *rest = sorted(
            set(terms),
            key=lambda i: (
                self.found[i].document_count is None,
                self.found[i].document_count or 0,
            ),
        )
        scan_sql, params = _scan(self.table, self.found[first], self.row_count, self.average)
        sql = f"({scan_sql}) AS t{first}"
        for i in rest:
            scan_sql, scan_params = _scan(self.table, self.found[i], self.row_count, self.average)
            sql += f" JOIN ({scan_sql}) AS t{i} ON t{i}.row_id = t{first}.row_id"
            params += scan_params
        select = ", ".join([f"t{first}.article_id", f"t{first}.row_id", *columns])
        return f"SELECT {select} FROM {sql}", params  # noqa: S608

    def _joined(self, excluding):
        """Every match has every term: one merge join, scored as it goes."""
        phrases = [i for word in self.words for i in word[0]]
        # Summed phrase by phrase in query order, as FTS5 sums: the same float operations.
        score = " + ".join(f"t{i}.score" for i in phrases)
        sql, params = self._rows_of(phrases, [f"{score} AS score"])
        where = "WHERE article_id != %s" if excluding else ""
        return _planned(
            f"SELECT article_id, row_id FROM ({sql}) AS r {where} "  # noqa: S608
            "ORDER BY score DESC, row_id LIMIT %s",
            params,
            len(set(phrases)) > 1,
        )

    def _united(self, excluding):
        """Each alternative's rows with its phrases' scores, a column per phrase of the
        query (NULL in the other alternatives' rows), and a bit for its word; the rows
        put together, summed per row."""
        phrases = list(self._phrases())
        parts, params, joins = [], [], False
        for w, word in enumerate(self.words):
            for a, alternative in enumerate(word):
                columns = [f"{1 << w} AS word"] + [
                    f"t{i}.score AS p{n}" if (pw, pa) == (w, a) else f"NULL::float8 AS p{n}"
                    for n, (pw, pa, i) in enumerate(phrases)
                ]
                sql, part_params = self._rows_of(alternative, columns)
                parts.append(sql)
                params += part_params
                joins = joins or len(set(alternative)) > 1
        having = (
            f"bit_or(word) = {(1 << len(self.words)) - 1}" if self.operator == "AND" else "TRUE"
        )
        # A phrase of an alternative the row does not match adds 0.0, as in FTS5.
        score = " + ".join(f"coalesce(max(p{n}), 0)" for n in range(len(phrases)))
        where = "WHERE article_id != %s" if excluding else ""
        return _planned(
            f"SELECT article_id, row_id FROM ({' UNION ALL '.join(parts)}) AS m {where} "  # noqa: S608
            f"GROUP BY row_id, article_id HAVING {having} "
            f"ORDER BY {score} DESC, row_id LIMIT %s",
            params,
            joins,
        )

    def _phrases(self):
        """Yield ``(word number, alternative number, term index)`` of each phrase, in
        query order."""
        for w, word in enumerate(self.words):
            for a, alternative in enumerate(word):
                for i in alternative:
                    yield w, a, i


def _planned(sql, params, joins):
    """The statement, with the plan settings for its merge joins when it has any."""
    if joins:
        sql = _MERGE_IN_ORDER + sql + _SESSION_PLANNER
    return sql, params
