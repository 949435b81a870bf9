"""Issuance figures: in-process signing rate (both forms), batch issuance over HTTP, and
single-request latency under 16 clients; with ``--peer``, the reference JavaScript stack's
Data Integrity issue rate on the same credentials, in the same run, and the ratio.

    .venv/bin/python bench/issue.py [--postgresql] [--workers 2] [--batch 2000] [--peer]
        [--rounds 5] [--sign N] [--requests N] [--clients 16] [--external-ids]

Uses a throw-away SQLite database unless ``--postgresql`` (a throw-away database on
LEARNPROOF_TEST_PG_URL's server, default postgres@127.0.0.1:5432) or LEARNPROOF_DATABASE_URL
is given, and a uvicorn server on 127.0.0.1 for the HTTP figures. A batch credential counts
once the batch answer (sent after the commit: stored with its status entries, its result
readable) is back; each batch request opens its own connection. Single requests come from
`bench/load.mjs` (Node's http client, one keep-alive connection per client). Prints figures;
asserts nothing.

With ``--peer`` the batch ratio is measured in ``--rounds`` alternating rounds of about the
same length (``--batch`` credentials over HTTP, then the reference stack signing as many as
it signs in about that time), and is the ratio of the rates summed over the rounds: a shared
machine's speed can change between two measurements seconds apart (README "Figures", the
host probe).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import resource
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.credentials.builder import Subject, build_credential, identity_hash  # noqa: E402
from app.crypto.data_integrity import add_proof  # noqa: E402
from app.crypto.jws import sign_vc_jwt  # noqa: E402
from app.crypto.keys import generate_private_key  # noqa: E402
from app.crypto.multikey import did_key_for  # noqa: E402
from app.crypto.signer import LocalSigner  # noqa: E402
from bench import load  # noqa: E402
from bench.rounds import AlternatingRounds  # noqa: E402
from bench.server import (  # noqa: E402
    Server,
    busiest_share,
    throwaway_postgresql,
    throwaway_server,
)


def _credential(i: int, did: str) -> dict[str, Any]:
    """A credential as the service builds it: alignments, identifier, result, status, schema."""
    achievement = {
        "id": "http://127.0.0.1:8000/issuers/b/achievements/1",
        "type": ["Achievement"],
        "name": "Introduction to Python Programming",
        "description": "Writes, tests and debugs small Python programs.",
        "criteria": {"narrative": "Passed all graded exercises and the final project."},
        "achievementType": "Certificate",
        "creditsAvailable": 5,
        "fieldOfStudy": "Software and applications development and analysis",
        "alignment": [
            {
                "type": ["Alignment"],
                "targetName": "EQF level 5 (European Qualifications Framework)",
                "targetCode": "5",
                "targetFramework": "European Qualifications Framework",
                "targetType": "ext:QualificationFrameworkLevel",
                "targetUrl": "http://127.0.0.1:8000/frameworks/eqf/levels/5",
            },
            {
                "type": ["Alignment"],
                "targetName": "Python (computer programming)",
                "targetType": "ceasn:Competency",
                "targetUrl": "http://127.0.0.1:8000/issuers/b/achievements/1#skill-1",
            },
        ],
    }
    status_url = "http://127.0.0.1:8000/status/b/revocation-1"
    return build_credential(
        credential_url=f"http://127.0.0.1:8000/credentials/{i}",
        issuer={
            "id": did,
            "type": ["Profile"],
            "name": "Bench University",
            "url": "https://b.example",
        },
        achievement=achievement,
        subject=Subject(
            name=f"Learner {i}",
            did=None,
            email_hash=identity_hash(f"l{i}@example.org", "00ff"),
            salt="00ff",
        ),
        valid_from=datetime(2026, 11, 26, 12, tzinfo=UTC),
        valid_until=None,
        credential_status={
            "id": f"{status_url}#{i}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(i),
            "statusListCredential": status_url,
        },
        results=[{"type": ["Result"], "status": "Completed"}],
        credits_earned=5,
        evidence=[],
    )


def bench_signing(n: int) -> None:
    key = generate_private_key("Ed25519")
    did = did_key_for(key.public_key())
    signer = LocalSigner(key, f"{did}#{did.removeprefix('did:key:')}")
    now = datetime.now(UTC)
    docs = [_credential(i, did) for i in range(n)]
    add_proof(docs[0], signer, created=now)  # warm the context cache
    started = time.perf_counter()
    for doc in docs:
        add_proof(doc, signer, created=now)
    di = n / (time.perf_counter() - started)
    started = time.perf_counter()
    for doc in docs:
        sign_vc_jwt(doc, signer, issued_at=now)
    jwt_rate = n / (time.perf_counter() - started)
    started = time.perf_counter()
    for doc in docs:
        add_proof(doc, signer, created=now)
        sign_vc_jwt(doc, signer, issued_at=now)
    both = n / (time.perf_counter() - started)
    print(f"in-process Data Integrity (eddsa-rdfc-2022): {di:8.1f} credentials/s")
    print(f"in-process VC-JWT (EdDSA):                   {jwt_rate:8.1f} credentials/s")
    print(f"in-process both forms:                       {both:8.1f} credentials/s")


def _setup(client: httpx.Client) -> str:
    issuer = {"slug": "bench", "name": "Bench U", "url": "https://b.example",
              "email": "b@b.example"}  # fmt: skip
    client.post("/v1/issuers", json=issuer).raise_for_status()
    achievement = client.post("/v1/issuers/bench/achievements", json={
        "name": "Python", "description": "Programs.", "criteria": {"narrative": "Pass"},
        "framework_levels": [{"framework": "eqf", "level": "5"}], "credits_available": 5,
        "isced_f": "0613", "skills": ["Python (computer programming)"],
    }).json()  # fmt: skip
    achievement_id: str = achievement["id"]
    return achievement_id


def _item(achievement_id: str, i: int) -> dict[str, Any]:
    return {
        "achievement_id": achievement_id,
        "recipient": {"name": f"Learner {i}", "email": f"l{i}@example.org"},
        "credits_earned": 5, "result": [{"status": "Completed"}],
    }  # fmt: skip


def bench_batch(
    server: Server, achievement_id: str, total: int, chunk: int, in_flight: int,
    *, first: int = 0, quiet: bool = False,
) -> tuple[int, float]:  # fmt: skip
    """Credentials issued and seconds taken, ``total`` credentials (numbered from ``first``)
    posted as inline batches of ``chunk``."""

    def post(items: list[dict[str, Any]]) -> int:
        # A connection per request, as a client sending a few large requests would open:
        # requests in flight on kept-alive connections can all stay on one worker process
        # while the other idles; new ones go to whichever worker accepts first.
        with httpx.Client(base_url=server.base_url, headers=server.headers, timeout=300) as client:
            response = client.post("/v1/issuers/bench/credentials/batch", json={"items": items})
            response.raise_for_status()
            issued: int = response.json()["issued"]
            return issued

    if not quiet:
        # Warm every worker process (contexts, keys, the credential's shape) outside the
        # measurement: eight small batches, four at a time, each on its own connection.
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(post, [[_item(achievement_id, -1 - i)] for i in range(8)]))
    batches = [
        [_item(achievement_id, i) for i in range(start, min(start + chunk, first + total))]
        for start in range(first, first + total, chunk)
    ]
    processes = server.cpu_by_process()
    started = time.perf_counter()
    with ThreadPoolExecutor(in_flight) as pool:
        issued = sum(pool.map(post, batches))
    elapsed = time.perf_counter() - started
    after = server.cpu_by_process()
    cpu = sum(after.values()) - sum(processes.values())
    rate = issued / elapsed
    if quiet:
        return issued, elapsed
    print(
        f"POST /v1/issuers/{{slug}}/credentials/batch, {total} credentials in batches of "
        f"{chunk}, {in_flight} in flight, {server.workers} server worker(s), {server.backend}:"
    )
    print(f"  {issued} issued in {elapsed:.1f} s: {rate:.1f} credentials/s")
    if cpu > 0:
        print(
            f"  server CPU {cpu:.1f} s: {1000 * cpu / issued:.2f} ms per credential, "
            f"{issued / cpu:.1f} credentials per CPU-second (the database's own CPU not counted)"
        )
        print(f"  server CPU by process, busiest first: {busiest_share(processes, after)}")
    return issued, elapsed


def bench_peer(server: Server, count: int, *, quiet: bool = False) -> float | None:
    """The reference stack's DI issue rate (Node, one process) on our own credentials."""
    from tests.interop.node import NodeHarnessError, run_node

    with httpx.Client(base_url=server.base_url, headers=server.headers, timeout=60) as client:
        page = client.get("/v1/issuers/bench/credentials", params={"limit": min(count, 500)})
        documents = [item["credential"] for item in page.raise_for_status().json()["items"]]
    unsigned = [{k: v for k, v in doc.items() if k != "proof"} for doc in documents]
    while len(unsigned) < count:
        unsigned += unsigned[: count - len(unsigned)]
    try:
        started = time.perf_counter()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        # The first 50 only warm Node's JIT and the context caches, as our warm-up requests.
        request = {"items": unsigned[:50] + unsigned, "warmup": 50, "setIssuer": True}
        result = run_node("sign-di.mjs", request, timeout=600)
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    except NodeHarnessError as error:
        print(f"reference JS stack: skipped ({error})")
        return None
    rate = len(unsigned) / result["seconds"]
    if quiet:
        return rate
    print(
        f"reference JS stack (@digitalbazaar/vc issue, eddsa-rdfc-2022, one Node process), "
        f"{len(unsigned)} of the same credentials: {rate:.1f}/s signing alone, "
        f"{(len(unsigned) + 50) / wall:.1f}/s with Node's start and warm-up"
    )
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    if cpu > 0:
        print(
            f"  Node CPU {cpu:.1f} s: {(len(unsigned) + 50) / cpu:.1f} credentials per "
            "CPU-second, start and warm-up included"
        )
    return rate


