"""The real deploy/nginx-kb.conf on loopback, and wrk to measure it (tests and `make bench`).

nginx runs the site file as shipped, with only addresses and paths swapped for loopback
ports and temporary folders, and a throwaway self-signed certificate. ``compare`` measures
a page through nginx against nginx serving the very bytes of that page as a static file,
in alternating rounds, with wrk (Debian's; `make servers` installs it): a keep-alive HTTP
load generator in C, so the client is not what is measured.
"""

import contextlib
import os
import re
import shutil
import ssl
import subprocess
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NGINX = shutil.which("nginx", path=os.environ.get("PATH", "") + ":/usr/sbin")
WRK = shutil.which("wrk")


def site_config(tmp_path, upstreams, http_port, https_port, static_root, media_root):
    """Return deploy/nginx-kb.conf with loopback addresses and temporary paths."""
    text = (ROOT / "deploy" / "nginx-kb.conf").read_text()
    upstreams = list(upstreams) * (2 // len(upstreams))
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
        "/var/cache/nginx/kb": f"{tmp_path}/proxy-cache",
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


@contextlib.contextmanager
def running(tmp_path, upstreams, static_root, media_root):
    """Run nginx with the deploy site in front of ``upstreams`` (host:port); yield
    ``(https base URL, http base URL, TLS context trusting its certificate)``."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    http_port, https_port = _free_port(), _free_port()
    site = site_config(tmp_path, upstreams, http_port, https_port, static_root, media_root)
    conf = nginx_prefix(tmp_path, site)
    nginx = subprocess.Popen([NGINX, "-p", str(tmp_path), "-c", str(conf)])  # noqa: S603
    try:
        tls = ssl.create_default_context(cafile=tmp_path / "tls" / "fullchain.pem")
        base = f"https://127.0.0.1:{https_port}"
        for _ in range(100):
            try:
                with urllib.request.urlopen(base + "/healthz", context=tls, timeout=2):
                    break
            except OSError:
                time.sleep(0.1)
        yield base, f"http://127.0.0.1:{http_port}", tls
    finally:
        nginx.terminate()
        nginx.wait(timeout=15)


def _free_port():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wrk(url, seconds, connections=16, headers=()):
    """Return requests per second of wrk against ``url`` (one thread, keep-alive)."""
    command = [WRK, "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s"]
    for header in headers:
        command += ["-H", header]
    done = subprocess.run(  # noqa: S603
        [*command, url], capture_output=True, text=True, check=True, timeout=seconds + 30
    )
    if "Non-2xx or 3xx responses" in done.stdout or "Socket errors" in done.stdout:
        raise RuntimeError(f"wrk saw failed requests:\n{done.stdout}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", done.stdout).group(1))


def compare(page_url, static_url, rounds=3, seconds=2, headers=()):
    """Return ``(page req/s, static req/s)``: wrk in alternating rounds, summed."""
    page, static = [], []
    wrk(page_url, 1, headers=headers)  # warm up both
    wrk(static_url, 1, headers=headers)
    for _ in range(rounds):
        page.append(wrk(page_url, seconds, headers=headers))
        static.append(wrk(static_url, seconds, headers=headers))
    return sum(page) / rounds, sum(static) / rounds
