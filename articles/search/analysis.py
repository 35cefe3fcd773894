"""Text analysis: what the index stores and what a query looks for, the same on every database.

Japanese has no spaces, so a word tokenizer sees a whole sentence as one token and a
two-character query such as 認証 finds nothing. Every text is therefore analysed here, in
Python, before it reaches the database: text is folded (``fold``), split into words
(``words``), English words become Snowball stems ("decrypting" → "decrypt"), and each run
of Japanese characters becomes its single characters plus every overlapping pair of
characters (CJK bigrams: 暗号化 → 暗 号 化 暗号 号化). A query is analysed the same way,
except that a Japanese word is looked for by its pairs only.
"""

import html
import re
import unicodedata
from functools import lru_cache

import snowballstemmer

_CJK = "\u3005\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKENS = re.compile(rf"[{_CJK}]+|[^\W_{_CJK}]+", re.UNICODE)
_IS_CJK = re.compile(rf"[{_CJK}]")
# Markdown a reader never sees, for snippets: a space where it separates (block markers
# at the start of a line, table cells, images), nothing where it sits inside a sentence
# (emphasis, code, link brackets, tags), so **HARファイル**の gives HARファイルの, not
# " HARファイル の". A ">" inside a line is text (「開発」>「設定」), and so is an escaped mark.
# Linear time: no part scans past a bracket or the end of its line.
_MARKUP = re.compile(
    r"\\(?P<escaped>[\\`*_{}\[\]()#+\-.!|>])"
    r"|\[\[\s*KB\s*(?P<kb>\d+)\s*\]\]"
    r"|(?P<space>!\[[^\[\]\n]*\]\([^()\[\]\n]*\)"
    r"|^[ \t]*(?:#{1,6}|>[ \t>]*|[-*+]|\d{1,9}[.)])[ \t]+|^(?=[|: \t-]*---)[|: \t-]+$|\|)"
    r"|\[(?=[^\[\]\n]*\]\()|\]\([^()\[\]\n]*\)|</?[A-Za-z][^<>\n]*>|[*`]+"
    r"|(?<![^\W_])_+|_+(?![^\W_])",
    re.MULTILINE | re.IGNORECASE,
)
_stemmer = snowballstemmer.stemmer("english")
# A character of a Latin-script word, as words() splits them (no "_", no Japanese).
LATIN = rf"[^\W_{_CJK}]"


@lru_cache(maxsize=65_536)
def stem(word):
    """Return the Snowball stem of ``word`` (remembered: snippets stem every word shown)."""
    return _stemmer.stemWord(word)


def fold(text):
    """Return ``text`` folded for matching: NFKC (full-width letters become ASCII,
    half-width kana full-width), then lower-cased. ``None`` becomes ""."""
    return unicodedata.normalize("NFKC", text or "").lower()


# Marks that belong to the character before them (combining accents, the half-width
# katakana sound marks ﾞ ﾟ): NFKC joins them with it (ｶﾞ → ガ), so they are folded with it.
_JOINS_PREVIOUS = re.compile(r"[\u0300-\u036f\u3099\u309a\uff9e\uff9f]")


@lru_cache(maxsize=4096)
def _fold_piece(characters):
    return fold(characters)


def fold_with_positions(text):
    """Return ``(fold(text), where)``: ``where[i]`` is the ``(start, end)`` in ``text`` of
    what became folded character ``i``, so that a match found in the folded text (ＨＡＲ
    for har) can be shown in the text as written; ``where`` is None when every character
    folds to one character, at the same position."""
    if unicodedata.is_normalized("NFKC", text) and len(folded := text.lower()) == len(text):
        return folded, None
    pieces, where, start = [], [], 0
    for index in range(1, len(text) + 1):
        if index < len(text) and _JOINS_PREVIOUS.match(text, index):
            continue
        piece = _fold_piece(text[start:index])
        pieces.append(piece)
        where.extend([(start, index)] * len(piece))
        start = index
    return "".join(pieces), where


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
            yield token, [stem(token)], False


def analyze(text, for_query=False):
    """Return the index terms of ``text``, in order (see the module docstring)."""
    terms = []
    for _word, word_terms, _cjk in words(text, for_query):
        terms += word_terms
    return terms


