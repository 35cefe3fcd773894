"""The Nu HTML Checker (vnu) finds no error on the public pages, in English and Japanese.

Home, every category, search (results with highlighted snippets, and no results), every
demo article and the admin's login page, each rendered by the real views and saved to a
file; vnu then checks all the files in one run (one Java start-up, some ten seconds,
rather than one per page). The jar is the npm package ``vnu-jar`` pinned in tools/vnu/ and
run on Debian's Java: ``make vnu`` (which ``make test`` runs) installs both when missing.
"""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from articles.models import Article, Category

VNU_JAR = Path(settings.BASE_DIR) / "tools/vnu/node_modules/vnu-jar/build/dist/vnu.jar"
LANGUAGES = ("en", "ja")
# Queries that find articles (so the page has snippets with <mark>) and one that finds none.
SEARCHES = {"en": ["login code", "HAR", "zzzqqq"], "ja": ["コード", "（", "zzzqqq"]}


def vnu_messages(paths):
    """Run vnu once over the files ``paths``; return its messages (dicts: type, message, url).

    Fails unless vnu says it read every one of them (a file it could not read would
    otherwise be one message of type "info" among the rest).
    """
    java = shutil.which("java")
    if java is None or not VNU_JAR.exists():
        pytest.fail("The Nu HTML Checker is missing: run `make vnu` (Debian's Java, npm vnu-jar)")
    paths = [str(path) for path in paths]
    result = subprocess.run(
        [java, "-jar", str(VNU_JAR), "--format", "json", "--verbose", "--exit-zero-always"] + paths,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    assert result.stdout.split() == paths  # --verbose: each file's name once it was read
    messages = json.loads(result.stderr)["messages"]
    assert [m for m in messages if m["type"] == "non-document-error"] == []
    return messages


def public_pages():
    """Return the path of every page checked, in both languages (and the admin's login)."""
    paths = []
    for language in LANGUAGES:
        paths.append(f"/admin/login/?language={language}")
        paths.append(f"/{language}/")
        paths += [f"/{language}/categories/{c.slug}/" for c in Category.objects.order_by("slug")]
        paths += [f"/{language}/search/?q={q}" for q in SEARCHES[language]]
        paths += [
            f"/{language}/articles/{a.number}/{a.slug}/"
            for a in Article.objects.published().order_by("number")
        ]
    return paths


def test_public_pages_have_no_html_errors(demo, client, tmp_path):
    files = {}
    for index, path in enumerate(public_pages()):
        language = path.split("=")[-1] if path.startswith("/admin/") else "en"
        response = client.get(path, headers={"accept-language": language})
        assert response.status_code == 200, path
        file = tmp_path / f"page-{index:03d}.html"
        file.write_bytes(response.content)
        files[file] = path
    assert len(files) >= 2 * (1 + 1 + 3 + 3 + 8)

    messages = vnu_messages(files)
    pages = {file.as_uri().replace("file:///", "file:/"): path for file, path in files.items()}
    errors = [
        f"{pages.get(m.get('url'), m.get('url'))}:{m.get('lastLine')}: {m['message']}"
        f" [{m.get('extract', '').strip()[:80]}]"
        for m in messages
        if m["type"] == "error" or m.get("subType") == "fatal"
    ]
    assert errors == [], f"{len(errors)} errors:\n" + "\n".join(errors)


def test_checker_reports_an_error_it_should(tmp_path):
    # The checker really runs and really reads our files: a microsecond datetime is an error.
    page = tmp_path / "bad.html"
    page.write_text(
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>x</title></head>'
        '<body><time datetime="2025-01-02T03:04:05.123456+00:00">x</time></body></html>',
        encoding="utf-8",
    )
    errors = [m for m in vnu_messages([page]) if m["type"] == "error"]
    assert len(errors) == 1
    assert "datetime" in errors[0]["message"]
