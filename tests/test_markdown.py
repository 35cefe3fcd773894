"""Editor Markdown: rendered with tables and images, never live script."""

import pytest

from articles import markdown

HOSTILE = [
    "<script>alert(1)</script>",
    '<img src="x.png" onerror="alert(1)">',
    '<a href="javascript:alert(1)">click</a>',
    "[click](javascript:alert(1))",
    '<iframe src="https://example.com"></iframe>',
    '<svg onload="alert(1)"></svg>',
    '<p style="background:url(javascript:alert(1))">x</p>',
    "![x](data:text/html;base64,PHNjcmlwdD4=)",
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    "<scr<script>ipt>alert(1)</script>",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_render_never_emits_live_script(text):
    html = str(markdown.render(text)).lower()
    assert "<script" not in html
    assert "onerror" not in html and "onload" not in html
    assert "javascript:" not in html
    assert "data:text" not in html
    assert "<iframe" not in html and "style=" not in html


def test_render_keeps_tables_images_and_formatting():
    text = (
        "Press **Save**.\n\n| Level | Device |\n|---|---|\n| High | Card |\n\n"
        "![Network tab](/media/figures/net.png)\n\n`ssh-keygen`"
    )
    html = str(markdown.render(text))
    assert "<strong>Save</strong>" in html
    assert "<table>" in html and "<td>Card</td>" in html
    assert '<img alt="Network tab" src="/media/figures/net.png">' in html
    assert "<code>ssh-keygen</code>" in html


def test_render_links_known_cross_reference_and_flattens_unknown():
    references = {1006: ("/en/articles/1006/voice-callback/", "Voice callback")}
    html = str(markdown.render("See [[KB 1006]] and [[KB 9999]].", references))
    assert '<a href="/en/articles/1006/voice-callback/"' in html
    assert ">Voice callback</a>" in html
    assert "KB 9999" in html and "9999/" not in html


def test_render_escapes_cross_reference_titles():
    references = {7: ("/en/articles/7/x/", "<b onclick=x>Bold</b>")}
    html = str(markdown.render("[[KB 7]]", references))
    assert "onclick" not in html.replace("&lt;b onclick=x&gt;", "")
    assert "&lt;b onclick=x&gt;Bold&lt;/b&gt;" in html


def test_referenced_numbers_finds_every_reference():
    assert markdown.referenced_numbers("[[KB 1]] x [[kb 22]]", None, "[[ KB 333 ]]") == {1, 22, 333}