def plain_text(markdown_text):
    """Return editor Markdown as the reader reads it, without its markup, for snippets."""

    def replace(match):
        if match.group("escaped"):
            return match.group("escaped")
        if match.group("kb"):
            return f"KB {match.group('kb')}"
        return " " if match.group("space") else ""

    text = html.unescape(_MARKUP.sub(replace, markdown_text or ""))
    return re.sub(r"\s+", " ", text).strip()


# Synonyms: query-side expansion ----------------------------------------------------

MAX_ALTERNATIVES = 8  # per query word, its own form included


class Synonyms:
    """One language's synonym groups, analysed as queries are, ready to expand queries.

    ``groups``: lists of terms that mean the same to readers ("2FA", "two-factor";
    「スマホ」「スマートフォン」「携帯電話」). A query word (or run of words) that is one of a
    group's terms may be any of the group's terms: English by their stems, so
    "restarting" is "restart"; Japanese inside a run as well, since Japanese has no
    spaces: 「スマホの設定」 is also 「スマートフォンの設定」 and 「携帯電話の設定」.
    """

    def __init__(self, groups):
        self.latin = {}  # first stem -> [(stems, group index)]
        self.cjk = {}  # first character -> [(run, group index)]
        self.groups = []  # group index -> its terms, folded
        for terms in groups:
            forms = []
            for term in terms:
                analysed = list(words(term, for_query=True))
                if analysed and fold(term).strip() not in {f for f, _w in forms}:
                    forms.append((fold(term).strip(), analysed))
            if len(forms) < 2:
                continue
            index = len(self.groups)
            self.groups.append([f for f, _w in forms])
            for _folded, analysed in forms:
                if len(analysed) == 1 and analysed[0][2]:
                    run = analysed[0][0]
                    self.cjk.setdefault(run[0], []).append((run, index))
                else:
                    key = tuple(_word_key(w) for w in analysed)
                    self.latin.setdefault(key[0], []).append((key, index))
        # Longest first, so that the longest term found wins.
        for found in (*self.latin.values(), *self.cjk.values()):
            found.sort(key=lambda entry: -len(entry[0]))

    def __bool__(self):
        return bool(self.groups)

    def _cjk_matches(self, run):
        """Return ``[(start, end, group)]``: group terms found in ``run``, leftmost-longest."""
        found, position = [], 0
        while position < len(run):
            for term, group in self.cjk.get(run[position], ()):
                if run.startswith(term, position):
                    found.append((position, position + len(term), group))
                    position += len(term)
                    break
            else:
                position += 1
        return found

    def _run_alternatives(self, run, terms):
        """Return a Japanese run's alternatives: its terms, then with group terms swapped."""
        texts = [run]
        for start, end, group in reversed(self._cjk_matches(run)):
            own = run[start:end]
            texts = [
                text[:start] + other + text[start + len(own) :]
                for text in texts
                for other in self.groups[group]
            ][: MAX_ALTERNATIVES * 2]
        alternatives = [terms]
        for text in texts:
            alternative = analyze(text, for_query=True)
            if alternative and alternative not in alternatives:
                alternatives.append(alternative)
        return alternatives[:MAX_ALTERNATIVES]

    def expand(self, query_words):
        """Return the units of a query: ``query_words`` (``words()`` of a query) grouped
        into ``(alternatives, expanded)``, each alternative a list of terms that must all
        match; a unit matches when any of its alternatives does. The reader's own words
        come first."""
        units, index = [], 0
        while index < len(query_words):
            word, terms, cjk = query_words[index]
            if cjk:
                alternatives = self._run_alternatives(word, terms) if self.cjk else [terms]
                units.append((alternatives, len(alternatives) > 1))
                index += 1
                continue
            key = _word_key(query_words[index])
            for stems, group in self.latin.get(key, ()):
                span = query_words[index : index + len(stems)]
                if tuple(_word_key(w) for w in span) == stems:
                    alternatives = [[t for w in span for t in w[1]]]
                    for other in self.groups[group]:
                        alternative = analyze(other, for_query=True)
                        if alternative not in alternatives:
                            alternatives.append(alternative)
                    units.append((alternatives[:MAX_ALTERNATIVES], True))
                    index += len(stems)
                    break
            else:
                units.append(([terms], False))
                index += 1
        return units


def _word_key(word):
    """What makes two words the same for synonyms: an English stem, a Japanese run."""
    text, terms, cjk = word
    return text if cjk else terms[0]
