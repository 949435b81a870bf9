# The two set-up commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test install install-node system-deps lint lock test-unlocked fuzz

# Debian packages: fonts that cover Latin, Arabic and Chinese for PDF certificates and badges,
# and Chromium for the browser test (Playwright drives /usr/bin/chromium; it downloads nothing).
SYSTEM_PACKAGES := fonts-noto-core fonts-wqy-microhei
TEST_SYSTEM_PACKAGES := $(SYSTEM_PACKAGES) chromium

# Installs exactly what requirements/dev.lock pins (hash-checked), then the project itself.
$(BIN)/learnproof: pyproject.toml requirements/dev.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes -r requirements/dev.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(BIN)/learnproof

install: $(BIN)/learnproof

install-node:
	npm ci --prefix tests/interop --no-audit --no-fund --loglevel=error

system-deps:
	scripts/system-deps.sh $(SYSTEM_PACKAGES)

# Installs into .venv and serves on SQLite (./var/learnproof.db) at http://127.0.0.1:8000
run: install system-deps
	$(BIN)/learnproof serve

# Installs everything (Python and the npm reference stack) and runs the whole suite
# on SQLite and then on a fresh PostgreSQL database.
test: install install-node
	scripts/system-deps.sh $(TEST_SYSTEM_PACKAGES)
	scripts/test.sh

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy --strict app

# Re-resolves the lock files from pyproject.toml (see scripts/lock.sh for uv options).
lock: install
	scripts/lock.sh

# The whole suite against the newest releases pyproject.toml allows, ignoring the lock,
# in a separate virtual environment (.venv-unlocked).
test-unlocked: install-node
	rm -rf .venv-unlocked
	$(PYTHON) -m venv .venv-unlocked
	.venv-unlocked/bin/pip install --quiet --upgrade pip
	.venv-unlocked/bin/pip install --quiet -e '.[dev]'
	scripts/system-deps.sh $(TEST_SYSTEM_PACKAGES)
	VENV=.venv-unlocked scripts/test.sh

# Optional, not in CI: schemathesis against /openapi.json on a throw-away local server
# (no 5xx, no undocumented status code or content type). The `fuzz` extra goes into a venv
# of its own: schemathesis brings `requests`, which pyld would then import in the app's venv.
FUZZ_VENV ?= .venv-fuzz
fuzz: install
	test -x $(FUZZ_VENV)/bin/schemathesis || ($(PYTHON) -m venv $(FUZZ_VENV) && \
		$(FUZZ_VENV)/bin/pip install --quiet -e '.[fuzz]')
	$(BIN)/python scripts/fuzz.py --schemathesis $(FUZZ_VENV)/bin/schemathesis
