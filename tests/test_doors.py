"""Every door of a write refuses the same inputs: one over an article's bounds, another
article's rows, a change outside the user's role.

The doors: the admin's change form, its preview, restore and recover in the history, the
list actions, the YAML content import (``import_articles``), the XLIFF import and the demo
loader (``load_demo``). Each of them turns what it received into an ``ArticleChange`` for
``articles/writes/``, so each refuses what the write path refuses, and nothing changes.

Where an input cannot be sent through a door, the table says why instead of a test:

- list actions carry article ids and a status only: no text (no size), no rows;
- the YAML import and the demo loader match rows by position: a file names no row id.
"""

import pytest
import reversion
import yaml
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import Client
from reversion.models import Version

from articles.models import Article, Step, Variant
from articles.xliff import ImportRefused, export, import_files
from tests.editors import change_url, graph, history_url, post
from tests.formfields import add_variants, admin_form
from tests.xliff_tools import replace_target, units

pytestmark = pytest.mark.django_db

# 4,986 characters: under a step's own limit (5,000); 51 of them pass a language's 250,000.
LONG_STEP = "Press the button. " * 277
OVER_THE_BUDGET = 51
TOO_LONG = "add up to more than 250,000 characters"
FOREIGN = "does not belong to this article"
SHARED = "shares rows with another article"


def preview_url(article):
    return change_url(article).replace("/change/", "/preview/")


def long_article(make_article, platforms, **fields):
    """An article over the budget, written past every door (as a database restore might)."""
    return make_article(
        slug="long",
        steps={platforms["chrome"]: [(LONG_STEP, "押す。")] * OVER_THE_BUDGET},
        **fields,
    )


def export_folder(tmp_path, edit):
    """Export the knowledge base, let ``edit(number, data)`` change each article file's
    data, and return the folder."""
    folder = tmp_path / "content"
    call_command("export_articles", str(folder), verbosity=0)
    for path in sorted((folder / "articles").glob("*.yaml")):
        data = yaml.safe_load(path.read_text())
        edit(data["number"], data)
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    return folder


def run_import(door, folder, user=None):
    """Import ``folder`` through the YAML door (``import_articles``) or the demo loader."""
    options = {"user": user.username} if user else {}
    if door == "load_demo":
        call_command("load_demo", directory=str(folder), verbosity=0, **options)
    else:
        call_command("import_articles", str(folder), verbosity=0, **options)


def staff(group=None, name=None):
    user = User.objects.create_user(name or f"staff-{group or 'none'}", password="x", is_staff=True)
    if group:
        from django.contrib.auth.models import Group

        user.groups.add(Group.objects.get(name=group))
    client = Client()
    client.force_login(user)
    return user, client


# --- 1. Over an article's bounds: 250,000 characters in one language. ----------------------


@pytest.mark.parametrize("door", ["form", "preview"])
def test_the_admin_doors_refuse_an_article_over_the_text_budget(
    door, staff_client, make_article, platforms
):
    article = make_article(slug="short", steps={platforms["chrome"]: [("One.", "一。")]})
    data = admin_form(staff_client, change_url(article))
    steps = [{"body_en": LONG_STEP, "body_ja": "押す。"}] * OVER_THE_BUDGET
    add_variants(data, [(platforms["edge"].pk, steps)])
    before = graph(article)

    url = change_url(article) if door == "form" else preview_url(article)
    response = post(staff_client, url, data)

    assert response.status_code == 200
    assert TOO_LONG in response.content.decode()
    assert graph(article) == before


def test_restoring_a_version_over_the_text_budget_is_refused(staff_client, make_article, platforms):
    article = long_article(make_article, platforms)
    old = Version.objects.get_for_object(article).get()
    with reversion.create_revision():  # shortened since, past every door
        Step.objects.filter(variant__article=article).update(body_en="Short.")
        reversion.add_to_revision(Article.objects.get(pk=article.pk))
    before = graph(article)

    url = history_url(article.pk, old)
    response = post(staff_client, url, admin_form(staff_client, url))

    assert response.status_code == 200
    assert TOO_LONG in response.content.decode()
    assert graph(article) == before


