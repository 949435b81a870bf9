"""Accreditations signed by an external accrediting body (a did:key the operator trusts)."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.crypto.data_integrity import add_proof
from app.crypto.keys import generate_private_key
from app.crypto.multikey import public_key_to_multikey
from app.crypto.signer import LocalSigner
from tests.credentials.factories import World
from tests.support.problems import assert_problem


def _external(accredited: str, **limits: Any) -> tuple[str, dict[str, Any]]:
    key = generate_private_key()
    multikey = public_key_to_multikey(key.public_key())
    did = f"did:key:{multikey}"
    credential = {
        "@context": ["https://www.w3.org/ns/credentials/v2",
                     {"@vocab": "urn:learnproof:vocab:accreditation#"}],
        "type": ["VerifiableCredential", "AccreditationCredential"],
        "issuer": did,
        "validFrom": "2020-01-01T00:00:00Z",
        "credentialSubject": {
            "id": accredited,
            "type": "AccreditedIssuer",
            "accreditation": {
                "frameworks": [{"framework": "eqf", "maxLevel": "6"}],
                "iscedF": ["06"],
                **limits,
            },
        },
    }  # fmt: skip
    signer = LocalSigner(key, key_id=f"{did}#{multikey}")
    return did, add_proof(credential, signer, created=datetime(2024, 1, 1, tzinfo=UTC))


def _check(world: World) -> dict[str, Any]:
    vc = world.issue()["credential"]
    body = world.client.post("/credentials/verify", json={"verifiableCredential": vc}).json()
    [check] = [c for c in body["checks"] if c["check"] == "accreditation"]
    return check


def _trust(client: TestClient, admin: dict[str, str], did: str) -> None:
    response = client.post(
        "/v1/accreditors",
        json={"did": did, "name": "Regional Accreditation Council"},
        headers=admin,
    )
    assert response.status_code == 201, response.text


def test_external_accreditation_counts_once_registered(
    client: TestClient, session: Session, admin_headers: dict[str, str]
) -> None:
    world = World(client, session, admin_headers)
    did, credential = _external(world.issuer["did"])
    _trust(client, admin_headers, did)

    registered = client.post(
        "/v1/accreditations", json={"credential": credential}, headers=admin_headers
    )

    assert registered.status_code == 201, registered.text
    assert registered.json()["status"] == "external"
    assert registered.json()["limits"]["frameworks"] == [{"framework": "eqf", "max_level": "6"}]
    check = _check(world)
    assert check["outcome"] == "passed", check
    assert "Regional Accreditation Council" in check["reason"]
    assert (
        client.get(registered.json()["url"].removeprefix("http://127.0.0.1:8000")).json()
        == credential
    )


def test_external_credential_that_does_not_verify_fails_the_check(
    client: TestClient, session: Session, admin_headers: dict[str, str]
) -> None:
    world = World(client, session, admin_headers)
    did, credential = _external(world.issuer["did"])
    _trust(client, admin_headers, did)
    forged = copy.deepcopy(credential)
    forged["credentialSubject"]["accreditation"]["frameworks"][0]["maxLevel"] = "8"
    assert (
        client.post(
            "/v1/accreditations", json={"credential": forged}, headers=admin_headers
        ).status_code
        == 201
    )

    check = _check(world)

    assert check["outcome"] == "failed"
    assert "the accreditation credential does not verify" in check["reason"]


def test_external_registration_is_guarded(
    client: TestClient, session: Session, admin_headers: dict[str, str]
) -> None:
    world = World(client, session, admin_headers)
    did, credential = _external(world.issuer["did"])
    url = "/v1/accreditations"
    assert_problem(client.post(url, json={"credential": credential}, headers=admin_headers), 403)
    _trust(client, admin_headers, did)
    assert_problem(client.post(url, json={"credential": credential}), 401)
    assert_problem(
        client.post(url, json={"credential": credential}, headers=world.issue_headers), 403
    )
    unsigned = {k: v for k, v in credential.items() if k != "proof"}
    wrong_type = {**credential, "type": ["VerifiableCredential"]}
    bad_limits = copy.deepcopy(credential)
    bad_limits["credentialSubject"]["accreditation"]["iscedF"] = "06"
    ours = {**credential, "issuer": world.issuer["did"]}
    for body in (
        {"credential": unsigned},
        {"credential": wrong_type},
        {"credential": bad_limits},
        {"credential": ours},
        {"credential": "x"},
        {},
    ):
        assert_problem(client.post(url, json=body, headers=admin_headers), 422)  # fmt: skip
    assert _check(world)["outcome"] == "warning"
