"""The admin in a real browser: a support agent edits an article's Japanese text."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_staff_edits_japanese_step_in_admin_and_sees_it_on_site(site, page, django_user_model):
    django_user_model.objects.create_superuser("agent", "", "a-long-test-password")
    host = urlsplit(site).netloc
    elsewhere = []
    page.on(
        "request",
        lambda r: elsewhere.append(r.url) if urlsplit(r.url).netloc not in {host, ""} else None,
    )
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    page.goto(f"{site}/admin/")
    page.fill("#id_username", "agent")
    page.fill("#id_password", "a-long-test-password")
    page.click("input[type=submit]")
    page.get_by_role("link", name="Articles").first.click()
    page.get_by_role("link", name="Generating a HAR file for our support team").click()
    page.locator("#kb-variant-index button[data-all=expand]").click()

    step = page.locator(
        "textarea[name$='-body_ja']", has_text="「ネットワーク」タブを選びます"
    ).first
    step.fill("「ネットワーク」タブをクリックします（管理画面から編集）。")
    with page.expect_navigation():
        page.locator("input[name=_save]").first.click()
    expect(page.locator(".messagelist .success")).to_be_visible()

    page.goto(f"{site}/ja/articles/1008/generate-a-har-file/?platform=safari")
    assert (
        page.get_by_text("「ネットワーク」タブをクリックします（管理画面から編集）。").count() == 1
    )
    assert elsewhere == []
    assert errors == []
