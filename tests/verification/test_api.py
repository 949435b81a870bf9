"""The verification endpoints as clients see them: status codes, bounds, batch, rate limit."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.crypto.keys import generate_private_key
from app.crypto.multikey import did_key_for
from app.verification.ratelimit import CpuBudgetLimiter, TokenBucketLimiter
from app.verification.state import VerificationState
from tests.verification.conftest import load_vector

pytestmark = pytest.mark.usefixtures("verification_state")

DID_KEY_VALID = "digitalcredentials-vc-test-fixtures/v2-di-didkey-obspec-example.json"
DID_KEY_V1 = "digitalcredentials-vc-test-fixtures/v1-di-didkey-no-status.json"
TAMPERED = "digitalcredentials-verifier-core/v2-eddsa-didkey-tampered.derived.json"


def _post(client: TestClient, body: Any, path: str = "/credentials/verify") -> Any:
    return client.post(path, json=body)


def _is_problem(response: Any) -> bool:
    return bool(response.headers["content-type"].startswith("application/problem+json"))


@pytest.mark.parametrize("name", [DID_KEY_VALID, DID_KEY_V1])
def test_third_party_credentials_verify_through_the_api(client: TestClient, name: str) -> None:
    response = _post(client, {"verifiableCredential": load_vector(name), "options": {}})

    assert response.status_code == 200, response.text
    assert response.json()["verified"] is True


def test_failure_is_422_with_every_failing_check_named(client: TestClient) -> None:
    response = _post(client, {"verifiableCredential": load_vector(TAMPERED)})

    assert response.status_code == 422
    body = response.json()
    assert body["verified"] is False
    assert {p["check"] for p in body["errors"]} == {"proof", "status"}
    assert body["problemDetails"][: len(body["errors"])] == body["errors"]
    assert all(set(p) >= {"type", "title", "detail"} for p in body["problemDetails"])


def test_a_bare_credential_and_application_vc_are_accepted(client: TestClient) -> None:
    bare = _post(client, load_vector(DID_KEY_VALID))
    typed = client.post(
        "/credentials/verify",
        content=json.dumps(load_vector(DID_KEY_VALID)),
        headers={"Content-Type": "application/vc"},
    )

    assert bare.status_code == 200
    assert typed.status_code == 200


@pytest.mark.parametrize(
    ("content", "content_type", "status"),
    [
        (b"{not json", "application/json", 400),
        (b"\xff\xfe", "application/json", 400),
        (b"[1, 2]", "application/json", 422),
        (b'{"options": {}}', "application/json", 422),
        (b'{"verifiableCredential": {}, "options": []}', "application/json", 422),
        ("é".encode(), "application/vc+jwt", 400),
        (b"[" * 5000 + b"]" * 5000, "application/json", 413),
        (b'{"verifiableCredential": ' + b"[" * 40 + b"]" * 40 + b"}", "application/json", 413),
        (
            json.dumps({"verifiableCredential": list(range(30_000))}).encode(),
            "application/json",
            413,
        ),
    ],
)
def test_unusable_bodies_are_problems(
    client: TestClient, content: bytes, content_type: str, status: int
) -> None:
    started = time.monotonic()
    response = client.post(
        "/credentials/verify", content=content, headers={"Content-Type": content_type}
    )

    assert response.status_code == status, response.text
    assert _is_problem(response)
    assert time.monotonic() - started < 1


def test_oversized_body_is_413(client: TestClient, settings: Settings) -> None:
    padding = b"a" * settings.max_body_bytes
    response = client.post(
        "/credentials/verify",
        content=b'{"verifiableCredential": "' + padding + b'"}',
        headers={"Content-Type": "application/json"},
    )

    assert response.status_code == 413
    assert _is_problem(response)


@pytest.mark.parametrize(
    "credential",
    [
        42,
        None,
        "not-a-jwt",
        "a.b.c",
        "eyJhbGciOiJFZERTQSJ9.e30.sig~disclosure~",
        {"type": "EnvelopedVerifiableCredential", "id": "data:application/vc+sd-jwt,abc~def"},
        {"type": "EnvelopedVerifiableCredential", "id": "https://example.org/vc"},
        {"@context": ["https://example.org/unknown"], "type": ["VerifiableCredential"]},
        {"@context": [], "proof": "x"},
    ],
)
def test_unreadable_credentials_are_422_reports(client: TestClient, credential: Any) -> None:
    response = _post(client, {"verifiableCredential": credential})

    assert response.status_code == 422, response.text
    body = response.json()
    assert body["verified"] is False
    assert body["errors"]


def _poison_credential() -> dict[str, Any]:
    """RDFC-1.0 test074's shape: a clique of blank nodes, inside a credential."""
    key = did_key_for(generate_private_key().public_key())
    size = 12
    return {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            {"p": {"@id": "http://example.org/p", "@type": "@id"}},
        ],
        "type": ["VerifiableCredential"],
        "issuer": key,
        "credentialSubject": {
            "p": [
                {"@id": f"_:n{i}", "p": [f"_:n{j}" for j in range(size) if j != i]}
                for i in range(size)
            ]
        },
        "proof": {
            "type": "DataIntegrityProof",
            "cryptosuite": "eddsa-rdfc-2022",
            "verificationMethod": f"{key}#{key.removeprefix('did:key:')}",
            "proofPurpose": "assertionMethod",
            "proofValue": "z" + "1" * 80,
        },
    }


