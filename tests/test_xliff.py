"""XLIFF export and import: the file's validity, refusals that change nothing, the
out-of-date case, and who may do what (acceptance 2 to 5 of the issue)."""

import pytest
import reversion
from django.contrib.auth.models import Group, User
from django.core.management import CommandError, call_command
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from reversion.models import Version
from translate.storage import xliff as ttk_xliff

from articles import translation_status
from articles.models import Article, Step
from articles.xliff import ImportRefused, export, import_files, inline, segments
from tests.editors import graph
from tests.xliff_tools import Q, replace_target, schema, units

pytestmark = pytest.mark.django_db(transaction=True)


def user_in(group, name=None):
    user = User.objects.create_user(name or group.lower(), password="x", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def translator(editor_groups):
    return user_in("Translator")


def whole_site(article_numbers=None):
    """Every text of every article, with the history: what a refused import must not touch."""
    return (
        [graph(article) for article in Article.objects.order_by("number")],
        Version.objects.count(),
    )


def step_of(article, text):
    return Step.objects.get(variant__article=article, body_en__startswith=text)


# --- Acceptance 2: valid XLIFF 1.2, readable by translate-toolkit ----------------------------


def test_export_of_every_demo_article_is_valid_xliff_1_2_and_translate_toolkit_reads_every_unit(
    demo,
):
    data, result = export(Article.objects.all(), "ja", ("all",))
    assert schema().validate(etree.fromstring(data).getroottree()), schema().error_log
    assert result.articles == 9 and result.units == len(units(data)) > 200
    store = ttk_xliff.xlifffile(data)
    read = [unit for unit in store.getunits() if unit.getid()]
    assert len(read) == result.units
    by_id = {unit.getid().rsplit("\x04", 1)[-1]: unit for unit in read}
    title = by_id[f"article-{demo[1008].pk}-title-1"]
    assert title.source == "Generating a HAR file for our support team"
    assert title.target == "サポート窓口に送るHARファイルの作成方法"


def test_export_is_deterministic_and_exports_only_what_is_missing_or_out_of_date_by_default(
    demo,
):
    article = demo[1008]
    assert export([article.pk], "ja")[1].units == 0  # fully translated
    step = step_of(article, "Submit the ticket.")
    step.body_en = "Submit the ticket. We answer there."
    step.save()
    data, result = export([article.pk], "ja")
    assert result.fields == 1 and data == export([article.pk], "ja")[0]
    (unit,) = units(data).values()
    assert unit.get("id") == f"step-{step.pk}-body-1"
    assert unit.find(Q + "target").get("state") == "needs-review-translation"
    notes = [note.text for note in unit.findall(Q + "note")]
    assert "KB 1008 · Shared steps, step 5 · Text" in notes[0]
    assert "/en/articles/1008/generate-a-har-file/" in notes[0]
    assert "Before:\nSubmit the ticket. We will reply in the same ticket." in notes[1]
    assert "Now:\nSubmit the ticket. We answer there." in notes[1]
    source_hash = unit.find(f"{Q}context-group/{Q}context").text
    assert source_hash == translation_status.digest(step.body_en)


def test_markdown_travels_as_inline_codes_the_translator_cannot_edit(demo):
    step = step_of(demo[1008], "Press `Ctrl`")
    data, _result = export([demo[1008].pk], "ja", ("all",))
    source = units(data)[f"step-{step.pk}-body-1"].find(Q + "source")
    assert [(e.tag.split("}")[1], e.get("ctype"), e.text) for e in source][:3] == [
        ("ph", "x-code", "`Ctrl`"),
        ("ph", "x-code", "`Shift`"),
        ("ph", "x-code", "`I`"),
    ]
    assert source.xpath("string()").startswith("Press `Ctrl`+`Shift`+`I`")
    bold = source.findall(Q + "g")
    assert [g.text for g in bold] == ["⋮", "More tools", "Developer tools"]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(list("ab あ*_`[]()!<>/\\#|-1.\n\t") + ["[[KB 7]]", "<kbd>", "**"]),
        max_size=60,
    ).map("".join)
)
def test_segmenting_and_inline_codes_give_every_text_back_exactly(text):
    segmented = segments.markdown(text)
    assert segments.join(segmented.skeleton, segmented.units) == text
    for unit in segmented.units:
        events = inline.parse_markdown(unit)
        assert inline.to_markdown(events) == unit
        element = etree.Element(Q + "source")
        inline.write_content(element, events)
        again = etree.fromstring(etree.tostring(element))
        assert inline.to_markdown(inline.check_codes(events, inline.read_content(again))) == unit


