"""Full-text search over published articles, English and Japanese: indexing and querying.

Why it works for Japanese: Japanese has no spaces, so a word tokenizer sees a whole
sentence as one token and a two-character query such as 認証 finds nothing. Every text is
therefore analysed here, in Python, before it reaches the database: English words become
Snowball stems ("decrypting" → "decrypt"), and each run of Japanese characters becomes its
single characters plus every overlapping pair of characters (CJK bigrams: 暗号化 → 暗 号 化
暗号 号化). A query is analysed the same way, its terms quoted (so FTS syntax typed by a
reader is inert) and ANDed; the last English word also matches as a prefix.

The analysed text is stored in an SQLite FTS5 table (created by migration 0002), one row
per article and reader language for the article's own text, plus one row per platform
variant, so that a hit only inside Safari's steps can link to the Safari tab. The index
follows saves and deletes through signals (see ``signals.py``); ``manage.py
rebuild_search_index`` rebuilds it from scratch.
"""

import html
import re
import unicodedata
from dataclasses import dataclass

import snowballstemmer
from django.conf import settings
from django.db import connection
from django.utils import translation
from django.utils.safestring import mark_safe

from .models import Article

TABLE = "articles_search_index"
LANGUAGE_CODES = tuple(code for code, _name in settings.LANGUAGES)
# Column weights for bm25: a title match outranks a summary match outranks a step match.
WEIGHTS = (10.0, 4.0, 1.0)
MAX_QUERY_LENGTH = 200
MAX_TERMS = 16

_CJK = "\u3005\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKENS = re.compile(rf"[{_CJK}]+|[^\W_{_CJK}]+", re.UNICODE)
_IS_CJK = re.compile(rf"[{_CJK}]")
_MARKUP = re.compile(r"\[\[\s*KB\s*(\d+)\s*\]\]|[*_`#>|]+|!\[[^\]]*\]\([^)]*\)|\]\([^)]*\)|\[")
_stemmer = snowballstemmer.stemmer("english")


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
    return re.sub(
        r"\s+",
        " ",
        _MARKUP.sub(lambda m: f"KB {m.group(1)}" if m.group(1) else " ", markdown_text or ""),
    ).strip()


# Indexing ------------------------------------------------------------------------------


def _rows_for(article):
    """Yield ``(language, platform, title, summary, body)`` rows for a published article."""
    for reader_language in LANGUAGE_CODES:
        language = article.display_language(reader_language)
        with translation.override(language):
            shared = [article.body, article.notes, article.troubleshooting]
            platform_rows = []
            for variant in article.ordered_variants:
                texts = [variant.intro] + [
                    text for step in variant.ordered_steps for text in step.texts(language)
                ]
                if variant.platform_id:
                    platform = variant.platform
                    platform_rows.append((platform.slug, [platform.name, *texts]))
                else:
                    shared.extend(texts)
            yield (
                reader_language,
                "",
                f"{article.title} KB {article.number}",
                article.summary,
                " ".join(t for t in shared if t),
            )
            for slug, texts in platform_rows:
                yield reader_language, slug, "", "", " ".join(t for t in texts if t)


def _write_rows(cursor, article):
    for language, platform, title, summary, body in _rows_for(article):
        cursor.execute(
            f"INSERT INTO {TABLE} (article_id, language, platform, title, summary, body, snippet) "  # noqa: S608
            "VALUES (%s, %s, %s, %s, %s, %s, %s)",
            [
                article.pk,
                language,
                platform,
                " ".join(analyze(title)),
                " ".join(analyze(summary)),
                " ".join(analyze(body)),
                plain_text(f"{summary} {body}" if not platform else body),
            ],
        )


def index_articles(article_ids):
    """Bring the index up to date for these articles (published ones in, others out)."""
    article_ids = list(article_ids)
    if not article_ids:
        return
    articles = Article.objects.published().for_detail().filter(pk__in=article_ids)
    with connection.cursor() as cursor:
        placeholders = ", ".join(["%s"] * len(article_ids))
        cursor.execute(f"DELETE FROM {TABLE} WHERE article_id IN ({placeholders})", article_ids)  # noqa: S608
        for article in articles:
            _write_rows(cursor, article)


