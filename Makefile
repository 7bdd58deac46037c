# Readmit: `make run` (demo on SQLite) and `make test` (the whole suite).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
READMIT := $(BIN)/readmit
STAMP := $(VENV)/.installed
# Swagger UI for /api/v1/docs, copied from the npm package (package-lock.json pins it): no CDN.
SWAGGER_DIR := src/readmit/api/static/api/swagger-ui
SWAGGER := $(SWAGGER_DIR)/.vendored

.PHONY: run test install assets messages catalogues lint typecheck migrations-check bench clean

$(STAMP): requirements/dev.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements/dev.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $(STAMP)

# Translations: the .po catalogues are in git; the .mo files are built from them with polib
# (no system gettext needed) whenever a catalogue is newer than its .mo.
messages: $(STAMP)
	$(READMIT) compilemessages

# axe-core (for the browser tests' accessibility checks) and the other npm assets, exactly as
# pinned in package-lock.json.
AXE := node_modules/axe-core/axe.min.js
$(AXE): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $(AXE)

# htmx is copied from the npm package into the static files (never a CDN); the copy is not
# committed, this step makes it again from package-lock.json's exact version.
VENDOR := src/readmit/web/static/vendor
$(VENDOR)/.installed: $(AXE)
	mkdir -p $(VENDOR)/htmx
	cp node_modules/htmx.org/dist/htmx.min.js node_modules/htmx.org/LICENSE $(VENDOR)/htmx/
	@touch $@

# Swagger UI for /api/v1/docs, copied the same way.
$(SWAGGER): $(AXE)
	@mkdir -p $(SWAGGER_DIR)
	cp node_modules/swagger-ui-dist/swagger-ui-bundle.js node_modules/swagger-ui-dist/swagger-ui.css \
	   node_modules/swagger-ui-dist/LICENSE $(SWAGGER_DIR)/
	@touch $@

assets: $(VENDOR)/.installed $(SWAGGER)

install: $(STAMP) messages assets

# After adding or changing strings: refresh the .po catalogues from the code (needs GNU gettext's
# xgettext), then translate what is new (docs/translations.md).
catalogues: $(STAMP)
	cd src/readmit && $(abspath $(READMIT)) makemessages -l fr -l ru -l ar --no-obsolete --no-location
	cd src/readmit && $(abspath $(READMIT)) makemessages -d djangojs -l fr -l ru -l ar --no-obsolete --no-location \
	   --ignore vendor --ignore swagger-ui --ignore '*.min.js'

run: install
	@mkdir -p var
	$(READMIT) migrate --noinput
	$(READMIT) demo
	@echo "Readmit on http://127.0.0.1:8000 (Ctrl-C stops the server and the worker)"
	@$(READMIT) worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; $(READMIT) serve --bind 127.0.0.1:8000

test: install
	scripts/system-packages
	$(BIN)/pytest -n 2 --dist loadfile

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: install
	$(BIN)/mypy

migrations-check: install
	$(READMIT) makemigrations --check --dry-run

# Benchmarks (docs/benchmarks.md). The seeded databases are kept and reused: the first run
# seeds BENCH_N applications (minutes), later runs only measure.
BENCH_N ?= 1000000
BENCH_PG ?= postgres://postgres@127.0.0.1:5432/bench_workflow
bench: install
	scripts/system-packages bench
	$(BIN)/python benchmarks/bench_audit.py 5000
	BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/readmit_bench $(BIN)/python benchmarks/bench_audit.py 5000
	$(BIN)/python benchmarks/bench_workflow.py $(BENCH_N)
	BENCH_DATABASE_URL=$(BENCH_PG) $(BIN)/python benchmarks/bench_workflow.py $(BENCH_N)
	BENCH_DATABASE_URL=$(BENCH_PG) $(BIN)/python benchmarks/bench_pages.py $(BENCH_N)
	BENCH_DATABASE_URL=$(BENCH_PG) $(BIN)/python benchmarks/bench_api.py $(BENCH_N)

clean:
	rm -rf $(VENV) var/static $(VENDOR) $(SWAGGER_DIR)
