"""GET /status/{slug}/{list}: the signed list credential, its JWT form, ETag/304 and caching."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

import pytest
import rfc8785
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.crypto.data_integrity import list_proofs, verify_proof
from app.crypto.jws import verify_jws
from app.issuers import service as issuer_service
from app.issuers.signing import KeyRing
from app.status.bitstring import MIN_ENTRIES, Bitstring
from app.status.models import StatusEntry, StatusList
from app.status.representation import negotiate
from tests.conftest import TEST_PUBLIC_URL
from tests.status.factories import StatusWorld, make_achievement, make_credential, make_issuer
from tests.support.status import REC_EXAMPLE_ENCODED_LIST, key_headers

LIST_PATH = "/status/uni-example/revocation-1"
LIST_URL = f"{TEST_PUBLIC_URL}{LIST_PATH}"


def _bits(document: dict[str, Any]) -> Bitstring:
    return Bitstring.decode(document["credentialSubject"]["encodedList"])


def _index(session: Session, credential_id: str, purpose: str = "revocation") -> int:
    return session.get_one(StatusEntry, (credential_id, purpose)).index


def test_a_fresh_list_decodes_like_the_rec_example(client: TestClient, world: StatusWorld) -> None:
    world.credential()

    document = client.get(LIST_PATH).json()

    assert _bits(document).to_bytes() == Bitstring.decode(REC_EXAMPLE_ENCODED_LIST).to_bytes()
    assert len(_bits(document)) == MIN_ENTRIES


def test_list_credential_shape_and_proof(
    client: TestClient, world: StatusWorld, keyring: KeyRing, now: datetime
) -> None:
    world.credential()

    response = client.get(LIST_PATH)

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    document = response.json()
    [proof] = document.pop("proof")
    assert document == {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": LIST_URL,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": world.context.did,
        "validFrom": "2026-11-26T12:00:00Z",
        "credentialSubject": {
            "id": f"{LIST_URL}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": document["credentialSubject"]["encodedList"],
            "ttl": 300_000,
        },
    }
    assert proof["cryptosuite"] == "eddsa-rdfc-2022"
    assert proof["verificationMethod"] == f"{world.context.did}#key-1"
    signed = response.json()
    public_key = issuer_service.active_signer(keyring, world.context).public_key
    result = verify_proof(
        signed, list_proofs(signed)[0], public_key, expected_purpose="assertionMethod", now=now
    )
    assert result.verified, result.reason


def test_p256_issuers_sign_their_lists_with_ecdsa(
    client: TestClient, session: Session, keyring: KeyRing, now: datetime
) -> None:
    context = make_issuer(session, keyring, now=now, slug="p256-college", key_type="P-256")
    make_credential(session, context, make_achievement(session, context, now=now), now=now)

    signed = client.get("/status/p256-college/revocation-1").json()

    [proof] = list_proofs(signed)
    assert proof["cryptosuite"] == "ecdsa-rdfc-2019"
    public_key = issuer_service.active_signer(keyring, context).public_key
    result = verify_proof(signed, proof, public_key, expected_purpose="assertionMethod", now=now)
    assert result.verified, result.reason


def test_etag_conditional_get_and_cache_control(client: TestClient, world: StatusWorld) -> None:
    world.credential()

    response = client.get(LIST_PATH)
    etag = response.headers["etag"]

    assert etag == f'"{hashlib.sha256(response.content).hexdigest()}"'
    assert response.content == rfc8785.dumps(json.loads(response.content))
    assert response.headers["cache-control"] == "public, max-age=300"
    assert response.headers["vary"] == "Accept"
    for validator in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        cached = client.get(LIST_PATH, headers={"If-None-Match": validator})
        assert cached.status_code == 304
        assert cached.content == b""
        assert cached.headers["etag"] == etag
        assert cached.headers["cache-control"] == "public, max-age=300"
    assert client.get(LIST_PATH, headers={"If-None-Match": '"other"'}).status_code == 200
    head = client.head(LIST_PATH)
    assert (head.status_code, head.headers["etag"], head.content) == (200, etag, b"")


def test_revoke_sets_the_published_bit_and_reinstate_clears_it(
    client: TestClient, world: StatusWorld, session: Session
) -> None:
    revoked = world.credential(suspendable=True)
    bystander = world.credential(suspendable=True)
    revoker = key_headers(session)
    first = client.get(LIST_PATH)

    assert client.post(f"/v1/credentials/{revoked.id}/revoke", headers=revoker).status_code == 200

    after = client.get(LIST_PATH, headers={"If-None-Match": first.headers["etag"]})
    assert after.status_code == 200
    assert after.headers["etag"] != first.headers["etag"]
    bits = _bits(after.json())
    assert bits.get(_index(session, revoked.id))
    assert not bits.get(_index(session, bystander.id))
    assert bits.count() == 1

    suspension_path = "/status/uni-example/suspension-1"
    client.post(f"/v1/credentials/{bystander.id}/suspend", headers=revoker)
    assert _bits(client.get(suspension_path).json()).get(
        _index(session, bystander.id, "suspension")
    )
    client.post(f"/v1/credentials/{bystander.id}/reinstate", headers=revoker)
    assert _bits(client.get(suspension_path).json()).count() == 0


def test_jwt_form(client: TestClient, world: StatusWorld, keyring: KeyRing, now: datetime) -> None:
    world.credential()
    json_etag = client.get(LIST_PATH).headers["etag"]

    response = client.get(LIST_PATH, headers={"Accept": "application/vc+jwt"})

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/vc+jwt"
    assert response.headers["etag"] != json_etag
    public_key = issuer_service.active_signer(keyring, world.context).public_key
    result = verify_jws(response.text, lambda header, payload: public_key, now=now)
    assert result.verified, result.reason
    assert result.header["typ"] == "vc+jwt"
    assert result.header["kid"] == f"{world.context.did}#key-1-jwk"
    assert result.payload is not None
    assert result.payload["id"] == LIST_URL
    assert result.payload["iss"] == world.context.did
    assert "proof" not in result.payload
    cached = client.get(
        LIST_PATH,
        headers={"Accept": "application/vc+jwt", "If-None-Match": response.headers["etag"]},
    )
    assert cached.status_code == 304


def test_issuance_does_not_change_the_published_list(
    client: TestClient, world: StatusWorld, session: Session
) -> None:
    world.credential()
    before = client.get(LIST_PATH)
    status_list = session.scalars(
        select(StatusList).where(StatusList.purpose == "revocation")
    ).one()
    version = status_list.version

    for _ in range(5):
        world.credential()

    after = client.get(LIST_PATH)
    session.refresh(status_list)
    assert status_list.version == version
    assert after.content == before.content
    assert after.headers["etag"] == before.headers["etag"]


def test_the_row_stores_the_served_bytes_and_rebuilds_only_when_stale(
    client: TestClient, world: StatusWorld, session: Session, admin_headers: dict[str, str]
) -> None:
    world.credential()
    first = client.get(LIST_PATH)
    status_list = session.scalars(
        select(StatusList).where(StatusList.purpose == "revocation")
    ).one()
    session.refresh(status_list)

    assert status_list.etag == first.headers["etag"]
    assert status_list.published_version == status_list.version
    assert status_list.published_document is not None
    assert rfc8785.dumps(status_list.published_document) == first.content
    assert client.get(LIST_PATH).content == first.content

    # A new signing key re-signs the list: the previous key may be compromised.
    assert client.post("/v1/issuers/uni-example/keys", headers=admin_headers).status_code == 201
    resigned = client.get(LIST_PATH).json()
    assert resigned["proof"][0]["verificationMethod"].endswith("#key-2")
    assert resigned["credentialSubject"] == first.json()["credentialSubject"]


@pytest.mark.parametrize(
    "path",
    [
        "/status/uni-example/revocation-2",
        "/status/uni-example/revocation-0",
        "/status/uni-example/message-1",
        "/status/no-such-issuer/revocation-1",
    ],
)
def test_unknown_lists_are_404(client: TestClient, world: StatusWorld, path: str) -> None:
    world.credential()

    response = client.get(path)

    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "application/json"),
        ("*/*", "application/json"),
        ("application/vc+jwt", "application/vc+jwt"),
        ("application/vc", "application/vc"),
        ("application/ld+json, application/json;q=0.9", "application/ld+json"),
        ("application/json;q=0.5, application/vc+jwt", "application/vc+jwt"),
        ("application/vc+jwt;q=0.1, */*;q=0.5", "application/json"),
        ("text/html", "application/json"),
        ("application/*", "application/json"),
    ],
)
def test_negotiation(accept: str | None, expected: str) -> None:
    assert negotiate(accept) == expected


def test_media_type_follows_accept(client: TestClient, world: StatusWorld) -> None:
    world.credential()

    response = client.get(LIST_PATH, headers={"Accept": "application/vc"})

    assert response.headers["content-type"] == "application/vc"
    assert response.json()["id"] == LIST_URL