# --- Acceptance 3: refusals name the file and unit; the database is unchanged ----------------


@pytest.fixture
def exported(demo):
    """KB 1008 with two texts to translate, exported."""
    article = demo[1008]
    press = step_of(article, "Press `Ctrl`")
    press.body_ja = ""
    press.save()
    article.troubleshooting_ja = ""
    article.save()
    data, _result = export([article.pk], "ja")
    return article, press, data


GOOD_PRESS = (
    '<ph id="1" ctype="x-code">`Ctrl`</ph>+<ph id="2" ctype="x-code">`Shift`</ph>+'
    '<ph id="3" ctype="x-code">`I`</ph>（Macでは<ph id="4" ctype="x-code">`Cmd`</ph>+'
    '<ph id="5" ctype="x-code">`Option`</ph>+<ph id="6" ctype="x-code">`I`</ph>）を押すか、'
    '<g id="7" ctype="bold">⋮</g>メニューから<g id="8" ctype="bold">その他のツール</g>&gt;'
    '<g id="9" ctype="bold">デベロッパー ツール</g>を選びます。'
)


def press_unit(press):
    return f"step-{press.pk}-body-1"


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (
            lambda t: t.replace('<ph id="2" ctype="x-code">`Shift`</ph>', ""),
            "'2' ('`Shift`') was lost",
        ),
        (
            lambda t: t.replace("`Shift`</ph>", "`Alt`</ph>"),
            "inline code '2' was changed: '`Shift`' became '`Alt`'",
        ),
        (
            lambda t: t + '<ph id="1" ctype="x-code">`Ctrl`</ph>',
            "inline code '1' appears more than once",
        ),
        (lambda t: t + '<ph id="99" ctype="x-code">`rm -rf`</ph>', "'99' is not in the source"),
        (
            lambda t: t.replace(
                '<g id="8" ctype="bold">その他のツール</g>',
                '<g id="8" ctype="italic">その他のツール</g>',
            ),
            "inline code '8' was changed",
        ),
    ],
    ids=["deleted", "altered", "duplicated", "added", "bold-made-italic"],
)
def test_a_unit_with_a_broken_inline_code_is_refused_naming_file_and_unit(
    exported, translator, change, problem
):
    _article, press, data = exported
    data = replace_target(data, press_unit(press), change(GOOD_PRESS))
    before = whole_site()
    with pytest.raises(ImportRefused) as refused:
        import_files([("kb-1008-ja.xlf", data)], translator)
    message = str(refused.value)
    assert f"kb-1008-ja.xlf: unit {press_unit(press)}: " in message
    assert problem in message
    assert whole_site() == before


def test_a_unit_id_that_does_not_exist_is_refused(exported, translator):
    article, press, data = exported
    data = data.replace(f'id="step-{press.pk}-body-1"'.encode(), b'id="step-999999-body-1"', 1)
    before = whole_site()
    with pytest.raises(ImportRefused) as refused:
        import_files([("mine.xlf", data)], translator)
    assert "mine.xlf: unit step-999999-body-1: no such text in KB 1008" in str(refused.value)
    assert whole_site() == before


def test_malformed_xml_is_refused_with_its_line(exported, translator):
    _article, _press, data = exported
    broken = data.replace(b"</target>", b"</targt>", 1)
    before = whole_site()
    with pytest.raises(ImportRefused) as refused:
        import_files([("broken.xlf", broken)], translator)
    assert str(refused.value).startswith("broken.xlf: line ")
    assert "not well-formed XML" in str(refused.value)
    with pytest.raises(ImportRefused) as refused:
        import_files([("bomb.xlf", b'<!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>')], translator)
    assert "DOCTYPE" in str(refused.value) or "not well-formed" in str(refused.value)
    assert whole_site() == before


def test_a_file_for_another_language_is_refused(exported, translator):
    _article, press, data = exported
    data = replace_target(data, press_unit(press), GOOD_PRESS)
    before = whole_site()
    for wrong in (b'target-language="fr"', b'target-language="en"'):
        other = data.replace(b'target-language="ja"', wrong)
        with pytest.raises(ImportRefused) as refused:
            import_files([("french.xlf", other)], translator)
        assert "french.xlf: <file original='KB 1008'>: this file is a translation into" in str(
            refused.value
        )
    assert whole_site() == before


