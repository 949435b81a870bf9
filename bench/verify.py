"""Verification figures: our own credentials in-process and through the API, and the
reference JavaScript stack (@digitalbazaar/vc, tests/interop/verify-di.mjs) on the same ones.
The API load comes from `bench/load.mjs` (Node's http client, N keep-alive connections).

    .venv/bin/python bench/verify.py [--credentials 200] [--clients 8] [--workers 2]
        [--postgresql] [--peer] [--rounds 5]

``--peer`` runs the reference stack in the same run and prints the ratio of the API's
JSON-LD rate (``--clients`` clients) to the reference stack's steady verify rate. The two
are measured in ``--rounds`` alternating rounds of about the same length (the API on every
credential, the reference stack on as many as it verifies in about that time), and the
ratio is that of the rates summed over the rounds: a shared machine's speed can change
between two measurements seconds apart (README "Figures", the host probe), and a ratio of
two single phases taken at different moments says as much about that as about either side.

Uses a throw-away SQLite database unless LEARNPROOF_DATABASE_URL is set, a uvicorn server on
127.0.0.1 for the API figures, and Node for the reference figure (skipped if absent). Status
lists are our own and cached after the first check, as they are in service. Prints figures;
asserts nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.config import load_settings  # noqa: E402
from app.db import make_engine, make_sessionmaker  # noqa: E402
from app.issuers.keystore import load_master_key  # noqa: E402
from app.issuers.signing import KeyRing  # noqa: E402
from app.verification.dependencies import DatabaseDocuments  # noqa: E402
from app.verification.resolver import Resolver  # noqa: E402
from app.verification.service import Verifier  # noqa: E402
from app.verification.state import OwnDocumentCaches  # noqa: E402
from app.verification.status_cache import StatusListCache  # noqa: E402
from bench import load  # noqa: E402
from bench.rounds import AlternatingRounds  # noqa: E402
from bench.server import (  # noqa: E402
    Server,
    busiest_share,
    throwaway_postgresql,
    throwaway_server,
)


def _latencies(label: str, samples: list[float], elapsed: float) -> float:
    ordered = sorted(samples)
    p50 = statistics.median(ordered) * 1000
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000
    rate = len(samples) / elapsed
    print(f"{label}: {rate:8.1f} verifications/s   p50 {p50:.1f} ms  p99 {p99:.1f} ms")
    return rate


def _seed(
    client: httpx.Client, count: int
) -> tuple[list[dict[str, Any]], list[str], dict[str, Any]]:
    issuer = {
        "slug": "bench",
        "name": "Bench U",
        "url": "https://b.example",
        "email": "b@b.example",
    }
    client.post("/v1/issuers", json=issuer).raise_for_status()
    achievement = client.post("/v1/issuers/bench/achievements", json={
        "name": "Python", "description": "Programs.", "criteria": {"narrative": "Pass"},
        "framework_levels": [{"framework": "eqf", "level": "5"}], "credits_available": 5,
        "isced_f": "0613",
    }).json()  # fmt: skip
    items = [
        {
            "achievement_id": achievement["id"],
            "recipient": {"name": f"L{i}", "email": f"l{i}@x.org"},
        }
        for i in range(count)
    ]
    documents, tokens = [], []
    for start in range(0, count, 1000):
        response = client.post(
            "/v1/issuers/bench/credentials/batch", json={"items": items[start : start + 1000]}
        )
        response.raise_for_status()
        for result in response.json()["results"]:
            issued = client.get(f"/v1/credentials/{result['id']}").json()
            documents.append(issued["credential"])
            tokens.append(issued["jwt"])
    did_document = client.get("/issuers/bench/did.json").json()
    return documents, tokens, did_document


def bench_api(
    server: Server, documents: list[dict[str, Any]], tokens: list[str], clients: int
) -> None:
    """Rates through the API, load from `bench/load.mjs` (Node): its client costs the shared
    cores far less than httpx's would."""
    url = f"{server.base_url}/credentials/verify"
    # Warm every worker: contexts, shapes, schemas, the status list cache.
    load.run(url, [{"verifiableCredential": d} for d in documents[:16]], clients=4)
    for label, inputs, workers in (
        ("API JSON-LD, 1 client ", documents, 1),
        (f"API JSON-LD, {clients} clients", documents, clients),
        (f"API VC-JWT,  {clients} clients", tokens, clients),
    ):
        processes, database = server.cpu_by_process(), server.database_cpu_seconds()
        result = load.run(url, [{"verifiableCredential": c} for c in inputs], clients=workers)
        after = server.cpu_by_process()
        cpu = sum(after.values()) - sum(processes.values())
        database = server.database_cpu_seconds() - database
        print(f"{label}: {result.rate:8.1f} verifications/s   p50 {result.p50:.1f} ms  "
              f"p99 {result.percentile(0.99):.1f} ms")  # fmt: skip
        print(f"  CPU per verification: server {1000 * cpu / len(inputs):.2f} ms, PostgreSQL "
              f"backends {1000 * database / len(inputs):.2f} ms, load generator "
              f"{1000 * result.cpu_seconds / len(inputs):.2f} ms; server CPU by process, "
              f"busiest first: {busiest_share(processes, after)}")  # fmt: skip


