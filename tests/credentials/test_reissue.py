"""Corrections and re-issue: the successor, the superseded original and the links between."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.auth.scopes import Scope
from app.core.clock import FixedClock
from app.credentials import batch_jobs
from tests.conftest import make_key
from tests.credentials.factories import World, assert_ob_valid
from tests.interop.node import run_node
from tests.support.issuers import create_issuer


def _reissue(world: World, credential_id: str, expected: int = 201, **body: Any) -> Any:
    response = world.client.post(
        f"/v1/credentials/{credential_id}/reissue", json=body, headers=world.issue_headers
    )
    assert response.status_code == expected, response.text
    return response.json()


def _get(world: World, credential_id: str) -> dict[str, Any]:
    response = world.client.get(f"/v1/credentials/{credential_id}", headers=world.issue_headers)
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def test_a_name_correction_supersedes_the_old_credential(world: World, client: TestClient) -> None:
    old = world.issue(
        external_id="enrol-7", credits_earned=5, result={"status": "Completed"},
        evidence="https://lms.example.org/projects/7",
    )  # fmt: skip

    new = _reissue(world, old["id"], recipient={"name": "Ada King"}, reason="name misspelt")

    subject, before = new["credential"]["credentialSubject"], old["credential"]
    assert new["id"] != old["id"]
    assert new["replaces"] == old["id"]
    assert subject["name"] == "Ada King"
    # Everything else comes from the same record: identity, result, credits, evidence, dates.
    assert subject["identifier"] == before["credentialSubject"]["identifier"]
    assert subject["result"] == before["credentialSubject"]["result"]
    assert subject["creditsEarned"] == 5
    assert new["credential"]["evidence"] == before["evidence"]
    assert new["credential"]["validFrom"] == before["validFrom"]
    assert new["credential"]["credentialStatus"] != before["credentialStatus"]
    assert new["external_id"] == "enrol-7"
    assert_ob_valid(new["credential"])
    superseded = _get(world, old["id"])
    assert superseded["status"] == "revoked"
    assert superseded["status_reason"] == "superseded"
    assert superseded["replaced_by"] == new["id"]
    assert superseded["external_id"] is None
    assert _get(world, new["id"])["replaces"] == old["id"]
    # The old page points to the new one, for people and machines.
    page = client.get(f"/credentials/{old['id']}")
    assert f'href="/credentials/{new["id"]}"' in page.text
    assert "replaced this credential with a corrected one" in page.text
    as_json = client.get(f"/credentials/{old['id']}", headers={"Accept": "application/json"})
    assert as_json.json()["replaced_by"] == new["url"]
    # The old one's verification report names its successor; the new one verifies.
    report = client.post("/credentials/verify", json={"verifiableCredential": old["credential"]})
    assert report.status_code == 422
    assert report.json()["successor"] == new["url"]
    assert any(c["check"] == "successor" and new["url"] in c["reason"]
               for c in report.json()["checks"])  # fmt: skip
    assert client.post("/credentials/verify", json={"verifiableCredential": new["credential"]}
                       ).status_code == 200  # fmt: skip
    # The original request (same external_id) is now a conflict, not a third credential.
    world.issue(expected=409, external_id="enrol-7", credits_earned=5)


def test_reissue_changes_dates_results_and_email(world: World) -> None:
    old = world.issue(result={"status": "InProgress"})

    new = _reissue(
        world, old["id"], valid_until="2030-01-01T00:00:00Z", result={"status": "Completed"},
        recipient={"email": "ada.king@example.org"},
    )  # fmt: skip

    subject = new["credential"]["credentialSubject"]
    assert new["credential"]["validUntil"] == "2030-01-01T00:00:00Z"
    assert subject["result"][0]["status"] == "Completed"
    assert subject["name"] == "Ada Lovelace"
    assert (
        subject["identifier"][0]["identityHash"]
        != (old["credential"]["credentialSubject"]["identifier"][0]["identityHash"])
    )


def test_reissue_refusals(world: World, session: Session) -> None:
    old = world.issue()
    new = _reissue(world, old["id"])
    vc = world.client.post(
        "/credentials/issue",
        json={"credential": {
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiableCredential"],
            "credentialSubject": {"id": "did:example:subject"},
            "issuer": world.issuer["did"],
        }},
        headers=world.issue_headers,
    )  # fmt: skip
    vc_id = vc.json()["verifiableCredential"]["id"].rsplit("/", 1)[-1]

    again = _reissue(world, old["id"], expected=409)
    assert new["id"] in again["detail"]
    assert "VC-API" in _reissue(world, vc_id, expected=422)["detail"]
    _reissue(world, "no-such-credential", expected=404)
    _reissue(world, new["id"], expected=422, valid_until="2000-01-01T00:00:00Z")
    _reissue(world, new["id"], expected=422, recipient={"name": "Ada\u0000"})
    _reissue(world, new["id"], expected=422, recipient={"name": ""})
    _reissue(world, new["id"], expected=422, achievement_id="x")
    _reissue(world, new["id"], expected=422, reason="x" * 501)
    _reissue(world, new["id"], expected=422, result=[{"status": "Done"}] * 51)
    assert _get(world, new["id"])["status"] == "active"  # none of that changed anything


def test_reissue_needs_issue_scope_for_the_credential_issuer(
    world: World, session: Session
) -> None:
    old = world.issue()
    other = create_issuer(world.client, world.admin, slug="other-college")
    other_key = {"Authorization": f"Bearer {make_key(session, Scope.issue, issuer=other['slug'])}"}
    reader = {"Authorization": f"Bearer {make_key(session, Scope.read, issuer=world.slug)}"}
    path = f"/v1/credentials/{old['id']}/reissue"

    assert world.client.post(path, json={}, headers=other_key).status_code == 403
    assert world.client.post(path, json={}, headers=reader).status_code == 403
    assert world.client.post(path, json={}, headers=world.revoke_headers).status_code == 403
    assert world.client.post(path, json={}).status_code == 401
    assert _get(world, old["id"])["status"] == "active"


def _run_jobs(app: FastAPI, clock: FixedClock) -> None:
    while batch_jobs.run_next_job(
        app.state.sessionmaker, app.state.keyring, clock, worker="test",
        urls=app.state.settings.urls,
        chunk_items=app.state.settings.batch_chunk_items,
    ):  # fmt: skip
        pass


def test_bulk_reissue_after_a_key_compromise(
    app: FastAPI, world: World, client: TestClient, clock: FixedClock
) -> None:
    olds = [world.issue() for _ in range(3)]
    world.client.post(f"/v1/credentials/{olds[2]['id']}/revoke", headers=world.revoke_headers)
    path = f"/v1/issuers/{world.slug}/credentials/reissue"
    assert client.post(path, json={"signing_key": "key-1"}, headers=world.admin).status_code == 409
    revoked = client.post(
        f"/v1/issuers/{world.slug}/keys/key-1/revoke",
        json={"reason": "laptop stolen"},
        headers=world.admin,
    )
    assert revoked.status_code == 200, revoked.text
    assert client.post(path, json={}, headers=world.issue_headers).status_code == 403
    assert client.post(path, json={"signing_key": "key-9"}, headers=world.admin).status_code == 404

    accepted = client.post(path, json={"reason": "key-1 compromised"}, headers=world.admin)
    assert accepted.status_code == 202, accepted.text
    assert accepted.json()["total"] == 2  # the revoked credential is not re-issued
    _run_jobs(app, clock)
    job = client.get(f"/v1/jobs/{accepted.json()['job_id']}", headers=world.admin).json()

    assert job["status"] == "done"
    assert job["kind"] == "reissue"
    assert job["failed"] == 0
    assert {r["replaces"] for r in job["results"]} == {olds[0]["id"], olds[1]["id"]}
    for result in job["results"]:
        new = _get(world, result["id"])
        assert new["credential"]["proof"][0]["verificationMethod"].endswith("#key-2")
        verified = client.post(
            "/credentials/verify", json={"verifiableCredential": new["credential"]}
        )
        assert verified.status_code == 200, verified.text
        assert _get(world, result["replaces"])["status_reason"] == "superseded"
    nothing = client.post(path, json={}, headers=world.admin)
    assert nothing.status_code == 200
    assert nothing.json() == {"job_id": None, "status": "done", "total": 0, "status_url": None}


@pytest.mark.interop
def test_reference_stack_verifies_the_successor_and_sees_the_original_revoked(
    world: World, client: TestClient
) -> None:
    old = world.issue()
    new = _reissue(world, old["id"], recipient={"name": "Ada King"})
    did_document = world.did_document()
    documents = {did_document["id"]: did_document}

    verified = run_node("verify-di.mjs", {"credential": new["credential"], "documents": documents})
    entry = old["credential"]["credentialStatus"]
    status_list = client.get(entry["statusListCredential"]).json()
    status = run_node(
        "status-check.mjs",
        {
            "credential": old["credential"],
            "documents": documents,
            "statusListCredentials": [status_list],
            "verifyStatusListCredential": True,
            "verifyMatchingIssuers": True,
        },
    )
    new_entry = new["credential"]["credentialStatus"]
    new_list = client.get(new_entry["statusListCredential"]).json()
    new_status = run_node(
        "status-check.mjs",
        {"credential": new["credential"], "documents": documents,
         "statusListCredentials": [new_list], "verifyStatusListCredential": True},
    )  # fmt: skip

    assert verified["verified"], verified.get("errors")
    [outcome] = status["results"]
    assert "error" not in outcome, outcome
    assert (outcome["statusPurpose"], outcome["status"]) == ("revocation", True)
    assert [r["status"] for r in new_status["results"]] == [False]
