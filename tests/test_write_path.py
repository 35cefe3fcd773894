"""The one write path: whatever door a write comes through, the same rules hold.

Each test reproduces an attack or an accident seen on the admin (posted ids of another
article's rows, restore and recover past a role's rights, a refused stale form saved again,
concurrent writes, inputs that answered 500) and checks that the article graphs come out
unchanged, with an answer an editor understands.
"""

import re
import threading

import pytest
from django.db import connection
from reversion.models import Version

from articles.models import Article, Step, Variant
from tests.editors import change_url, graph, superuser
from tests.formfields import admin_form, form_errors

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_articles(make_article, platforms):
    first = make_article(
        number=1001,
        slug="first",
        steps={
            platforms["chrome"]: [("Open Chrome.", "Chrome を開きます。")],
            platforms["edge"]: [("Open Edge.", "Edge を開きます。"), ("Sign in.", "ログイン。")],
        },
    )
    second = make_article(
        number=1002,
        slug="second",
        steps={
            platforms["chrome"]: [("Open the menu.", "メニューを開きます。")],
            platforms["safari"]: [("Open Safari.", "Safari を開きます。")],
        },
    )
    draft = make_article(
        number=1003,
        slug="draft",
        status="draft",
        steps={platforms["firefox"]: [("Secret draft step.", "非公開の手順。")]},
    )
    return first, second, draft


# 1. Posted inline ids belong to the article being saved, or nothing is saved.


@pytest.mark.parametrize("group", ["Translator", "Editor"])
def test_a_step_id_of_another_article_is_refused_and_nothing_moves(
    login_as, two_articles, group, client
):
    first, second, _draft = two_articles
    foreign = Step.objects.get(body_en="Open Chrome.")
    before = graph(first), graph(second)
    editor = login_as(group)
    data = admin_form(editor, change_url(second))
    data["variants-0-steps-0-id"] = [str(foreign.pk)]
    data["variants-0-steps-0-body_ja"] = ["乗っ取った手順。"]

    response = editor.post(change_url(second), data)

    assert response.status_code == 200
    assert "does not belong to this article" in response.content.decode()
    assert (graph(first), graph(second)) == before
    assert "乗っ取った" not in client.get("/ja/articles/1002/second/").content.decode()


def test_a_variant_id_of_another_article_is_refused_and_the_tab_stays(login_as, two_articles):
    first, second, _draft = two_articles
    foreign = Variant.objects.get(article=first, platform__slug="edge")
    before = graph(first), graph(second)
    editor = login_as("Editor")
    data = admin_form(editor, change_url(second))
    data["variants-1-id"] = [str(foreign.pk)]
    data["variants-1-steps-TOTAL_FORMS"] = ["0"]
    data["variants-1-steps-INITIAL_FORMS"] = ["0"]

    response = editor.post(change_url(second), data)

    assert response.status_code == 200
    assert "does not belong to this article" in response.content.decode()
    assert (graph(first), graph(second)) == before


def test_a_refusal_holds_when_the_same_post_also_deletes_a_row(login_as, two_articles, platforms):
    """django-nested-admin validates everything a second time when a row is deleted."""
    _first, second, _draft = two_articles
    before = graph(second)
    editor = login_as("Editor")
    data = admin_form(editor, change_url(second))
    data["variants-1-platform"] = [str(platforms["chrome"].pk)]  # Chrome twice: refused
    data["variants-1-steps-0-DELETE"] = ["on"]

    response = editor.post(change_url(second), data)

    assert response.status_code == 200
    assert "one variant per platform" in response.content.decode()
    assert graph(second) == before


def test_a_draft_step_id_never_puts_the_draft_text_on_a_published_page(
    login_as, two_articles, client
):
    _first, second, draft = two_articles
    secret = Step.objects.get(variant__article=draft)
    editor = login_as("Editor")
    data = admin_form(editor, change_url(second))
    data["variants-0-steps-0-id"] = [str(secret.pk)]

    response = editor.post(change_url(second), data)

    assert response.status_code == 200
    assert Step.objects.get(pk=secret.pk).variant.article_id == draft.pk
    for language in ("en", "ja"):
        page = client.get(f"/{language}/articles/1002/second/").content.decode()
        assert "Secret draft step." not in page and "非公開の手順。" not in page


