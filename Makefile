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

.PHONY: run test install lint typecheck migrations-check bench clean

$(STAMP): requirements/dev.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements/dev.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $(STAMP)

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts
	@touch $@

$(SWAGGER): node_modules/.package-lock.json
	@mkdir -p $(SWAGGER_DIR)
	cp node_modules/swagger-ui-dist/swagger-ui-bundle.js node_modules/swagger-ui-dist/swagger-ui.css \
	   node_modules/swagger-ui-dist/LICENSE $(SWAGGER_DIR)/
	@touch $@

install: $(STAMP) $(SWAGGER)

run: install
	@mkdir -p var
	$(READMIT) migrate --noinput
	$(READMIT) demo
	@echo "Readmit on http://127.0.0.1:8000 (Ctrl-C stops the server and the worker)"
	@$(READMIT) worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; $(READMIT) serve --bind 127.0.0.1:8000

test: install
	$(BIN)/pytest -n 2 --dist loadfile

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: install
	$(BIN)/mypy

migrations-check: install
	$(READMIT) makemigrations --check --dry-run

bench: install
	$(BIN)/python benchmarks/bench_audit.py 5000
	BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/readmit_bench $(BIN)/python benchmarks/bench_audit.py 5000

clean:
	rm -rf $(VENV) var/static $(SWAGGER_DIR)
