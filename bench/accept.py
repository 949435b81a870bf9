"""Accepting a batch job: the server's peak memory for bodies of 2,000, 10,000 and 50,000
items, each posted to a fresh server whose job worker is off (so only acceptance counts).

    .venv/bin/python bench/accept.py [--postgresql] [--items 2000,10000,50000]

Memory flat in the number of items means the peak RSS (VmHWM) grows by about the same few
MiB for every size: the body is read item by item and written chunk by chunk
(app/credentials/batch_intake.py). Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.issue import _item, _setup  # noqa: E402
from bench.job import memory  # noqa: E402
from bench.server import throwaway_postgresql, throwaway_server  # noqa: E402


def accept(total: int, postgresql: bool) -> None:
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(throwaway_postgresql()) if postgresql else None
        server = stack.enter_context(throwaway_server(workers=1, database_url=url))
        path = "/v1/issuers/bench/credentials/batch"
        with httpx.Client(base_url=server.base_url, headers=server.headers, timeout=300) as client:
            achievement_id = _setup(client)
            # Warm the route (imports, compiled statements) outside the measurement.
            client.post(path, json={"items": [_item(achievement_id, -1)]}).raise_for_status()
            body = json.dumps({"items": [_item(achievement_id, i) for i in range(total)]})
            before = memory(server)
            started = time.perf_counter()
            response = client.post(
                path, content=body.encode(), headers={"content-type": "application/json"}
            )
            elapsed = time.perf_counter() - started
            after = memory(server)
        response.raise_for_status()
        grew = sum(h for _r, h in after.values()) - sum(h for _r, h in before.values())
        print(
            f"{total:>6} items ({len(body) / 1e6:.1f} MB): {response.status_code} in "
            f"{elapsed:.2f} s, server peak RSS {sum(h for _r, h in after.values())} MiB, "
            f"+{grew} MiB while accepting"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", default="2000,10000,50000", help="comma-separated sizes")
    parser.add_argument("--postgresql", action="store_true", help="a throw-away PostgreSQL db")
    args = parser.parse_args()
    # The job worker would start on the job at once and add its own memory to the figure.
    os.environ["LEARNPROOF_JOB_WORKER"] = "false"
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, load average {os.getloadavg()}")
    print(f"database: {'postgresql' if args.postgresql else 'sqlite'}")
    for total in (int(size) for size in args.items.split(",")):
        accept(total, args.postgresql)


if __name__ == "__main__":
    main()