# 2. Restore and recover stay within the role's rights.


def revision_of(article, **wanted):
    """Return the stored version of ``article`` whose fields match ``wanted``."""
    for version in Version.objects.get_for_object(article):
        if all(version.field_dict.get(k) == v for k, v in wanted.items()):
            return version
    raise AssertionError(f"no revision with {wanted}")


def restore(client, article, version):
    url = f"/admin/articles/article/{article.pk}/history/{version.pk}/"
    return client.post(url, admin_form(client, url))


def test_an_editor_restoring_a_published_revision_does_not_publish(login_as, make_article):
    article = make_article(slug="pulled", status="published")
    published = revision_of(article, status="published")
    publisher = login_as("Publisher")
    publisher.post(
        "/admin/articles/article/",
        {"action": "unpublish", "_selected_action": [article.pk], "index": 0},
    )
    assert Article.objects.get(pk=article.pk).status == "draft"

    response = restore(login_as("Editor"), article, published)

    assert response.status_code in (200, 302), form_errors(response)
    assert Article.objects.get(pk=article.pk).status == "draft"


def test_an_editor_recovering_a_deleted_article_gets_a_draft(login_as, make_article, client):
    article = make_article(slug="deleted", status="published", number=4321)
    publisher = login_as("Publisher")
    response = publisher.post(change_url(article).replace("change", "delete"), {"post": "yes"})
    assert response.status_code == 302
    deleted = Version.objects.get_deleted(Article).get()

    editor = login_as("Editor")
    url = f"/admin/articles/article/recover/{deleted.pk}/"
    response = editor.post(url, admin_form(editor, url))

    assert response.status_code == 302, form_errors(response)
    assert Article.objects.get(number=4321).status == "draft"
    assert client.get("/en/articles/4321/deleted/").status_code == 404


def test_a_translator_restore_changes_translations_only(login_as, make_article, platforms):
    article = make_article(
        slug="restored",
        status="draft",
        steps={
            platforms["chrome"]: [("One.", "一。"), ("Two.", "二。")],
            platforms["edge"]: [("Edge one.", "Edge 一。")],
        },
    )
    old = Version.objects.get_for_object(article).get()
    # Since then: published, retitled, a step and a variant added, Japanese changed.
    publisher = login_as("Publisher")
    data = admin_form(publisher, change_url(article))
    data["status"] = ["published"]
    data["title_en"] = ["New English title"]
    data["title_ja"] = ["新しい題名"]
    data["variants-0-steps-0-body_ja"] = ["新しい一。"]
    assert publisher.post(change_url(article), data).status_code == 302
    with_new_rows = graph(article)

    response = restore(login_as("Translator"), article, old)

    assert response.status_code == 302, form_errors(response)
    article.refresh_from_db()
    assert article.status == "published"
    assert article.title_en == "New English title"
    assert article.title_ja == "記事"  # the translation did go back
    assert Step.objects.get(body_en="One.").body_ja == "一。"
    _flat, rows, steps, *_rest = graph(article)
    assert [r[:3] for r in rows] == [r[:3] for r in with_new_rows[1]]
    assert [s[:4] for s in steps] == [s[:4] for s in with_new_rows[2]]


def test_a_translator_restore_never_deletes_steps_or_variants(login_as, make_article, platforms):
    article = make_article(slug="grown", steps={platforms["chrome"]: [("One.", "一。")]})
    old = Version.objects.get_for_object(article).get()
    editor = login_as("Editor")
    from tests.formfields import add_variants

    data = admin_form(editor, change_url(article))
    data["variants-0-steps-TOTAL_FORMS"] = ["2"]
    data["variants-0-steps-1-order"] = ["1"]
    data["variants-0-steps-1-body_en"] = ["Two."]
    data["variants-0-steps-1-body_ja"] = ["二。"]
    add_variants(data, [(platforms["safari"].pk, [{"body_en": "Safari.", "body_ja": "サ。"}])])
    assert editor.post(change_url(article), data).status_code == 302, "setup"
    grown = graph(article)
    assert len(grown[2]) == 3

    response = restore(login_as("Translator"), article, old)

    assert response.status_code == 302, form_errors(response)
    assert graph(article)[1:] == grown[1:]