def test_recovering_an_article_over_the_text_budget_is_refused(
    staff_client, make_article, platforms
):
    article = long_article(make_article, platforms)
    number = article.number
    Article.objects.filter(pk=article.pk).delete()
    deleted = Version.objects.get_deleted(Article).get()

    url = f"/admin/articles/article/recover/{deleted.pk}/"
    response = post(staff_client, url, admin_form(staff_client, url))

    assert response.status_code == 200
    assert TOO_LONG in response.content.decode()
    assert not Article.objects.filter(number=number).exists()


@pytest.mark.parametrize("door", ["import_articles", "load_demo"])
def test_the_file_doors_refuse_an_article_over_the_text_budget_naming_file_and_limit(
    door, make_article, platforms, tmp_path
):
    """The import stored 394,000 characters ("1 updated") where the admin refuses."""
    article = make_article(number=1005, slug="sms", steps={platforms["chrome"]: [("A.", "あ。")]})

    def lengthen(number, data):
        if number == 1005:
            step = {"body": {"en": LONG_STEP, "ja": "押します。" * 997}}
            data["variants"][0]["steps"] = [step] * OVER_THE_BUDGET

    folder = export_folder(tmp_path, lengthen)
    before = graph(article)

    with pytest.raises(CommandError) as refused:
        run_import(door, folder)

    message = str(refused.value)
    assert "1005-sms.yaml" in message and "250,000 characters" in message
    assert "Nothing was imported" in message
    assert graph(article) == before


def test_the_xliff_import_refuses_a_translation_over_the_text_budget(make_article, platforms):
    article = make_article(
        slug="many", steps={platforms["chrome"]: [(f"Step {n}.", "") for n in range(51)]}
    )
    translator, _client = staff("Translator")
    data, _result = export([article.pk], "ja")
    for unit_id in units(data):
        if unit_id.startswith("step-"):
            data = replace_target(data, unit_id, "押します。" * 998)
    before = graph(article)

    with pytest.raises(ImportRefused) as refused:
        import_files([("kb-ja.xlf", data)], translator)

    assert TOO_LONG in str(refused.value) and "kb-ja.xlf" in str(refused.value)
    assert graph(article) == before


# --- 2. Another article's rows. -------------------------------------------------------------


@pytest.mark.parametrize("door", ["form", "preview"])
def test_the_admin_doors_refuse_another_articles_step(door, staff_client, browsers, other):
    foreign = Step.objects.get(variant__article=other)
    data = admin_form(staff_client, change_url(browsers))
    data["variants-0-steps-0-id"] = [str(foreign.pk)]
    data["variants-0-steps-0-body_en"] = ["Taken over."]
    before = graph(browsers), graph(other)

    url = change_url(browsers) if door == "form" else preview_url(browsers)
    response = post(staff_client, url, data)

    assert response.status_code == 200
    assert FOREIGN in response.content.decode()
    assert (graph(browsers), graph(other)) == before


def test_restoring_a_version_whose_step_is_now_another_articles_is_refused(
    staff_client, browsers, other
):
    old = Version.objects.get_for_object(browsers).get()
    step = Step.objects.filter(variant__article=browsers).first()
    # Moved to the other article since, past every door.
    Step.objects.filter(pk=step.pk).update(variant=Variant.objects.get(article=other))
    before = graph(browsers), graph(other)

    url = history_url(browsers.pk, old)
    response = post(staff_client, url, admin_form(staff_client, url))

    assert SHARED in response.content.decode() or response.status_code == 302
    assert (graph(browsers), graph(other)) == before


def test_recovering_an_article_whose_step_id_is_now_another_articles_is_refused(
    staff_client, browsers, other
):
    step_ids = list(Step.objects.filter(variant__article=browsers).values_list("pk", flat=True))
    Article.objects.filter(pk=browsers.pk).delete()
    deleted = Version.objects.get_deleted(Article).get()
    # A row of the other article took one of the deleted article's ids.
    Step.objects.create(pk=step_ids[0], variant=Variant.objects.get(article=other), body_en="X.")
    before = graph(other)

    url = f"/admin/articles/article/recover/{deleted.pk}/"
    response = post(staff_client, url, admin_form(staff_client, url))

    assert response.status_code in (200, 302)
    assert SHARED in response.content.decode() or response.status_code == 302
    assert not Article.objects.filter(number=browsers.number).exists()
    assert graph(other) == before


