"""A first-time support agent in the admin, in a real browser, in English and Japanese.

Clicks are counted as a person makes them: links, buttons and drop-downs (choosing from a
drop-down is one click); typing into a field is counted as a field, not a click.
"""

import base64
import os
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from articles.models import Article, Step
from tests.test_uploads import image_bytes

pytestmark = pytest.mark.browser

PASSWORD = "a-long-test-password"

ADMIN_LANGUAGES = {
    "en": {
        "locale": "en-US",
        "category": "Login and security",
        "saved": "was added successfully",
        "not_public": "Not public",
    },
    "ja": {
        "locale": "ja-JP",
        "category": "ログインとセキュリティ",
        "saved": "追加しました",
        "not_public": "非公開",
    },
}


def log_in(new_context, site, language, **options):
    User.objects.create_superuser("agent", "", PASSWORD)
    context = new_context(
        locale=ADMIN_LANGUAGES[language]["locale"],
        viewport={"width": 1440, "height": 900},
        **options,
    )
    page = context.new_page()
    problems = []
    host = urlsplit(site).netloc
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "request",
        lambda r: problems.append(r.url) if urlsplit(r.url).netloc not in {host, ""} else None,
    )
    page.goto(f"{site}/admin/login/")
    page.fill("#id_username", "agent")
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("input[type=submit]")
    return page, problems


class Counter:
    """Clicks a person makes: each one goes through here."""

    def __init__(self, page):
        self.page = page
        self.clicks = 0
        self.fields = set()

    def click(self, locator):
        self.clicks += 1
        locator.click()

    def choose(self, selector, label):
        self.clicks += 1
        self.fields.add(selector)
        self.page.select_option(selector, label=label)

    def type(self, selector, value):
        self.fields.add(selector)
        self.page.locator(selector).press_sequentially(value)


@pytest.mark.parametrize("language", ["en", "ja"])
def test_a_first_time_agent_writes_an_article_with_two_variants(site, new_context, language):
    strings = ADMIN_LANGUAGES[language]
    page, problems = log_in(new_context, site, language)
    expected_number = max(Article.objects.values_list("number", flat=True)) + 1
    agent = Counter(page)

    # From the admin's front page: "Add" beside Articles.
    agent.click(page.locator("a.addlink[href$='/admin/articles/article/add/']"))
    expect(page.locator("#id_number")).to_have_value(str(expected_number))
    screenshot(page, f"new-article-{language}")
    expect(page.locator(".kb-publicness").first).to_contain_text(strings["not_public"])
    # No row that means nothing yet: order and translation state are out of the way.
    expect(page.locator("#variants-0 .field-order").first).to_be_hidden()
    expect(page.locator("#variants-0 .field-translation").first).to_be_hidden()
    # Platforms grouped by family.
    groups = page.locator("#id_variants-0-platform optgroup")
    expect(groups).to_have_count(3)

    agent.type("#id_title_en", "Reset a forgotten password")
    agent.choose("#id_category", strings["category"])
    agent.choose("#id_variants-0-platform", "Windows")
    agent.type("#id_variants-0-steps-0-body_en", "Press Ctrl+Alt+Delete, then Change a password.")
    agent.click(page.locator("a.djn-add-handler.djn-model-articles-variant"))
    agent.choose("#id_variants-1-platform", "macOS")
    agent.type("#id_variants-1-steps-0-body_en", "Open System Settings and choose Users & Groups.")
    with page.expect_navigation():
        agent.click(page.locator("input[name=_save]").first)

    expect(page.locator(".messagelist .success")).to_contain_text(strings["saved"])
    assert agent.clicks <= 8, agent.clicks
    assert len(agent.fields) == 6
    article = Article.objects.get(number=expected_number)
    assert article.status == Article.Status.DRAFT
    assert article.slug == "reset-a-forgotten-password"
    steps = Step.objects.filter(variant__article=article).order_by("variant__order")
    assert [(s.variant.platform.slug, s.body_en) for s in steps] == [
        ("windows", "Press Ctrl+Alt+Delete, then Change a password."),
        ("macos", "Open System Settings and choose Users & Groups."),
    ]
    assert problems == []


