"""Our own issued credentials through `POST /credentials/verify`: genuine, tampered, revoked.

Our DIDs and status lists are read from the database: the app's HTTP client is never used,
which the `verification_state` fixture's fake web records.
"""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.core.clock import FixedClock
from app.core.urls import PublicUrls
from app.crypto.data_integrity import add_proof
from app.crypto.keys import generate_private_key
from app.crypto.multikey import did_key_for
from app.crypto.signer import LocalSigner
from app.verification.state import VerificationState
from tests.credentials.factories import World
from tests.frameworks.conftest import framework_document, linkage
from tests.verification.conftest import FakeWeb

pytestmark = pytest.mark.usefixtures("verification_state")


def _verify(client: TestClient, credential: Any, **options: Any) -> Any:
    return client.post(
        "/credentials/verify", json={"verifiableCredential": credential, "options": options}
    )


def _check(body: dict[str, Any], name: str) -> dict[str, Any]:
    [found] = [c for c in body["checks"] if c["check"] == name]
    return found


def _set(document: dict[str, Any], path: list[str | int], value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(document)
    target: Any = changed
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return changed


def test_our_credential_verifies_without_http(world: World, fake_web: FakeWeb) -> None:
    issued = world.issue()

    response = _verify(world.client, issued["credential"])

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["verified"] is True
    assert body["errors"] == []
    assert body["problemDetails"] == []
    assert {c["check"]: c["outcome"] for c in body["checks"]} == {
        "parsing": "passed",
        "contexts": "passed",
        "structure": "passed",
        "proof": "passed",
        "key_binding": "passed",
        "validity": "passed",
        "status": "passed",
        "issuer_trust": "passed",
        "meaning": "passed",
        # No accrediting body is trusted in this test, so accreditation is not checked.
        "accreditation": "skipped",
    }
    assert body["issuer"] == {
        "id": world.issuer["did"],
        "name": world.issuer["name"],
        "registered": True,
        "trusted": True,
    }
    assert body["credential"]["id"] == issued["credential"]["id"]
    assert fake_web.requests == []


def test_options_are_accepted_and_return_credential_false_is_honoured(world: World) -> None:
    vc = world.issue()["credential"]

    response = _verify(
        world.client, vc, checks=["proof", "credentialStatus"], returnCredential=False
    )

    assert response.status_code == 200
    assert "credential" not in response.json()


def test_meaning_names_level_credits_field_and_equivalents(
    world: World, client: TestClient, admin_headers: dict[str, str]
) -> None:
    framework = framework_document("nqf-x", ["4", "5", "6"], linkages=[linkage("5", "eqf", "5")])
    assert client.post("/v1/frameworks", json=framework, headers=admin_headers).status_code == 201
    vc = world.issue(credits_earned=4)["credential"]

    meaning = _verify(world.client, vc).json()["meaning"]

    assert meaning["creditsAvailable"] == 5
    assert meaning["creditsEarned"] == 4
    assert meaning["fieldOfStudy"]
    [level] = [a for a in meaning["alignments"] if "frameworkLevel" in a]
    assert level["targetCode"] == "5"
    assert [e["framework"] for e in level["frameworkLevel"]["equivalents"]] == ["nqf-x"]
    assert "equals Level 5 (Framework nqf-x)" in meaning["statement"]
    assert "4 ECTS earned" in meaning["statement"]
    assert "ISCED-F 2013 0613" in meaning["statement"]


@pytest.mark.parametrize("form", ["string", "enveloped", "raw"])
def test_our_vc_jwt_verifies(form: str, world: World) -> None:
    token = world.issue()["jwt"]
    if form == "raw":
        response = world.client.post(
            "/credentials/verify", content=token, headers={"Content-Type": "application/vc+jwt"}
        )
    else:
        credential: Any = token
        if form == "enveloped":
            credential = {
                "@context": "https://www.w3.org/ns/credentials/v2",
                "type": "EnvelopedVerifiableCredential",
                "id": f"data:application/vc+jwt,{token}",
            }
        response = _verify(world.client, credential)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["mediaType"] == "application/vc+jwt"
    assert _check(body, "key_binding")["outcome"] == "passed"
    assert _check(body, "status")["outcome"] == "passed"


TAMPERING = [
    (["name"], "Forged Diploma"),
    (["validFrom"], "2020-01-01T00:00:00Z"),
    (["issuer", "name"], "Another University"),
    (["credentialSubject", "name"], "Mallory"),
    (["credentialSubject", "identifier", 0, "identityHash"], "sha256$" + "0" * 64),
    (["credentialSubject", "achievement", "name"], "Advanced Brain Surgery"),
    (["credentialSubject", "achievement", "creditsAvailable"], 60),
    (["credentialSubject", "achievement", "alignment", 0, "targetCode"], "8"),
    (["credentialSubject", "achievement", "alignment", 0, "targetUrl"], "http://127.0.0.1:8000/frameworks/eqf/levels/8"),
    (["credentialStatus", "statusListIndex"], "0"),
    (["credentialSchema"], []),
    (["proof", 0, "created"], "2020-01-01T00:00:00Z"),
    (["proof", 0, "cryptosuite"], "eddsa-jcs-2022"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("path", "value"), TAMPERING, ids=[".".join(map(str, p)) for p, _ in TAMPERING]
)
def test_tampering_any_field_fails(world: World, path: list[str | int], value: Any) -> None:
    vc = world.issue()["credential"]

    response = _verify(world.client, _set(vc, path, value))

    assert response.status_code == 422, response.text
    body = response.json()
    assert body["verified"] is False
    assert [c["outcome"] for c in body["checks"] if c["check"] == "proof"] == ["failed"]
    assert "proof" in {problem["check"] for problem in body["errors"]}
    assert body["problemDetails"]
    assert all(p["type"].startswith("http") for p in body["problemDetails"])


def test_tampered_jwt_payload_fails(world: World) -> None:
    header, payload, signature = world.issue()["jwt"].split(".")
    forged = f"{header}.{payload[:-4]}AAAA.{signature}"

    response = _verify(world.client, forged)

    assert response.status_code == 422


def test_expired_and_not_yet_valid(world: World, clock: FixedClock) -> None:
    now = clock.instant
    vc = world.issue(valid_until=(now + timedelta(days=30)).isoformat())["credential"]

    clock.instant = now + timedelta(days=31)
    expired = _verify(world.client, vc)
    clock.instant = now - timedelta(days=1)
    early = _verify(world.client, vc)
    clock.instant = now - timedelta(seconds=60)  # inside the configured clock skew
    skewed = _verify(world.client, vc)

    assert expired.status_code == 422
    assert _check(expired.json(), "validity")["reason"].startswith("expired on")
    assert early.status_code == 422
    assert _check(early.json(), "validity")["reason"].startswith("not valid yet")
    assert skewed.status_code == 200


def test_revoked_credential_fails_with_revoked(world: World) -> None:
    issued = world.issue()
    assert _verify(world.client, issued["credential"]).status_code == 200

    response = world.client.post(
        f"/v1/credentials/{issued['id']}/revoke",
        json={"reason": "plagiarism"},
        headers=world.revoke_headers,
    )
    assert response.status_code == 200, response.text
    after = _verify(world.client, issued["credential"])

    assert after.status_code == 422
    status = _check(after.json(), "status")
    assert status["outcome"] == "failed"
    assert status["reason"].startswith("revoked")


def test_suspension_and_reinstatement(world: World) -> None:
    world.achievement = world.create_achievement(suspendable=True)
    issued = world.issue()
    credential_id, vc = issued["id"], issued["credential"]

    suspend = world.client.post(
        f"/v1/credentials/{credential_id}/suspend", headers=world.revoke_headers
    )
    assert suspend.status_code == 200, suspend.text
    suspended = _verify(world.client, vc)
    reinstate = world.client.post(
        f"/v1/credentials/{credential_id}/reinstate", headers=world.revoke_headers
    )
    assert reinstate.status_code == 200, reinstate.text
    reinstated = _verify(world.client, vc)

    assert suspended.status_code == 422
    reasons = [c["reason"] for c in suspended.json()["checks"] if c["check"] == "status"]
    assert any(r.startswith("suspended") for r in reasons)
    assert reinstated.status_code == 200


def test_rotated_key_still_verifies_but_revoked_key_fails_with_reason(world: World) -> None:
    vc = world.issue()["credential"]
    rotated = world.client.post(f"/v1/issuers/{world.slug}/keys", json={}, headers=world.admin)
    assert rotated.status_code == 201, rotated.text
    assert _verify(world.client, vc).status_code == 200

    kid = vc["proof"][0]["verificationMethod"]
    revoked = world.client.post(
        f"/v1/issuers/{world.slug}/keys/{kid.split('#')[1]}/revoke",
        json={"reason": "laptop stolen"},
        headers=world.admin,
    )
    assert revoked.status_code == 200, revoked.text
    response = _verify(world.client, vc)

    assert response.status_code == 422
    binding = _check(response.json(), "key_binding")
    assert binding["reason"] == "the issuer revoked this signing key on 2026-11-26: laptop stolen"


def test_unknown_key_of_our_issuer(world: World) -> None:
    vc = world.issue()["credential"]
    forged = _set(vc, ["proof", 0, "verificationMethod"], world.issuer["did"] + "#key-99")

    response = _verify(world.client, forged)

    assert response.status_code == 422
    assert "does not publish the key" in _check(response.json(), "proof")["reason"]


def test_unknown_issuer_under_our_host_is_not_fetched(world: World, fake_web: FakeWeb) -> None:
    vc = world.issue()["credential"]
    ghost = world.issuer["did"].replace(world.slug, "ghost")
    forged = _set(
        _set(vc, ["issuer", "id"], ghost), ["proof", 0, "verificationMethod"], ghost + "#key-1"
    )

    response = _verify(world.client, forged)

    assert response.status_code == 422
    assert "not an issuer of this LearnProof service" in _check(response.json(), "proof")["reason"]
    assert fake_web.requests == []


def test_wrong_proof_purpose_fails(world: World, app: Any) -> None:
    vc = world.issue()["credential"]
    unsigned = {k: v for k, v in vc.items() if k != "proof"}
    from app.issuers import service as issuer_service

    with world.client.app.state.sessionmaker() as session:  # type: ignore[attr-defined]
        context = issuer_service.load_context(
            session, world.slug, urls=PublicUrls("http://127.0.0.1:8000")
        )
        signer = issuer_service.active_signer(app.state.keyring, context)
    resigned = add_proof(unsigned, signer, proof_purpose="authentication", created=vc_time(vc))

    response = _verify(world.client, resigned)

    assert response.status_code == 422
    assert "authentication" in _check(response.json(), "proof")["reason"]


def vc_time(vc: dict[str, Any]) -> Any:
    from datetime import datetime

    return datetime.fromisoformat(vc["validFrom"].replace("Z", "+00:00"))


def test_someone_elses_key_cannot_sign_for_our_issuer(world: World) -> None:
    vc = world.issue()["credential"]
    private_key = generate_private_key()
    did = did_key_for(private_key.public_key())
    signer = LocalSigner(private_key, key_id=f"{did}#{did.removeprefix('did:key:')}")
    unsigned = {k: v for k, v in vc.items() if k != "proof"}

    response = _verify(world.client, add_proof(unsigned, signer, created=vc_time(vc)))

    assert response.status_code == 422
    body = response.json()
    assert _check(body, "proof")["outcome"] == "passed"
    binding = _check(body, "key_binding")
    assert binding["outcome"] == "failed"
    assert "not to the issuer" in binding["reason"]


def test_status_list_verification_is_cached(
    world: World, verification_state: VerificationState
) -> None:
    vc = world.issue()["credential"]

    for _ in range(3):
        assert _verify(world.client, vc).status_code == 200

    assert len(verification_state.status_cache._entries) == 1
