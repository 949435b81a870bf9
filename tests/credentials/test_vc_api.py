from __future__ import annotations

from typing import Any

import pytest

from tests.credentials.factories import World
from tests.interop.node import run_node


def _post(world: World, body: Any) -> Any:
    return world.client.post("/credentials/issue", json=body, headers=world.issue_headers)


def test_vc_api_issue_v2(world: World) -> None:
    credential = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "credentialSubject": {"id": "did:example:subject"},
        "issuer": world.issuer["did"],
    }
    response = _post(world, {"credential": credential, "options": {}})
    assert response.status_code == 201, response.text
    vc = response.json()["verifiableCredential"]
    assert vc["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert vc["credentialStatus"]["type"] == "BitstringStatusListEntry"
    assert vc["id"].startswith("http://127.0.0.1:8000/credentials/")
    assert "proof" not in credential
    doc = world.did_document()
    result = run_node("verify-di.mjs", {"credential": vc, "documents": {doc["id"]: doc}})
    assert result["verified"], result["errors"]


def test_vc_api_issue_v1(world: World) -> None:
    credential = {
        "@context": ["https://www.w3.org/2018/credentials/v1"],
        "type": ["VerifiableCredential"],
        "issuanceDate": "2026-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:subject"},
        "issuer": {"id": world.issuer["did"]},
    }
    response = _post(world, {"credential": credential, "options": {"unknown": True}})
    assert response.status_code == 201, response.text
    vc = response.json()["verifiableCredential"]
    assert "credentialStatus" not in vc
    assert vc["proof"]["proofPurpose"] == "assertionMethod"


@pytest.mark.parametrize(
    "credential",
    [
        {"type": ["VerifiableCredential"], "credentialSubject": {}},
        {"@context": ["https://example.org/ctx"], "type": ["VerifiableCredential"],
         "credentialSubject": {}},
        {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["Other"],
         "credentialSubject": {}},
        {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiableCredential"]},
        {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiableCredential"],
         "credentialSubject": {"id": "did:example:1"}, "issuer": "did:example:not-us"},
        {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiableCredential"],
         "credentialSubject": {"undefinedTerm": "x"}, "issuer": "ISSUER"},
        {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiableCredential"],
         "credentialSubject": {"name": "bad\u0000"}, "issuer": "ISSUER"},
    ],
)  # fmt: skip
def test_vc_api_bad_input_is_400_or_422(world: World, credential: dict[str, Any]) -> None:
    if credential.get("issuer") == "ISSUER":
        credential = {**credential, "issuer": world.issuer["did"]}
    response = _post(world, {"credential": credential})
    assert response.status_code in (400, 422), response.text
    assert response.headers["content-type"].startswith("application/problem+json")


def test_vc_api_requires_a_body(world: World) -> None:
    assert _post(world, {"options": {}}).status_code == 422
