"""The authenticated status endpoints: /v1 revoke|suspend|reinstate, bulk, and VC-API status."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from app.auth.scopes import Scope
from app.credentials.models import Credential
from app.status.models import StatusEntry
from tests.conftest import TEST_PUBLIC_URL
from tests.status.factories import StatusWorld
from tests.support.statements import statements
from tests.support.status import key_headers


@pytest.fixture
def revoker(session: Session) -> dict[str, str]:
    return key_headers(session)


def _status(session: Session, credential: Credential) -> str:
    session.refresh(credential)
    return credential.status


def test_revoke_endpoint_returns_the_new_status(
    client: TestClient, world: StatusWorld, revoker: dict[str, str]
) -> None:
    credential = world.credential()

    response = client.post(
        f"/v1/credentials/{credential.id}/revoke", json={"reason": "plagiarism"}, headers=revoker
    )

    assert response.status_code == 200, response.text
    assert response.json() == {
        "id": credential.id,
        "status": "revoked",
        "reason": "plagiarism",
        "changed_at": "2026-11-26T12:00:00Z",
    }
    again = client.post(f"/v1/credentials/{credential.id}/revoke", json={}, headers=revoker)
    assert again.status_code == 409
    assert again.headers["content-type"].startswith("application/problem+json")
    assert "final" in again.json()["detail"]


def test_suspend_and_reinstate_endpoints(
    client: TestClient, world: StatusWorld, revoker: dict[str, str]
) -> None:
    credential = world.credential(suspendable=True)
    plain = world.credential()
    url = f"/v1/credentials/{credential.id}"

    assert client.post(f"{url}/suspend", headers=revoker).json()["status"] == "suspended"
    reinstated = client.post(f"{url}/reinstate", json={"reason": "appeal upheld"}, headers=revoker)
    assert reinstated.json()["status"] == "active"
    assert reinstated.json()["reason"] == "appeal upheld"

    refused = client.post(f"/v1/credentials/{plain.id}/suspend", headers=revoker)
    assert refused.status_code == 409
    assert "not suspendable" in refused.json()["detail"]


def test_status_changes_need_revoke_scope_for_the_right_issuer(
    client: TestClient, world: StatusWorld, session: Session
) -> None:
    credential = world.credential()
    url = f"/v1/credentials/{credential.id}/revoke"

    assert client.post(url).status_code == 401
    assert client.post(url, headers=key_headers(session, Scope.read)).status_code == 403
    assert client.post(url, headers=key_headers(session, Scope.issue)).status_code == 403
    other = key_headers(session, issuer="other-college")
    assert client.post(url, headers=other).status_code == 403
    assert _status(session, credential) == "active"
    unbound = key_headers(session, Scope.admin, issuer=None)
    assert client.post(url, headers=unbound).status_code == 200


def test_unknown_credential_is_404_and_url_ids_are_accepted(
    client: TestClient, world: StatusWorld, revoker: dict[str, str]
) -> None:
    credential = world.credential()

    assert client.post("/v1/credentials/nope/revoke", headers=revoker).status_code == 404
    response = client.post(
        "/credentials/status",
        json={
            "credentialId": f"{TEST_PUBLIC_URL}/credentials/{credential.id}",
            "credentialStatus": {"type": "BitstringStatusListEntry", "statusPurpose": "revocation"},
            "status": True,
        },
        headers=revoker,
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "revoked"


def test_bulk_endpoint_is_all_or_nothing(
    client: TestClient, world: StatusWorld, session: Session, revoker: dict[str, str]
) -> None:
    credentials = [world.credential() for _ in range(3)]
    ids = [c.id for c in credentials]
    url = "/v1/issuers/uni-example/credentials/status"

    missing = client.post(url, json={"ids": [*ids, "nope"], "action": "revoke"}, headers=revoker)
    assert missing.status_code == 404
    assert missing.json()["unknown_ids"] == ["nope"]
    assert "nope" in missing.json()["detail"]
    assert {_status(session, c) for c in credentials} == {"active"}

    refused = client.post(url, json={"ids": ids, "action": "suspend"}, headers=revoker)
    assert refused.status_code == 409
    assert {c["id"] for c in refused.json()["conflicts"]} == set(ids)

    done = client.post(
        url, json={"ids": ids, "action": "revoke", "reason": "fraud"}, headers=revoker
    )
    assert done.status_code == 200, done.text
    assert done.json()["action"] == "revoke"
    assert [(c["id"], c["status"], c["reason"]) for c in done.json()["credentials"]] == [
        (i, "revoked", "fraud") for i in ids
    ]
    other = key_headers(session, issuer="other-college")
    assert client.post(url, json={"ids": ids, "action": "revoke"}, headers=other).status_code == 403


@pytest.mark.parametrize(
    "body",
    [
        {"ids": [], "action": "revoke"},
        {"ids": ["a"], "action": "delete"},
        {"ids": ["a"] * 1001, "action": "revoke"},
    ],
)
def test_bulk_endpoint_validates_its_body(
    client: TestClient, world: StatusWorld, revoker: dict[str, str], body: dict[str, Any]
) -> None:
    response = client.post("/v1/issuers/uni-example/credentials/status", json=body, headers=revoker)
    assert response.status_code == 422


def _vc_api(
    client: TestClient,
    headers: dict[str, str],
    credential_id: str,
    purpose: str,
    value: bool,
    **extra: Any,
) -> Any:
    return client.post(
        "/credentials/status",
        json={
            "credentialId": credential_id,
            "credentialStatus": {
                "type": "BitstringStatusListEntry",
                "statusPurpose": purpose,
                **extra,
            },
            "status": value,
        },
        headers=headers,
    )


def test_vc_api_status_maps_onto_suspend_reinstate_and_revoke(
    client: TestClient, world: StatusWorld, session: Session, revoker: dict[str, str]
) -> None:
    credential = world.credential(suspendable=True)
    entry = session.get_one(StatusEntry, (credential.id, "suspension"))
    listed = credential.document["credentialStatus"][1]

    suspended = _vc_api(
        client,
        revoker,
        credential.id,
        "suspension",
        True,
        statusListIndex=listed["statusListIndex"],
        statusListCredential=listed["statusListCredential"],
    )
    assert suspended.json()["status"] == "suspended"
    wrong = _vc_api(
        client, revoker, credential.id, "suspension", False, statusListIndex=str(entry.index + 1)
    )
    assert wrong.status_code == 422
    assert _vc_api(client, revoker, credential.id, "suspension", False).json()["status"] == "active"
    assert _vc_api(client, revoker, credential.id, "revocation", False).status_code == 409
    assert _vc_api(client, revoker, credential.id, "revocation", True).json()["status"] == "revoked"
    assert _vc_api(client, revoker, credential.id, "revocation", True).status_code == 409


def test_vc_api_status_finds_a_credential_by_its_document_id(
    client: TestClient, world: StatusWorld, session: Session, revoker: dict[str, str]
) -> None:
    credential = world.credential()
    credential.document = {**credential.document, "id": "urn:example:chosen-by-the-client"}
    session.flush()

    response = _vc_api(client, revoker, "urn:example:chosen-by-the-client", "revocation", True)

    assert response.status_code == 200, response.text
    assert response.json()["id"] == credential.id


@pytest.mark.parametrize(
    ("credential_id", "purpose", "entry_type", "expected"),
    [
        ("unknown", "revocation", "BitstringStatusListEntry", 404),
        (None, "message", "BitstringStatusListEntry", 422),
        (None, "revocation", "StatusList2021Entry", 422),
    ],
)
def test_vc_api_status_errors(
    client: TestClient,
    world: StatusWorld,
    revoker: dict[str, str],
    credential_id: str | None,
    purpose: str,
    entry_type: str,
    expected: int,
) -> None:
    credential = world.credential()
    response = client.post(
        "/credentials/status",
        json={
            "credentialId": credential_id or credential.id,
            "credentialStatus": {"type": entry_type, "statusPurpose": purpose},
            "status": True,
        },
        headers=revoker,
    )
    assert response.status_code == expected, response.text


def test_a_revocation_reads_its_issuer_once_and_writes_its_list_once(
    client: TestClient, world: StatusWorld, revoker: dict[str, str], connection: Connection
) -> None:
    credential = world.credential()

    with statements(connection) as seen:
        response = client.post(f"/v1/credentials/{credential.id}/revoke", headers=revoker)

    assert response.status_code == 200, response.text
    issuer_reads = [s for s in seen if s.startswith("SELECT") and "\nFROM issuer \n" in s]
    list_writes = [s for s in seen if s.startswith("UPDATE status_list ")]
    assert len(issuer_reads) == 1, issuer_reads
    # The new bits and the newly signed list go out together: one new row version.
    assert len(list_writes) == 1, list_writes
    assert "bits=" in list_writes[0]
    assert "published_document=" in list_writes[0]
