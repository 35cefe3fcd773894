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
