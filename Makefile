# prison-liaison — every target bootstraps .venv from uv.lock on a machine with only Python >= 3.11 and make.
PY ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
STAMP := $(VENV)/.synced
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.DEFAULT_GOAL := help
.PHONY: help run test test-sqlite test-postgres lint bench fmt clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(UV):
	$(PY) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(STAMP): $(UV) uv.lock pyproject.toml
	$(UV) sync --frozen --python "$$(command -v $(PY))"
	@touch $(STAMP)

run: $(STAMP) ## migrate, load the demo programme once, serve on 127.0.0.1:$${PRISON_LIAISON_PORT:-8000}
	$(VENV)/bin/prison-liaison run --demo

test: $(STAMP) ## the whole suite on SQLite, and on PostgreSQL when one is reachable
	$(VENV)/bin/python scripts/run_tests.py

lint: $(STAMP) ## ruff, mypy and the layering contracts
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

bench: $(STAMP) ## benchmarks; results in bench/RESULTS.md
	$(VENV)/bin/python bench/run.py

fmt: $(STAMP)
	$(VENV)/bin/ruff check --fix src tests bench
	$(VENV)/bin/ruff format src tests bench

clean:
	rm -rf $(VENV) $(TOOLS) .pytest_cache .mypy_cache .ruff_cache
