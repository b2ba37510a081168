# Two commands on a fresh machine: `make run` and `make test`. Both are idempotent.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
STAMP := $(VENV)/.installed
# Tests run on every core (pytest-xdist); WORKERS=0 runs them in one process. Work stealing
# lets a worker that finishes its share take tests from the other: the browser journeys and
# PDF renders are long, and the suite ran about 30-50 s faster a leg than with the default.
WORKERS ?= auto
export FLASK_APP := wsgi

.PHONY: run test lint format setup db clean bench

$(BIN)/python:
	$(PY) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

db: setup
	$(BIN)/flask db upgrade
	$(BIN)/flask scenarios load
	$(BIN)/flask demo

run: db
	PORTFOLIO_DEMO=1 $(BIN)/flask run --host 127.0.0.1 --port $(PORT)

test: setup
	$(BIN)/flask scenarios validate
	$(BIN)/python -m pytest -n $(WORKERS) --dist worksteal $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The benchmarks (bench/, minutes each; their figures go in the README): the portfolio PDF
# against plain WeasyPrint, then the main pages against a bare Flask page on SQLite, and on
# PostgreSQL too when DATABASE_URL names a database of its own (the test suite empties the
# tables of the database it runs on). BENCH_ARGS are passed to the pages benchmark.
bench: setup
	$(BIN)/python bench/pdf_bench.py
	$(BIN)/python bench/pages_bench.py $(BENCH_ARGS)
	if [ -n "$$DATABASE_URL" ]; then $(BIN)/python bench/pages_bench.py --postgres $(BENCH_ARGS); fi

clean:
	rm -rf $(VENV) instance/*.sqlite3*
