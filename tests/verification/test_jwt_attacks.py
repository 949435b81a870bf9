"""Forged VC-JWTs claiming to come from our issuer: every one must be refused (422)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient

from app.crypto.keys import generate_private_key, public_jwk
from app.crypto.multikey import did_key_for
from tests.credentials.factories import World

pytestmark = pytest.mark.usefixtures("verification_state")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _segment(value: dict[str, Any]) -> str:
    return _b64(json.dumps(value).encode())


def _parts(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    header, payload, _ = token.split(".")
    pad = lambda s: s + "=" * (-len(s) % 4)  # noqa: E731
    return json.loads(base64.urlsafe_b64decode(pad(header))), json.loads(
        base64.urlsafe_b64decode(pad(payload))
    )


def _ed25519_token(header: dict[str, Any], payload: dict[str, Any], key: Ed25519PrivateKey) -> str:
    signing_input = f"{_segment(header)}.{_segment(payload)}"
    return f"{signing_input}.{_b64(key.sign(signing_input.encode()))}"


def _verify(client: TestClient, token: str) -> Any:
    response = client.post("/credentials/verify", json={"verifiableCredential": token})
    assert response.status_code == 422, response.text
    return response.json()


def _reason(body: dict[str, Any], check: str) -> str:
    return " ".join(c["reason"] for c in body["checks"] if c["check"] == check)


@pytest.fixture
def genuine(world: World) -> tuple[dict[str, Any], dict[str, Any]]:
    return _parts(world.issue()["jwt"])


def test_alg_none_is_refused(world: World, genuine: tuple[dict[str, Any], dict[str, Any]]) -> None:
    header, payload = genuine
    token = f"{_segment({**header, 'alg': 'none'})}.{_segment(payload)}."

    body = _verify(world.client, token)

    assert "'none' is refused" in _reason(body, "proof")


def test_hs256_with_the_public_key_as_secret_is_refused(
    world: World, genuine: tuple[dict[str, Any], dict[str, Any]]
) -> None:
    header, payload = genuine
    jwk = world.did_document()["verificationMethod"][1]["publicKeyJwk"]
    secret = base64.urlsafe_b64decode(jwk["x"] + "=" * (-len(jwk["x"]) % 4))
    signing_input = f"{_segment({**header, 'alg': 'HS256'})}.{_segment(payload)}"
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()

    body = _verify(world.client, f"{signing_input}.{_b64(mac)}")

    assert "'HS256' is refused" in _reason(body, "proof")


def test_kid_pointing_at_another_did_is_refused(
    world: World, genuine: tuple[dict[str, Any], dict[str, Any]]
) -> None:
    header, payload = genuine
    attacker = generate_private_key()
    assert isinstance(attacker, Ed25519PrivateKey)
    did = did_key_for(attacker.public_key())
    kid = f"{did}#{did.removeprefix('did:key:')}"

    body = _verify(world.client, _ed25519_token({**header, "kid": kid}, payload, attacker))

    assert f"is not a key of {world.issuer['did']}" in _reason(body, "proof")
    assert [c["outcome"] for c in body["checks"] if c["check"] == "key_binding"] == ["failed"]


def test_embedded_jwk_is_never_trusted(
    world: World, genuine: tuple[dict[str, Any], dict[str, Any]]
) -> None:
    header, payload = genuine
    attacker = generate_private_key()
    assert isinstance(attacker, Ed25519PrivateKey)
    forged_header = {**header, "jwk": public_jwk(attacker.public_key())}

    body = _verify(world.client, _ed25519_token(forged_header, payload, attacker))

    assert "key-carrying headers ['jwk'] are refused" in _reason(body, "proof")


def test_our_kid_with_an_attackers_signature_fails(
    world: World, genuine: tuple[dict[str, Any], dict[str, Any]]
) -> None:
    header, payload = genuine
    attacker = generate_private_key()
    assert isinstance(attacker, Ed25519PrivateKey)

    body = _verify(world.client, _ed25519_token(header, payload, attacker))

    assert "signature does not match" in _reason(body, "proof")


def test_changed_issuer_claims_are_refused(
    world: World, genuine: tuple[dict[str, Any], dict[str, Any]]
) -> None:
    header, payload = genuine
    attacker = generate_private_key()
    assert isinstance(attacker, Ed25519PrivateKey)
    did = did_key_for(attacker.public_key())
    forged = {**payload, "iss": did}

    body = _verify(world.client, _ed25519_token({**header, "kid": None}, forged, attacker))

    assert body["verified"] is False