# 3. A refused stale save, saved again unchanged, reverts nobody.


@pytest.fixture
def shared(make_article, platforms):
    return make_article(
        slug="shared",
        summary_en="The old summary.",
        summary_ja="古い概要。",
        steps={platforms["chrome"]: [(f"Step {n}.", f"手順{n}。") for n in range(1, 6)]},
    )


def test_a_stale_form_that_changed_other_fields_is_merged(shared):
    aiko, ben = superuser("aiko"), superuser("ben")
    url = change_url(shared)
    aiko_form, ben_form = admin_form(aiko, url), admin_form(ben, url)
    aiko_form["summary_en"] = ["Aiko's summary."]
    aiko_form["variants-0-steps-1-body_en"] = ["Aiko's step 2."]
    assert aiko.post(url, aiko_form).status_code == 302

    ben_form["variants-0-steps-4-body_en"] = ["Ben's step 5."]
    response = ben.post(url, ben_form)

    assert response.status_code == 302, form_errors(response)
    article = Article.objects.get(pk=shared.pk)
    bodies = list(
        Step.objects.filter(variant__article=article)
        .order_by("order")
        .values_list("body_en", flat=True)
    )
    assert article.summary_en == "Aiko's summary."
    assert bodies == ["Step 1.", "Aiko's step 2.", "Step 3.", "Step 4.", "Ben's step 5."]


def test_a_refused_stale_save_sent_again_unchanged_reverts_nothing(shared):
    aiko, ben = superuser("aiko"), superuser("ben")
    url = change_url(shared)
    aiko_form, ben_form = admin_form(aiko, url), admin_form(ben, url)
    aiko_form["summary_en"] = ["Aiko's summary."]
    aiko_form["variants-0-steps-1-body_en"] = ["Aiko's step 2."]
    assert aiko.post(url, aiko_form).status_code == 302
    after_aiko = graph(shared)

    ben_form["summary_en"] = ["Ben's summary."]
    refused = ben.post(url, ben_form)
    assert refused.status_code == 200
    html = refused.content.decode()
    assert "Aiko&#x27;s summary." in html and "Ben&#x27;s summary." in html

    # Ben clicks Save again without choosing: still refused, nothing changes.
    from tests.test_concurrency import admin_form_from

    again = ben.post(url, admin_form_from(html))
    assert again.status_code == 200
    assert graph(shared) == after_aiko

    # Ben chooses his own text: saved, and Aiko's step 2 is still hers.
    chosen = admin_form_from(again.content.decode())
    (key,) = set(re.findall(r'name="(kb_resolve_[^"]+)" value="mine"', again.content.decode()))
    chosen[key] = ["mine"]
    response = ben.post(url, chosen)
    assert response.status_code == 302, form_errors(response)
    article = Article.objects.get(pk=shared.pk)
    assert article.summary_en == "Ben's summary."
    assert Step.objects.get(variant__article=article, order=1).body_en == "Aiko's step 2."


# 4. Every write raises the version atomically.


