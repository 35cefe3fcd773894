"""Platform tabs in a real browser (issue: reader experience), in both languages."""

import re

import pytest

from .conftest import ANDROID_CHROME, CHROME_WINDOWS, IPAD_SAFARI, IPHONE_SAFARI, SAFARI_MAC

pytestmark = pytest.mark.browser

HAR = "/articles/1008/generate-a-har-file/"
GPG = "/articles/1003/move-gpg-key-pair/"
AUTHENTICATOR = "/articles/1002/authenticator-challenge-response/"
VOICE = "/articles/1006/voice-callback-login-code/"
HANDHELDS = {
    "iphone": {"user_agent": IPHONE_SAFARI, "viewport": {"width": 390, "height": 844}},
    "android": {"user_agent": ANDROID_CHROME, "viewport": {"width": 412, "height": 915}},
    "ipad": {"user_agent": IPAD_SAFARI, "viewport": {"width": 820, "height": 1180}},
}


def selected_tab(page):
    return page.locator('[role="tab"][aria-selected="true"]').first.get_attribute("data-platform")


def visible_panels(page):
    return [
        panel.get_attribute("data-platform")
        for panel in page.locator('[role="tabpanel"]').all()
        if panel.is_visible()
    ]


@pytest.mark.parametrize("language", ["en", "ja"])
def test_safari_on_mac_opens_safari_and_macos_tabs_with_detected_hint(site, new_context, language):
    page = new_context(user_agent=SAFARI_MAC).new_page()
    page.goto(f"{site}/{language}{HAR}")
    assert selected_tab(page) == "safari"
    assert visible_panels(page) == ["safari"]
    hint = page.locator("[data-detected-hint]")
    assert hint.is_visible()
    assert "Safari" in hint.inner_text()
    page.goto(f"{site}/{language}{GPG}")
    assert selected_tab(page) == "macos"


def test_chosen_browser_is_remembered_across_articles_and_visits(site, new_context):
    page = new_context(user_agent=SAFARI_MAC).new_page()
    page.goto(f"{site}/en{HAR}")
    page.get_by_role("tab", name="Firefox").click()
    assert selected_tab(page) == "firefox"
    assert page.url.endswith("?platform=firefox")
    assert not page.locator("[data-detected-hint]").is_visible()
    page.goto(f"{site}/ja{HAR}")
    assert selected_tab(page) == "firefox"
    assert not page.locator("[data-detected-hint]").is_visible()


@pytest.mark.parametrize("language", ["en", "ja"])
def test_keyboard_moves_between_tabs(site, page, language):
    page.goto(f"{site}/{language}{HAR}")
    assert selected_tab(page) == "chrome"
    # Tab from the element before the tablist lands on the selected tab only (roving tabindex).
    page.locator("#tabset-heading").evaluate("el => { el.tabIndex = -1; el.focus(); }")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.getAttribute('data-platform')")
    assert focused == "chrome"
    page.keyboard.press("ArrowRight")
    assert selected_tab(page) == "firefox"
    assert page.evaluate("document.activeElement.getAttribute('data-platform')") == "firefox"
    assert visible_panels(page) == ["firefox"]
    page.keyboard.press("End")
    assert selected_tab(page) == "safari"
    page.keyboard.press("ArrowRight")
    assert selected_tab(page) == "chrome"
    page.keyboard.press("ArrowLeft")
    assert selected_tab(page) == "safari"
    page.keyboard.press("Home")
    assert selected_tab(page) == "chrome"
    assert visible_panels(page) == ["chrome"]
    # The next Tab leaves the tablist for the selected panel.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('role')") == "tabpanel"


@pytest.mark.parametrize("javascript", [True, False])
def test_platform_link_opens_edge_in_fresh_browser(site, new_context, javascript):
    page = new_context(user_agent=SAFARI_MAC, java_script_enabled=javascript).new_page()
    page.goto(f"{site}/en{HAR}?platform=edge")
    assert selected_tab(page) == "edge"
    if javascript:
        assert visible_panels(page) == ["edge"]
        # The link wins without overwriting the stored choice (none stored yet: detection).
        page.goto(f"{site}/en{HAR}")
        assert selected_tab(page) == "safari"


