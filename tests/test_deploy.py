"""deploy/: the nginx site is valid, and serves the site through two app servers (issue 7).

nginx runs the real deploy/nginx-kb.conf, with only addresses and paths swapped for
loopback ports and temporary folders, and a throwaway self-signed certificate.
"""

import os
import re
import shutil
import ssl
import subprocess
import time
import urllib.request

import pytest

from tests.servers import (
    ROOT,
    app_servers,
    browser_session,
    collect_static,
    create_editor,
    fetch,
    free_port,
    log_in,
    needs_shared_services,
)

NGINX = shutil.which("nginx", path=os.environ.get("PATH", "") + ":/usr/sbin")
needs_nginx = pytest.mark.skipif(
    NGINX is None, reason="needs Debian's nginx (make test-postgres installs it)"
)


def site_config(tmp_path, upstreams, http_port, https_port, static_root, media_root):
    """Return deploy/nginx-kb.conf with loopback addresses and temporary paths."""
    text = (ROOT / "deploy" / "nginx-kb.conf").read_text()
    replacements = {
        "server 127.0.0.1:8001": f"server {upstreams[0]}",
        "server 127.0.0.1:8002": f"server {upstreams[1]}",
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen [::]:80;": "",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{https_port} ssl http2;",
        "listen [::]:443 ssl http2;": "",
        "/etc/letsencrypt/live/help.example.com/": f"{tmp_path}/tls/",
        "/srv/kb/static/": f"{static_root}/",
        "/srv/kb/media/": f"{media_root}/",
        # On port 443 the Host nginx passes ($host, no port) is what browsers' Referer and
        # Origin carry; on a test port the port is part of both, or CSRF checks refuse.
        "proxy_set_header Host $host;": "proxy_set_header Host $host:$server_port;",
    }
    for old, new in replacements.items():
        assert old in text, f"deploy/nginx-kb.conf no longer has {old!r}"
        text = text.replace(old, new)
    return text


def nginx_prefix(tmp_path, site):
    """Write a minimal nginx.conf around ``site`` into a temporary prefix; return its path."""
    (tmp_path / "tls").mkdir(exist_ok=True)
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(tmp_path / "tls" / "privkey.pem"),
         "-out", str(tmp_path / "tls" / "fullchain.pem")],
        check=True, capture_output=True,
    )  # fmt: skip
    (tmp_path / "site.conf").write_text(site)
    temp_paths = "\n".join(
        f"    {kind}_temp_path {tmp_path}/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    # As root, workers would drop to `nobody`, who cannot read pytest's private folders.
    user = "user root;" if os.geteuid() == 0 else ""
    conf = tmp_path / "nginx.conf"
    conf.write_text(
        f"{user}\ndaemon off;\nworker_processes 1;\npid {tmp_path}/nginx.pid;\n"
        f"error_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n    include /etc/nginx/mime.types;\n    access_log off;\n{temp_paths}\n"
        f"    include {tmp_path}/site.conf;\n}}\n"
    )
    return conf


@needs_nginx
def test_nginx_accepts_the_deploy_site_config(tmp_path):
    site = site_config(
        tmp_path, ["127.0.0.1:9", "127.0.0.1:10"], free_port(), free_port(), tmp_path, tmp_path
    )
    conf = nginx_prefix(tmp_path, site)
    result = subprocess.run(
        [NGINX, "-t", "-p", str(tmp_path), "-c", str(conf)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


@needs_nginx
@needs_shared_services
@pytest.mark.django_db(transaction=True)
def test_nginx_serves_site_static_files_and_admin_through_two_app_servers(
    demo, tmp_path, django_user_model
):
    static_root, media_root = tmp_path / "static", tmp_path / "media"
    media_root.mkdir(exist_ok=True)
    collect_static(static_root, tmp_path / "collect")
    http_port, https_port = free_port(), free_port()
    with app_servers(2, static_root, tmp_path, KB_HTTPS="1", KB_SERVE_MEDIA="0") as urls:
        upstreams = [url.removeprefix("http://") for url in urls]
        site = site_config(tmp_path, upstreams, http_port, https_port, static_root, media_root)
        conf = nginx_prefix(tmp_path, site)
        nginx = subprocess.Popen([NGINX, "-p", str(tmp_path), "-c", str(conf)])
        try:
            tls = ssl.create_default_context(cafile=tmp_path / "tls" / "fullchain.pem")
            opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=tls))
            base = f"https://127.0.0.1:{https_port}"
            status = None
            for _ in range(50):
                try:
                    status, _headers, home = fetch(base + "/en/", opener)
                    break
                except OSError:
                    time.sleep(0.1)
            assert status == 200
            assert "Generating a HAR file for our support team" in home
            # The app saw HTTPS through X-Forwarded-Proto: no redirect loop, HSTS sent.

            stylesheet = re.search(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', home).group(1)
            status, headers, _css = fetch(base + stylesheet, opener)
            assert status == 200
            assert "max-age=31536000" in headers["Cache-Control"]
            assert "immutable" in headers["Cache-Control"]
            assert headers["Content-Type"].startswith("text/css")

            status, headers, login = fetch(base + "/admin/login/", opener)
            assert status == 200
            assert 'name="csrfmiddlewaretoken"' in login
            assert "max-age=31536000" in headers["Strict-Transport-Security"]

            # Login throttling counts the reader's address, not nginx's: six failures from
            # one client lock it out, though each claimed another address in its own
            # X-Forwarded-For (nginx appends the real one, the app trusts only that)...
            create_editor(django_user_model, "the-right-password")
            statuses = [
                log_in(
                    base,
                    "editor",
                    f"wrong-{n}",
                    browser_session(tls),
                    headers={"X-Forwarded-For": f"203.0.113.{n}"},
                )[0]
                for n in range(6)
            ]
            assert statuses == [200] * 5 + [429]
            # ...while another reader behind the same nginx still logs in.
            other_client = browser_session(tls, address="127.0.0.2")
            assert log_in(base, "editor", "the-right-password", other_client)[0] == 302

            # Plain HTTP is sent to HTTPS by nginx itself.
            status, headers, _body = fetch(f"http://127.0.0.1:{http_port}/en/")
            assert status == 301
            assert headers["Location"].startswith("https://")
        finally:
            nginx.terminate()
            nginx.wait(timeout=15)
