"""`make fuzz`: schemathesis against /openapi.json of a throw-away local server (not in CI).

    .venv/bin/python scripts/fuzz.py [--schemathesis PATH] [--max-examples 25] [--max-time 300]
                                     [extra schemathesis args…]

Serves on 127.0.0.1 with a fresh SQLite database and an admin key (bench/server.py), then
runs schemathesis with the checks issue 11 asks for: no 5xx, no undocumented status code or
content type. Exits with schemathesis' status. schemathesis comes from the optional `fuzz`
extra, installed by `make fuzz` into .venv-fuzz (never into the app's venv).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.server import throwaway_server  # noqa: E402

CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--schemathesis", default=str(ROOT / ".venv-fuzz/bin/schemathesis"))
    parser.add_argument("--max-examples", type=int, default=25)
    parser.add_argument("--max-time", type=int, default=300)
    args, extra = parser.parse_known_args()
    schemathesis = shutil.which(args.schemathesis)
    if schemathesis is None:
        print(f"{args.schemathesis} is missing: run `make fuzz`", file=sys.stderr)
        return 2
    with throwaway_server() as server:
        command = [
            schemathesis,
            "run",
            f"{server.base_url}/openapi.json",
            "--checks",
            CHECKS,
            "--max-examples",
            str(args.max_examples),
            "--max-time",
            str(args.max_time),
            "--workers",
            "1",
            "--header",
            f"Authorization:{server.headers['Authorization']}",
            *extra,
        ]
        return subprocess.run(command, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
