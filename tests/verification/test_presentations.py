"""`POST /presentations/verify`: the holder proof (purpose, challenge, domain), then credentials."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient

from app.crypto.data_integrity import add_proof
from app.crypto.multikey import did_key_for
from app.crypto.signer import LocalSigner
from tests.credentials.factories import World
from tests.verification.conftest import load_vector

pytestmark = pytest.mark.usefixtures("verification_state")

CREATED = datetime(2026, 11, 26, 11, 59, tzinfo=UTC)
CHALLENGE, DOMAIN = "u7Xq-challenge", "employer.example"


def _holder() -> tuple[str, LocalSigner]:
    key = Ed25519PrivateKey.generate()
    did = did_key_for(key.public_key())
    return did, LocalSigner(key, key_id=f"{did}#{did.removeprefix('did:key:')}")


def _presentation(credentials: list[Any], holder: str | None) -> dict[str, Any]:
    vp: dict[str, Any] = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "verifiableCredential": credentials,
    }
    if holder:
        vp["holder"] = holder
    return vp


def _signed(
    credentials: list[Any],
    *,
    purpose: str = "authentication",
    challenge: str = CHALLENGE,
    domain: str = DOMAIN,
    holder: str | None = None,
) -> dict[str, Any]:
    did, signer = _holder()
    return add_proof(
        _presentation(credentials, holder or did),
        signer,
        proof_purpose=purpose,
        created=CREATED,
        challenge=challenge,
        domain=domain,
    )


def _verify(client: TestClient, vp: dict[str, Any], **options: Any) -> Any:
    options = {"challenge": CHALLENGE, "domain": DOMAIN, **options}
    return client.post(
        "/presentations/verify", json={"verifiablePresentation": vp, "options": options}
    )


def _outcome(body: dict[str, Any], check: str) -> str:
    outcomes = [c["outcome"] for c in body["checks"] if c["check"] == check]
    return "failed" if "failed" in outcomes else outcomes[0]


def test_signed_presentation_of_our_credential(world: World) -> None:
    vc = world.issue()["credential"]

    response = _verify(world.client, _signed([vc]))

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["verified"] is True
    assert [c["verified"] for c in body["credentials"]] == [True]
    assert body["credentials"][0]["meaning"]["achievement"]["name"]
    assert _outcome(body, "credentials") == "passed"


def test_enveloped_vc_jwt_inside_a_presentation(world: World) -> None:
    token = world.issue()["jwt"]
    enveloped = {
        "@context": "https://www.w3.org/ns/credentials/v2",
        "type": "EnvelopedVerifiableCredential",
        "id": f"data:application/vc+jwt,{token}",
    }

    response = _verify(world.client, _signed([enveloped]))

    assert response.status_code == 200, response.text
    assert response.json()["credentials"][0]["mediaType"] == "application/vc+jwt"


@pytest.mark.parametrize(
    ("options", "problem"),
    [
        ({"challenge": "another-challenge"}, "INVALID_CHALLENGE_ERROR"),
        ({"domain": "attacker.example"}, "INVALID_DOMAIN_ERROR"),
    ],
)
def test_challenge_and_domain_must_match(
    client: TestClient, options: dict[str, str], problem: str
) -> None:
    vp = _signed(
        [load_vector("digitalcredentials-vc-test-fixtures/v2-di-didkey-obspec-example.json")]
    )

    response = _verify(client, vp, **options)

    assert response.status_code == 422
    proof = next(c for c in response.json()["checks"] if c["check"] == "proof")
    assert proof["problem_type"].endswith(problem)


def test_assertion_method_proof_is_not_a_presentation_proof(client: TestClient) -> None:
    vc = load_vector("digitalcredentials-vc-test-fixtures/v2-di-didkey-obspec-example.json")

    response = _verify(client, _signed([vc], purpose="assertionMethod"))

    assert response.status_code == 422
    assert _outcome(response.json(), "proof") == "failed"


def test_holder_must_control_the_signing_key(client: TestClient) -> None:
    vc = load_vector("digitalcredentials-vc-test-fixtures/v2-di-didkey-obspec-example.json")
    someone_else, _ = _holder()

    response = _verify(client, _signed([vc], holder=someone_else))

    assert response.status_code == 422
    body = response.json()
    assert _outcome(body, "proof") == "passed"
    assert _outcome(body, "key_binding") == "failed"


def test_a_bad_credential_fails_the_presentation(client: TestClient) -> None:
    tampered = load_vector("digitalcredentials-verifier-core/v2-eddsa-didkey-tampered.derived.json")

    response = _verify(client, _signed([tampered]))

    assert response.status_code == 422
    body = response.json()
    assert _outcome(body, "proof") == "passed"
    assert _outcome(body, "credentials") == "failed"
    assert body["credentials"][0]["verified"] is False


def test_tampering_after_presentation_breaks_the_holder_proof(client: TestClient) -> None:
    vc = load_vector("digitalcredentials-vc-test-fixtures/v2-di-didkey-obspec-example.json")
    vp = _signed([vc])
    tampered = copy.deepcopy(vp)
    tampered["verifiableCredential"].append(copy.deepcopy(vc))

    response = _verify(client, tampered)

    assert response.status_code == 422
    assert _outcome(response.json(), "proof") == "failed"


def test_missing_challenge_is_a_warning(client: TestClient) -> None:
    vc = load_vector("digitalcredentials-vc-test-fixtures/v2-di-didkey-obspec-example.json")
    vp = _signed([vc])

    response = client.post("/presentations/verify", json={"verifiablePresentation": vp})

    assert response.status_code == 200
    assert any("replay" in w["detail"] for w in response.json()["warnings"])


def test_unsigned_presentation_counts_its_credentials(client: TestClient) -> None:
    vc = load_vector("digitalcredentials-vc-test-fixtures/v2-di-didkey-obspec-example.json")

    response = client.post(
        "/presentations/verify", json={"presentation": _presentation([vc], None)}
    )

    assert response.status_code == 200, response.text
    assert _outcome(response.json(), "proof") == "skipped"


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"verifiablePresentation": "x"},
        {"verifiablePresentation": {}, "options": {"challenge": 5}},
    ],
)
def test_bad_presentation_requests(client: TestClient, body: dict[str, Any]) -> None:
    response = client.post("/presentations/verify", json=body)

    assert response.status_code == 422
