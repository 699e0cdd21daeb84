# OTWB: the two commands are `make demo` and `make test` (they set everything up themselves).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint format bench serve clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## Build the demo scenario, simulate a day of 500 orders, print the summary, serve the API.
demo: $(STAMP)
	$(BIN)/otwb demo

## Lint, type-check and run the whole test suite (PostgreSQL tests skip without a server,
## unless CI=true).
test: $(STAMP) lint
	$(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff format --check src tests bench
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

## Benchmarks (never part of `make test`); QUICK=1 for a small run.
bench: $(STAMP)
	$(BIN)/python bench/pipeline.py $(if $(QUICK),--quick)
	$(BIN)/python bench/routing.py $(if $(QUICK),--quick)
	$(BIN)/python bench/warehouse.py $(if $(QUICK),--quick)
	$(BIN)/python bench/billing.py $(if $(QUICK),--quick)
	$(BIN)/python bench/orders.py $(if $(QUICK),--quick)

serve: $(STAMP)
	$(BIN)/otwb db upgrade
	$(BIN)/otwb serve

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache otwb-demo.db*
