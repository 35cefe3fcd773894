"""One term per concept: demo content and interface strings follow docs/glossary.yaml."""

import pytest

from tests.glossary import BASE, Checker, check_catalog, check_content, load, terms


@pytest.fixture(scope="module")
def glossary():
    return load()


@pytest.fixture(scope="module")
def checker(glossary):
    return Checker(glossary)


def report(findings):
    return "ruled-out variants (docs/glossary.yaml):\n" + "\n".join(map(str, findings))


def test_glossary_entries_name_a_term_and_never_rule_out_another_entrys_term(glossary):
    allowed = {
        (language, term)
        for entry in glossary
        for language in ("en", "ja")
        for term in terms(entry.get(language))
    }
    for entry in glossary:
        assert entry["concept"] and (entry.get("en") or entry.get("ja")), entry
        ruled_out = {
            (language, variant)
            for key in ("avoid", "avoid_in_interface")
            for language, variants in (entry.get(key) or {}).items()
            for variant in terms(variants)
        }
        assert ruled_out, f"{entry['concept']}: nothing to avoid, so nothing to check"
        assert not ruled_out & allowed, f"{entry['concept']} rules out a term the glossary uses"


def test_demo_content_uses_only_glossary_terms(checker):
    findings = check_content(checker, BASE / "demo")
    assert not findings, report(findings)


def test_interface_strings_use_only_glossary_terms(checker):
    findings = check_catalog(checker)
    assert not findings, report(findings)


@pytest.mark.parametrize(
    ("language", "text", "found"),
    [
        # A variant that contains the term is a variant…
        ("ja", "モバイル認証アプリに切り替えます。", ["モバイル認証アプリ"]),
        ("ja", "モバイル認証に切り替えます。", []),
        # …and a variant inside a longer term is not.
        ("ja", "カテゴリーを選びます。", []),
        ("ja", "カテゴリを選びます。", ["カテゴリ"]),
        ("ja", "ユーザー名とフォルダーを確認します。", []),
        ("ja", "ユーザ名を確認します。", ["ユーザ"]),
        ("ja", "音声コールバックを選びます。", []),
        ("ja", "音声通話を選びます。", ["音声通話"]),
        ("en", "Type the security code card's code.", []),
        ("en", "Type the Security codes you received.", ["security code"]),
        ("en", "Ask for a voice callback.", []),
        ("en", "Ask for a voice call.", ["voice call"]),
        ("en", "Select the ticket, then tick the box.", ["tick"]),
        ("en", "Send it by e-mail.", ["e-mail"]),
        # A verb is ruled out by its stem, in every form…
        ("ja", "鍵を書き出します。", ["書き出"]),
        ("ja", "鍵が書き出されます。", ["書き出"]),
        # …except inside a longer allowed term, or as a program's quoted label.
        ("ja", "ページを再読み込みします。", []),
        ("ja", "ファイルを読み込みます。", ["読み込"]),
        ("ja", "「書き出す」をクリックします。", []),
        ("ja", "「ウェブ開発ツール」を選び、開発者ツールを開きます。", []),
        ("ja", "Safariの開発ツールを開きます。", ["開発ツール"]),
        ("ja", "「アプリケーション」フォルダーのアプリを開きます。", []),
        ("ja", "アプリケーションを開きます。", ["アプリケーション"]),
        # {n}: a number as written, digits or a placeholder; never a word like 個人.
        ("ja", "手順%(steps)s個まで、ファイル3個まで", ["{n}個", "{n}個"]),
        ("ja", "手順{count}件、ファイル%(count)d件、個人情報", []),
        ("en", "Open the login page.", ["login page"]),
        ("en", "Open the login screen.", []),
    ],
)
def test_variants_are_found_as_whole_terms(checker, language, text, found):
    assert [f.variant for f in checker.find(text, language, "example")] == found


def test_interface_only_variants_are_allowed_in_article_prose(checker):
    prose = "記録を始める前に、ほかのタブを閉じてください。"
    assert checker.find(prose, "ja", "article") == []
    assert [f.variant for f in checker.find(prose, "ja", "po", interface=True)] == ["始める前に"]


def test_a_variant_put_back_into_the_demo_is_reported_with_its_place(checker, tmp_path):
    import shutil

    demo = tmp_path / "demo"
    shutil.copytree(BASE / "demo", demo, ignore=shutil.ignore_patterns("figures"))
    sms = demo / "articles" / "1005-sms-code-not-received.yaml"
    sms.write_text(sms.read_text(encoding="utf-8").replace("モバイル認証", "モバイル認証アプリ"))
    findings = check_content(checker, demo)
    assert findings and {f.variant for f in findings} == {"モバイル認証アプリ"}
    assert all(
        f.where.startswith("demo/articles/1005-sms-code-not-received.yaml: ") for f in findings
    )