def bench_in_process(documents: list[dict[str, Any]], tokens: list[str]) -> None:
    settings = load_settings()
    engine = make_engine(settings.database_url)
    keyring = KeyRing(load_master_key(settings))
    cache = StatusListCache()
    caches = OwnDocumentCaches.with_ttl(settings.own_documents_cache_seconds)
    try:
        with make_sessionmaker(engine)() as session:

            def verify(credential: Any) -> None:
                own = DatabaseDocuments(
                    session,
                    keyring,
                    urls=settings.urls,
                    now=datetime.now(UTC),
                    caches=caches,
                )
                verifier = Verifier(resolver=Resolver(None, own), now=own.now, status_cache=cache)
                report = verifier.credential(credential)
                if not report.verified:
                    raise RuntimeError(f"not verified: {report.failed}")

            verify(documents[0])
            for label, inputs in (
                ("in-process JSON-LD", documents),
                ("in-process VC-JWT ", tokens),
            ):
                samples = _timed_each(verify, inputs)
                _latencies(label, samples, sum(samples))
    finally:
        engine.dispose()


def _timed_each(action: Callable[[Any], None], inputs: list[Any]) -> list[float]:
    samples = []
    for item in inputs:
        started = time.perf_counter()
        action(item)
        samples.append(time.perf_counter() - started)
    return samples


def bench_reference(
    documents: list[dict[str, Any]], did_document: dict[str, Any], *, quiet: bool = False
) -> float | None:
    """The reference stack's steady verify rate: one Node process, JIT and caches warmed on
    50 credentials first (as our server is warmed), the rest timed inside Node."""
    from tests.interop.node import NodeHarnessError, run_node

    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    shared = {did_document["id"]: did_document}
    warmup = min(50, len(documents))
    items = [{"credential": c, "now": now} for c in documents[:warmup] + documents]
    try:
        started = time.perf_counter()
        result = run_node(
            "verify-di.mjs", {"items": items, "documents": shared, "warmup": warmup}, timeout=600
        )
        wall = time.perf_counter() - started
    except NodeHarnessError as error:
        print(f"reference JS stack: skipped ({error})")
        return None
    verified = sum(1 for r in result["results"] if r["verified"])
    if verified != len(documents):
        raise RuntimeError(f"the reference stack verified {verified} of {len(documents)}")
    rate = len(documents) / result["seconds"]
    if quiet:
        return rate
    print(
        f"reference JS (verify-di.mjs, no status): {rate:8.1f} verifications/s after a warm-up "
        f"of {warmup}; {len(items) / wall:.1f}/s with Node's start "
        f"({verified}/{len(documents)} verified)"
    )
    return rate


def bench_ratio(
    server: Server,
    documents: list[dict[str, Any]],
    did_document: dict[str, Any],
    clients: int,
    rounds: int,
) -> None:
    """The API against the reference stack in alternating rounds of about the same length."""
    url = f"{server.base_url}/credentials/verify"
    bodies = [{"verifiableCredential": d} for d in documents]
    tally = AlternatingRounds()
    for _ in range(rounds):
        api = load.run(url, bodies, clients=clients)
        # About as long as the API round, at the rate the reference stack had so far.
        peer_count = tally.peer_items(api.seconds, first=200, most=len(documents))
        peer = bench_reference(documents[:peer_count], did_document, quiet=True)
        if peer is None:
            return
        print(tally.add(len(bodies), api.seconds, peer_count, peer))
    print(f"ratio: POST /credentials/verify ({clients} clients) / reference = {tally.summary()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--credentials", type=int, default=200)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument("--postgresql", action="store_true", help="a throw-away PostgreSQL db")
    parser.add_argument("--peer", action="store_true", help="the reference JS stack and ratio")
    parser.add_argument(
        "--rounds", type=int, default=5, help="alternating API/reference rounds for the ratio"
    )
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {args.credentials} credentials, "
          f"load average {os.getloadavg()}")  # fmt: skip

    with contextlib.ExitStack() as stack:
        url = stack.enter_context(throwaway_postgresql()) if args.postgresql else None
        server = stack.enter_context(
            throwaway_server(export_env=True, workers=args.workers, database_url=url)
        )
        with httpx.Client(base_url=server.base_url, headers=server.headers, timeout=120) as client:
            documents, tokens, did_document = _seed(client, args.credentials)
        print(f"database: {server.backend}, {args.workers} server worker(s)")
        bench_in_process(documents, tokens)
        bench_api(server, documents, tokens, args.clients)
        if args.peer:
            bench_reference(documents, did_document)
            bench_ratio(server, documents, did_document, args.clients, max(1, args.rounds))
    print(f"load average at the end {os.getloadavg()}")


if __name__ == "__main__":
    main()
