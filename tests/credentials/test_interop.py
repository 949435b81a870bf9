"""Our credentials, checked by the reference JavaScript stack (@digitalbazaar/vc, jose)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.credentials.factories import World
from tests.interop.node import run_node

pytestmark = pytest.mark.interop


def _verify(world: World, credentials: list[dict[str, Any]]) -> list[dict[str, Any]]:
    doc = world.did_document()
    result = run_node(
        "verify-di.mjs",
        {
            "items": [{"credential": c, "now": "2026-11-27T00:00:00Z"} for c in credentials],
            "documents": {doc["id"]: doc},
        },
    )
    results: list[dict[str, Any]] = result["results"]
    return results


def _tamper(vc: dict[str, Any], path: list[str | int], value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(vc)
    target: Any = changed
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return changed


def test_reference_stack_accepts_our_credentials_and_catches_tampering(world: World) -> None:
    vc = world.issue()["credential"]
    tampered = [
        _tamper(vc, ["name"], "Forged"),
        _tamper(vc, ["validFrom"], "2020-01-01T00:00:00Z"),
        _tamper(vc, ["credentialSubject", "name"], "Mallory"),
        _tamper(vc, ["credentialSubject", "achievement", "creditsAvailable"], 60),
        _tamper(vc, ["credentialSubject", "achievement", "alignment", 0, "targetCode"], "8"),
        _tamper(vc, ["issuer", "name"], "Another University"),
        _tamper(vc, ["credentialStatus", "statusListIndex"], "0"),
        _tamper(vc, ["proof", 0, "created"], "2020-01-01T00:00:00Z"),
    ]
    results = _verify(world, [vc, *tampered])
    assert results[0]["verified"], results[0]["errors"]
    for index, result in enumerate(results[1:], start=1):
        assert not result["verified"], f"tampered variant {index} verified"


def test_reference_stack_accepts_p256_credentials(world: World, client: TestClient) -> None:
    client.post(f"/v1/issuers/{world.slug}/keys", json={"key_type": "P-256"}, headers=world.admin)
    vc = world.issue()["credential"]
    [result] = _verify(world, [vc])
    assert result["verified"], result["errors"]


def test_old_key_credentials_still_verify_after_rotation(world: World, client: TestClient) -> None:
    before = world.issue()["credential"]
    assert client.post(f"/v1/issuers/{world.slug}/keys", headers=world.admin).status_code == 201
    after = world.issue()["credential"]
    assert after["proof"][0]["verificationMethod"].endswith("#key-2")
    results = _verify(world, [before, after])
    assert [r["verified"] for r in results] == [True, True], results


def test_revoked_key_credentials_fail_in_the_reference_stack(
    world: World, client: TestClient
) -> None:
    vc = world.issue()["credential"]
    client.post(
        f"/v1/issuers/{world.slug}/keys/key-1/revoke", json={"reason": "leak"}, headers=world.admin
    )
    [result] = _verify(world, [vc])
    assert not result["verified"]


def test_jose_verifies_our_jwt_with_the_published_jwks(world: World, client: TestClient) -> None:
    issued = world.issue()
    jwks = client.get(f"/issuers/{world.slug}/jwks.json").json()
    ok = run_node("verify-jwt.mjs", {"jwt": issued["jwt"], "jwks": jwks, "typ": "vc+jwt"})
    assert ok["verified"], ok
    assert ok["payload"]["id"] == issued["url"]
    header, payload, signature = issued["jwt"].split(".")
    forged_payload = payload[:-4] + ("AAAA" if payload[-4:] != "AAAA" else "BBBB")
    bad = run_node(
        "verify-jwt.mjs", {"jwt": f"{header}.{forged_payload}.{signature}", "jwks": jwks}
    )
    assert not bad["verified"]


def test_reference_stack_accepts_results_evidence_and_suspension(world: World) -> None:
    suspendable = world.create_achievement(
        suspendable=True,
        result_descriptions=[{"name": "Final grade", "result_type": "LetterGrade"}],
    )
    vc = world.issue(
        achievement_id=suspendable["id"],
        result=[{"value": "A", "result_description": "Final grade", "status": "Completed"}],
        evidence=[{"id": "https://mooc.example/p/1", "name": "Capstone", "narrative": "Built it"}],
        credits_earned=5,
        valid_until="2030-01-01T00:00:00Z",
    )["credential"]
    assert isinstance(vc["credentialStatus"], list)
    [result] = _verify(world, [vc])
    assert result["verified"], result["errors"]


def test_reference_stack_accepts_batch_credentials(world: World, client: TestClient) -> None:
    """The chunked batch path shares the achievement document and the proof configuration
    between items; every credential it signs must still verify on its own elsewhere."""
    pausable = world.create_achievement(name="Pausable", suspendable=True)
    items = [
        {
            "achievement_id": achievement["id"],
            "recipient": {"name": f"Learner {i} — ü", "email": f"l{i}@example.org"},
            "result": [{"status": "Completed"}],
            "evidence": [{"id": "https://example.org/e", "name": "Project"}],
        }
        for i, achievement in enumerate([world.achievement, world.achievement, pausable])
    ]
    response = client.post(
        f"/v1/issuers/{world.slug}/credentials/batch",
        json={"items": items},
        headers=world.issue_headers,
    )
    assert response.status_code == 200, response.text
    credentials = [
        client.get(f"/v1/credentials/{r['id']}", headers=world.issue_headers).json()["credential"]
        for r in response.json()["results"]
    ]
    results = _verify(world, credentials)
    assert all(r["verified"] for r in results), [r["errors"] for r in results]