def screenshot(page, name):
    """Keep a full-page screenshot when KB_SCREENSHOTS names a folder (for the notes)."""
    folder = os.environ.get("KB_SCREENSHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)


@pytest.mark.parametrize("language", ["en", "ja"])
def test_the_har_article_opens_compact_and_every_step_is_one_click_away(
    site, new_context, language
):
    page, problems = log_in(new_context, site, language)
    article = Article.objects.get(number=1008)
    page.goto(f"{site}/admin/articles/article/{article.pk}/change/")
    height = page.evaluate("document.documentElement.scrollHeight")
    print(f"KB 1008 change page, {language}: {height} px tall at 1440 px (folded)")
    assert height <= 9000
    screenshot(page, f"kb1008-collapsed-{language}")

    variants = list(article.variants.order_by("order", "pk"))
    steps = [list(variant.steps.order_by("order", "pk")) for variant in variants]
    total = sum(map(len, steps))
    assert len(variants) >= 4 and total >= 30  # the "4 variants, 30 steps", or more
    index = page.locator("#kb-variant-index")
    expect(index.locator(".kb-index__variant")).to_have_count(len(variants))
    links = index.locator(".kb-index__steps a")
    expect(links).to_have_count(total)
    # Each step, in any variant, is one click from the index (the index stays on top).
    position = 0
    for variant_index, variant_steps in enumerate(steps):
        for step_index, step in enumerate(variant_steps):
            page.evaluate("window.scrollTo(0, 0)")
            links.nth(position).click()
            body = page.locator(f"#id_variants-{variant_index}-steps-{step_index}-body_en")
            expect(body).to_be_in_viewport()
            expect(body).to_have_value(step.body_en)
            position += 1

    index.locator("button[data-all=expand]").click()
    unfolded = page.evaluate("document.documentElement.scrollHeight")
    print(f"KB 1008 change page, {language}: {unfolded} px tall with every variant open")
    screenshot(page, f"kb1008-open-{language}")

    # A step without a figure shows "Add figure", not six empty inputs.
    with_figure = sum(1 for row in steps for step in row if step.figure_en or step.figure_ja)
    expect(page.locator(".kb-add-figure")).to_have_count(total - with_figure)
    bare_id = page.locator(".kb-no-figure").first.get_attribute("id")
    first_bare = page.locator(f"#{bare_id}")
    expect(first_bare.locator("input[type=file]").first).to_be_hidden()
    first_bare.locator(".kb-add-figure").click()
    expect(first_bare.locator("input[type=file]").first).to_be_visible()
    assert problems == []


def test_leaving_a_changed_form_asks_first_and_an_unchanged_one_does_not(site, new_context):
    page, problems = log_in(new_context, site, "en")
    article = Article.objects.get(number=1008)
    url = f"{site}/admin/articles/article/{article.pk}/change/"
    dialogs = []

    def answer(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()  # "Stay on this page"

    page.on("dialog", answer)
    page.goto(url)
    # Unchanged: the breadcrumb leads away without a question.
    with page.expect_navigation():
        page.locator(".breadcrumbs a").last.click()
    assert dialogs == []

    page.goto(url)
    page.locator("textarea[name=summary_en]").press_sequentially(" More.")
    page.locator(".breadcrumbs a").last.click()
    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload"]
    assert page.url == url
    # Still on the page, with the typing.
    assert " More." in page.locator("textarea[name=summary_en]").input_value()
    # Saving is not leaving: no question.
    with page.expect_navigation():
        page.locator("input[name=_save]").first.click()
    assert dialogs == ["beforeunload"]
    expect(page.locator(".messagelist .success")).to_be_visible()
    assert problems == []


@pytest.mark.parametrize("language", ["en", "ja"])
def test_preview_shows_the_unsaved_page_in_a_new_tab_and_saves_nothing(site, new_context, language):
    page, problems = log_in(new_context, site, language)
    article = Article.objects.get(number=1008)
    safari = article.variants.get(platform__slug="safari")
    step = safari.steps.order_by("order", "pk").first()
    variant_index = list(article.variants.order_by("order", "pk")).index(safari)
    page.goto(f"{site}/admin/articles/article/{article.pk}/change/")
    page.locator("#kb-variant-index .kb-index__variant").nth(variant_index).click()
    field = page.locator(f"#id_variants-{variant_index}-steps-0-body_{language}")
    field.fill("Open **Safari** first (not saved).")

    with page.expect_popup() as opened:
        page.locator(f".kb-preview-button[value={language}]").first.click()
    preview = opened.value
    preview.wait_for_load_state()
    expect(preview.locator("[data-kb-unsaved-preview]")).to_be_visible()
    expect(preview.locator("article.article")).to_have_attribute("lang", language)
    preview.locator("#tab-safari").click()
    panel = preview.locator("#steps-safari")
    expect(panel).to_be_visible()
    changed = panel.locator("li", has_text="first (not saved).")
    expect(changed.locator("strong")).to_have_text("Safari")
    screenshot(preview, f"preview-{language}")

    step.refresh_from_db()
    assert "not saved" not in step.body_en + step.body_ja
    assert page.url.endswith("/change/")  # the form stays open, with the typing
    assert "not saved" in field.input_value()
    assert problems == []


# A real screenshot-sized PNG, made by Pillow as the upload tests make theirs.
PNG = base64.b64encode(image_bytes("PNG", (320, 200))).decode("ascii")

PASTE = """([selector, base64, name, type]) => {
    const zone = document.querySelector(selector);
    zone.focus();
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const transfer = new DataTransfer();
    transfer.items.add(new File([bytes], name, { type }));
    zone.dispatchEvent(new ClipboardEvent("paste", {
        clipboardData: transfer, bubbles: true, cancelable: true,
    }));
}"""


def media_files(settings):
    root = settings.MEDIA_ROOT
    return sorted(p.name for p in root.rglob("*") if p.is_file()) if root.exists() else []


def step_without_figure(number):
    """Return article ``number``, its first step with no figure in either language, and
    that step's prefix in the change form."""
    article = Article.objects.get(number=number)
    for v, variant in enumerate(article.variants.order_by("order", "pk")):
        for s, step in enumerate(variant.steps.order_by("order", "pk")):
            if not step.figure_en and not step.figure_ja:
                return article, step, f"variants-{v}-steps-{s}"
    raise AssertionError(f"every step of KB {number} has a figure")


def test_a_screenshot_pasted_into_a_japanese_figure_is_saved_and_shown(site, new_context, settings):
    page, problems = log_in(new_context, site, "ja")
    article, step, prefix = step_without_figure(1008)
    url = f"{site}/admin/articles/article/{article.pk}/change/"
    page.goto(url)
    page.locator(f"#kb-variant-index a[data-target={prefix}]").click()
    page.locator(f"#{prefix} .kb-add-figure").click()
    zone = f"#id_{prefix}-figure_ja + .kb-dropzone"
    page.locator(zone).click()
    expect(page.locator(zone)).to_be_focused()

    # Not an image: refused on saving with the upload message, and no file written.
    before = media_files(settings)
    page.evaluate(PASTE, [zone, "bm90IGFuIGltYWdl", "notes.txt", "text/plain"])
    with page.expect_navigation():
        page.locator("input[name=_save]").first.click()
    # Django's image check, as for a file chosen in the dialog.
    expect(page.locator(f"#id_{prefix}-figure_ja_error")).to_contain_text(
        "アップロードしたファイルは画像でないか、または壊れています。"
    )
    assert media_files(settings) == before
    step.refresh_from_db()
    assert not step.figure_ja

    # A PNG screenshot from the clipboard: saved, and /ja/ shows it.
    page.goto(url)
    page.locator(f"#kb-variant-index a[data-target={prefix}]").click()
    page.locator(f"#{prefix} .kb-add-figure").click()
    page.evaluate(PASTE, [zone, PNG, "image.png", "image/png"])
    expect(page.locator(f"{zone} img")).to_be_visible()
    page.fill(f"#id_{prefix}-figure_alt_ja", "貼り付けたスクリーンショット")
    with page.expect_navigation():
        page.locator("input[name=_save]").first.click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    step.refresh_from_db()
    assert step.figure_ja.name.startswith("figures/screenshot-")
    platform = step.variant.platform
    query = f"?platform={platform.slug}" if platform else ""
    page.goto(f"{site}/ja/articles/1008/{article.slug}/{query}")
    image = page.locator(f"img[src$='{step.figure_ja.name.split('/')[-1]}']")
    expect(image).to_have_attribute("alt", "貼り付けたスクリーンショット")
    assert problems == []


@pytest.mark.parametrize("language", ["en", "ja"])
def test_the_article_list_fits_1280_pixels_with_the_sidebar_open(site, new_context, language):
    page, problems = log_in(new_context, site, language)
    # The longest states: English missing in 12 fields, Japanese out of date in 12.
    Article.objects.filter(number=1008).update(
        translation_state={"en": {"missing": 12}, "ja": {"outdated": 12}}
    )
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{site}/admin/articles/article/")
    expect(page.locator("#nav-sidebar")).to_be_visible()
    expect(page.locator("#changelist-filter")).to_be_visible()
    widths = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth,"
        " document.querySelector('#result_list').getBoundingClientRect().right,"
        " document.querySelector('.results').clientWidth,"
        " document.querySelector('.results').scrollWidth]"
    )
    print(f"article list at 1280 px, {language}: {widths}")
    screenshot(page, f"article-list-{language}")
    page_width, viewport, _right, box, content = widths
    assert page_width <= viewport and content <= box
    # Every column's heading is shown whole.
    for heading in page.locator("#result_list thead th").all():
        assert heading.evaluate("h => h.scrollWidth <= h.clientWidth + 1")
    assert problems == []


DROP = """([selector, base64, name, type]) => {
    const zone = document.querySelector(selector);
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const transfer = new DataTransfer();
    transfer.items.add(new File([bytes], name, { type }));
    for (const kind of ["dragover", "drop"]) {
        zone.dispatchEvent(new DragEvent(kind, {
            dataTransfer: transfer, bubbles: true, cancelable: true,
        }));
    }
}"""


def test_an_image_file_dropped_onto_an_english_figure_is_saved(site, new_context):
    page, problems = log_in(new_context, site, "en")
    article, step, prefix = step_without_figure(1008)
    page.goto(f"{site}/admin/articles/article/{article.pk}/change/")
    page.locator(f"#kb-variant-index a[data-target={prefix}]").click()
    page.locator(f"#{prefix} .kb-add-figure").click()
    zone = f"#id_{prefix}-figure_en + .kb-dropzone"
    page.evaluate(DROP, [zone, PNG, "network-panel.png", "image/png"])
    expect(page.locator(f"{zone} img")).to_be_visible()
    expect(page.locator(zone)).to_contain_text("network-panel.png")
    page.fill(f"#id_{prefix}-figure_alt_en", "The network panel")
    with page.expect_navigation():
        page.locator("input[name=_save]").first.click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    step.refresh_from_db()
    assert step.figure_en.name.startswith("figures/network-panel")
    assert not step.figure_ja
    assert problems == []
