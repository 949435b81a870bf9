#!/usr/bin/env bash
# Runs the whole suite twice: on SQLite, then on a fresh PostgreSQL database
# (created and dropped by tests/conftest.py). Under CI=true PostgreSQL is required.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${VENV:-.venv}/bin
PG_HOST=${LEARNPROOF_TEST_PG_HOST:-127.0.0.1}

pg_up() { "$BIN/python" - <<'PY'
import os, sys
import psycopg
url = os.environ.get("LEARNPROOF_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
url = url.replace("postgresql+psycopg://", "postgresql://")
try:
    psycopg.connect(url, connect_timeout=3).close()
except Exception as exc:  # noqa: BLE001
    print(f"PostgreSQL unreachable: {exc}", file=sys.stderr)
    sys.exit(1)
PY
}

if ! pg_up; then
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    echo "starting PostgreSQL on $PG_HOST"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start || true
    for _ in $(seq 1 30); do pg_up 2>/dev/null && break; sleep 1; done
  fi
fi

echo "=== test suite on SQLite"
LEARNPROOF_TEST_DB=sqlite "$BIN/pytest" "$@"

if pg_up; then
  echo "=== test suite on PostgreSQL"
  LEARNPROOF_TEST_DB=postgresql "$BIN/pytest" "$@"
elif [ "${CI:-}" = "true" ]; then
  echo "PostgreSQL is required under CI=true and could not be reached or started" >&2
  exit 1
else
  echo "WARNING: PostgreSQL not reachable; the PostgreSQL run was skipped" >&2
fi
