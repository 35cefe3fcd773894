"""Lighthouse scores of the public pages, in both languages: `make lighthouse`.

Serves a throwaway installation (bench/server.py: migrate, collectstatic, load_demo) with
gunicorn on 127.0.0.1 only and runs the pinned Lighthouse (package.json beside this file)
against Debian's Chromium, never a downloaded browser, with no network beyond loopback.
Prints a table of the performance, accessibility, best-practices and SEO scores (target:
100 each), each the median of LIGHTHOUSE_RUNS runs (default 3), and below it every audit
that cost points. Exits 1 when a score is under LIGHTHOUSE_MIN (default 100).
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import server  # noqa: E402  (bench/server.py)

PAGES = [
    ("home", "/{lang}/"),
    ("category", "/{lang}/categories/technical-support/"),
    ("HAR article", "/{lang}/articles/1008/generate-a-har-file/"),
]
LANGUAGES = ("en", "ja")
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
CHROME_FLAGS = (
    "--headless --no-sandbox --disable-gpu --disable-background-networking "
    "--disable-component-update --disable-sync --no-first-run"
)
LIGHTHOUSE = HERE / "node_modules" / ".bin" / "lighthouse"
RUNS = int(os.environ.get("LIGHTHOUSE_RUNS", "3"))


def audit(url, report_path, env, tries=3):
    """Run Lighthouse on ``url``; return its JSON report.

    A run that fails to record the page load (NO_NAVSTART and the like, which Lighthouse
    itself says to answer by running again; they come with a busy machine) is retried.
    """
    for attempt in range(1, tries + 1):
        Path(report_path).unlink(missing_ok=True)
        finished = subprocess.run(
            [
                str(LIGHTHOUSE),
                url,
                "--quiet",
                "--output=json",
                f"--output-path={report_path}",
                f"--only-categories={','.join(CATEGORIES)}",
                f"--chrome-flags={CHROME_FLAGS}",
                "--disable-full-page-screenshot",
            ],
            env=env,
            check=False,
        )
        report = json.loads(Path(report_path).read_text()) if Path(report_path).exists() else {}
        error = report.get("runtimeError") or (
            None if finished.returncode == 0 else {"message": f"exit {finished.returncode}"}
        )
        if error is None:
            return report
        print(f"  {url}: try {attempt} of {tries} failed: {error['message']}", file=sys.stderr)
    raise RuntimeError(f"Lighthouse could not audit {url}")


def lost_points(report):
    """Return (category, audit id, title, detail) for every audit that cost points."""
    found = []
    for category in CATEGORIES:
        for ref in report["categories"][category]["auditRefs"]:
            result = report["audits"][ref["id"]]
            if ref["weight"] > 0 and result["score"] is not None and result["score"] < 1:
                detail = result.get("displayValue") or ""
                items = (result.get("details") or {}).get("items") or []
                for item in items[:3]:
                    node = item.get("node") or {}
                    where = node.get("snippet") or item.get("url") or item.get("source") or ""
                    if where:
                        detail += f"\n      {str(where)[:160]}"
                found.append((category, ref["id"], result["title"], detail))
    return found


def main():
    chrome = os.environ.get("CHROME_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chrome).exists():
        sys.exit(f"Debian's chromium is missing at {chrome}: `make browser` installs it")
    if not LIGHTHOUSE.exists():
        sys.exit("Lighthouse is not installed: `make lighthouse` installs it")
    env = server.prepare("kb-lighthouse-")
    node_env = {**os.environ, "CHROME_PATH": chrome}
    reports_dir = Path(tempfile.mkdtemp(prefix="kb-lighthouse-reports-"))
    rows = []
    problems = []
    with server.gunicorn(env, workers=2) as base:
        for name, pattern in PAGES:
            for lang in LANGUAGES:
                path = pattern.format(lang=lang)
                stem = f"{name.replace(' ', '-')}-{lang}"
                runs = [
                    audit(base + path, reports_dir / f"{stem}-{run}.json", node_env)
                    for run in range(1, RUNS + 1)
                ]
                # Performance varies from run to run with what else the machine does; as
                # Lighthouse's documentation advises, take the median of several runs.
                runs.sort(key=lambda r: r["categories"]["performance"]["score"])
                report = runs[len(runs) // 2]
                scores = [round(report["categories"][c]["score"] * 100) for c in CATEGORIES]
                rows.append((path, scores))
                problems += [(path, *lost) for lost in lost_points(report)]
    version = report["lighthouseVersion"]
    settings = report["configSettings"]
    print(
        f"\nLighthouse {version}, {settings['formFactor']}, {chrome}, "
        f"median of {RUNS} run{'s' if RUNS > 1 else ''} per page:"
    )
    header = f"  {'page':<44}" + "".join(f"{c:>16}" for c in CATEGORIES)
    print(header)
    for path, scores in rows:
        print(f"  {path:<44}" + "".join(f"{s:>16}" for s in scores))
    for path, category, audit_id, title, detail in problems:
        print(f"  - {path} {category}: {audit_id}: {title} {detail}")
    print(f"  reports: {reports_dir}")
    minimum = int(os.environ.get("LIGHTHOUSE_MIN", "100"))
    if any(score < minimum for _path, scores in rows for score in scores):
        sys.exit(f"a score is under {minimum}")


if __name__ == "__main__":
    main()
