# The two set-up commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test install install-node lint

$(BIN)/learnproof: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(BIN)/learnproof

install: $(BIN)/learnproof

install-node:
	npm ci --prefix tests/interop --no-audit --no-fund --loglevel=error

# Installs into .venv and serves on SQLite (./var/learnproof.db) at http://127.0.0.1:8000
run: install
	$(BIN)/learnproof serve

# Installs everything (Python and the npm reference stack) and runs the whole suite
# on SQLite and then on a fresh PostgreSQL database.
test: install install-node
	scripts/test.sh

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy --strict app
