# Écoute — the commands the README quotes.
#   make demo    run the product on SQLite with demo data
#   make test    lint, then the whole suite on SQLite and again on PostgreSQL
#   make bench   the benchmarks in bench/
#   make lint    ruff and mypy --strict

SHELL := /bin/bash
PYTHON ?= python3.13
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PG_URL ?= postgres://postgres@127.0.0.1:5432/ecoute
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_ENV := DEBUG=0 SECURE_HTTPS=0 SECRET_KEY=$${SECRET_KEY:-demo-only-secret-key-change-me-in-production-0123456789} ALLOWED_HOSTS=$${ALLOWED_HOSTS:-127.0.0.1,localhost} EMAIL_URL=$${EMAIL_URL:-console://}

.PHONY: demo test test-sqlite test-postgresql lint bench install browser messages clean

$(STAMP): pyproject.toml requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

# The compiled catalogues are committed; they are rebuilt when GNU gettext's msgfmt is there.
messages: $(STAMP)
	@if command -v msgfmt >/dev/null; then \
		$(DEMO_ENV) $(PY) manage.py compilemessages --ignore=.venv --ignore=var -v0; \
	else echo "msgfmt not found: using the committed translation catalogues"; fi

demo: $(STAMP) messages
	mkdir -p var
	$(DEMO_ENV) $(PY) manage.py migrate --no-input -v0
	$(DEMO_ENV) $(PY) manage.py demo --org demo
	$(DEMO_ENV) $(PY) manage.py collectstatic --no-input -v0
	$(DEMO_ENV) $(PY) manage.py serve --host $(HOST) --port $(PORT)

browser:
	@test -x /usr/bin/chromium || { echo "Installing Debian's chromium for the browser tests…"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# mypy checks from scratch: the django-stubs plugin's incremental cache can keep stale related
# managers after a models change and report errors a fresh check does not.
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	ECOUTE_TESTING=1 $(VENV)/bin/mypy --no-incremental .

test: $(STAMP) browser messages lint test-sqlite test-postgresql

test-sqlite: $(STAMP)
	@echo "== pytest on SQLite =="
	$(VENV)/bin/pytest -n 2 -q

test-postgresql: $(STAMP)
	@echo "== pytest on PostgreSQL =="
	@if $(PY) -c "import psycopg, sys; psycopg.connect('postgresql://postgres@127.0.0.1:5432/postgres', connect_timeout=3).close()" 2>/dev/null; then \
		DATABASE_URL=$(PG_URL) $(VENV)/bin/pytest -n 2 -q; \
	elif [ "$$CI" = "true" ]; then \
		echo "PostgreSQL does not answer on 127.0.0.1:5432 and CI requires the PostgreSQL leg." >&2; exit 1; \
	else \
		echo "!!! PostgreSQL does not answer on 127.0.0.1:5432: the PostgreSQL leg is SKIPPED !!!" >&2; \
	fi

bench: $(STAMP)
	$(PY) bench/import.py
	$(PY) bench/btyd.py
	$(PY) bench/listening.py
	$(PY) bench/retention.py
	$(PY) bench/export.py
	$(PY) bench/search.py
	$(PY) bench/lost_customers.py
	$(PY) bench/tabular.py

clean:
	rm -rf $(VENV) var
