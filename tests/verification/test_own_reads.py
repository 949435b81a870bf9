"""What our database says about one of our credentials, read in one round trip.

A verification reads the head of the credential's status list and its successor together
(`DatabaseDocuments.prefetch`). That read serves the verification it was made for only: a
status change or a re-issue shows in the next verification, of the same request too.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from app.core.clock import FixedClock
from app.verification.dependencies import DatabaseDocuments
from tests.credentials.factories import World
from tests.support.statements import statements

pytestmark = pytest.mark.usefixtures("verification_state")


def _list_url(credential: dict[str, Any]) -> str:
    entries = credential["credentialStatus"]
    entry = entries[0] if isinstance(entries, list) else entries
    url: str = entry["statusListCredential"]
    return url


def _documents(app: FastAPI, session: Session, clock: FixedClock) -> DatabaseDocuments:
    return DatabaseDocuments(session, app.state.keyring, urls=app.state.urls, now=clock.now())


def _reissue(world: World, credential_id: str) -> Any:
    response = world.client.post(
        f"/v1/credentials/{credential_id}/reissue", json={}, headers=world.issue_headers
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_status_list_head_and_successor_are_one_statement(
    world: World, connection: Connection
) -> None:
    credential = world.issue()["credential"]

    with statements(connection) as seen:
        response = world.client.post(
            "/credentials/verify", json={"verifiableCredential": credential}
        )

    assert response.status_code == 200, response.text
    successions = [s for s in seen if "credential_succession" in s]
    assert len(successions) == 1
    assert "status_list" in successions[0]


def test_a_prefetched_head_serves_one_question(
    world: World, app: FastAPI, session: Session, clock: FixedClock
) -> None:
    issued = world.issue()
    credential, url = issued["credential"], _list_url(issued["credential"])
    own = _documents(app, session, clock)

    own.prefetch(credential["id"], [url])
    before = own.status_list(url)
    revoked = world.client.post(
        f"/v1/credentials/{issued['id']}/revoke", headers=world.revoke_headers
    )
    assert revoked.status_code == 200, revoked.text
    after = own.status_list(url)

    encoded = [d["credentialSubject"]["encodedList"] for d in (before, after)]
    assert encoded[0] != encoded[1]


def test_a_prefetched_successor_answers_only_its_credential(
    world: World, app: FastAPI, session: Session, clock: FixedClock
) -> None:
    old, other = world.issue(), world.issue()
    new = _reissue(world, old["id"])
    own = _documents(app, session, clock)

    own.prefetch(old["credential"]["id"], [_list_url(old["credential"])])

    assert own.successor_of(other["credential"]["id"]) is None
    assert own.successor_of(old["credential"]["id"]) == new["url"]


def test_each_credential_of_a_batch_reads_its_own_status_and_successor(world: World) -> None:
    old, kept = world.issue(), world.issue()
    new = _reissue(world, old["id"])
    credentials = [old["credential"], kept["credential"], old["credential"]]

    response = world.client.post("/v1/verify/batch", json={"credentials": credentials})

    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [r["verified"] for r in results] == [False, True, False]
    assert [r.get("successor") for r in results] == [new["url"], None, new["url"]]
