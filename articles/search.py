"""Full-text search over published articles, English and Japanese: indexing and querying.

Why it works for Japanese: Japanese has no spaces, so a word tokenizer sees a whole
sentence as one token and a two-character query such as 認証 finds nothing. Every text is
therefore analysed here, in Python, before it reaches the database: English words become
Snowball stems ("decrypting" → "decrypt"), and each run of Japanese characters becomes its
single characters plus every overlapping pair of characters (CJK bigrams: 暗号化 → 暗 号 化
暗号 号化). A query is analysed the same way, its terms quoted (so FTS syntax typed by a
reader is inert) and ANDed; the last English word also matches as a prefix.

The analysed text is stored in one table per reader language, one row per published
article: title, summary and everything else (all variants' steps), ranked title > summary
> body. On SQLite that is an FTS5 table (migration 0002) ranked by bm25; on PostgreSQL a
``tsvector`` of the very same terms with a GIN index, ranked by the same bm25 computed in
SQL (``search_postgresql.py``, migration 0006), so both give the same results. An
article is indexed for a reader language in the language it is shown in there
(whole-article fallback), so an untranslated article is found by its English words
under /ja/.

Only for the hits on the page shown (``describe_hits``) does the module look deeper: it
finds where the words occur, so that a hit found only in Safari's steps links to the
Safari tab, and cuts a highlighted snippet. Ranking stays one indexed query.

The index follows saves and deletes through signals (``signals.py``);
``manage.py rebuild_search_index`` rebuilds it from scratch.
"""

import html
import json
import re
import unicodedata
from dataclasses import dataclass

import snowballstemmer
from django.conf import settings
from django.db import connection
from django.utils import translation
from django.utils.safestring import mark_safe

from . import search_postgresql
from .models import Article

LANGUAGE_CODES = tuple(code for code, _name in settings.LANGUAGES)
MAX_QUERY_LENGTH = 200
MAX_TERMS = 16
MAX_RESULTS = 200

_CJK = "\u3005\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKENS = re.compile(rf"[{_CJK}]+|[^\W_{_CJK}]+", re.UNICODE)
_IS_CJK = re.compile(rf"[{_CJK}]")
_MARKUP = re.compile(r"\[\[\s*KB\s*(\d+)\s*\]\]|!\[[^\]]*\]\([^)]*\)|\]\([^)]*\)|[*_`#>|\[]+")
_stemmer = snowballstemmer.stemmer("english")


def table(language):
    """Return the index table of ``language`` (migration 0002 on SQLite, 0006 on PostgreSQL)."""
    if language not in LANGUAGE_CODES:
        raise ValueError(language)
    return f"articles_search_{language}"


def _on_postgresql():
    return connection.vendor == "postgresql"


def _row_id():
    """Return the column that identifies an index row (FTS5's implicit rowid, or ours)."""
    return "id" if _on_postgresql() else "rowid"


# Analysis ------------------------------------------------------------------------------


def normalize(text):
    """Return ``text`` in NFKC form, lower-cased (full-width letters become ASCII)."""
    return unicodedata.normalize("NFKC", text or "").lower()


def _cjk_terms(run, for_query):
    if len(run) == 1:
        return [run]
    bigrams = [run[i : i + 2] for i in range(len(run) - 1)]
    # Indexed: single characters too, so that a one-character query (鍵) finds them.
    return bigrams if for_query else list(run) + bigrams


def analyze(text, for_query=False):
    """Return the index terms of ``text`` (see the module docstring)."""
    terms = []
    for token in _TOKENS.findall(normalize(text)):
        if _IS_CJK.match(token):
            terms.extend(_cjk_terms(token, for_query))
        else:
            terms.append(_stemmer.stemWord(token))
    return terms


def plain_text(markdown_text):
    """Return editor Markdown without its markup, for snippets."""

    def replace(match):
        return f"KB {match.group(1)}" if match.group(1) else " "

    return re.sub(r"\s+", " ", _MARKUP.sub(replace, markdown_text or "")).strip()


# Indexing ------------------------------------------------------------------------------


def _article_texts(article, language):
    """Return ``(shared, {platform slug: texts})`` of an article from ``for_detail()``."""
    with translation.override(language):
        shared = [article.body, article.notes, article.troubleshooting]
        platforms = {}
        for variant in article.ordered_variants:
            texts = [variant.intro]
            for step in variant.ordered_steps:
                texts.extend(step.texts(language))
            if variant.platform_id:
                platforms[variant.platform.slug] = [variant.platform.name, *texts]
            else:
                shared.extend(texts)
    return [t for t in shared if t], {k: [t for t in v if t] for k, v in platforms.items()}


