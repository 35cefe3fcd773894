"""Search benchmark: 10,000 synthetic bilingual articles, index build and query times.

Run with `make bench`. Uses a throwaway data folder; prints index build time, index size
and p50/p95 query times for English, Japanese two-character and mixed queries.
"""

import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("KB_DATA_DIR", tempfile.mkdtemp(prefix="kb-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kb.settings")
# With DATABASE_URL (make bench-postgres) the settings insist on a shared secret key; the
# bench's database is a throwaway one.
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-" + "x" * 40)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from articles import search  # noqa: E402
from articles.models import Article, Category, Platform, Step, Variant  # noqa: E402
from insights.models import SynonymGroup  # noqa: E402
from serving import page_cache  # noqa: E402

ARTICLES = int(os.environ.get("BENCH_ARTICLES", "10000"))
QUERIES_PER_KIND = int(os.environ.get("BENCH_QUERIES", "200"))

EN_WORDS = [
    "account",
    "login",
    "password",
    "reset",
    "browser",
    "cache",
    "cookie",
    "download",
    "upload",
    "statement",
    "report",
    "encrypt",
    "decrypt",
    "key",
    "pair",
    "public",
    "private",
    "passphrase",
    "file",
    "folder",
    "settings",
    "security",
    "device",
    "token",
    "code",
    "sms",
    "voice",
    "callback",
    "authenticator",
    "notification",
    "phone",
    "restart",
    "carrier",
    "network",
    "proxy",
    "firewall",
    "certificate",
    "export",
    "import",
    "backup",
    "restore",
    "transfer",
    "install",
    "update",
    "version",
    "error",
    "message",
    "timeout",
    "connection",
    "session",
    "portal",
    "ticket",
    "support",
    "window",
    "menu",
    "button",
    "checkbox",
    "tab",
    "panel",
    "record",
    "clear",
    "save",
    "open",
    "close",
    "select",
    "enter",
    "verify",
    "confirm",
    "approve",
    "request",
    "share",
    "user",
    "owner",
    "level",
    "card",
    "email",
    "address",
    "trade",
    "order",
    "market",
    "price",
    "chart",
    "alert",
    "watchlist",
    "margin",
    "deposit",
    "withdrawal",
    "bank",
    "wire",
    "currency",
    "tax",
    "document",
    "identity",
    "residence",
    "citizenship",
    "birth",
    "date",
    "signature",
    "upload",
    "scan",
    "photo",
    "camera",
    "permission",
    "storage",
    "sync",
    "calendar",
    "language",
    "region",
    "time",
    "zone",
    "format",
    "print",
]
JA_WORDS = [
    "口座",
    "ログイン",
    "パスワード",
    "再設定",
    "ブラウザー",
    "キャッシュ",
    "ダウンロード",
    "アップロード",
    "取引報告書",
    "暗号化",
    "復号",
    "鍵",
    "公開鍵",
    "秘密鍵",
    "パスフレーズ",
    "ファイル",
    "フォルダー",
    "設定",
    "セキュリティ",
    "端末",
    "認証",
    "認証コード",
    "音声",
    "電話",
    "再起動",
    "通信会社",
    "ネットワーク",
    "証明書",
    "書き出し",
    "読み込み",
    "バックアップ",
    "復元",
    "移行",
    "インストール",
    "更新",
    "エラー",
    "接続",
    "セッション",
    "問い合わせ",
    "画面",
    "メニュー",
    "ボタン",
    "チェック",
    "タブ",
    "記録",
    "保存",
    "選択",
    "入力",
    "確認",
    "承認",
    "共有",
    "利用者",
    "所有者",
    "通知",
    "入金",
    "出金",
    "銀行",
    "送金",
    "通貨",
    "税金",
    "本人確認",
    "書類",
    "署名",
    "写真",
    "カメラ",
    "権限",
    "言語",
    "地域",
    "印刷",
]
# A few hundred Japanese terms: the base words and compounds of two of them (口座設定).
JA_WORDS += [a + b for a, b in zip(JA_WORDS, reversed(JA_WORDS), strict=True)][:60]
JA_WORDS += [a + b for a, b in zip(JA_WORDS[::2], JA_WORDS[1::2], strict=False)][:120]
JA_GLUE = ["を", "に", "で", "の", "から", "と", "は", "が"]
JA_ENDINGS = ["します。", "してください。", "を確認します。", "を開きます。", "が表示されます。"]
PLATFORMS = ["windows", "macos", "linux", "chrome", "firefox", "edge", "safari"]


# Word frequencies follow Zipf's law, as in real text: a few words are everywhere,
# most are rare.
EN_WEIGHTS = [1 / (rank + 1) for rank in range(len(EN_WORDS))]
JA_WEIGHTS = [1 / (rank + 1) for rank in range(len(JA_WORDS))]


def english_sentence(rng, words=12):
    chosen = rng.choices(EN_WORDS, weights=EN_WEIGHTS, k=words)
    return " ".join(chosen).capitalize() + "."


def japanese_sentence(rng, words=6):
    chosen = rng.choices(JA_WORDS, weights=JA_WEIGHTS, k=words)
    return "".join(word + rng.choice(JA_GLUE) for word in chosen) + rng.choice(JA_ENDINGS)


def build_corpus(rng):
    category = Category.objects.create(slug="bench", name_en="Bench", name_ja="ベンチ")
    platforms = [
        Platform.objects.create(slug=slug, family="os", name_en=slug.title(), name_ja=slug.title())
        for slug in PLATFORMS
    ]
    batch = 500
    for start in range(0, ARTICLES, batch):
        with transaction.atomic():
            articles = Article.objects.bulk_create(
                Article(
                    number=100000 + n,
                    slug=f"article-{n}",
                    category=category,
                    status="published",
                    title_en=english_sentence(rng, 6)[:-1],
                    title_ja=japanese_sentence(rng, 3),
                    summary_en=english_sentence(rng, 20),
                    summary_ja=japanese_sentence(rng, 8),
                    body_en=" ".join(english_sentence(rng) for _ in range(3)),
                    body_ja="".join(japanese_sentence(rng) for _ in range(3)),
                )
                for n in range(start, min(start + batch, ARTICLES))
            )
            variants = []
            for article in articles:
                for order, platform in enumerate(rng.sample(platforms, 2)):
                    variants.append(Variant(article=article, platform=platform, order=order))
            variants = Variant.objects.bulk_create(variants)
            Step.objects.bulk_create(
                Step(
                    variant=variant,
                    order=order,
                    body_en=english_sentence(rng, 18),
                    body_ja=japanese_sentence(rng, 7),
                )
                for variant in variants
                for order in range(4)
            )


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def time_queries(queries, language):
    times = []
    for query in queries:
        started = time.perf_counter()
        # What the results page does: rank, then snippets for the ten hits shown.
        search.search(query, language)[:10]
        times.append((time.perf_counter() - started) * 1000)
    return times


def main():
    rng = random.Random(42)
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    build_corpus(rng)
    print(
        f"corpus: {ARTICLES} articles, 2 languages, built in {time.perf_counter() - started:.1f} s"
    )

    started = time.perf_counter()
    search.rebuild()
    build_seconds = time.perf_counter() - started
    rows = 0
    with connection.cursor() as cursor:
        for language in search.LANGUAGE_CODES:
            cursor.execute(f"SELECT count(*) FROM {search.table(language)}")  # noqa: S608
            rows += cursor.fetchone()[0]
        if connection.vendor == "postgresql":
            # Measured at rest, as a site serves searches: not while autovacuum and the
            # checkpointer work through the 10,000 articles just written.
            cursor.execute("VACUUM (ANALYZE)")
            cursor.execute("CHECKPOINT")
            # Tables (postings and term counts included), TOAST and indexes.
            cursor.execute(
                "SELECT SUM(pg_total_relation_size(c.oid)) FROM pg_class c "
                "WHERE c.relname LIKE 'articles_search_%' AND c.relkind = 'r'"
            )
        else:
            cursor.execute("SELECT SUM(pgsize) FROM dbstat WHERE name LIKE 'articles_search_%'")
        size = float(cursor.fetchone()[0] or 0)
    print(
        f"database: {connection.vendor}; index build: {build_seconds:.1f} s for {rows} rows; "
        f"index size {size / 1e6:.1f} MB"
    )

    # Queries are drawn uniformly from the vocabulary: common words as often as rare ones.
    two_char = [w for w in JA_WORDS if len(w) == 2]
    kinds = {
        "english (1-2 words)": (
            "en",
            [" ".join(rng.sample(EN_WORDS, rng.choice([1, 2]))) for _ in range(QUERIES_PER_KIND)],
        ),
        "japanese 2-char": ("ja", [rng.choice(two_char) for _ in range(QUERIES_PER_KIND)]),
        "mixed (latin + japanese)": (
            "ja",
            [
                f"{rng.choice(['Chrome', 'HAR', 'SMS', 'GPG', 'Safari'])} {rng.choice(JA_WORDS)}"
                for _ in range(QUERIES_PER_KIND)
            ],
        ),
    }
    print(f"{'query kind':28} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    worst = 0.0
    for name, (language, queries) in kinds.items():
        time_queries(queries[:10], language)  # warm the page cache
        times = time_queries(queries, language)
        p95 = percentile(times, 0.95)
        worst = max(worst, p95)
        print(f"{name:28} {statistics.median(times):8.2f} {p95:8.2f} {max(times):8.2f}")
    print(f"search p95 (worst kind): {worst:.2f} ms (target < 20 ms)")
    index_updates()
    with_synonyms(rng, kinds, worst)


def index_updates(count=50):
    """What a save adds after its commit: one article's rows re-indexed in both languages
    (on PostgreSQL its postings and term counts too), at the full index size. Its own
    random draws: the synonym groups after it stay the ones measured before it existed."""
    ids = random.Random(7).sample(list(Article.objects.values_list("pk", flat=True)), count)
    times = []
    for article_id in ids:
        started = time.perf_counter()
        search.index_articles([article_id])
        times.append((time.perf_counter() - started) * 1000)
    print(
        f"index update of one article: p50 {statistics.median(times):.1f} ms, "
        f"p95 {percentile(times, 0.95):.1f} ms"
    )


def synonym_groups(rng, count=500):
    """``count`` groups, half per language: each of a vocabulary word with made-up words,
    one in five with another vocabulary word too (which widens what a query matches)."""
    groups = []
    for language, vocabulary in (("en", EN_WORDS), ("ja", JA_WORDS)):
        for n in range(count // 2):
            word = vocabulary[n % len(vocabulary)]
            terms = [word, f"syn{n}x", f"syn{n}y"] if language == "en" else [word, f"シノ{n}ニム"]
            if n % 5 == 0:
                terms.append(rng.choice(vocabulary))
            groups.append(SynonymGroup(language=language, terms=", ".join(dict.fromkeys(terms))))
    return groups


def with_synonyms(rng, kinds, before):
    """The same queries again with 500 synonym groups (issue 16): expansion's cost."""
    SynonymGroup.objects.bulk_create(synonym_groups(rng))
    page_cache.invalidate()  # bulk_create sends no signal: the groups are read anew
    print(f"with {SynonymGroup.objects.count()} synonym groups:")
    print(f"{'query kind':28} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    worst = 0.0
    for name, (language, queries) in kinds.items():
        time_queries(queries[:10], language)
        times = time_queries(queries, language)
        p95 = percentile(times, 0.95)
        worst = max(worst, p95)
        print(f"{name:28} {statistics.median(times):8.2f} {p95:8.2f} {max(times):8.2f}")
    print(
        f"search p95 (worst kind) with synonyms: {worst:.2f} ms "
        f"({100 * (worst - before) / before:+.0f}% against none; target within 10%)"
    )


if __name__ == "__main__":
    main()
