# Datakesos — the two commands: `make run` (demo on http://127.0.0.1:8080) and `make test`.
# Everything the project needs is installed from here: .venv from requirements-dev.txt and the
# Debian packages (Chromium for the browser test, PostgreSQL, poppler, fonts, Pango for WeasyPrint).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
PORT ?= 8080
WORKERS ?= 2
DEMO_HOUSEHOLDS ?= 3000
DEMO_DUPLICATES ?= 60
DEMO_HISTORY ?= 2
PYTEST_ARGS ?=

VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
UV := $(VENV)/bin/uv
UV_VERSION := 0.13.10
BUILD := build
DEBIAN_PACKAGES := chromium poppler-utils fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0

export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
export VIRTUAL_ENV := $(CURDIR)/$(VENV)
export FLASK_APP := run.py
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help install system-packages translations babel prepare-demo run dev reset-demo lint test test-sqlite test-postgresql clean

help:
	@echo "make run      install, initialise the SQLite database, load demo data, serve on :$(PORT)"
	@echo "make test     install, run the test suite on SQLite and then on PostgreSQL"
	@echo "make install  create .venv and install Python and Debian packages"
	@echo "make lint     import rules (.importlinter), ruff lint and format check"
	@echo "make babel    extract and update the translation catalogs"
	@echo "make dev      like run, but the Flask debug server (reloads on change)"
	@echo "make reset-demo  delete the embedded demo database; the next make run builds it anew"

install: system-packages $(STAMP)

# Debian packages: checked on every call (fast); `apt-get update` only when one is missing.
system-packages:
	@command -v dpkg-query >/dev/null || { echo "Not Debian: install $(DEBIAN_PACKAGES) postgresql yourself."; exit 0; }; \
	missing=""; \
	for package in $(DEBIAN_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' "$$package" 2>/dev/null | grep -q "ok installed" || missing="$$missing $$package"; \
	done; \
	if ! command -v psql >/dev/null || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then \
	  missing="$$missing postgresql"; \
	fi; \
	if [ -n "$$missing" ]; then \
	  sudo=""; [ "$$(id -u)" = 0 ] || sudo="sudo"; \
	  echo "Installing Debian packages:$$missing"; \
	  mkdir -p $(BUILD); \
	  { $$sudo apt-get update -qq && \
	    $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	  } >$(BUILD)/apt.log 2>&1 || { cat $(BUILD)/apt.log; exit 1; }; \
	fi

# uv installs the pinned requirements in seconds where pip takes most of a minute (pip remains
# the fallback where uv cannot reach an index).
$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(PY) || { echo "Creating $(VENV)"; $(PYTHON) -m venv $(VENV); }
	@echo "Installing Python packages (requirements-dev.txt)"
	@test -x $(UV) || $(PY) -m pip install -q --disable-pip-version-check uv==$(UV_VERSION) || true
	@if test -x $(UV) && $(UV) pip install -q --python $(PY) -r requirements-dev.txt; then :; else \
	  $(PY) -m pip install -q --disable-pip-version-check -r requirements-dev.txt; fi
	@touch $@

translations: $(STAMP)
	@if [ -x scripts/translations.sh ]; then scripts/translations.sh compile; fi

babel: install
	@test -x scripts/translations.sh || { echo "scripts/translations.sh is missing"; exit 1; }
	scripts/translations.sh extract
	scripts/translations.sh update

prepare-demo: install translations
	@flask datakesos init
	@flask datakesos demo --if-empty --households $(DEMO_HOUSEHOLDS) \
	  --duplicates $(DEMO_DUPLICATES) --history $(DEMO_HISTORY) --scan

# The web server and the scheduler (period closes, queued jobs) side by side; the URL is
# printed once the server answers and Ctrl-C stops both cleanly (scripts/serve.sh).
run: prepare-demo
	@PORT=$(PORT) WORKERS=$(WORKERS) scripts/serve.sh

# The embedded database only (instance/, or DATAKESOS_INSTANCE): a DATABASE_URL of your own is
# never dropped from here.
reset-demo:
	@instance="$${DATAKESOS_INSTANCE:-instance}"; \
	if [ -n "$${DATABASE_URL:-}" ]; then echo "DATABASE_URL is set: drop that database yourself."; exit 1; fi; \
	rm -f "$$instance"/datakesos.db*; \
	echo "Demo database removed; \`make run\` creates it again with fresh demo data."

dev: prepare-demo
	@scripts/demo_logins.sh
	@exec flask run --debug --without-threads --host 127.0.0.1 --port $(PORT)

# The floor plan's import rules (docs/architecture.md) and ruff; `make test` runs it first.
lint: $(STAMP)
	@echo "=== import rules (lint-imports) ==="
	@PYTHONPATH=. lint-imports --no-cache | sed -n '/^Contracts:/p;/Broken contracts/,$$p'
	@echo "=== ruff ==="
	@ruff check --quiet . && ruff format --check --quiet . && echo "ruff: clean"

# The whole suite twice: SQLite (with the browser test) and PostgreSQL on a throwaway database,
# side by side (the two cores are shared between them; TEST_SERIAL=1 runs one after the other).
# SQLite's progress is shown as it runs, PostgreSQL's log after it; both summaries are printed
# and the target fails if either run fails.
test: install translations lint
	@mkdir -p $(BUILD); rm -f $(BUILD)/pytest-postgresql.rc; \
	set +e; \
	echo "=== pytest on PostgreSQL (in the background: $(BUILD)/pytest-postgresql.log) ==="; \
	if [ -n "$${TEST_SERIAL:-}" ]; then \
	  env -u DATABASE_URL scripts/test_postgres.sh pytest $(PYTEST_ARGS) >$(BUILD)/pytest-postgresql.log 2>&1; \
	  echo $$? >$(BUILD)/pytest-postgresql.rc; \
	else \
	  { env -u DATABASE_URL scripts/test_postgres.sh pytest $(PYTEST_ARGS) >$(BUILD)/pytest-postgresql.log 2>&1; \
	    echo $$? >$(BUILD)/pytest-postgresql.rc; } & \
	fi; \
	echo "=== pytest on SQLite ==="; \
	env -u TEST_DATABASE_URL -u DATABASE_URL pytest $(PYTEST_ARGS) 2>&1 | tee $(BUILD)/pytest-sqlite.log; \
	sqlite=$${PIPESTATUS[0]}; \
	wait; \
	postgresql=$$(cat $(BUILD)/pytest-postgresql.rc 2>/dev/null || echo 1); \
	echo ""; echo "=== pytest on PostgreSQL ==="; cat $(BUILD)/pytest-postgresql.log; \
	summary() { grep -E '^=+ .* in [0-9.]+s.* =+$$' "$$1" | tail -n 1 || echo "(no pytest summary)"; }; \
	echo ""; echo "=== Test summary ==="; \
	echo "SQLite     (exit $$sqlite): $$(summary $(BUILD)/pytest-sqlite.log)"; \
	echo "PostgreSQL (exit $$postgresql): $$(summary $(BUILD)/pytest-postgresql.log)"; \
	[ "$$sqlite" = 0 ] && [ "$$postgresql" = 0 ]

test-sqlite: install translations
	env -u TEST_DATABASE_URL -u DATABASE_URL pytest $(PYTEST_ARGS)

test-postgresql: install translations
	env -u DATABASE_URL scripts/test_postgres.sh pytest $(PYTEST_ARGS)

clean:
	rm -rf $(BUILD) tests/e2e/screenshots .pytest_cache
