"""The referencing report credential, checked by the reference stack (@digitalbazaar/vc)."""

from __future__ import annotations

import copy

import pytest
from fastapi.testclient import TestClient

from tests.interop.node import run_node
from tests.referencing.factories import create_dqr, publish

pytestmark = pytest.mark.interop


def test_report_credential_verifies_in_digitalbazaar_vc(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    create_dqr(client, admin_headers)
    credential = publish(client, admin_headers)["credential"]
    did = client.get("/issuers/registry/did.json").json()
    tampered = copy.deepcopy(credential)
    tampered["credentialSubject"]["levelTable"][5]["targetLevel"] = "7"

    result = run_node(
        "verify-di.mjs",
        {
            "items": [{"credential": c} for c in (credential, tampered)],
            "documents": {did["id"]: did},
        },
    )

    genuine, forged = result["results"]
    assert genuine["verified"], genuine["errors"]
    assert not forged["verified"]
