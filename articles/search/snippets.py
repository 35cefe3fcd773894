"""Snippets: the excerpt of a hit's text shown under it, with the reader's words marked.

The text is shown as written (full-width （） and letters stay full-width); matching is
done on a folded copy (``analysis.fold_with_positions``) and mapped back. What is marked
is the whole word the index matched: English words by stem, Japanese words as typed
(「コード」, never 「コー」 inside it nor 「ード」 in 「カード」), and the synonyms a hit may
have been found by (``synonyms.py``). docs/search.md has the details and the cost.
"""

import html
import re

from django.utils.safestring import mark_safe

from .analysis import LATIN, fold, fold_with_positions, is_cjk, stem

# Compiled once: a class that spans the CJK blocks takes Python's re a few milliseconds to
# compile, so no per-query pattern holds one (``Highlighter.latin`` is literals only).
_LATIN_CHARACTER = re.compile(LATIN)
_LATIN_WORD = re.compile(rf"{LATIN}+")
# Japanese words are runs of one script: kanji (with 々), or katakana (with ー).
_KANJI = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々]")
_KATAKANA = re.compile(r"[\u30a1-\u30fa\u30fc]")


def _same_script(a, b):
    """Return whether ``a`` and ``b`` are both kanji or both katakana (one word's run)."""
    return any(script.match(a) and script.match(b) for script in (_KANJI, _KATAKANA))


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

    def __init__(self, query_words, synonyms=()):
        self.stems, self.prefixes, self.japanese = set(), set(), set()
        for index, (token, terms, cjk) in enumerate(query_words):
            if cjk:
                self.japanese.add(token)
            elif index == len(query_words) - 1:
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
            self.latin = re.compile("|".join(sorted(starts, key=len, reverse=True)))

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
            for start_match in self.latin.finditer(folded):
                start = start_match.start()
                # A word's start: not inside a Latin word (a Japanese character may
                # come before it: 「HARファイル」). Its end: where its Latin run ends.
                if start and _LATIN_CHARACTER.match(folded, start - 1):
                    continue
                match = _LATIN_WORD.match(folded, start)
                if (word := self._latin_match(match.group())) is not None:
                    spans.append(match.span())
                    found.add(word)
        if self.whole is not None:
            for match in self.whole.finditer(folded):
                spans.append(match.span())
                found.add(match.group())
        return spans, found

    def _pieces(self, folded, japanese_words):
        """Return the spans of the longest pieces (two characters or more) of ``words``.

        A piece of two characters that does not begin the reader's word is left unmarked
        where it continues a word of the text (a kanji or katakana before it): that is a
        chance overlap of one pair, 号化 of 復号化 in 暗号化, バイ of デバイス in モバイル.
        Longer pieces are the reader's word in a compound: 報告書 in 取引残高報告書.
        """
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
            piece = folded[start : start + length]
            inside_a_word = start > 0 and _same_script(folded[start - 1], folded[start])
            begins_a_word = any(word.startswith(piece) for word in japanese_words)
            if length == 2 and inside_a_word and not begins_a_word:
                position = start + 1
                continue
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


def highlighter(query_words, synonyms=()):
    """Return the ``Highlighter`` of the query's words (``analysis.words`` of it) and the
    ``synonyms`` (alternatives, lists of index terms) they were expanded to, or None when
    there are none."""
    found = Highlighter(query_words, synonyms)
    return found if found else None


def snippet(text, highlighter, width=160):
    """Return an escaped excerpt of ``text`` as written, around the first match, matches in
    <mark>. ``highlighter`` is ``highlighter()``'s; a match is never cut off."""
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


def snippet_text(groups, highlighter):
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
