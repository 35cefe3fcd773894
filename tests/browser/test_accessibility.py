"""axe-core (bundled by axe-playwright-python, nothing fetched) on the public pages."""

import pytest
from axe_playwright_python.sync_playwright import Axe

pytestmark = pytest.mark.browser

PAGES = [
    "/",
    "/categories/technical-support/",
    "/articles/1008/generate-a-har-file/",
    "/articles/1007/share-security-device/",
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