@pytest.mark.django_db(transaction=True)
# Threads write on connections of their own: their commits must not outlive the test.
@pytest.mark.django_db(transaction=True)
def test_concurrent_saves_and_a_list_action_get_distinct_versions(make_article, platforms):
    article = make_article(slug="busy", steps={platforms["chrome"]: [("One.", "一。")]})
    clients = [superuser(name) for name in ("aiko", "ben", "chika")]
    url = change_url(article)
    forms = [admin_form(c, url) for c in clients[:2]]
    forms[0]["summary_en"] = ["Aiko's summary."]
    forms[1]["variants-0-steps-0-body_ja"] = ["ベンの手順。"]
    start = threading.Barrier(3)
    answers = []

    def run(action):
        start.wait()
        try:
            answers.append(action())
        finally:
            connection.close()

    actions = [
        lambda: clients[0].post(url, forms[0]).status_code,
        lambda: clients[1].post(url, forms[1]).status_code,
        lambda: (
            clients[2]
            .post(
                "/admin/articles/article/",
                {"action": "unpublish", "_selected_action": [article.pk], "index": 0},
            )
            .status_code
        ),
    ]
    threads = [threading.Thread(target=run, args=(a,)) for a in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert sorted(answers) == [302, 302, 302]
    versions = [v.field_dict["version"] for v in Version.objects.get_for_object(article)]
    assert len(versions) == 4  # created, then three writes
    assert versions == sorted(set(versions), reverse=True)
    final = Article.objects.get(pk=article.pk)
    assert final.version == versions[0]
    assert final.summary_en == "Aiko's summary." and final.status == "draft"
    assert Step.objects.get(variant__article=final).body_ja == "ベンの手順。"


# 6. Form errors and 404s, not 500s.


def test_two_variants_for_one_platform_is_a_form_error(staff_client, make_article, platforms):
    article = make_article(slug="dup", steps={platforms["chrome"]: [("One.", "一。")]})
    from tests.formfields import add_variants

    data = admin_form(staff_client, change_url(article))
    data["title_en"] = ["Typed before the mistake"]
    add_variants(data, [(platforms["chrome"].pk, [{"body_en": "Again.", "body_ja": "再。"}])])

    response = staff_client.post(change_url(article), data)

    assert response.status_code == 200
    html = response.content.decode()
    assert "one variant per platform" in html
    assert 'value="Typed before the mistake"' in html
    assert Variant.objects.filter(article=article).count() == 1


@pytest.mark.parametrize(
    "path",
    [
        "/admin/articles/article/abc/history/compare/",
        "/admin/articles/article/abc/history/1/",
        "/admin/articles/article/99999999999999999999/history/1/",
        "/admin/articles/article/abc/history/compare/?from=x&to=y",
    ],
)
def test_history_urls_with_other_ids_answer_404(staff_client, make_article, path):
    make_article(slug="one")
    assert staff_client.get(path).status_code == 404


@pytest.mark.parametrize(
    "path", ["/admin/articles/article/1/history/abc/", "/admin/articles/article/recover/abc/"]
)
def test_history_urls_that_name_no_version_lead_back_to_the_admin(staff_client, make_article, path):
    make_article(slug="one")
    response = staff_client.get(path, follow=True)
    assert response.status_code == 200
    assert "doesn’t exist" in response.content.decode()


# 10. An admin save costs what it should.


@pytest.mark.django_db(transaction=True)
def test_saving_the_har_article_runs_a_bounded_number_of_queries(
    staff_client, demo, django_assert_max_num_queries, client
):
    """KB 1008 (5 variants, 30 steps): the whole save, after-commit work included."""
    url = change_url(demo[1008])
    data = admin_form(staff_client, url)
    data["variants-0-steps-1-body_en"] = ["Open the developer tools (queries pinned)."]
    data["variants-0-steps-1-body_ja"] = ["開発者ツールを開きます（クエリ数の確認）。"]

    # The numbers reached (from 208 before the write path). PostgreSQL counts four more:
    # its index update is one transaction (BEGIN, COMMIT), and it removes an article's
    # rows and their term counts after updating the totals, in a statement of its own per
    # language, so that concurrent index writers take their locks in one order.
    with django_assert_max_num_queries(58 if connection.vendor == "sqlite" else 62):
        response = staff_client.post(url, data)

    assert response.status_code == 302, form_errors(response)
    for language, text in (("en", "queries pinned"), ("ja", "クエリ数の確認")):
        page = client.get(f"/{language}/articles/1008/{demo[1008].slug}/").content.decode()
        assert text in page


# 5. One article cannot hold more text than its page renders quickly.


def test_an_article_whose_texts_add_up_past_the_page_budget_is_refused(
    staff_client, make_article, platforms
):
    from articles.writes import MAX_TEXT_PER_LANGUAGE
    from tests.formfields import add_variants

    article = make_article(slug="long", steps={platforms["chrome"]: [("One.", "一。")]})
    data = admin_form(staff_client, change_url(article))
    step = "Press the button. " * 277  # 4,986 characters, under a step's own limit
    count = MAX_TEXT_PER_LANGUAGE // len(step) + 1
    add_variants(data, [(platforms["edge"].pk, [{"body_en": step, "body_ja": "押す。"}] * count)])

    response = staff_client.post(change_url(article), data)

    assert response.status_code == 200
    assert "add up to more than 250,000 characters" in response.content.decode()
    assert Step.objects.filter(variant__article=article).count() == 1
