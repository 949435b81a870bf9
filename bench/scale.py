"""Issue rate and revoke latency on an empty database, then with N credentials stored.

    .venv/bin/python bench/scale.py --postgresql --credentials 1000000 [--workers 2]
        [--issue 1000] [--revokes 100] [--revoked 0]

A throw-away database (``--postgresql``: on LEARNPROOF_TEST_PG_URL's server, default
postgres@127.0.0.1:5432; else SQLite) and a uvicorn server on 127.0.0.1. Batch issuance
over HTTP and ``POST /v1/credentials/{id}/revoke`` are measured first on the empty
database, then again after N credentials with their status entries have been bulk-inserted
(rows, not issued through the API: another issuer's, in full status lists, as
``bench/status.py`` seeds them) and, on PostgreSQL, vacuumed and analyzed, as a database
holding them for a while would be. Prints both figures and their ratio; asserts nothing.
``--revoked R``: R more of the bench issuer's credentials are revoked first (in bulk), so the
timed revocations change a list that already holds R revoked bits, and re-sign it whole.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.config import load_settings  # noqa: E402
from app.db import make_engine, make_sessionmaker  # noqa: E402
from app.issuers.keystore import load_master_key  # noqa: E402
from bench.issue import _item, _setup  # noqa: E402
from bench.server import Server, throwaway_postgresql, throwaway_server  # noqa: E402
from bench.status import _seed  # noqa: E402


def _issue(server: Server, achievement_id: str, total: int, offset: int) -> tuple[float, list[str]]:
    def post(items: list[dict[str, object]]) -> list[str]:
        # A connection per request (as in bench/issue.py): two kept-alive connections can
        # both stay on one worker process, and the round then measures one core.
        with httpx.Client(base_url=server.base_url, headers=server.headers, timeout=300) as client:
            response = client.post("/v1/issuers/bench/credentials/batch", json={"items": items})
            response.raise_for_status()
            return [r["id"] for r in response.json()["results"] if "id" in r]

    batches = [
        [_item(achievement_id, offset + i) for i in range(start, min(start + 250, total))]
        for start in range(0, total, 250)
    ]
    started = time.perf_counter()
    with ThreadPoolExecutor(2) as pool:
        ids = [i for batch in pool.map(post, batches) for i in batch]
    return len(ids) / (time.perf_counter() - started), ids


def _revoke(server: Server, ids: list[str]) -> tuple[float, float]:
    samples = []
    with httpx.Client(base_url=server.base_url, headers=server.headers, timeout=30) as client:
        for credential_id in ids:
            started = time.perf_counter()
            response = client.post(f"/v1/credentials/{credential_id}/revoke", json={"reason": "b"})
            response.raise_for_status()
            samples.append(time.perf_counter() - started)
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return statistics.median(ordered) * 1000, p99 * 1000


def _warm_revokes(server: Server, ids: list[str]) -> None:
    """A worker's first revocation compiles and prepares its statements (22-45 ms measured):
    each of these on a new connection, so that both workers take some before the timing."""
    for credential_id in ids:
        with httpx.Client(base_url=server.base_url, headers=server.headers, timeout=30) as client:
            path = f"/v1/credentials/{credential_id}/revoke"
            client.post(path, json={"reason": "warm-up"}).raise_for_status()


def _revoke_in_bulk(server: Server, ids: list[str]) -> None:
    with httpx.Client(base_url=server.base_url, headers=server.headers, timeout=300) as client:
        for start in range(0, len(ids), 1000):
            body = {"action": "revoke", "ids": ids[start : start + 1000]}
            client.post("/v1/issuers/bench/credentials/status", json=body).raise_for_status()


def _round(server: Server, achievement_id: str, issue: int, revokes: int, offset: int) -> float:
    cpu, database = server.cpu_seconds(), server.database_cpu_seconds()
    rate, ids = _issue(server, achievement_id, issue, offset)
    cpu, database = server.cpu_seconds() - cpu, server.database_cpu_seconds() - database
    p50, p99 = _revoke(server, ids[:revokes])
    print(f"  batch issuance {rate:.1f} credentials/s; revoke p50 {p50:.1f} ms, p99 {p99:.1f} ms")
    print(f"  CPU per credential issued: server {1000 * cpu / len(ids):.2f} ms, PostgreSQL "
          f"backends {1000 * database / len(ids):.2f} ms")  # fmt: skip
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--credentials", type=int, default=1_000_000, help="N stored")
    parser.add_argument("--issue", type=int, default=2000, help="credentials issued per round")
    parser.add_argument("--revokes", type=int, default=100)
    parser.add_argument("--revoked", type=int, default=0, help="revoked in the list first")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--postgresql", action="store_true")
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, load average {os.getloadavg()}")
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(throwaway_postgresql()) if args.postgresql else None
        server = stack.enter_context(
            throwaway_server(workers=args.workers, export_env=True, database_url=url)
        )
        print(f"database: {server.backend}, {args.workers} server worker(s)")
        with httpx.Client(base_url=server.base_url, headers=server.headers, timeout=30) as client:
            achievement_id = _setup(client)
        _, warm_ids = _issue(server, achievement_id, 1000, -1_000_000)  # warm both workers
        _warm_revokes(server, warm_ids[:20])
        if args.revoked:
            _revoke_in_bulk(server, _issue(server, achievement_id, args.revoked, -2_000_000)[1])
            print(f"{args.revoked:,} of the bench issuer's credentials revoked first")
        print("empty database:")
        empty = _round(server, achievement_id, args.issue, args.revokes, 0)
        settings = load_settings()
        engine = make_engine(settings.database_url)
        try:
            _seed(
                make_sessionmaker(engine), load_master_key(settings), args.credentials,
                settings.urls,
            )  # fmt: skip
            if engine.dialect.name == "postgresql":
                # A database that has held its rows for a while: autovacuum would otherwise
                # analyze the million new rows while the second round is measured.
                started = time.perf_counter()
                with engine.connect() as connection:
                    connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                        "VACUUM ANALYZE"
                    )
                print(f"VACUUM ANALYZE after seeding: {time.perf_counter() - started:.1f} s")
        finally:
            engine.dispose()
        print(f"with {args.credentials:,} more credentials stored:")
        full = _round(server, achievement_id, args.issue, args.revokes, 10_000_000)
    print(f"issue rate with {args.credentials:,} stored / empty: {full / empty:.2f}")
    print(f"load average at the end {os.getloadavg()}")


if __name__ == "__main__":
    main()
