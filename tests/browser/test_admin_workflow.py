"""Editors in real browsers: two people save the same article; a translator sees a diff."""

from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Group, User
from playwright.sync_api import expect
from reversion.models import Version

from articles.models import Article, Step

pytestmark = pytest.mark.browser

HAR = "Generating a HAR file for our support team"


def log_in(context, site, username):
    page = context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{site}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "a-long-test-password")
    page.click("input[type=submit]")
    return page, errors


def open_har(page, site):
    article = Article.objects.get(number=1008)
    page.goto(f"{site}/admin/articles/article/{article.pk}/change/")
    # Variants open folded: the index above them unfolds them all.
    page.locator("#kb-variant-index button[data-all=expand]").click()
    return article


def save(page):
    with page.expect_navigation():
        page.locator("input[name=_save]").first.click()


STEP_2 = "textarea[name='variants-0-steps-1-body_en']"
STEP_5 = "textarea[name='variants-0-steps-4-body_en']"


def test_three_editors_save_the_same_article_and_nothing_is_lost(site, new_context):
    for name in ("aiko", "ben", "chika"):
        User.objects.create_superuser(name, "", "a-long-test-password")
    aiko, aiko_errors = log_in(new_context(), site, "aiko")
    ben, ben_errors = log_in(new_context(), site, "ben")
    # Chika reads the admin in Japanese.
    chika, chika_errors = log_in(new_context(locale="ja-JP"), site, "chika")
    article = open_har(aiko, site)
    open_har(ben, site)
    open_har(chika, site)

    aiko.fill("textarea[name=summary_en]", "Aiko's summary of the HAR article.")
    aiko.fill(STEP_2, "Aiko's second step.")
    save(aiko)
    expect(aiko.locator(".messagelist .success")).to_be_visible()

    # Ben's form is older, but he changed something else: accepted, Aiko's work kept.
    ben.fill(STEP_5, "Ben's fifth step.")
    save(ben)
    expect(ben.locator(".messagelist .success")).to_be_visible()
    article.refresh_from_db()
    steps = list(Step.objects.filter(variant__article=article, variant__order=0))
    assert article.summary_en == "Aiko's summary of the HAR article."
    assert [steps[1].body_en, steps[4].body_en] == ["Aiko's second step.", "Ben's fifth step."]

    # Chika changed the summary too: refused, with both texts side by side.
    chika.fill("textarea[name=summary_en]", "Chika's summary.")
    save(chika)
    conflict = chika.locator(".errorlist.nonfield .kb-conflict")
    expect(chika.locator(".errorlist.nonfield")).to_contain_text("同じ箇所")
    expect(conflict).to_contain_text("Aiko's summary of the HAR article.")
    expect(conflict).to_contain_text("Chika's summary.")
    version = Article.objects.get(pk=article.pk).version

    # Saving the refused form again unchanged changes nothing.
    save(chika)
    expect(chika.locator(".errorlist.nonfield .kb-conflict")).to_be_visible()
    article.refresh_from_db()
    assert article.version == version
    assert article.summary_en == "Aiko's summary of the HAR article."

    # Chika keeps her own text: saved; Aiko's and Ben's steps are still theirs.
    conflict.locator("input[value=mine]").check()
    save(chika)
    expect(chika.locator(".messagelist .success")).to_be_visible()
    article.refresh_from_db()
    steps = list(Step.objects.filter(variant__article=article, variant__order=0))
    assert article.summary_en == "Chika's summary."
    assert [steps[1].body_en, steps[4].body_en] == ["Aiko's second step.", "Ben's fifth step."]

    # The history shows every save, newest first.
    chika.goto(f"{site}/admin/articles/article/{article.pk}/history/")
    users = [v.revision.user.username for v in Version.objects.get_for_object(article)[:3]]
    assert users == ["chika", "ben", "aiko"]
    for name in users:
        expect(chika.locator("#change-history")).to_contain_text(name)
    assert aiko_errors == [] and ben_errors == [] and chika_errors == []


def test_translator_sees_what_changed_in_the_english_and_marks_it_done(
    site, new_context, editor_groups
):
    User.objects.create_superuser("writer", "", "a-long-test-password")
    translator = User.objects.create_user("yuki", password="a-long-test-password", is_staff=True)
    translator.groups.add(Group.objects.get(name="Translator"))
    host = urlsplit(site).netloc

    writer, _errors = log_in(new_context(), site, "writer")
    open_har(writer, site)
    step = writer.locator("textarea[name$='-body_en']", has_text="Network tab").first
    old = step.input_value()
    step.fill(old.replace("Network", "Network panel"))
    with writer.expect_navigation():
        writer.locator("input[name=_save]").first.click()

    page, errors = log_in(new_context(locale="ja-JP"), site, "yuki")
    elsewhere = []
    page.on(
        "request",
        lambda r: elsewhere.append(r.url) if urlsplit(r.url).netloc not in {host, ""} else None,
    )
    page.goto(f"{site}/admin/articles/article/?translation=outdated-ja")
    expect(page.get_by_text("要更新（1）")).to_be_visible()
    page.get_by_role("link", name="HAR").first.click()
    review = page.locator(".kb-review")
    expect(review.locator("ins")).to_contain_text("panel")
    review.locator("input[type=checkbox]").first.check()
    with page.expect_navigation():
        page.locator("input[name=_save]").first.click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    page.goto(f"{site}/admin/articles/article/?translation=outdated-ja")
    expect(page.get_by_text("要更新（1）")).to_have_count(0)
    assert Step.objects.filter(variant__article__number=1008).count() > 0
    assert elsewhere == [] and errors == []
