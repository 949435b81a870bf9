"""Verification never writes: status changes re-sign their lists in their own transaction,
and a verification with a stale list signs it in memory (tests/foundation/test_read_session.py:
the verify routes' session refuses writes)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.status.models import StatusList
from tests.credentials.factories import World

pytestmark = pytest.mark.usefixtures("verification_state")


def _row(session: Session, world: World) -> StatusList:
    [row] = session.scalars(
        select(StatusList).where(StatusList.purpose == "revocation").order_by(StatusList.number)
    ).all()
    session.refresh(row)
    return row


def _list_url(credential: dict[str, Any]) -> str:
    status = credential["credentialStatus"]
    entries = status if isinstance(status, list) else [status]
    [url] = [e["statusListCredential"] for e in entries if e["statusPurpose"] == "revocation"]
    return str(url)


def _published(row: StatusList) -> tuple[Any, ...]:
    return (row.published_document, row.published_jwt, row.published_version, row.etag)


def test_a_revocation_re_signs_its_list_in_its_own_transaction(
    world: World, session: Session
) -> None:
    issued = world.issue()
    revoked = world.client.post(
        f"/v1/credentials/{issued['id']}/revoke", headers=world.revoke_headers
    )
    assert revoked.status_code == 200, revoked.text

    row = _row(session, world)
    # Nobody fetched the list: the change itself stored the new signed version.
    assert row.published_version == row.version
    assert row.published_document is not None
    served = world.client.get(_list_url(issued["credential"]))
    assert served.headers["etag"] == row.etag


def test_verifying_with_a_stale_list_writes_nothing(world: World, session: Session) -> None:
    issued = world.issue()
    list_url = _list_url(issued["credential"])
    assert world.client.get(list_url).status_code == 200
    # A new signing key makes the stored list stale (it must be re-signed by the new key).
    rotated = world.client.post(f"/v1/issuers/{world.slug}/keys", json={}, headers=world.admin)
    assert rotated.status_code == 201, rotated.text
    before = _published(_row(session, world))

    verified = world.client.post(
        "/credentials/verify", json={"verifiableCredential": issued["credential"]}
    )

    assert verified.status_code == 200, verified.text
    [status] = [c for c in verified.json()["checks"] if c["check"] == "status"]
    assert status["outcome"] == "passed"
    assert _published(_row(session, world)) == before
    # The list's own route still re-signs and stores it, as before.
    assert world.client.get(list_url).json()["proof"][0]["verificationMethod"].endswith("#key-2")
    assert _published(_row(session, world)) != before
