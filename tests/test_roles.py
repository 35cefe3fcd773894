"""Roles: Editors write but cannot publish, Translators only translate, Publishers publish.

Each test logs in as a new user who is only a member of the group the migration created,
and works through the real admin forms.
"""

import pytest
from django.contrib.auth.models import Group, User

from articles.models import Article, Step
from tests.formfields import add_variants, admin_form, form_errors

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/articles/article/add/"


@pytest.fixture
def login_as(client, editor_groups):
    def login(group):
        user = User.objects.create_user(f"{group.lower()}-1", password="x", is_staff=True)
        user.groups.add(Group.objects.get(name=group))
        client.force_login(user)
        return client

    return login


def new_article_form(client, category, platforms):
    data = admin_form(client, ADD_URL)
    data.update(
        number=["4242"],
        slug=["export-a-statement"],
        category=[str(category.pk)],
        title_en=["Export a statement"],
        title_ja=["明細書をエクスポートする"],
    )
    steps = [
        {"body_en": f"Step {n} in {{}}.", "body_ja": f"{{}}で手順{n}を行います。"}
        for n in (1, 2, 3)
    ]
    return add_variants(
        data,
        [
            (
                platforms[slug].pk,
                [{k: v.format(slug) for k, v in step.items()} for step in steps],
            )
            for slug in ("chrome", "safari")
        ],
    )


def test_editor_creates_a_whole_article_on_one_page_but_cannot_publish(
    login_as, category, platforms, client
):
    editor = login_as("Editor")
    page = editor.get(ADD_URL).content.decode()
    assert 'name="status"' not in page  # the status is shown, not editable

    data = new_article_form(editor, category, platforms)
    data["status"] = ["published"]  # a forged field is ignored
    response = editor.post(ADD_URL, data)
    assert response.status_code == 302, form_errors(response)

    article = Article.objects.get(number=4242)
    assert article.status == "draft"
    steps = Step.objects.filter(variant__article=article).order_by("variant__order", "order")
    assert [s.body_ja for s in steps][:3] == [f"chromeで手順{n}を行います。" for n in (1, 2, 3)]
    assert steps.count() == 6
    # Readers cannot see the draft.
    client.logout()
    assert client.get("/en/articles/4242/export-a-statement/").status_code == 404

    # The publish action is not offered to an editor, and forcing it changes nothing.
    changelist = editor.get("/admin/articles/article/").content.decode()
    assert 'value="publish"' not in changelist
    editor.post(
        "/admin/articles/article/",
        {"action": "publish", "_selected_action": [article.pk], "index": 0},
    )
    article.refresh_from_db()
    assert article.status == "draft"


def test_publisher_publishes_and_readers_see_it_in_both_languages(login_as, make_article, client):
    article = make_article(status="draft", slug="draft-one", title=("Draft one", "下書き"))
    publisher = login_as("Publisher")
    assert 'value="publish"' in publisher.get("/admin/articles/article/").content.decode()
    response = publisher.post(
        "/admin/articles/article/",
        {"action": "publish", "_selected_action": [article.pk], "index": 0},
        follow=True,
    )
    assert response.status_code == 200
    article.refresh_from_db()
    assert article.status == "published"
    client.logout()
    assert "Draft one" in client.get(f"/en/articles/{article.number}/draft-one/").content.decode()
    assert "下書き" in client.get(f"/ja/articles/{article.number}/draft-one/").content.decode()


def test_publisher_can_set_the_status_on_the_form(login_as, make_article):
    article = make_article(status="draft", slug="by-form")
    publisher = login_as("Publisher")
    url = f"/admin/articles/article/{article.pk}/change/"
    data = admin_form(publisher, url)
    data["status"] = ["published"]
    response = publisher.post(url, data)
    assert response.status_code == 302, form_errors(response)
    article.refresh_from_db()
    assert article.status == "published"


def test_translator_changes_only_the_translation(login_as, make_article):
    article = make_article(steps={None: [("Open the menu.", "メニューを開きます。")]})
    translator = login_as("Translator")
    assert translator.get(ADD_URL).status_code == 403
    url = f"/admin/articles/article/{article.pk}/change/"
    page = translator.get(url).content.decode()
    assert 'name="variants-0-steps-0-body_ja"' in page
    assert 'name="variants-0-steps-0-body_en"' not in page  # shown, not editable
    assert 'name="title_en"' not in page and 'name="title_ja"' in page

    data = admin_form(translator, url)
    data["variants-0-steps-0-body_ja"] = ["メニューをクリックして開きます。"]
    data["title_ja"] = ["新しい題名"]
    # Forged changes to what a translator may not touch are ignored.
    data["variants-0-steps-0-body_en"] = ["Hacked."]
    data["title_en"] = ["Hacked"]
    data["slug"] = ["hacked"]
    response = translator.post(url, data)
    assert response.status_code == 302, form_errors(response)

    article.refresh_from_db()
    step = Step.objects.get(variant__article=article)
    assert (article.title_ja, step.body_ja) == ("新しい題名", "メニューをクリックして開きます。")
    assert (article.title_en, step.body_en, article.slug) == (
        "An article",
        "Open the menu.",
        "an-article",
    )


def test_translator_cannot_add_or_delete_steps_or_articles(login_as, make_article):
    article = make_article(steps={None: [("One.", "一。"), ("Two.", "二。")]})
    translator = login_as("Translator")
    url = f"/admin/articles/article/{article.pk}/change/"
    data = admin_form(translator, url)
    data["variants-0-steps-1-DELETE"] = ["on"]
    translator.post(url, data)
    assert Step.objects.filter(variant__article=article).count() == 2
    assert translator.get(f"/admin/articles/article/{article.pk}/delete/").status_code == 403


def test_the_migration_gives_each_group_what_its_role_needs(editor_groups):
    def can(group, codename):
        return Group.objects.get(name=group).permissions.filter(codename=codename).exists()

    assert can("Editor", "add_article") and can("Editor", "edit_source")
    assert not can("Editor", "publish_article") and not can("Editor", "delete_article")
    assert can("Translator", "change_step") and not can("Translator", "add_step")
    assert not can("Translator", "edit_source") and not can("Translator", "publish_article")
    assert can("Publisher", "publish_article") and can("Publisher", "edit_source")


def test_status_actions_report_what_was_done_apart_from_the_status_label(login_as, make_article):
    # In Japanese the state (公開中) and the act (公開しました) are different words: the
    # message after the action must not read like the status column next to it.
    articles = [make_article(status="draft", slug=f"draft-{n}") for n in range(2)]
    publisher = login_as("Publisher")
    publisher.cookies["django_language"] = "ja"
    for action, message, label in [
        ("publish", "公開しました（2件）", "公開中"),
        ("unpublish", "非公開にしました（2件）", "下書き"),
        ("archive", "アーカイブしました（2件）", "アーカイブ済み"),
    ]:
        response = publisher.post(
            "/admin/articles/article/",
            {"action": action, "_selected_action": [a.pk for a in articles], "index": 0},
            follow=True,
        )
        html = response.content.decode()
        assert message in html
        assert html.count(f'<td class="field-status">{label}</td>') == 2
