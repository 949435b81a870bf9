"""Adversarial verification input: the worst server CPU one request can cause.

    .venv/bin/python bench/adversarial.py [--only NAME]

Runs each hostile input of issue 11 (at the issue's sizes) against the app in-process, on a
throw-away SQLite database, and prints the CPU seconds the whole process spent on each
request, then the worst. Nothing is fetched from the network: every key is a did:key.
Prints figures; asserts nothing. The builders are also used by the tests (at small sizes).
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.crypto.keys import generate_private_key  # noqa: E402
from app.crypto.multikey import did_key_for, multibase_encode  # noqa: E402

CONTEXTS = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]

# VC 2.0 plus its @vocab context, so that "next" links blank nodes without any other context.
LOOSE_CONTEXTS = [CONTEXTS[0], "https://www.w3.org/ns/credentials/undefined-terms/v2"]


def did_key() -> str:
    return did_key_for(generate_private_key("Ed25519").public_key())


def _proof(did: str, purpose: str = "assertionMethod") -> dict[str, Any]:
    """A well-formed proof with a wrong signature: the verifier canonicalizes, then refuses."""
    extra = {"challenge": "c"} if purpose == "authentication" else {}
    return {
        **extra,
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "created": "2026-01-01T00:00:00Z",
        "verificationMethod": f"{did}#{did.removeprefix('did:key:')}",
        "proofPurpose": purpose,
        "proofValue": multibase_encode(bytes(64)),
    }


def credential(
    subject: Any, *, did: str | None = None, contexts: list[str] = CONTEXTS
) -> dict[str, Any]:
    did = did or did_key()
    return {
        "@context": contexts,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": did, "type": ["Profile"], "name": "Hostile issuer"},
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": subject,
        "proof": [_proof(did)],
    }


def many_names(count: int) -> dict[str, Any]:
    """`credentialSubject.name` as `count` distinct strings (the node map's quadratic case)."""
    return credential({"type": ["AchievementSubject"], "name": [f"n{i}" for i in range(count)]})


def presentation(values: int) -> dict[str, Any]:
    """A signed presentation carrying one credential with `values` names."""
    holder = did_key()
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "holder": holder,
        "verifiableCredential": [many_names(values)],
        "proof": [_proof(holder, "authentication")],
    }


def blank_node_rings(rings: int, size: int) -> dict[str, Any]:
    """`rings` rings of `size` look-alike blank nodes: Hash N-Degree Quads' costly case."""
    nodes = []
    for ring in range(rings):
        for i in range(size):
            nodes.append({"id": f"_:r{ring}n{i}", "next": {"id": f"_:r{ring}n{(i + 1) % size}"}})
    return credential(nodes, contexts=LOOSE_CONTEXTS)


def blank_node_chains(chains: int, length: int) -> dict[str, Any]:
    """`chains` chains of `length` blank nodes (deep recursion in Hash N-Degree Quads)."""
    nodes = []
    for chain in range(chains):
        for i in range(length):
            node: dict[str, Any] = {"id": f"_:c{chain}n{i}"}
            if i + 1 < length:
                node["next"] = {"id": f"_:c{chain}n{i + 1}"}
            nodes.append(node)
    return credential(nodes, contexts=LOOSE_CONTEXTS)


def many_proofs(count: int, values: int) -> dict[str, Any]:
    """One credential signed `count` times (each proof canonicalizes it again)."""
    document = many_names(values)
    did = document["issuer"]["id"]
    document["proof"] = [_proof(did) for _ in range(count)]
    return document


def valid_credentials(count: int) -> list[dict[str, Any]]:
    """`count` distinct, correctly signed OB credentials (did:key issuer, no status): the
    ordinary batch, to show what the limits leave for honest use."""
    from datetime import UTC, datetime

    from app.crypto.data_integrity import add_proof
    from app.crypto.signer import LocalSigner
    from bench.issue import _credential

    key = generate_private_key("Ed25519")
    did = did_key_for(key.public_key())
    signer = LocalSigner(key, f"{did}#{did.removeprefix('did:key:')}")
    signed = []
    for i in range(count):
        document = _credential(i, did)
        document.pop("credentialStatus", None)
        signed.append(add_proof(document, signer, created=datetime(2026, 1, 1, tzinfo=UTC)))
    return signed


def _verify(document: Any) -> tuple[str, bytes]:
    return "/credentials/verify", json.dumps({"verifiableCredential": document}).encode()


def _present(document: Any) -> tuple[str, bytes]:
    body = {"verifiablePresentation": document, "options": {"challenge": "c"}}
    return "/presentations/verify", json.dumps(body).encode()


def _batch(documents: list[Any]) -> tuple[str, bytes]:
    return "/v1/verify/batch", json.dumps({"credentials": documents}).encode()


CASES: dict[str, Callable[[], tuple[str, bytes]]] = {
    "names-19000": lambda: _verify(many_names(19_000)),
    "names-10000": lambda: _verify(many_names(10_000)),
    "presentation-8000": lambda: _present(presentation(8_000)),
    "rings-8x64": lambda: _verify(blank_node_rings(8, 64)),
    "chains-4x1200": lambda: _verify(blank_node_chains(4, 1200)),
    "proofs-50x2000": lambda: _verify(many_proofs(50, 2000)),
    "batch-100x2000": lambda: _batch([many_names(2000) for _ in range(100)]),
    "batch-20-chains": lambda: _batch([blank_node_chains(4, 1200) for _ in range(20)]),
    # Not hostile: an ordinary full batch, which must still verify within the limits.
    "valid-batch-1000": lambda: _batch(valid_credentials(1000)),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", action="append", help="run only this case (repeatable)")
    args = parser.parse_args()

    from fastapi.testclient import TestClient
    from pydantic import SecretStr

    from app import migrate
    from app.config import Settings
    from app.main import create_app

    tmp = Path(tempfile.mkdtemp(prefix="lp-adversarial-"))
    url = f"sqlite:///{tmp / 'bench.db'}"
    migrate.upgrade(url)
    settings = Settings(
        database_url=url,
        keys_dir=tmp / "keys",
        master_key=SecretStr(base64.urlsafe_b64encode(bytes(range(32))).decode()),
        job_worker=False,
        log_json=False,
    )
    app = create_app(settings)
    worst = 0.0
    with TestClient(app) as client:
        for name, build in CASES.items():
            if args.only and name not in args.only:
                continue
            path, body = build()
            # Process CPU: TestClient serves in another thread of this process.
            cpu, wall = time.process_time(), time.perf_counter()
            response = client.post(path, content=body, headers={"Content-Type": "application/json"})
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            worst = max(worst, cpu)
            reason = _reason(response)
            print(
                f"{name:20s} {len(body) / 1024:8.0f} KiB  HTTP {response.status_code}  "
                f"CPU {cpu:6.2f} s  wall {wall:6.2f} s  {reason}"
            )
    print(f"worst CPU per request: {worst:.2f} s")


def _reason(response: Any) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    if "detail" in body:
        return str(body["detail"])[:100]
    checks = body.get("checks") or (body.get("results") or [{}])[-1].get("checks") or []
    failed = [c["reason"] for c in checks if c.get("outcome") == "failed"]
    results = body.get("results") or []
    verified = sum(1 for r in results if r.get("verified"))
    summary = f"{verified}/{len(results)} verified; " if results else ""
    return (summary + (failed[0] if failed else "verified"))[:100]


if __name__ == "__main__":
    main()
