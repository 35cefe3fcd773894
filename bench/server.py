"""A throwaway installation served by gunicorn on loopback, for the benchmarks.

Prepared as `make setup` prepares one (migrate, collectstatic, load_demo) in a temporary
data folder, and served as `make run` serves it (kb.wsgi, the full middleware stack), on a
free port of 127.0.0.1 only.
"""

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def prepare(prefix):
    """Return the environment of a new data folder with the demo content loaded."""
    data_dir = tempfile.mkdtemp(prefix=prefix)
    env = {
        **os.environ,
        "KB_DATA_DIR": data_dir,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    for command in (
        ["migrate", "-v0"],
        ["collectstatic", "--noinput", "-v0"],
        ["load_demo", "-v0"],
    ):
        subprocess.run([PYTHON, "manage.py", *command], cwd=ROOT, env=env, check=True)
    return env


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def gunicorn(env, workers=1, access_log=os.devnull):
    """Serve on a free loopback port until the block ends; yield the base URL."""
    port = free_port()
    server = subprocess.Popen(
        [str(Path(PYTHON).parent / "gunicorn"), "kb.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--access-logfile", str(access_log)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1).read()
                break
            except OSError:
                if server.poll() is not None:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        server.wait(10)