def _write_rows(cursor, article):
    for reader_language in LANGUAGE_CODES:
        language = article.display_language(reader_language)
        shared, platforms = _article_texts(article, language)
        with translation.override(language):
            title, summary = f"{article.title} KB {article.number}", article.summary
        body = " ".join(shared + [text for texts in platforms.values() for text in texts])
        # The plain texts, kept beside the index so that describing a hit (which tab,
        # which snippet) needs no article to be assembled at search time.
        texts = {
            "own": [plain_text(t) for t in (title, summary, *shared) if t],
            "platforms": {slug: [plain_text(t) for t in v] for slug, v in platforms.items()},
        }
        stored_texts = json.dumps(texts, ensure_ascii=False)
        if _on_postgresql():
            columns = [(analyze(title), "A"), (analyze(summary), "B"), (analyze(body), "D")]
            search_postgresql.write_row(
                cursor, table(reader_language), reader_language, article.pk, columns, stored_texts
            )
            continue
        cursor.execute(
            f"INSERT INTO {table(reader_language)} (article_id, title, summary, body, texts) "  # noqa: S608
            "VALUES (%s, %s, %s, %s, %s)",
            [
                article.pk,
                " ".join(analyze(title)),
                " ".join(analyze(summary)),
                " ".join(analyze(body)),
                stored_texts,
            ],
        )


def _delete_rows(cursor, article_ids):
    placeholders = ", ".join(["%s"] * len(article_ids))
    for language in LANGUAGE_CODES:
        if _on_postgresql():
            search_postgresql.delete_rows(cursor, table(language), language, article_ids)
            continue
        cursor.execute(
            f"DELETE FROM {table(language)} WHERE article_id IN ({placeholders})",  # noqa: S608
            article_ids,
        )


def index_articles(article_ids, loaded=None):
    """Bring the index up to date for these articles (published ones in, others out).

    ``loaded``: these articles from ``for_detail()`` when the caller has them already.
    """
    article_ids = list(article_ids)
    if not article_ids:
        return
    if loaded is None:
        articles = Article.objects.published().for_detail().filter(pk__in=article_ids)
    else:
        public = set(Article.objects.published().filter(pk__in=article_ids).values_list("pk"))
        articles = [article for article in loaded if (article.pk,) in public]
    with connection.cursor() as cursor:
        _delete_rows(cursor, article_ids)
        for article in articles:
            _write_rows(cursor, article)


def clear():
    """Empty the index."""
    with connection.cursor() as cursor:
        for language in LANGUAGE_CODES:
            if _on_postgresql():
                search_postgresql.clear(cursor, table(language), language)
                continue
            cursor.execute(f"DELETE FROM {table(language)}")  # noqa: S608


def rebuild(progress=None, batch_size=500):
    """Rebuild the whole index; call ``progress(done, total)`` after each batch."""
    ids = list(Article.objects.published().order_by("pk").values_list("pk", flat=True))
    clear()
    for start in range(0, len(ids), batch_size):
        batch = ids[start : start + batch_size]
        with connection.cursor() as cursor:
            for article in Article.objects.for_detail().filter(pk__in=batch):
                _write_rows(cursor, article)
        if progress:
            progress(min(start + batch_size, len(ids)), len(ids))
    return len(ids)


# Querying ------------------------------------------------------------------------------


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


def _query_words(query):
    """Return the query's words, each as the list of index terms that must all match."""
    words = []
    for token in _TOKENS.findall(normalize(query)):
        if _IS_CJK.match(token):
            words.append(_cjk_terms(token, for_query=True))
        else:
            words.append([_stemmer.stemWord(token)])
    # Bound the work a single query can ask for.
    bounded, count = [], 0
    for terms in words:
        if count + len(terms) > MAX_TERMS:
            break
        bounded.append(terms)
        count += len(terms)
    return bounded


def _prefix_last(words, prefix):
    """Return, per word, whether its last term matches as a prefix: only the query's last
    word, which may still be being typed, and only when it is not Japanese."""
    return [
        prefix and index == len(words) - 1 and not _IS_CJK.match(terms[-1])
        for index, terms in enumerate(words)
    ]


def _match_expression(words, operator, prefix_last):
    """Return the FTS5 expression of ``words``: each word's terms ANDed, words joined by
    ``operator`` ("AND" or "OR"). Every term is quoted, so nothing a reader types acts as
    FTS syntax."""
    groups = []
    for terms, prefix in zip(words, prefix_last, strict=True):
        quoted = [f'"{term}"' for term in terms]
        if prefix:
            quoted[-1] += "*"
        groups.append("(" + " AND ".join(quoted) + ")")
    return f" {operator} ".join(groups)


def _ranked_rows(words, operator, language, prefix=True, exclude_article=None, limit=MAX_RESULTS):
    """Return ``(article_id, row id)`` of the rows matching ``words``, best first (bm25)."""
    name = table(language)
    prefix_last = _prefix_last(words, prefix)
    if _on_postgresql():
        return search_postgresql.ranked_rows(
            name, language, words, operator, prefix_last, exclude_article, limit
        )
    params = [_match_expression(words, operator, prefix_last)]
    excluding = ""
    if exclude_article is not None:
        excluding = "AND article_id != %s"
        params.append(exclude_article)
    sql = (
        f"SELECT article_id, rowid FROM {name} WHERE {name} MATCH %s {excluding} "  # noqa: S608
        "ORDER BY rank LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, limit])
        return cursor.fetchall()


class Results:
    """Ranked search results: a sequence the paginator can slice.

    Ranking yields article ids only; articles are loaded (and described, see
    ``describe_hits``) only for the slice shown, so a common word matching thousands of
    articles costs no more than a rare one.
    """

    def __init__(self, rows, query, language):
        self.rows, self.query, self.language = rows, query, language

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
                "category__name_en",
                "category__name_ja",
                *(f"{field}_{code}" for field in ("title", "summary") for code in LANGUAGE_CODES),
            )
            .in_bulk(ids)
        )
        hits = [
            Hit(articles[pk], articles[pk].get_absolute_url(), rowid=rowid)
            for pk, rowid in rows
            if pk in articles
        ]
        return describe_hits(hits, self.query, self.language)