def test_poison_credential_fails_quickly_with_a_clear_reason(client: TestClient) -> None:
    started = time.monotonic()
    response = _post(client, {"verifiableCredential": _poison_credential()})
    elapsed = time.monotonic() - started

    assert response.status_code == 422
    [proof] = [c for c in response.json()["checks"] if c["check"] == "proof"]
    assert "canonicalization" in proof["reason"]
    assert elapsed < 2


def test_batch_reports_in_order(client: TestClient) -> None:
    credentials = [load_vector(DID_KEY_VALID), load_vector(TAMPERED), "garbage"]

    response = _post(client, {"credentials": credentials}, "/v1/verify/batch")

    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [r["verified"] for r in results] == [True, False, False]
    assert all("credential" not in r for r in results)


@pytest.mark.parametrize(
    "body", [{"credentials": []}, {"credentials": "x"}, {"credentials": [{}] * 1001}, []]
)
def test_batch_shape_is_checked(client: TestClient, body: Any) -> None:
    response = _post(client, body, "/v1/verify/batch")

    assert response.status_code == 422
    assert _is_problem(response)


def test_batch_is_rate_limited_per_client(
    client: TestClient, verification_state: VerificationState
) -> None:
    verification_state.limiter = TokenBucketLimiter(capacity=4, refill_per_second=0.01)
    batch = {"credentials": [load_vector(DID_KEY_VALID)] * 3}

    first = _post(client, batch, "/v1/verify/batch")
    second = _post(client, batch, "/v1/verify/batch")

    assert first.status_code == 200
    assert second.status_code == 429
    assert _is_problem(second)
    assert int(second.headers["Retry-After"]) >= 1


def test_token_bucket_refills() -> None:
    now = [0.0]
    limiter = TokenBucketLimiter(capacity=10, refill_per_second=2, monotonic=lambda: now[0])

    assert limiter.take("a", 10) == 0
    assert limiter.take("a", 1) == pytest.approx(0.5)
    assert limiter.take("b", 1) == 0
    now[0] = 5.0
    assert limiter.take("a", 10) == 0


def test_clients_cycling_addresses_cannot_grow_the_buckets() -> None:
    now = [0.0]
    limiter = TokenBucketLimiter(
        capacity=10, refill_per_second=2, max_clients=50, monotonic=lambda: now[0]
    )

    for n in range(5000):
        limiter.take(f"10.0.{n // 256}.{n % 256}", 10)

    assert len(limiter._buckets) == 50


def test_a_forgotten_bucket_is_a_full_one() -> None:
    now = [0.0]
    cpu = CpuBudgetLimiter(capacity=4, refill_per_second=1, monotonic=lambda: now[0])
    cpu.charge("a", 100)  # deep in debt: at most capacity below zero
    assert cpu.wait("a") == pytest.approx(4)
    now[0] = 7.9
    assert cpu.wait("a") == 0
    assert len(cpu._buckets) == 1
    now[0] = 8.0  # full again, so no longer kept
    assert len(cpu._buckets) == 0
    assert cpu.wait("a") == 0


def test_openapi_documents_the_endpoints(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]

    for path in ("/credentials/verify", "/presentations/verify", "/v1/verify/batch"):
        assert "post" in paths[path]
        assert "requestBody" in paths[path]["post"]
