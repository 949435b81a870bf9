from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.auth.scopes import Scope
from tests.conftest import make_key
from tests.support.issuers import ISSUER, create_issuer


def test_create_issuer_gives_did_web_and_a_key(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    issuer = create_issuer(client, admin_headers)
    assert issuer["did"] == "did:web:127.0.0.1%3A8000:issuers:uni-example"
    assert issuer["did_document_url"] == "http://127.0.0.1:8000/issuers/uni-example/did.json"
    [key] = issuer["keys"]
    assert key["kid"] == issuer["did"] + "#key-1"
    assert key["status"] == "active"
    assert key["key_type"] == "Ed25519"
    assert key["public_key_multibase"].startswith("z6Mk")
    assert "private" not in str(issuer).lower()


@pytest.mark.parametrize("slug", ["Uni", "uni_example", "-uni", "uni-", "", "a" * 65, "ünï"])
def test_bad_slugs_are_refused(
    client: TestClient, admin_headers: dict[str, str], slug: str
) -> None:
    response = client.post("/v1/issuers", json={**ISSUER, "slug": slug}, headers=admin_headers)
    assert response.status_code == 422
    assert any(e["field"] == "slug" for e in response.json()["errors"])


def test_duplicate_slug_is_409(client: TestClient, admin_headers: dict[str, str]) -> None:
    create_issuer(client, admin_headers)
    response = client.post("/v1/issuers", json=ISSUER, headers=admin_headers)
    assert response.status_code == 409
    assert response.headers["content-type"].startswith("application/problem+json")


def test_only_admins_create_issuers(client: TestClient, session: Session) -> None:
    key = make_key(session, Scope.issue)
    response = client.post("/v1/issuers", json=ISSUER, headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 403


def test_get_list_update(
    client: TestClient, admin_headers: dict[str, str], session: Session
) -> None:
    create_issuer(client, admin_headers)
    create_issuer(client, admin_headers, slug="bootcamp")
    assert (
        client.get("/v1/issuers/uni-example", headers=admin_headers).json()["name"]
        == (ISSUER["name"])
    )
    assert [i["slug"] for i in client.get("/v1/issuers", headers=admin_headers).json()] == [
        "bootcamp",
        "uni-example",
    ]
    bound = {"Authorization": f"Bearer {make_key(session, Scope.read, issuer='bootcamp')}"}
    assert [i["slug"] for i in client.get("/v1/issuers", headers=bound).json()] == ["bootcamp"]
    assert client.get("/v1/issuers/uni-example", headers=bound).status_code == 403
    patched = client.patch(
        "/v1/issuers/uni-example", json={"name": "Renamed"}, headers=admin_headers
    )
    assert patched.status_code == 200
    assert patched.json()["name"] == "Renamed"
    assert client.get("/v1/issuers/nope", headers=admin_headers).status_code == 404


def test_public_documents(client: TestClient, admin_headers: dict[str, str]) -> None:
    issuer = create_issuer(client, admin_headers)
    did = issuer["did"]
    doc = client.get("/issuers/uni-example/did.json").json()
    assert doc["@context"] == [
        "https://www.w3.org/ns/did/v1",
        "https://w3id.org/security/multikey/v1",
        "https://w3id.org/security/jwk/v1",
    ]
    assert doc["id"] == did
    multikey, jwk = doc["verificationMethod"]
    assert multikey == {
        "id": f"{did}#key-1",
        "type": "Multikey",
        "controller": did,
        "publicKeyMultibase": issuer["keys"][0]["public_key_multibase"],
    }
    assert jwk["id"] == f"{did}#key-1-jwk"
    assert jwk["type"] == "JsonWebKey"
    assert jwk["publicKeyJwk"]["kty"] == "OKP"
    assert "d" not in jwk["publicKeyJwk"]
    assert doc["assertionMethod"] == [f"{did}#key-1", f"{did}#key-1-jwk"]
    jwks = client.get("/issuers/uni-example/jwks.json").json()
    assert [k["kid"] for k in jwks["keys"]] == [f"{did}#key-1-jwk"]
    assert jwks["keys"][0]["alg"] == "EdDSA"
    assert client.get("/.well-known/jwks.json").json() == jwks
    profile = client.get("/issuers/uni-example").json()
    assert profile["id"] == did
    assert "Profile" in profile["type"]
    assert client.get("/issuers/nope/did.json").status_code == 404


def test_p256_issuer(client: TestClient, admin_headers: dict[str, str]) -> None:
    issuer = create_issuer(client, admin_headers, key_type="P-256")
    assert issuer["keys"][0]["public_key_multibase"].startswith("zDn")
    jwks = client.get("/issuers/uni-example/jwks.json").json()
    assert jwks["keys"][0]["crv"] == "P-256"
    assert jwks["keys"][0]["alg"] == "ES256"


def test_rotation_keeps_old_keys_published(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    create_issuer(client, admin_headers)
    rotated = client.post("/v1/issuers/uni-example/keys", headers=admin_headers)
    assert rotated.status_code == 201, rotated.text
    statuses = [(k["kid"].rsplit("#")[1], k["status"]) for k in rotated.json()["keys"]]
    assert statuses == [("key-1", "retired"), ("key-2", "active")]
    doc = client.get("/issuers/uni-example/did.json").json()
    assert [m["id"].rsplit("#")[1] for m in doc["verificationMethod"]] == [
        "key-1",
        "key-1-jwk",
        "key-2",
        "key-2-jwk",
    ]
    p256 = client.post(
        "/v1/issuers/uni-example/keys", json={"key_type": "P-256"}, headers=admin_headers
    )
    assert p256.json()["keys"][-1]["key_type"] == "P-256"


def test_revoking_a_key_removes_it_and_replaces_the_active_one(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    create_issuer(client, admin_headers)
    response = client.post(
        "/v1/issuers/uni-example/keys/key-1/revoke",
        json={"reason": "laptop stolen"},
        headers=admin_headers,
    )
    assert response.status_code == 200, response.text
    keys = {k["kid"].rsplit("#")[1]: k for k in response.json()["keys"]}
    assert keys["key-1"]["status"] == "revoked"
    assert keys["key-1"]["revocation_reason"] == "laptop stolen"
    assert keys["key-2"]["status"] == "active"
    doc = client.get("/issuers/uni-example/did.json").json()
    assert all("#key-1" not in m["id"] for m in doc["verificationMethod"])
    again = client.post(
        "/v1/issuers/uni-example/keys/key-1/revoke", json={"reason": "x"}, headers=admin_headers
    )
    assert again.status_code == 409
    missing = client.post(
        "/v1/issuers/uni-example/keys/key-9/revoke", json={"reason": "x"}, headers=admin_headers
    )
    assert missing.status_code == 404
    events = client.get(
        "/v1/audit-events", params={"issuer": "uni-example"}, headers=admin_headers
    ).json()["items"]
    assert [e["action"] for e in events] == ["issuer.created", "key.revoked"]