def test_one_bad_unit_refuses_the_whole_import_even_with_good_files_beside_it(exported, translator):
    _article, press, data = exported
    good = replace_target(data, press_unit(press), GOOD_PRESS)
    bad = replace_target(data, press_unit(press), GOOD_PRESS.replace("`Cmd`", "`Win`"))
    before = whole_site()
    with pytest.raises(ImportRefused):
        import_files([("good.xlf", good), ("bad.xlf", bad)], translator)
    assert whole_site() == before


def test_a_good_translation_is_imported_with_one_revision_by_the_importing_user(
    exported, translator
):
    article, press, data = exported
    data = replace_target(data, press_unit(press), GOOD_PRESS)
    version = Article.objects.get(pk=article.pk).version
    result = import_files([("kb-1008-ja.xlf", data)], translator)
    assert (result.articles, result.fields) == (1, 1)
    press.refresh_from_db()
    assert press.body_ja == (
        "`Ctrl`+`Shift`+`I`（Macでは`Cmd`+`Option`+`I`）を押すか、**⋮**メニューから"
        "**その他のツール**>**デベロッパー ツール**を選びます。"
    )
    article.refresh_from_db()
    assert article.version == version + 1
    latest = Version.objects.get_for_object(article).first().revision
    assert latest.user == translator and "kb-1008-ja.xlf" in latest.get_comment()
    assert Version.objects.get_for_object(press).first().revision == latest
    # The troubleshooting units were left as exported (a copy of the English): untouched.
    # Two problems, each a heading and a paragraph: four units.
    assert article.troubleshooting_ja == ""
    assert result.untranslated == 4
    # Importing the same file again changes nothing and makes no revision.
    revisions = Version.objects.count()
    assert import_files([("kb-1008-ja.xlf", data)], translator).articles == 0
    assert Version.objects.count() == revisions


def test_emphasis_may_be_left_out_as_a_pair_but_not_half(exported, translator):
    _article, press, data = exported
    without_bold = GOOD_PRESS.replace('<g id="7" ctype="bold">⋮</g>', "「⋮」")
    import_files([("a.xlf", replace_target(data, press_unit(press), without_bold))], translator)
    press.refresh_from_db()
    assert "「⋮」メニュー" in press.body_ja and "**その他のツール**" in press.body_ja


def test_a_translation_changed_in_the_admin_after_the_export_is_not_overwritten(
    exported, translator
):
    _article, press, data = exported
    press.body_ja = "管理画面で先に訳しました。"
    press.save()
    before = whole_site()
    with pytest.raises(ImportRefused) as refused:
        import_files(
            [("late.xlf", replace_target(data, press_unit(press), GOOD_PRESS))], translator
        )
    assert "was changed in the admin after this file was exported" in str(refused.value)
    assert whole_site() == before


# --- Acceptance 4: the source changed between export and import ------------------------------


def test_a_step_whose_english_changed_after_export_is_imported_but_stays_out_of_date(
    demo, translator
):
    article = demo[1008]
    steps = {text: step_of(article, text) for text in ("In Chrome", "In Firefox", "In Edge")}
    for step in steps.values():
        step.body_ja = ""
        step.save()
    data, _result = export([article.pk], "ja")
    edited = steps["In Firefox"]
    edited.body_en = "In Firefox, open the page that has the problem."
    edited.save()
    translations = {
        "In Chrome": "Chromeで、問題が発生するページを表示します。",
        "In Firefox": "Firefoxで、問題が発生するページを表示します。",
        "In Edge": "Edgeで、問題が発生するページを表示します。",
    }
    for text, japanese in translations.items():
        data = replace_target(data, f"step-{steps[text].pk}-body-1", japanese)

    import_files([("kb-1008.xlf", data)], translator)

    article = Article.objects.for_detail().get(pk=article.pk)
    for text, japanese in translations.items():
        steps[text].refresh_from_db()
        assert steps[text].body_ja == japanese
    assert article.translation_state["ja"] == {"missing": 0, "outdated": 1}
    (outdated,) = translation_status.outdated_texts(article)
    assert outdated.key == f"step:{edited.pk}:body:ja"
    assert "<del>shows</del><ins>has</ins>" in outdated.diff_html


