"""Secure by default: headers on every response, a deploy check that passes behind TLS."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import Client

pytestmark = pytest.mark.django_db

COMMON = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def directives(response):
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


@pytest.mark.parametrize(
    "url",
    [
        "/en/",
        "/ja/articles/1008/generate-a-har-file/",
        "/en/search/?q=har",
        "/ja/categories/technical-support/",
        "/en/articles/99999/missing/",
        "/sitemap.xml",
        "/robots.txt",
    ],
)
def test_public_responses_carry_strict_policy_and_headers(client, demo, url):
    response = client.get(url)
    for header, value in COMMON.items():
        assert response[header] == value, header
    policy = directives(response)
    assert policy["default-src"] == ["'none'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "base-uri" in policy and "form-action" in policy
    assert "unsafe" not in response["Content-Security-Policy"]
    assert "camera=()" in response["Permissions-Policy"]


def test_admin_responses_allow_no_inline_or_eval_scripts(staff_client, demo):
    for url in ("/admin/", f"/admin/articles/article/{demo[1008].pk}/change/", "/admin/login/"):
        response = staff_client.get(url)
        policy = directives(response)
        assert policy["script-src"] == ["'self'"], url
        assert response["X-Frame-Options"] == "DENY"
        assert policy["frame-ancestors"] == ["'self'"]


def test_uploaded_media_is_never_sniffed_or_executed(client, settings, tmp_path):
    (settings.MEDIA_ROOT / "figures").mkdir(parents=True)
    (settings.MEDIA_ROOT / "figures" / "x.png").write_bytes(b"<script>alert(1)</script>")
    response = client.get("/media/figures/x.png")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert "max-age" in response["Cache-Control"]


@pytest.mark.parametrize(
    "path",
    [
        "/media/../kb/settings.py",
        "/media/%2e%2e/secret_key",
        "/.git/config",
        "/data/secret_key",
        "/.env",
    ],
)
def test_source_data_and_dotfiles_are_never_served(client, path):
    response = client.get(path)
    # 404, or 400 for a path that tries to climb out of the media folder.
    assert response.status_code in {400, 404}
    assert b"SECRET" not in response.content and b"import" not in response.content


def deployment_environment():
    """Return this process's environment without the test harness's own variables."""
    env = dict(os.environ)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for Playwright by tests/browser
    return env


def run_deploy_check(tmp_path, **variables):
    env = {
        **deployment_environment(),
        "KB_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "kb.settings",
        **variables,
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_deploy_check_passes_with_https_switch(tmp_path):
    result = run_deploy_check(tmp_path, KB_HTTPS="1", DJANGO_ALLOWED_HOSTS="help.example.org")
    assert result.returncode == 0, result.stdout + result.stderr


def test_deploy_check_fails_without_https_switch(tmp_path, monkeypatch):
    monkeypatch.delenv("KB_HTTPS", raising=False)
    result = run_deploy_check(tmp_path)
    assert result.returncode != 0
    assert "SECURE_HSTS_SECONDS" in result.stdout + result.stderr


def test_healthz_reports_database_reachable(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db(transaction=True)
def test_healthz_answers_503_when_the_database_is_gone(client, tmp_path):
    from django.db import connections

    connection = connections["default"]
    original = connection.settings_dict["NAME"]
    connection.close()
    # A database file in a folder that does not exist cannot be opened; on PostgreSQL, a
    # database that does not exist.
    missing = str(tmp_path / "missing" / "db.sqlite3")
    if connection.vendor == "postgresql":
        missing = "kb_no_such_database"
    connection.settings_dict["NAME"] = missing
    try:
        response = client.get("/healthz")
    finally:
        connection.close()
        connection.settings_dict["NAME"] = original
    assert response.status_code == 503


@pytest.mark.parametrize(
    ("language", "heading"), [("en", "Something went wrong"), ("ja", "エラーが発生しました")]
)
def test_500_page_renders_in_the_readers_language_even_when_static_manifest_is_missing(
    settings, language, heading
):
    # Without its manifest, the static files storage fails every page that links a static
    # file: the error page itself must still render, in the language of the page asked for.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    response = Client(raise_request_exception=False).get(f"/{language}/")
    assert response.status_code == 500
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert f"<h1>{heading}</h1>" in html