def bench_ratio(server: Server, achievement_id: str, args: argparse.Namespace) -> None:
    """Batch issuance against the reference stack in alternating rounds of about the same
    length, the first round being the one printed above in full."""
    tally = AlternatingRounds()
    for number in range(1, args.rounds + 1):
        # The first round prints its figures in full, and warms the workers first.
        issued, seconds = bench_batch(
            server, achievement_id, args.batch, args.chunk, args.in_flight,
            first=(number - 1) * 1_000_000, quiet=number > 1,
        )  # fmt: skip
        # About as long as the batch round, at the rate the reference stack had so far.
        peer_count = tally.peer_items(seconds, first=min(args.batch, 500), most=500)
        peer = bench_peer(server, peer_count, quiet=number > 1)
        if peer is None:
            return
        print(tally.add(issued, seconds, peer_count, peer))
    print(f"ratio: batch issuance over HTTP / reference DI issue = {tally.summary()}")


def bench_api(
    server: Server, achievement_id: str, requests: int, clients: int, *, external_ids: bool
) -> None:
    """Single issuance under ``clients`` closed-loop clients, load from `bench/load.mjs`
    (Node's client: far less of the shared cores per request than httpx's).

    The clients first send 20 requests each, untimed, on the connections the timed run then
    uses: the timed run starts in the steady state (connections open and spread across the
    workers, statements prepared, caches filled). That first round is printed too.
    """
    url = f"{server.base_url}/v1/issuers/bench/credentials"
    warm = [_item(achievement_id, -1 - i) for i in range(clients * 20)]
    bodies = [_item(achievement_id, 10_000_000 + i) for i in range(requests)]
    if external_ids:
        bodies = [{**body, "external_id": f"e-{i}"} for i, body in enumerate(bodies)]
    before: dict[str, Any] = {}

    def read_clocks() -> None:
        before["processes"] = server.cpu_by_process()
        before["database"] = server.database_cpu_seconds()

    result = load.run(
        url, bodies, clients=clients, headers=server.headers, expect=(201,), warm=warm,
        on_warm=read_clocks,
    )  # fmt: skip
    processes, after = before["processes"], server.cpu_by_process()
    cpu = sum(after.values()) - sum(processes.values())
    database = server.database_cpu_seconds() - before["database"]
    print(
        f"POST /v1/issuers/{{slug}}/credentials, {clients} clients, {requests} requests"
        f"{' (each with its own external_id)' if external_ids else ''}, "
        f"{server.workers} server worker(s), {server.backend}:"
    )
    print(
        f"  p50 {result.p50:.1f} ms   p99 {result.percentile(0.99):.1f} ms   "
        f"throughput {result.rate:.1f}/s"
    )
    cold = result.warm_latencies_ms
    print(
        f"  (untimed first round, {len(cold)} requests as {clients} connections open at once: "
        f"p50 {statistics.median(cold):.1f} ms, p99 {load.percentile(cold, 0.99):.1f} ms)"
    )
    per = 1000 / requests
    total = (cpu + database + result.cpu_seconds) * per
    print(
        f"  CPU per request: server {cpu * per:.2f} ms, PostgreSQL backends {database * per:.2f} "
        f"ms, load generator {result.cpu_seconds * per:.2f} ms; total {total:.2f} ms"
    )
    print(f"  server CPU by process, busiest first: {busiest_share(processes, after)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sign", type=int, default=300)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument("--batch", type=int, default=2000, help="credentials issued in batches")
    parser.add_argument("--chunk", type=int, default=500, help="items per batch request")
    parser.add_argument("--in-flight", type=int, default=2, help="batch requests in flight")
    parser.add_argument("--postgresql", action="store_true", help="a throw-away PostgreSQL db")
    parser.add_argument(
        "--peer", action="store_true", help="also run the reference JS stack and print ratios"
    )
    parser.add_argument(
        "--rounds", type=int, default=5, help="alternating batch/reference rounds for the ratio"
    )
    parser.add_argument(
        "--external-ids", action="store_true",
        help="each single request carries its own external_id (a unique key to check)",
    )  # fmt: skip
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, load average {os.getloadavg()}")
    if args.sign:
        bench_signing(args.sign)
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(throwaway_postgresql()) if args.postgresql else None
        server = stack.enter_context(throwaway_server(workers=args.workers, database_url=url))
        with httpx.Client(base_url=server.base_url, headers=server.headers, timeout=30) as client:
            achievement_id = _setup(client)
        # Single requests first: the batch rounds leave thousands of fresh rows behind, whose
        # autovacuum would run during whatever is measured next.
        if args.requests:
            bench_api(
                server, achievement_id, args.requests, args.clients,
                external_ids=args.external_ids,
            )  # fmt: skip
        if args.batch and args.peer:
            args.rounds = max(1, args.rounds)
            bench_ratio(server, achievement_id, args)
        elif args.batch:
            bench_batch(server, achievement_id, args.batch, args.chunk, args.in_flight)
    print(f"load average at the end {os.getloadavg()}")


if __name__ == "__main__":
    main()
