"""Issuance figures: in-process signing rate (both forms) and API latency under 16 clients.

    .venv/bin/python bench/issue.py [--sign N] [--requests N] [--clients 16]

Uses a throw-away SQLite database unless LEARNPROOF_DATABASE_URL is set (e.g. PostgreSQL),
and a uvicorn server on 127.0.0.1 for the HTTP figures.
"""

from __future__ import annotations

import argparse
import os
import platform
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
from bench.server import throwaway_server  # noqa: E402


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


def bench_api(requests: int, clients: int, workers: int) -> None:
    with (
        throwaway_server(workers=workers) as server,
        httpx.Client(base_url=server.base_url, headers=server.headers, timeout=30) as client,
    ):
        issuer = {"slug": "bench", "name": "Bench U", "url": "https://b.example",
                  "email": "b@b.example"}  # fmt: skip
        client.post("/v1/issuers", json=issuer).raise_for_status()
        achievement = client.post("/v1/issuers/bench/achievements", json={
            "name": "Python", "description": "Programs.", "criteria": {"narrative": "Pass"},
            "framework_levels": [{"framework": "eqf", "level": "5"}], "credits_available": 5,
        }).json()  # fmt: skip

        def one(i: int) -> float:
            started = time.perf_counter()
            response = client.post("/v1/issuers/bench/credentials", json={
                "achievement_id": achievement["id"],
                "recipient": {"name": f"Learner {i}", "email": f"l{i}@example.org"},
            })  # fmt: skip
            response.raise_for_status()
            return time.perf_counter() - started

        one(-1)
        started = time.perf_counter()
        with ThreadPoolExecutor(clients) as pool:
            latencies = sorted(pool.map(one, range(requests)))
        elapsed = time.perf_counter() - started
        backend = server.backend
    p50 = statistics.median(latencies) * 1000
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000
    print(
        f"POST /v1/issuers/{{slug}}/credentials, {clients} clients, {requests} requests, "
        f"{workers} server worker(s), {backend}:"
    )
    print(f"  p50 {p50:.1f} ms   p99 {p99:.1f} ms   throughput {requests / elapsed:.1f}/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sign", type=int, default=300)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"date: {datetime.now(UTC):%Y-%m-%d}")
    bench_signing(args.sign)
    bench_api(args.requests, args.clients, args.workers)


if __name__ == "__main__":
    main()
