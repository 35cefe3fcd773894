"""axe-core (bundled by axe-playwright-python, nothing fetched) on the public pages."""

import pytest
from axe_playwright_python.sync_playwright import Axe

pytestmark = pytest.mark.browser

PAGES = [
    "/",
    "/categories/technical-support/",
    "/articles/1008/generate-a-har-file/",
    "/articles/1007/share-security-device/",
    "/articles/1006/voice-callback-login-code/",
]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("language", ["en", "ja"])
def test_public_pages_have_no_serious_accessibility_violations(site, new_context, language, scheme):
    page = new_context(color_scheme=scheme, viewport={"width": 1280, "height": 900}).new_page()
    axe = Axe()
    for path in PAGES:
        page.goto(f"{site}/{language}{path}")
        results = axe.run(page)
        serious = [
            f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"]
            if v["impact"] in {"serious", "critical"}
        ]
        assert serious == [], f"{language}{path} [{scheme}]: {serious}"


@pytest.mark.parametrize("language", ["en", "ja"])
def test_article_fits_a_narrow_phone_screen(site, new_context, language):
    page = new_context(viewport={"width": 360, "height": 740}).new_page()
    page.goto(f"{site}/{language}/articles/1008/generate-a-har-file/")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0


@pytest.mark.parametrize("language", ["en", "ja"])
def test_voice_callback_article_on_a_phone_has_no_accessibility_violations(
    site, new_context, language
):
    # Its four tabs wrap onto rows of buttons at 360 px.
    page = new_context(viewport={"width": 360, "height": 740}).new_page()
    page.goto(f"{site}/{language}/articles/1006/voice-callback-login-code/")
    violations = [v["id"] for v in Axe().run(page).response["violations"]]
    assert violations == []


@pytest.mark.parametrize("language", ["en", "ja"])
def test_admin_login_page_has_a_level_one_heading_for_axe(site, new_context, language):
    page = new_context(extra_http_headers={"Accept-Language": language}).new_page()
    page.goto(f"{site}/admin/login/")
    violations = [v["id"] for v in Axe().run(page).response["violations"]]
    assert "page-has-heading-one" not in violations
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Log in" if language == "en" else "ログイン"
    )
