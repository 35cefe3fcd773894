"""Text analysis: what the index stores and what a query looks for, the same on every database.

Japanese has no spaces, so a word tokenizer sees a whole sentence as one token and a
two-character query such as 認証 finds nothing. Every text is therefore analysed here, in
Python, before it reaches the database: text is folded (``fold``), split into words
(``words``), English words become Snowball stems ("decrypting" → "decrypt"), and each run
of Japanese characters becomes its single characters plus every overlapping pair of
characters (CJK bigrams: 暗号化 → 暗 号 化 暗号 号化). A query is analysed the same way,
except that a Japanese word is looked for by its pairs only.
"""

import re
import unicodedata

import snowballstemmer

_CJK = "\u3005\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKENS = re.compile(rf"[{_CJK}]+|[^\W_{_CJK}]+", re.UNICODE)
_IS_CJK = re.compile(rf"[{_CJK}]")
_MARKUP = re.compile(r"\[\[\s*KB\s*(\d+)\s*\]\]|!\[[^\]]*\]\([^)]*\)|\]\([^)]*\)|[*_`#>|\[]+")
_stemmer = snowballstemmer.stemmer("english")


def fold(text):
    """Return ``text`` folded for matching: NFKC (full-width letters become ASCII,
    half-width kana full-width), then lower-cased. ``None`` becomes ""."""
    return unicodedata.normalize("NFKC", text or "").lower()


def is_cjk(term):
    """Return whether ``term`` starts with a Japanese (CJK) character."""
    return bool(_IS_CJK.match(term))


def _cjk_terms(run, for_query):
    if len(run) == 1:
        return [run]
    bigrams = [run[i : i + 2] for i in range(len(run) - 1)]
    # Indexed: single characters too, so that a one-character query (鍵) finds them.
    return bigrams if for_query else list(run) + bigrams


def words(text, for_query=False):
    """Yield ``(word, terms, cjk)`` for each word of folded ``text``: the word as written
    (folded), its index terms (a stem, or a Japanese run's characters and pairs) and
    whether it is Japanese. The one place text is split into words."""
    for token in _TOKENS.findall(fold(text)):
        if _IS_CJK.match(token):
            yield token, _cjk_terms(token, for_query), True
        else:
            yield token, [_stemmer.stemWord(token)], False


def analyze(text, for_query=False):
    """Return the index terms of ``text``, in order (see the module docstring)."""
    terms = []
    for _word, word_terms, _cjk in words(text, for_query):
        terms += word_terms
    return terms


def plain_text(markdown_text):
    """Return editor Markdown without its markup, for snippets."""

    def replace(match):
        return f"KB {match.group(1)}" if match.group(1) else " "

    return re.sub(r"\s+", " ", _MARKUP.sub(replace, markdown_text or "")).strip()