def test_platform_link_does_not_overwrite_stored_choice(site, page):
    page.goto(f"{site}/en{HAR}")
    page.get_by_role("tab", name="Firefox").click()
    page.goto(f"{site}/en{HAR}?platform=edge")
    assert selected_tab(page) == "edge"
    page.goto(f"{site}/en{HAR}")
    assert selected_tab(page) == "firefox"


@pytest.mark.parametrize("language", ["en", "ja"])
def test_without_javascript_every_browser_is_readable_under_its_heading(
    site, new_context, language
):
    page = new_context(java_script_enabled=False).new_page()
    page.goto(f"{site}/{language}{HAR}")
    assert visible_panels(page) == ["chrome", "firefox", "edge", "safari"]
    for name in ("Chrome", "Firefox", "Edge", "Safari"):
        assert page.locator(".tabset__panel-heading", has_text=name).is_visible()
    # The tabs are links to the sections.
    page.get_by_role("tab", name="Safari").click()
    assert page.url.endswith("#steps-safari")


def test_print_shows_every_variant_with_headings(site, page):
    page.goto(f"{site}/en{HAR}")
    assert visible_panels(page) == ["chrome"]
    page.emulate_media(media="print")
    assert visible_panels(page) == ["chrome", "firefox", "edge", "safari"]
    assert page.locator(".tabset__panel-heading", has_text="Safari").is_visible()


def test_no_flash_of_all_panels_before_script_runs(site, page):
    # The moment between tabs.js marking the page as scripted (its first line, in <head>)
    # and it setting up the tabs: serve a script that only does the first part.
    page.route(
        "**/tabs*.js",
        lambda route: route.fulfill(
            body="document.documentElement.classList.add('js');",
            content_type="text/javascript",
        ),
    )
    page.goto(f"{site}/en{HAR}?platform=safari")
    assert page.evaluate("document.documentElement.classList.contains('js')")
    assert visible_panels(page) == ["safari"]


def test_find_in_page_target_is_reachable_in_hidden_panel(site, page):
    page.goto(f"{site}/en{HAR}")
    safari = page.locator('[role="tabpanel"][data-platform="safari"]')
    assert safari.get_attribute("hidden") == "until-found"
    # What the browser does when find-in-page matches text in a hidden="until-found" panel.
    safari.evaluate("el => el.dispatchEvent(new Event('beforematch'))")
    assert selected_tab(page) == "safari"


def test_language_switch_keeps_article_and_tab(site, page):
    page.goto(f"{site}/en{HAR}")
    page.get_by_role("tab", name="Edge").click()
    page.locator('[data-language-link="ja"]').click()
    page.wait_for_url(re.compile(r"/ja/articles/1008/"))
    assert selected_tab(page) == "edge"
    assert page.locator("html").get_attribute("lang") == "ja"


def test_shared_closing_steps_follow_each_tab(site, page):
    page.goto(f"{site}/en{HAR}?platform=firefox")
    panel = page.locator('[role="tabpanel"][data-platform="firefox"]')
    starts = panel.locator("ol.steps").evaluate_all("lists => lists.map(l => l.start)")
    counts = panel.locator("ol.steps").evaluate_all("lists => lists.map(l => l.children.length)")
    assert len(starts) == 2
    assert starts[1] == starts[0] + counts[0]


def test_chrome_user_agent_detects_chrome_on_windows(site, new_context):
    page = new_context(user_agent=CHROME_WINDOWS).new_page()
    page.goto(f"{site}/en{GPG}")
    assert selected_tab(page) == "windows"


def test_explicit_language_choice_is_remembered_for_the_home_page(site, new_context):
    context = new_context(locale="en-US", extra_http_headers={"Accept-Language": "en-US,en"})
    page = context.new_page()
    page.goto(f"{site}/")
    assert page.url.endswith("/en/")
    page.locator('[data-language-link="ja"]').click()
    page.wait_for_url(re.compile(r"/ja/$"))
    page.goto(f"{site}/")
    assert page.url.endswith("/ja/")
    assert page.locator("html").get_attribute("lang") == "ja"


