from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.crypto.data_integrity import verify_proof
from app.crypto.multikey import public_key_from_multikey
from tests.credentials.factories import RECIPIENT, World, assert_ob_valid


def _segment(token: str, index: int) -> dict[str, Any]:
    part = token.split(".")[index]
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return decoded


def test_issued_credential_shape(world: World) -> None:
    issued = world.issue()
    vc = issued["credential"]
    assert vc["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
    ]
    assert vc["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert vc["id"] == issued["url"] == f"http://127.0.0.1:8000/credentials/{issued['id']}"
    assert vc["issuer"]["id"] == world.issuer["did"]
    assert vc["issuer"]["type"] == ["Profile"]
    assert vc["validFrom"] == "2026-11-26T12:00:00Z"
    subject = vc["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    assert subject["name"] == "Ada Lovelace"
    [identity] = subject["identifier"]
    assert identity["identityType"] == "emailAddress"
    assert identity["hashed"] is True
    assert identity["identityHash"].startswith("sha256$")
    assert "ada@example.org" not in json.dumps(issued)
    achievement = subject["achievement"]
    assert achievement["id"] == world.achievement["url"]
    assert achievement["creditsAvailable"] == 5
    assert achievement["fieldOfStudy"] == "Software and applications development and analysis"
    assert {a["targetType"] for a in achievement["alignment"]} >= {
        "ext:QualificationFrameworkLevel",
        "ceasn:Competency",
    }
    status = vc["credentialStatus"]
    assert status["type"] == "BitstringStatusListEntry"
    assert status["statusPurpose"] == "revocation"
    assert status["id"] == f"{status['statusListCredential']}#{status['statusListIndex']}"
    assert vc["credentialSchema"] == [
        {
            "id": "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json",
            "type": "1EdTechJsonSchemaValidator2019",
        }
    ]
    [proof] = vc["proof"]
    assert proof["type"] == "DataIntegrityProof"
    assert proof["cryptosuite"] == "eddsa-rdfc-2022"
    assert proof["verificationMethod"] == world.issuer["did"] + "#key-1"
    assert proof["proofPurpose"] == "assertionMethod"
    assert issued["links"]["pdf"] == issued["url"] + ".pdf"
    assert_ob_valid(vc)


def test_identity_hash_is_the_ob_format(world: World) -> None:
    import hashlib

    subject = world.issue()["credential"]["credentialSubject"]
    [identity] = subject["identifier"]
    expected = hashlib.sha256(("ada@example.org" + identity["salt"]).encode()).hexdigest()
    assert identity["identityHash"] == f"sha256${expected}"


def test_data_integrity_proof_verifies_with_the_published_key(world: World) -> None:
    vc = world.issue()["credential"]
    key = public_key_from_multikey(world.issuer["keys"][0]["public_key_multibase"])
    [proof] = vc["proof"]
    assert verify_proof(vc, proof, key, expected_purpose="assertionMethod").verified
    tampered = {**vc, "name": "Something else"}
    assert not verify_proof(tampered, proof, key, expected_purpose="assertionMethod").verified


def test_jwt_form(world: World) -> None:
    issued = world.issue(
        recipient={
            "name": "Grace",
            "did": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
        }
    )
    token = issued["jwt"]
    header, payload = _segment(token, 0), _segment(token, 1)
    assert header == {"alg": "EdDSA", "typ": "vc+jwt", "kid": world.issuer["did"] + "#key-1-jwk"}
    assert payload["iss"] == world.issuer["did"]
    assert payload["jti"] == issued["url"]
    assert payload["sub"] == "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
    assert "proof" not in payload
    assert "vc" not in payload
    assert payload["credentialSubject"]["id"] == payload["sub"]


def test_p256_issuer_signs_ecdsa_and_es256(client: TestClient, world: World) -> None:
    response = client.post(
        f"/v1/issuers/{world.slug}/keys", json={"key_type": "P-256"}, headers=world.admin
    )
    assert response.status_code == 201
    issued = world.issue()
    assert issued["credential"]["proof"][0]["cryptosuite"] == "ecdsa-rdfc-2019"
    assert issued["credential"]["proof"][0]["verificationMethod"].endswith("#key-2")
    assert _segment(issued["jwt"], 0)["alg"] == "ES256"
    assert_ob_valid(issued["credential"])


def test_idempotency_key_replays_the_original(world: World) -> None:
    first = world.issue(headers={"Idempotency-Key": "abc-1"})
    again = world.client.post(
        f"/v1/issuers/{world.slug}/credentials",
        json={"achievement_id": world.achievement["id"], "recipient": RECIPIENT},
        headers={**world.issue_headers, "Idempotency-Key": "abc-1"},
    )
    assert again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json()["id"] == first["id"]
    conflict = world.issue(
        expected=409,
        headers={"Idempotency-Key": "abc-1"},
        recipient={"name": "Someone else", "email": "else@example.org"},
    )
    assert "Idempotency-Key 'abc-1'" in conflict["detail"]


def test_issuance_answer_is_byte_for_byte_what_a_read_answers(world: World) -> None:
    # The route writes its JSON itself (one threadpool hop fewer); the read goes through
    # FastAPI's response_model serialization. A new credential reads back the same.
    for headers, body in (({}, {}), ({"Idempotency-Key": "k-1"}, {"external_id": "e-1"})):
        posted = world.client.post(
            f"/v1/issuers/{world.slug}/credentials",
            json={"achievement_id": world.achievement["id"], "recipient": RECIPIENT, **body},
            headers={**world.issue_headers, **headers},
        )
        assert posted.status_code == 201
        assert posted.headers["content-type"] == "application/json"
        assert "idempotent-replayed" not in posted.headers
        read = world.client.get(f"/v1/credentials/{posted.json()['id']}", headers=world.admin)
        assert read.status_code == 200
        assert posted.content == read.content
        assert int(posted.headers["content-length"]) == len(posted.content)


def test_external_id_is_unique_per_issuer(world: World) -> None:
    first = world.issue(external_id="enrolment-42")
    assert world.issue(external_id="enrolment-42")["id"] == first["id"]
    world.issue(expected=409, external_id="enrolment-42", credits_earned=3)


def test_control_characters_are_refused_naming_the_field(world: World) -> None:
    body = world.issue(expected=422, recipient={"name": "Ada\u0007", "email": "ada@example.org"})
    assert body["errors"][0]["field"] == "recipient.name"
    assert "control character" in body["detail"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"recipient": {"name": "x"}}, "recipient"),
        ({"recipient": {"email": "not-an-email"}}, "recipient.email"),
        ({"valid_from": "2026-01-01T00:00:00"}, "valid_from"),
        ({"valid_from": "2026-02-01T00:00:00Z", "valid_until": "2026-01-01T00:00:00Z"}, ""),
        ({"credits_earned": -1}, "credits_earned"),
        ({"unexpected": 1}, "unexpected"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(
    world: World, body: dict[str, Any], field: str
) -> None:
    problem = world.issue(expected=422, **body)
    assert problem["status"] == 422
    assert any(e["field"].startswith(field) for e in problem["errors"])


def test_unknown_achievement_is_404(world: World) -> None:
    assert world.issue(expected=404, achievement_id="nope")["status"] == 404


def test_issue_scope_and_issuer_binding(world: World, client: TestClient) -> None:
    other = client.post(
        "/v1/issuers",
        json={"slug": "other", "name": "O", "url": "https://o.example", "email": "o@o.example"},
        headers=world.admin,
    )
    assert other.status_code == 201
    response = client.post(
        "/v1/issuers/other/credentials",
        json={"achievement_id": world.achievement["id"], "recipient": RECIPIENT},
        headers=world.issue_headers,
    )
    assert response.status_code == 403
    response = client.post(
        f"/v1/issuers/{world.slug}/credentials",
        json={"achievement_id": world.achievement["id"], "recipient": RECIPIENT},
        headers=world.revoke_headers,
    )
    assert response.status_code == 403


def test_read_list_and_downloads(world: World, client: TestClient) -> None:
    issued = [world.issue(external_id=f"e-{i}") for i in range(3)]
    got = client.get(f"/v1/credentials/{issued[0]['id']}", headers=world.issue_headers)
    assert got.status_code == 200
    assert got.json()["credential"] == issued[0]["credential"]
    page = client.get(
        f"/v1/issuers/{world.slug}/credentials", params={"limit": 2}, headers=world.issue_headers
    ).json()
    assert len(page["items"]) == 2
    rest = client.get(
        f"/v1/issuers/{world.slug}/credentials",
        params={"limit": 2, "cursor": page["next_cursor"]},
        headers=world.issue_headers,
    ).json()
    ids = {c["id"] for c in page["items"] + rest["items"]}
    assert ids == {c["id"] for c in issued}
    as_json = client.get(f"/credentials/{issued[0]['id']}.json")
    assert as_json.json() == issued[0]["credential"]
    as_jwt = client.get(f"/credentials/{issued[0]['id']}.jwt")
    assert as_jwt.headers["content-type"] == "application/vc+jwt"
    assert as_jwt.text == issued[0]["jwt"]
    assert client.get("/credentials/nope.json").status_code == 404


def test_issuance_is_audited(world: World, client: TestClient) -> None:
    issued = world.issue()
    events = client.get(
        "/v1/audit-events", params={"credential": issued["id"]}, headers=world.admin
    ).json()["items"]
    assert [e["action"] for e in events] == ["credential.issued"]
    assert events[0]["actor"].startswith("apikey:")


def test_contract_short_forms(world: World) -> None:
    achievement = world.create_achievement(skills=["Data analysis", {"name": "SQL"}])
    names = [
        a["targetName"]
        for a in achievement["achievement"]["alignment"]
        if a["targetType"] == "ceasn:Competency"
    ]
    assert names == ["Data analysis", "SQL"]
    issued = world.issue(
        achievement_id=achievement["id"],
        result={"value": "A", "status": "Completed"},
        evidence="https://mooc.example/projects/42",
    )
    subject = issued["credential"]["credentialSubject"]
    assert subject["result"] == [{"type": ["Result"], "value": "A", "status": "Completed"}]
    assert issued["credential"]["evidence"] == [
        {"type": ["Evidence"], "id": "https://mooc.example/projects/42"}
    ]
    assert_ob_valid(issued["credential"])