def search(raw_query, language):
    """Return the published articles matching ``raw_query`` for a reader of ``language``.

    Best first, at most ``MAX_RESULTS``, as ``Results``: slicing it gives described hits.
    """
    query = clean_query(raw_query)
    words = _query_words(query)
    if not words or language not in LANGUAGE_CODES:
        return Results([], query, language)
    rows = _ranked_rows(words, "AND", language)
    if not rows and len(words) > 1:
        # Nothing has every word: fall back to any word (a whole word, never a fragment
        # of one), still ranked.
        rows = _ranked_rows(words, "OR", language)
    return Results(rows, query, language)


def _highlighter(query):
    """Return a regex matching the reader's words (and their word forms) in original text."""
    alternatives = set()
    for token in _TOKENS.findall(normalize(query)):
        if _IS_CJK.match(token):
            alternatives.add(re.escape(token))
            alternatives.update(re.escape(term) for term in _cjk_terms(token, True))
        else:
            alternatives.add(re.escape(_stemmer.stemWord(token)) + r"\w*")
    if not alternatives:
        return None
    return re.compile("|".join(sorted(alternatives, key=len, reverse=True)), re.IGNORECASE)


def snippet(text, pattern, width=160):
    """Return an escaped excerpt of ``text`` around the first match, matches in <mark>."""
    text = unicodedata.normalize("NFKC", text or "")
    start = 0
    found = pattern.search(text) if pattern else None
    if found:
        start = max(0, found.start() - width // 3)
    escaped = html.escape(text[start : start + width])
    if pattern:
        escaped = pattern.sub(lambda m: f"<mark>{m.group(0)}</mark>", escaped)
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + width < len(text) else ""
    return mark_safe(f"{prefix}{escaped}{suffix}")  # noqa: S308 - built from escaped text


def _term_patterns(query):
    """Return one regex per query term, matching it in normalised original text."""
    patterns = []
    for token in _TOKENS.findall(normalize(query)):
        if _IS_CJK.match(token):
            patterns.extend(re.compile(re.escape(term)) for term in _cjk_terms(token, True))
        else:
            patterns.append(re.compile(r"\b" + re.escape(_stemmer.stemWord(token))))
    return patterns[:MAX_TERMS]


def _contains_all(texts, patterns):
    text = normalize(" ".join(texts))
    return all(pattern.search(text) for pattern in patterns)


def describe_hits(hits, query, language):
    """Fill in each hit's snippet and, when the words occur only in one platform's steps,
    point its URL at that platform's tab. One indexed lookup for all hits."""
    if not hits:
        return hits
    placeholders = ", ".join(["%s"] * len(hits))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {_row_id()}, texts FROM {table(language)} "  # noqa: S608
            f"WHERE {_row_id()} IN ({placeholders})",
            [hit.rowid for hit in hits],
        )
        stored = {rowid: json.loads(texts) for rowid, texts in cursor.fetchall()}
    terms = _term_patterns(query)
    pattern = _highlighter(query)
    for hit in hits:
        texts = stored.get(hit.rowid, {"own": [], "platforms": {}})
        source = texts["own"]
        if terms and not _contains_all(source, terms):
            platform = next(
                (s for s, t in texts["platforms"].items() if _contains_all(t, terms)), ""
            )
            if platform:
                hit.platform = platform
                hit.url = f"{hit.url}?platform={platform}"
                source = texts["platforms"][platform]
        # Start the snippet at the first text that mentions a word (the title aside).
        candidates = source[1:] if source is texts["own"] else source
        chosen = next((t for t in candidates if pattern and pattern.search(t)), None)
        hit.snippet = snippet(chosen or (candidates[0] if candidates else ""), pattern)
    return hits


def related_to(article, language, limit=3):
    """Return up to ``limit`` published articles most like ``article`` (by its title and
    summary words, ranked as a search), for articles whose editors chose none."""
    with translation.override(language):
        words = _query_words(f"{article.title} {article.summary}")
    # Prefer distinctive words: longer ones first, within the term budget.
    words = sorted({tuple(w) for w in words if len("".join(w)) > 2}, key=lambda w: -len("".join(w)))
    if not words:
        return []
    rows = _ranked_rows(
        [list(w) for w in words[:8]],
        "OR",
        language,
        prefix=False,
        exclude_article=article.pk,
        limit=limit,
    )
    ids = [article_id for article_id, _row in rows]
    found = Article.objects.published().in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]