@pytest.mark.parametrize("device", ["iphone", "android", "ipad"])
@pytest.mark.parametrize("language", ["en", "ja"])
def test_phone_or_tablet_reader_is_never_told_desktop_steps_were_detected(
    site, new_context, device, language
):
    # The HAR steps need a computer's developer tools (Safari's Develop menu, Cmd+Option+I):
    # a phone's browser is not the Safari or Chrome they are for. So no tab is chosen for
    # the reader, nothing claims it was: the first tab, as the page was served.
    page = new_context(**HANDHELDS[device], has_touch=True, is_mobile=device != "ipad").new_page()
    page.goto(f"{site}/{language}{HAR}")
    assert selected_tab(page) == "chrome"
    assert visible_panels(page) == ["chrome"]
    assert not page.locator("[data-detected-hint]").is_visible()
    # Nor a computer's operating system (an iPad is not a Mac).
    page.goto(f"{site}/{language}{GPG}")
    assert selected_tab(page) == "windows"
    assert not page.locator("[data-detected-hint]").is_visible()


@pytest.mark.parametrize(("device", "platform"), [("iphone", "ios"), ("android", "android")])
@pytest.mark.parametrize("language", ["en", "ja"])
def test_phone_reader_gets_the_steps_for_their_phone_detected(
    site, new_context, device, platform, language
):
    page = new_context(**HANDHELDS[device], has_touch=True, is_mobile=True).new_page()
    page.goto(f"{site}/{language}{AUTHENTICATOR}")
    assert selected_tab(page) == platform
    hint = page.locator("[data-detected-hint]")
    assert hint.is_visible()
    assert ("iOS" if platform == "ios" else "Android") in hint.inner_text()


def test_ipad_asking_for_desktop_pages_gets_ios_steps(site, new_context):
    page = new_context(**HANDHELDS["ipad"], has_touch=True).new_page()
    page.goto(f"{site}/en{AUTHENTICATOR}")
    assert selected_tab(page) == "ios"


@pytest.mark.parametrize("javascript", [True, False])
@pytest.mark.parametrize("language", ["en", "ja"])
def test_every_tab_label_is_visible_on_a_360_px_screen(site, new_context, language, javascript):
    # KB 1006's four applications have the longest labels; the strip scrolled sideways and
    # cut off the second one.
    page = new_context(
        viewport={"width": 360, "height": 740}, java_script_enabled=javascript
    ).new_page()
    page.goto(f"{site}/{language}{VOICE}")
    tablist = page.locator('[role="tablist"]')
    assert tablist.evaluate("el => el.scrollWidth <= el.clientWidth")
    tabs = page.locator('[role="tab"]')
    assert tabs.count() == 4
    for tab in tabs.all():
        box = tab.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 360, tab.inner_text()
        assert tab.evaluate("el => el.scrollWidth <= el.clientWidth"), tab.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


@pytest.mark.parametrize("language", ["en", "ja"])
def test_without_javascript_platform_link_lands_at_that_section(site, new_context, language):
    page = new_context(
        java_script_enabled=False, viewport={"width": 1280, "height": 900}
    ).new_page()
    page.goto(f"{site}/{language}{HAR}?platform=edge")
    assert selected_tab(page) == "edge"
    # Every browser stays readable, Edge's steps first, right under the tab links.
    assert visible_panels(page) == ["edge", "chrome", "firefox", "safari"]
    tablist = page.locator('[role="tablist"]').bounding_box()
    edge = page.locator('[role="tabpanel"][data-platform="edge"]').bounding_box()
    chrome = page.locator('[role="tabpanel"][data-platform="chrome"]').bounding_box()
    assert tablist["y"] < edge["y"] < chrome["y"]
    # The tab strip keeps its order.
    names = page.locator('[role="tab"]').all_inner_texts()
    assert names == ["Chrome", "Firefox", "Edge", "Safari"]


@pytest.mark.parametrize("language", ["en", "ja"])
def test_last_updated_time_is_a_valid_html_date_without_microseconds(site, page, language):
    page.goto(f"{site}/{language}{HAR}")
    value = page.locator(".article__meta time").get_attribute("datetime")
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{4}", value), value