def test_the_xliff_import_refuses_a_unit_of_another_articles_step(browsers, other):
    translator, _client = staff("Translator")
    data, _result = export([browsers.pk], "ja", ("all",))
    own = Step.objects.filter(variant__article=browsers).first()
    foreign = Step.objects.get(variant__article=other)
    data = data.replace(f"step-{own.pk}-".encode(), f"step-{foreign.pk}-".encode())
    before = graph(browsers), graph(other)

    with pytest.raises(ImportRefused) as refused:
        import_files([("kb-ja.xlf", data)], translator)

    assert "no such text" in str(refused.value)
    assert (graph(browsers), graph(other)) == before


# --- 3. Outside the user's role. -------------------------------------------------------------


@pytest.mark.parametrize("door", ["form", "preview"])
def test_the_admin_doors_never_let_a_translator_add_a_step(door, login_as, browsers, platforms):
    translator = login_as("Translator")
    data = admin_form(translator, change_url(browsers))
    add_variants(data, [(platforms["safari"].pk, [{"body_en": "New.", "body_ja": "新規。"}])])
    before = graph(browsers)

    url = change_url(browsers) if door == "form" else preview_url(browsers)
    response = post(translator, url, data)

    # The translator's page has no such rows: Django's formsets leave them out (a save
    # of the rest, or a preview without them); the write path refuses them otherwise.
    assert response.status_code in (200, 302)
    assert "新規。" not in response.content.decode()
    assert graph(browsers) == before


def test_an_editor_restoring_a_published_version_of_a_draft_publishes_nothing(login_as, browsers):
    old = Version.objects.get_for_object(browsers).get()  # published
    Article.objects.filter(pk=browsers.pk).update(status="draft")
    editor = login_as("Editor")

    url = history_url(browsers.pk, old)
    response = post(editor, url, admin_form(editor, url))

    assert response.status_code == 302
    assert Article.objects.get(pk=browsers.pk).status == "draft"


def test_an_editor_recovering_a_published_article_gets_a_draft(login_as, browsers):
    Article.objects.filter(pk=browsers.pk).delete()
    deleted = Version.objects.get_deleted(Article).get()
    editor = login_as("Editor")

    url = f"/admin/articles/article/recover/{deleted.pk}/"
    response = post(editor, url, admin_form(editor, url))

    assert response.status_code == 302
    assert Article.objects.get(number=browsers.number).status == "draft"


def test_a_list_action_refuses_an_editor_publishing(login_as, make_article):
    draft = make_article(slug="draft", status="draft")
    editor = login_as("Editor")

    response = post(
        editor,
        "/admin/articles/article/",
        {"action": "publish", "_selected_action": [draft.pk], "index": 0},
    )

    assert response.status_code in (200, 302, 403)
    assert Article.objects.get(pk=draft.pk).status == "draft"


@pytest.mark.parametrize("door", ["import_articles", "load_demo"])
def test_the_file_doors_refuse_an_editor_publishing_by_file(
    door, editor_groups, make_article, tmp_path, capsys
):
    draft = make_article(number=1006, slug="voice", status="draft")
    editor, _client = staff("Editor")

    def publish(number, data):
        if number == 1006:
            data["status"] = "published"
            data["title"]["en"] = "Published by a file"

    folder = export_folder(tmp_path, publish)
    run_import(door, folder, user=editor)

    assert "You may not publish" in capsys.readouterr().err
    assert Article.objects.get(pk=draft.pk).status == "draft"
    assert Article.objects.get(pk=draft.pk).title_en == "An article"


@pytest.mark.parametrize("door", ["import_articles", "load_demo"])
def test_the_file_doors_refuse_a_translator_changing_the_source(
    door, editor_groups, make_article, tmp_path, capsys
):
    article = make_article(number=1007, slug="device")
    translator, _client = staff("Translator")

    def retitle(number, data):
        if number == 1007:
            data["title"]["en"] = "Rewritten by a translator"

    folder = export_folder(tmp_path, retitle)
    run_import(door, folder, user=translator)

    assert "You may not change Title (English)" in capsys.readouterr().err
    assert Article.objects.get(pk=article.pk).title_en == "An article"


def test_the_xliff_import_refuses_a_user_without_a_role(editor_groups, browsers):
    nobody, _client = staff()
    data, _result = export([browsers.pk], "ja", ("all",))
    before = graph(browsers)

    with pytest.raises(ImportRefused) as refused:
        import_files([("kb-ja.xlf", data)], nobody)

    assert "You may not change articles" in str(refused.value)
    assert graph(browsers) == before