def rebuild(progress=None, batch_size=200):
    """Rebuild the whole index; call ``progress(done, total)`` after each batch."""
    ids = list(Article.objects.published().order_by("pk").values_list("pk", flat=True))
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE}")  # noqa: S608
    for start in range(0, len(ids), batch_size):
        batch = ids[start : start + batch_size]
        articles = Article.objects.for_detail().filter(pk__in=batch)
        with connection.cursor() as cursor:
            for article in articles:
                _write_rows(cursor, article)
        if progress:
            progress(min(start + batch_size, len(ids)), len(ids))
    return len(ids)


# Querying ------------------------------------------------------------------------------


@dataclass
class Hit:
    article: Article
    url: str
    platform: str
    snippet: str


def clean_query(raw):
    """Return the reader's query made safe to show and analyse: bounded, no control chars."""
    text = "".join(
        ch for ch in (raw or "")[: MAX_QUERY_LENGTH * 4] if unicodedata.category(ch)[0] != "C"
    )
    return re.sub(r"\s+", " ", text).strip()[:MAX_QUERY_LENGTH]


def _match_expression(terms, operator, prefix_last):
    quoted = [f'"{term}"' for term in terms]
    if prefix_last and terms and not _IS_CJK.match(terms[-1]):
        quoted[-1] += "*"
    return f" {operator} ".join(quoted)


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
    if not text:
        return mark_safe("")
    start = 0
    if pattern:
        found = pattern.search(unicodedata.normalize("NFKC", text))
        if found:
            start = max(0, found.start() - width // 3)
    excerpt = unicodedata.normalize("NFKC", text)[start : start + width]
    escaped = html.escape(excerpt)
    if pattern:
        escaped = pattern.sub(lambda m: f"<mark>{m.group(0)}</mark>", escaped)
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + width < len(text) else ""
    return mark_safe(f"{prefix}{escaped}{suffix}")  # noqa: S308 - built from escaped text


def _ranked_rows(expression, language):
    sql = (
        f"SELECT article_id, platform, snippet, bm25({TABLE}, 0, 0, 0, %s, %s, %s, 0) AS score "  # noqa: S608
        f"FROM {TABLE} WHERE {TABLE} MATCH %s AND language = %s ORDER BY score LIMIT 500"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*WEIGHTS, expression, language])
        return cursor.fetchall()


def search(raw_query, language, limit=None):
    """Return the published articles matching ``raw_query`` for a reader of ``language``.

    Best first. Each hit links to the platform tab where the words were found when they
    were found only in that platform's steps.
    """
    query = clean_query(raw_query)
    terms = analyze(query, for_query=True)[:MAX_TERMS]
    if not terms:
        return []
    rows = _ranked_rows(_match_expression(terms, "AND", True), language)
    if not rows and len(terms) > 1:
        # Nothing has every word: fall back to any word, still ranked by bm25.
        rows = _ranked_rows(_match_expression(terms, "OR", True), language)

    # Rows come best first. Per article keep its best score and whether its own text
    # (title, summary, shared steps) matched; if only platform rows matched, link the best
    # of those platforms' tabs.
    best = {}
    for article_id, platform, text, score in rows:
        entry = best.setdefault(article_id, {"score": score, "platform": None, "text": text})
        if not platform:
            entry["platform"] = ""
            entry["text"] = text
        elif entry["platform"] is None:
            entry["platform"] = platform
    order = sorted(best, key=lambda pk: best[pk]["score"])[:limit]
    articles = Article.objects.published().select_related("category").in_bulk(order)
    pattern = _highlighter(query)
    hits = []
    for pk in order:
        if pk not in articles:
            continue
        platform = best[pk]["platform"] or ""
        url = articles[pk].get_absolute_url() + (f"?platform={platform}" if platform else "")
        hits.append(Hit(articles[pk], url, platform, snippet(best[pk]["text"], pattern)))
    return hits
