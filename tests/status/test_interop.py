"""Our published lists, read by @digitalbazaar/vc-bitstring-status-list (signature checked too)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.interop.node import run_node
from tests.status.factories import StatusWorld, entries_of
from tests.support.status import key_headers

pytestmark = pytest.mark.interop


@pytest.fixture
def now() -> datetime:
    # status-check.mjs verifies the list at the real current time, so its validFrom (the
    # app clock) must already have passed.
    return datetime(2026, 1, 15, 9, 0, tzinfo=UTC)


def _statuses(client: TestClient, credential: dict[str, Any]) -> dict[str, bool | None]:
    did_document = client.get("/issuers/uni-example/did.json").json()
    lists = [client.get(entry["statusListCredential"]).json() for entry in entries_of(credential)]
    result = run_node(
        "status-check.mjs",
        {
            "credential": credential,
            "documents": {did_document["id"]: did_document},
            "statusListCredentials": lists,
            "verifyStatusListCredential": True,
            "verifyMatchingIssuers": True,
        },
    )
    for outcome in result["results"]:
        assert "error" not in outcome, outcome["error"]
    return {outcome["statusPurpose"]: outcome["status"] for outcome in result["results"]}


def test_reference_library_reads_our_revocation_and_suspension_bits(
    client: TestClient, world: StatusWorld, session: Session
) -> None:
    credential = world.credential(suspendable=True)
    world.credential(suspendable=True)
    assert len(entries_of(credential.document)) == 2
    revoker = key_headers(session)

    assert _statuses(client, credential.document) == {"revocation": False, "suspension": False}

    client.post(f"/v1/credentials/{credential.id}/suspend", headers=revoker)
    assert _statuses(client, credential.document) == {"revocation": False, "suspension": True}

    client.post(f"/v1/credentials/{credential.id}/reinstate", headers=revoker)
    client.post(f"/v1/credentials/{credential.id}/revoke", headers=revoker)
    assert _statuses(client, credential.document) == {"revocation": True, "suspension": False}