def demo_copy(tmp_path):
    import shutil

    demo = tmp_path / "demo"
    shutil.copytree(BASE / "demo", demo, ignore=shutil.ignore_patterns("figures"))
    return demo


# Each drift the content review found (issue 28), put back where it was: the test reports it.
DEMO_DRIFTS = [
    # (file, text now, the drift put back, the variant reported)
    (
        "1003-move-gpg-key-pair.yaml",
        "「Export」をクリック",
        "「Export」（書き出し）をクリック",
        "書き出",
    ),
    ("1003-move-gpg-key-pair.yaml", "通常のエクスポートで", "通常の書き出しで", "書き出"),
    (
        "1003-move-gpg-key-pair.yaml",
        "「Import」をクリック",
        "「Import」（読み込み）をクリック",
        "読み込",
    ),
    ("1008-generate-a-har-file.yaml", "Safariの開発者ツール", "Safariの開発ツール", "開発ツール"),
    ("1008-generate-a-har-file.yaml", "Firefoxの開発者ツール", "Firefoxの開発ツール", "開発ツール"),
    (
        "1006-voice-callback-login-code.yaml",
        "ログイン先に応じて",
        "ログインするアプリケーションの",
        "アプリケーション",
    ),
    (
        "1002-authenticator-challenge-response.yaml",
        "open the login screen",
        "open the login page",
        "login page",
    ),
    (
        "1006-voice-callback-login-code.yaml",
        "Enter the code on the login screen",
        "Enter the code in the login window",
        "login window",
    ),
    (
        "1002-authenticator-challenge-response.yaml",
        "ブラウザーでログイン画面を開き",
        "ブラウザーでログインページを開き",
        "ログインページ",
    ),
    ("1008-generate-a-har-file.yaml", "当社で再現できない", "こちらで再現できない", "こちらで"),
    (
        "1003-move-gpg-key-pair.yaml",
        "どちらも1になっていれば",
        "どちらも1個になっていれば",
        "{n}個",
    ),
]


@pytest.mark.parametrize(("name", "now", "drift", "variant"), DEMO_DRIFTS)
def test_each_drift_put_back_into_the_demo_is_reported(
    checker, tmp_path, name, now, drift, variant
):
    demo = demo_copy(tmp_path)
    path = demo / "articles" / name
    text = path.read_text(encoding="utf-8")
    assert now in text, f"{name} no longer says {now!r}: update this test"
    path.write_text(text.replace(now, drift, 1), encoding="utf-8")
    findings = check_content(checker, demo)
    assert [f.variant for f in findings] == [variant], report(findings)
    assert findings[0].where.startswith(f"demo/articles/{name}: ")


# The same for the interface strings (status, "Nothing was saved", counters, …).
CATALOG_DRIFTS = [
    ('msgid "Status"\nmsgstr "ステータス"', 'msgid "Status"\nmsgstr "状態"', "状態"),
    ('msgstr "翻訳ステータス"', 'msgstr "翻訳の状態"', "状態"),
    (
        "何も保存されていません。ページを再読み込みして、どちら",
        "保存されませんでした。ページを再読み込みして、どちら",
        "保存されませんでした",
    ),
    (
        '"何も保存されていません。保存すると',
        '"まだ何も保存されていません。保存すると',
        "まだ何も保存されていません",
    ),
    (
        "何も復元されていません。履歴から",
        "復元は行われていません。履歴から",
        "復元は行われていません",
    ),
    ("%(total)s件中%(position)s件目", "%(total)s件中%(position)s個目", "{n}個"),
    (
        "お使いのアプリを選んでください",
        "お使いのアプリケーションを選んでください",
        "アプリケーション",
    ),
    ("エクスポートしたときの原文", "書き出したときの原文", "書き出"),
    ("%(object_repr)sの版が見つかりません", "%(object_repr)sの版を読み込めません", "読み込"),
]


@pytest.mark.parametrize(("now", "drift", "variant"), CATALOG_DRIFTS)
def test_each_drift_put_back_into_the_interface_strings_is_reported(
    checker, tmp_path, now, drift, variant
):
    from tests.glossary import CATALOG

    text = CATALOG.read_text(encoding="utf-8")
    assert text.count(now) == 1, f"django.po no longer says {now!r} once: update this test"
    catalog = tmp_path / "django.po"
    catalog.write_text(text.replace(now, drift), encoding="utf-8")
    findings = check_catalog(checker, catalog)
    assert [f.variant for f in findings] == [variant], report(findings)
