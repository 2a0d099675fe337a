# The two commands of the README: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Throwaway values so that `check --deploy` can load the production settings.
PROD_ENV := DJANGO_SETTINGS_MODULE=config.settings.prod ALLOWED_HOSTS=commune-engagee.example \
	SECRET_KEY=verification-seulement-$$(printf 'x%.0s' {1..60})

.PHONY: install run test quality format clean navigateur bench bibliotheques api-contrat

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP) bibliotheques

# WeasyPrint draws the PDF reports with Pango and subsets their fonts with HarfBuzz.
bibliotheques:
	@ldconfig -p | grep -q libharfbuzz-subset.so.0 && ldconfig -p | grep -q libpangoft2 || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && \
			apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0; \
		else echo "Bibliothèques manquantes : sudo apt-get install libpangoft2-1.0-0 libharfbuzz-subset0"; fi; }

# The real France (communes, EPCI) comes from the official découpage, an npm package.
run: install node_modules/.package-lock.json
	$(PY) manage.py migrate --noinput
	$(PY) manage.py import_territoires
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver 127.0.0.1:8000

quality: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	# The models against the migrations only: no database to read (CI's is created by pytest).
	DATABASE_URL=sqlite://:memory: $(PY) manage.py makemigrations --check --dry-run
	$(PROD_ENV) $(PY) manage.py check --deploy --fail-level WARNING

# Browser tests drive Debian's Chromium (Playwright cannot download browsers here).
navigateur:
	@command -v chromium >/dev/null || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium; \
		else echo "Chromium manque : sudo apt-get install chromium"; fi; }

# The official découpage administratif (territories) and axe-core (accessibility tests).
node_modules/.package-lock.json: package.json package-lock.json
	@command -v npm >/dev/null || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq npm; \
		else echo "npm manque : sudo apt-get install npm"; exit 1; fi; }
	npm ci --no-audit --no-fund
	touch $@

test: quality navigateur node_modules/.package-lock.json
	$(VENV)/bin/pytest

# Benchmarks print figures (and write bench/results.json); they never assert.
# They need the local PostgreSQL and Redis, and use databases of their own.
BENCH_PG := postgres://postgres@127.0.0.1:5432
# Options of bench/bench_echelle.py, e.g. a quick run on a smaller country:
# make bench ECHELLE="--communes 3000 --structures 400 --marches 20000"
ECHELLE ?=

bench: install
	$(PY) bench/bench_echelle.py $(ECHELLE)
	dropdb --if-exists -h 127.0.0.1 -U postgres ce_bench_decp
	createdb -h 127.0.0.1 -U postgres ce_bench_decp
	DATABASE_URL=$(BENCH_PG)/ce_bench_decp $(PY) manage.py migrate --noinput -v0
	DATABASE_URL=$(BENCH_PG)/ce_bench_decp $(PY) manage.py seed_demo -v0
	DATABASE_URL=$(BENCH_PG)/ce_bench_decp $(PY) bench/bench_decp.py
	dropdb --if-exists -h 127.0.0.1 -U postgres ce_bench_decp
	dropdb --if-exists -h 127.0.0.1 -U postgres ce_bench_structures
	createdb -h 127.0.0.1 -U postgres ce_bench_structures
	DATABASE_URL=$(BENCH_PG)/ce_bench_structures $(PY) manage.py migrate --noinput -v0
	DATABASE_URL=$(BENCH_PG)/ce_bench_structures $(PY) bench/bench_structures.py
	dropdb --if-exists -h 127.0.0.1 -U postgres ce_bench_structures
	DATABASE_URL=$(BENCH_PG)/ce_bench_rapports CELERY_BROKER_URL=redis://127.0.0.1:6379/14 \
		$(PY) bench/bench_rapports.py
	dropdb --if-exists -h 127.0.0.1 -U postgres ce_bench_rapports

# The API against its OpenAPI document (schemathesis), anonymous and with a token, on a
# server of its own and a throwaway PostgreSQL database. Not part of `make test`.
api-contrat: install
	scripts/api_contrat.sh

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache node_modules
