"""Writing the index: one row per published article and reader language.

A row holds the analysed title, summary, search keywords and everything else (all
variants' steps), ranked title > keywords > summary > body, and beside them the plain
texts that describing a hit (which tab, which snippet) reads, so that no article is
assembled at search time. An article is indexed for a reader language in the language it
is shown in there (whole-article fallback), so an untranslated article is found by its
English words under /ja/. Drafts are never indexed.

The index follows saves and deletes through signals (``articles/signals.py``);
``manage.py rebuild_search_index`` rebuilds it from scratch (``rebuild``).
"""

import json

from django.db import connection, transaction
from django.utils import translation

from articles.fields import LANGUAGE_CODES, text
from articles.models import Article

from . import backends
from .analysis import analyze, plain_text


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


def _write_rows(cursor, backend, article, bulk=False):
    for reader_language in LANGUAGE_CODES:
        language = article.display_language(reader_language)
        shared, platforms = _article_texts(article, language)
        with translation.override(language):
            title, summary = f"{article.title} KB {article.number}", article.summary
        # Keywords in this language only, never another's by fallback: they are words
        # readers of this language use.
        keywords = text(article, "keywords", language) or ""
        body = " ".join(shared + [text for texts in platforms.values() for text in texts])
        # The plain texts, kept beside the index so that describing a hit (which tab,
        # which snippet) needs no article to be assembled at search time.
        texts = {
            # The title and summary are plain text already (shown as typed, never Markdown).
            "own": [t for t in (title, summary, *map(plain_text, shared)) if t],
            "platforms": {slug: [plain_text(t) for t in v] for slug, v in platforms.items()},
        }
        backend.write_row(
            cursor,
            backends.table(reader_language),
            reader_language,
            article.pk,
            analyze(title),
            analyze(summary),
            analyze(body),
            json.dumps(texts, ensure_ascii=False),
            keywords=analyze(keywords),
            bulk=bulk,
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
    backend = backends.current()
    # One transaction: a search sees the articles' rows as they were or as they are, and
    # the totals bm25 reads (row count, length, term counts) always agree with the rows.
    with transaction.atomic(), connection.cursor() as cursor:
        for language in LANGUAGE_CODES:
            backend.delete_rows(cursor, backends.table(language), language, article_ids)
        for article in articles:
            _write_rows(cursor, backend, article)


def clear():
    """Empty the index."""
    backend = backends.current()
    with connection.cursor() as cursor:
        for language in LANGUAGE_CODES:
            backend.clear(cursor, backends.table(language), language)


def rebuild(progress=None, batch_size=500):
    """Rebuild the whole index; call ``progress(done, total)`` after each batch."""
    ids = list(Article.objects.published().order_by("pk").values_list("pk", flat=True))
    clear()
    backend = backends.current()
    for start in range(0, len(ids), batch_size):
        batch = ids[start : start + batch_size]
        # A transaction per batch, as index_articles: an editor's save indexed meanwhile
        # waits for the batch (whose first write locks the totals) rather than mixing in.
        with transaction.atomic(), connection.cursor() as cursor:
            for article in Article.objects.for_detail().filter(pk__in=batch):
                _write_rows(cursor, backend, article, bulk=True)
            for language in LANGUAGE_CODES:
                backend.after_batch(cursor, backends.table(language), language, batch)
        if progress:
            progress(min(start + batch_size, len(ids)), len(ids))
    with connection.cursor() as cursor:
        for language in LANGUAGE_CODES:
            backend.after_rebuild(cursor, backends.table(language), language)
    return len(ids)