def test_a_translator_confirming_an_out_of_date_text_unchanged_marks_it_current(demo, translator):
    article = demo[1008]
    step = step_of(article, "Submit the ticket.")
    step.body_en = "Submit the ticket.  We will reply in the same ticket."  # no change to say
    step.save()
    data, _result = export([article.pk], "ja")
    unit = f"step-{step.pk}-body-1"
    assert units(data)[unit].find(Q + "target").get("state") == "needs-review-translation"
    import_files([("review.xlf", data)], translator)
    assert Article.objects.get(pk=article.pk).translation_state["ja"]["outdated"] == 1
    confirmed = data.replace(b'state="needs-review-translation"', b'state="translated"')
    import_files([("review.xlf", confirmed)], translator)
    assert Article.objects.get(pk=article.pk).translation_state["ja"]["outdated"] == 0


# --- Acceptance 5: roles -----------------------------------------------------------------------


def test_an_editors_import_cannot_change_english(demo, editor_groups):
    editor = user_in("Editor")
    article = demo[1008]
    step = step_of(article, "In Chrome")
    step.body_ja = ""
    step.save()
    data, _result = export([article.pk], "ja")
    # A file claiming to translate the English article into English, the source.
    forged = replace_target(data, f"step-{step.pk}-body-1", "Hacked.").replace(
        b'target-language="ja"', b'target-language="en"'
    )
    before = whole_site()
    with pytest.raises(ImportRefused):
        import_files([("forged.xlf", forged)], editor)
    assert whole_site() == before
    # The same file into Japanese changes the Japanese text only.
    import_files(
        [("ok.xlf", replace_target(data, f"step-{step.pk}-body-1", "起動します。"))], editor
    )
    step.refresh_from_db()
    assert (step.body_en, step.body_ja) == (
        "In Chrome, open the page that shows the problem.",
        "起動します。",
    )


def test_no_import_changes_the_status_and_staff_without_rights_cannot_import(demo, editor_groups):
    publisher = user_in("Publisher")
    article = demo[1008]
    Article.objects.filter(pk=article.pk).update(status="draft")
    step = step_of(article, "In Chrome")
    step.body_ja = ""
    step.save()
    data, _result = export([article.pk], "ja")
    data = replace_target(data, f"step-{step.pk}-body-1", "起動します。", state="final")
    import_files([("a.xlf", data)], publisher)
    assert Article.objects.get(pk=article.pk).status == "draft"

    viewer = User.objects.create_user("viewer", password="x", is_staff=True)
    with pytest.raises(ImportRefused) as refused:
        import_files([("a.xlf", data)], viewer)
    assert "You may not change articles." in str(refused.value)


def test_commands_export_and_import_with_a_users_rights(demo, translator, tmp_path):
    article = demo[1008]
    step = step_of(article, "In Chrome")
    step.body_ja = ""
    step.save()
    out = tmp_path / "ja.xlf"
    call_command("export_xliff", "--lang", "ja", "1008", str(out))
    data = replace_target(out.read_bytes(), f"step-{step.pk}-body-1", "起動します。")
    out.write_bytes(data)
    call_command("import_xliff", "--user", translator.username, str(out))
    step.refresh_from_db()
    assert step.body_ja == "起動します。"
    broken = tmp_path / "broken.xlf"
    broken.write_bytes(b"<xliff")
    with pytest.raises(CommandError, match="broken.xlf: line 1: not well-formed XML"):
        call_command("import_xliff", "--user", translator.username, str(broken))
    with pytest.raises(CommandError, match="No active user"):
        call_command("import_xliff", "--user", "nobody", str(out))


def test_history_is_one_revision_per_article_even_with_many_fields(demo, translator):
    article = demo[1008]
    chrome = [
        step
        for step in Step.objects.filter(variant__article=article, variant__platform__slug="chrome")
        if "`" not in step.body_en and "**" not in step.body_en and "\n" not in step.body_en
    ]
    assert len(chrome) >= 2
    with reversion.create_revision():
        for step in chrome:
            step.body_ja = ""
            step.save()
    data, result = export([article.pk], "ja")
    assert result.fields == len(chrome)
    for step in chrome:
        data = replace_target(data, f"step-{step.pk}-body-1", f"手順{step.pk}。")
    revisions = {v.revision_id for v in Version.objects.all()}
    import_files([("many.xlf", data)], translator)
    new = {v.revision_id for v in Version.objects.all()} - revisions
    assert len(new) == 1
