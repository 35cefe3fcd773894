"""The demo articles follow the writing rules in docs/glossary.yaml's header.

These read the shipped files (demo/), as a writer's check would, so that a rule broken
while editing shows up with the file and place that broke it.
"""

import re

import pytest
from PIL import Image

from tests.glossary import BASE, content_texts

DEMO = BASE / "demo"
ARTICLES = sorted((DEMO / "articles").glob("*.yaml"))
# Japanese characters and full-width punctuation.
CJK = r"[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef]"
CROSS_REFERENCE = re.compile(r"\[\[\s*KB\s*\d+\s*\]\]")
INLINE = re.compile(r"\*\*[^*\n]+?\*\*|`[^`\n]+`")
FENCED = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)


def texts(language, key=None):
    """Yield (file: place, text) for every text in ``language``, or only those of ``key``."""
    for path in ARTICLES:
        for place, text_language, text in content_texts(path):
            if text_language == language and (key is None or place.split(".")[-1] == key):
                yield f"{path.name}: {place}", text


def steps():
    import yaml

    for path in ARTICLES:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for v, variant in enumerate(data["variants"]):
            for s, step in enumerate(variant["steps"]):
                yield f"{path.name}: variants[{v}].steps[{s}]", step


def test_japanese_links_to_articles_are_in_brackets():
    bare = [
        (where, match.group())
        for where, text in texts("ja")
        for match in CROSS_REFERENCE.finditer(text)
        if not (text[: match.start()].endswith("「") and text[match.end() :].startswith("」"))
    ]
    assert not bare, f"write 「[[KB n]]」をご覧ください: {bare}"


def test_japanese_bold_and_code_have_no_spaces_next_to_japanese():
    padded = []
    for where, text in texts("ja"):
        text = FENCED.sub("", text)
        for match in INLINE.finditer(text):
            before, after = text[: match.start()], text[match.end() :]
            if re.search(rf"{CJK} $", before) or re.match(rf" {CJK}", after):
                padded.append((where, text[max(0, match.start() - 3) : match.end() + 3]))
    assert not padded, padded


def test_japanese_prose_uses_full_width_parentheses():
    half_width = [
        (where, line)
        for where, text in texts("ja")
        for line in INLINE.sub("", FENCED.sub("", text)).splitlines()
        if re.search(rf"{CJK}\s*\(|\)\s*{CJK}", line)
    ]
    assert not half_width, half_width


@pytest.mark.parametrize(("language", "ending"), [("en", "."), ("ja", "")])
def test_captions_end_the_same_way_in_each_language(language, ending):
    # English captions are sentences; Japanese ones noun phrases without 。.
    wrong = [
        (where, caption)
        for where, caption in texts(language, "caption")
        if (caption.endswith(".") if ending else caption.endswith(("。", "."))) != bool(ending)
    ]
    assert not wrong, wrong


@pytest.mark.parametrize("language", ["en", "ja"])
def test_troubleshooting_names_each_problem_in_a_heading(language):
    for where, text in texts(language, "troubleshooting"):
        blocks = text.split("\n\n")
        assert blocks[0].startswith("### "), f"{where}: starts without a heading"
        for block in blocks:
            if block.startswith("### "):
                heading = block[4:]
                assert "\n" not in heading, f"{where}: {heading!r} runs into its text"
                assert not heading.endswith((".", "。", "：", ":")), f"{where}: {heading!r}"
            assert not block.startswith("**"), f"{where}: bold problem line: {block[:40]!r}"


def test_both_languages_name_the_same_problems():
    for path in ARTICLES:
        counts = {}
        for place, language, text in content_texts(path):
            if place == "troubleshooting":
                counts[language] = text.count("### ")
        assert counts.get("en") == counts.get("ja"), (path.name, counts)


def test_every_figure_has_a_japanese_version_of_the_same_size():
    for where, step in steps():
        figure = step.get("figure")
        if not figure:
            continue
        assert set(figure) == {"en", "ja"}, f"{where}: {figure}"
        assert figure["en"] != figure["ja"], where
        english, japanese = (Image.open(DEMO / figure[code]) for code in ("en", "ja"))
        assert english.size == japanese.size, where
        assert step["alt"].get("ja") and step["caption"].get("ja"), where


# What a Japanese sentence of an article ends with (です・ます調); 「〜こと。」 for a
# condition in a list. Alt text (plain form) and captions (noun phrases) are not prose.
POLITE_ENDINGS = ("ます", "です", "ません", "ください", "ました", "でした", "こと")
NOT_PROSE = {"alt", "caption", "title", "name"}


def japanese_sentences():
    for where, text in texts("ja"):
        if where.rsplit(".", 1)[-1] in NOT_PROSE:
            continue
        for line in FENCED.sub("", text).splitlines():
            if line.startswith(("#", "|")):
                continue
            for sentence in line.split("。")[:-1]:
                yield where, sentence


def is_polite(sentence):
    """Return whether a sentence (without its 。) ends in です・ます調."""
    # Markup and a closing aside in （） or 「」 after the verb: 〜します（…）。
    ending = re.sub(r"(（[^（）]*）|」)+$", "", sentence.replace("**", "").strip())
    return ending.endswith(POLITE_ENDINGS)


@pytest.mark.parametrize(
    ("sentence", "polite"),
    [
        ("「設定」を開きます", True),
        ("ここでは**使いません**", True),
        ("右クリックします（`Control`キーを押しながらでもかまいません）", True),
        ("通知が届かないユーザーがいないこと", True),
        ("「設定」を開く", False),
        ("記録は自動で始まる（Firefoxの場合）", False),
        ("公開鍵では何も復号できない", False),
    ],
)
def test_the_desu_masu_check_tells_polite_from_plain(sentence, polite):
    assert is_polite(sentence) == polite


def test_japanese_articles_are_written_in_desu_masu():
    plain = [(w, s[-30:]) for w, s in japanese_sentences() if not is_polite(s)]
    assert not plain, plain


def test_japanese_articles_never_address_the_reader_as_anata():
    found = [(where, text[:40]) for where, text in texts("ja") if "あなた" in text]
    assert not found, found
