#!/usr/bin/env bash
# Refreshes the hashed lock files from pyproject.toml with uv (installed into .venv on demand).
# requirements/runtime.lock: what the Docker image installs; requirements/dev.lock: make run/test and CI.
# Pass uv options through, e.g. `scripts/lock.sh --upgrade-package fastapi` or `--upgrade`.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${VENV:-.venv}/bin
[ -x "$BIN/uv" ] || "$BIN/pip" install --quiet uv
common=(--generate-hashes --python-version 3.11 --universal --quiet "$@")
"$BIN/uv" pip compile pyproject.toml "${common[@]}" -o requirements/runtime.lock
"$BIN/uv" pip compile pyproject.toml --extra dev "${common[@]}" -o requirements/dev.lock
echo "requirements/runtime.lock and requirements/dev.lock refreshed"
