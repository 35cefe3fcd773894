# Two commands: `make run` (install, migrate, load demo content, serve) and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2

.PHONY: run serve setup test lint browser omegat vnu clean-data bench lighthouse messages backup restore loadtest

# Runtime packages, reinstalled only when requirements.txt changes.
$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt requirements-s3.txt $(VENV)/.installed
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

## setup: install, migrate, collect static files, load the demo, create the first admin.
setup: $(VENV)/.installed
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py load_demo
	$(PY) manage.py ensure_admin --site-url http://$(HOST):$(PORT)

## run: everything above, then serve on http://$(HOST):$(PORT)/ with gunicorn.
run: setup serve

serve: $(VENV)/.installed
	$(VENV)/bin/gunicorn kb.wsgi --bind $(HOST):$(PORT) --workers $(WORKERS) \
		--access-logfile - --error-logfile -

## browser: Debian's Chromium for the browser tests (never a downloaded browser), the
## Noto CJK fonts that Japanese pages and the demo's Japanese figures are drawn with, and
## gettext (the locale test finds interface strings missing from the .po with makemessages).
browser:
	@{ command -v chromium && command -v xgettext && test -d /usr/share/fonts/opentype/noto; } \
		>/dev/null 2>&1 || { \
		echo "Installing Debian's chromium, fonts-noto-cjk and gettext for the tests"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-noto-cjk \
			gettext >/dev/null; }

## omegat: Debian's OmegaT for the XLIFF round-trip test (a real CAT tool, run headless).
omegat:
	@test -f /usr/share/omegat/OmegaT.jar || { \
		echo "Installing Debian's omegat for the XLIFF tests"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq omegat >/dev/null; }

# The Nu HTML Checker, pinned in tools/vnu/package-lock.json (npm vnu-jar; Debian has no
# package of it); reinstalled when that changes. --ignore-scripts: its install script would
# download a Java runtime when none is found, and Java comes from Debian instead.
VNU_DIR := tools/vnu
$(VNU_DIR)/node_modules/.installed: $(VNU_DIR)/package-lock.json
	@command -v npm >/dev/null 2>&1 || { \
		echo "Installing Debian's nodejs and npm for the HTML checker"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq nodejs npm >/dev/null; }
	cd $(VNU_DIR) && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

## vnu: the Nu HTML Checker (vnu.jar) for tests/test_html_validity.py, on Debian's Java.
vnu: $(VNU_DIR)/node_modules/.installed
	@command -v java >/dev/null 2>&1 || { \
		echo "Installing Debian's Java for the HTML checker"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq default-jre-headless >/dev/null; }

lint: $(VENV)/.installed-dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

## test: lint, migration check, the whole pytest suite (browser and HTML-checker tests included).
## The tests without a browser run in TEST_WORKERS processes (pytest-xdist; each has its
## own data folder and test database), the browser tests after them, one at a time.
TEST_WORKERS ?= 2
test: $(VENV)/.installed-dev browser omegat vnu lint
	KB_DATA_DIR=$$(mktemp -d) $(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest -m "not browser" -n $(TEST_WORKERS)
	$(PY) -m pytest -m browser

.PHONY: servers test-postgres bench-postgres

## servers: Debian's PostgreSQL, Redis, nginx and wrk (an HTTP load generator) for
## `make test-postgres` and `make bench` (apt-get when missing).
servers:
	@{ ls /usr/lib/postgresql/*/bin/initdb && command -v redis-server && command -v nginx \
		&& command -v wrk; } >/dev/null 2>&1 || { \
		echo "Installing Debian's postgresql, redis-server, nginx and wrk for make test-postgres"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq \
			postgresql redis-server nginx wrk >/dev/null; }

## test-postgres: the whole suite again, on a throwaway PostgreSQL and Redis started on
## loopback for the run (and stopped after it, pass or fail), plus the multi-server tests.
test-postgres: $(VENV)/.installed-dev browser omegat vnu servers
	scripts/with-postgres-redis.sh $(PY) -m pytest

clean-data:
	rm -rf data

## messages: refresh locale/ja from the code and templates, then compile (needs gettext).
messages: $(VENV)/.installed
	$(PY) manage.py makemessages -l ja --ignore=.venv --ignore=data --ignore=tests --no-location
	$(PY) manage.py compilemessages -l ja --ignore=.venv

## bench: performance measurements: serving (render times, cached page vs static file,
## nginx's copy vs nginx's static file, queries per page), then search on 10,000 articles.
bench: $(VENV)/.installed servers
	$(PY) bench/serving_bench.py
	$(PY) bench/markdown_bench.py
	$(PY) bench/search_bench.py
	$(PY) bench/insights_bench.py

## bench-postgres: the search benchmark again on a throwaway PostgreSQL (as test-postgres).
bench-postgres: $(VENV)/.installed servers
	scripts/with-postgres-redis.sh $(PY) bench/search_bench.py
	scripts/with-postgres-redis.sh $(PY) bench/insights_bench.py

# Lighthouse, pinned in bench/lighthouse/package-lock.json; reinstalled when that changes.
LIGHTHOUSE_DIR := bench/lighthouse
$(LIGHTHOUSE_DIR)/node_modules/.installed: $(LIGHTHOUSE_DIR)/package-lock.json
	@command -v npm >/dev/null 2>&1 || { \
		echo "Installing Debian's nodejs and npm for Lighthouse"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq nodejs npm >/dev/null; }
	cd $(LIGHTHOUSE_DIR) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

## lighthouse: Lighthouse scores of home, a category and the HAR article in /en/ and /ja/
## (target 100 each), Debian's Chromium against gunicorn on 127.0.0.1.
lighthouse: $(VENV)/.installed browser $(LIGHTHOUSE_DIR)/node_modules/.installed
	CHROME_PATH=$$(command -v chromium) $(PY) $(LIGHTHOUSE_DIR)/run.py

## backup: consistent copy of the database and media into data/backups/<time>/.
backup: $(VENV)/.installed
	$(PY) manage.py backup

## restore: make restore FROM=data/backups/<time> (into an empty data folder: KB_DATA_DIR=...).
restore: $(VENV)/.installed
	$(PY) manage.py restore $(FROM)

## loadtest: 50 readers + 2 admin editors + a voter against gunicorn on loopback, 60 s.
loadtest: $(VENV)/.installed-dev
	$(PY) bench/loadtest.py
