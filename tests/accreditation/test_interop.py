"""The accreditation credential, checked by the reference stack (@digitalbazaar/vc)."""

from __future__ import annotations

import copy

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.credentials.factories import World
from tests.interop.node import run_node
from tests.support.accreditation import Agency

pytestmark = pytest.mark.interop


def test_accreditation_credential_verifies_in_digitalbazaar_vc(
    client: TestClient, session: Session, admin_headers: dict[str, str]
) -> None:
    agency = Agency(World(client, session, admin_headers), admin_headers)
    credential = agency.accredit()["credential"]
    did = client.get("/issuers/quality-agency/did.json").json()
    tampered = copy.deepcopy(credential)
    tampered["credentialSubject"]["accreditation"]["frameworks"][0]["maxLevel"] = "8"

    result = run_node(
        "verify-di.mjs",
        {
            "items": [
                {"credential": c, "now": "2026-11-27T00:00:00Z"} for c in (credential, tampered)
            ],
            "documents": {did["id"]: did},
        },
    )

    genuine, forged = result["results"]
    assert genuine["verified"], genuine["errors"]
    assert not forged["verified"]
