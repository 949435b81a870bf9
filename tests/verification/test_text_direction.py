"""Text direction (VC DM 2.0 §11.1): value objects with @language and @direction are signed
and verified, canonicalized as the reference stack does (rdfDirection "i18n-datatype")."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from tests.credentials.factories import World
from tests.interop.node import run_node

pytestmark = pytest.mark.usefixtures("verification_state")

V2 = "https://www.w3.org/ns/credentials/v2"


def _directed(issuer: str) -> dict[str, Any]:
    return {
        "@context": [V2, "https://www.w3.org/ns/credentials/examples/v2"],
        "type": ["VerifiableCredential"],
        "name": {"@value": "شهادة الإتمام", "@language": "ar", "@direction": "rtl"},
        "description": [
            {"@value": "Course certificate", "@language": "en", "@direction": "ltr"},
            {"@value": "תעודת סיום", "@language": "he", "@direction": "rtl"},
        ],
        "issuer": {
            "id": issuer,
            "name": {"@value": "جامعة المثال", "@language": "ar", "@direction": "rtl"},
            "description": {"@value": "Example University", "@language": "en"},
        },
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {
            "id": "did:example:learner",
            "name": {"@value": "Ada", "@direction": "ltr"},
        },
    }


def _verify(world: World, credential: Any) -> Any:
    response = world.client.post("/credentials/verify", json={"verifiableCredential": credential})
    return response


@pytest.mark.interop
@pytest.mark.parametrize("cryptosuite", ["eddsa-rdfc-2022", "eddsa-jcs-2022"])
def test_we_sign_directed_text_and_the_reference_stack_verifies(
    world: World, cryptosuite: str
) -> None:
    response = world.client.post(
        "/credentials/issue",
        json={
            "credential": _directed(world.issuer["did"]),
            "options": {"cryptosuite": cryptosuite},
        },
        headers=world.issue_headers,
    )
    assert response.status_code == 201, response.text
    vc = response.json()["verifiableCredential"]
    assert vc["name"]["@direction"] == "rtl"
    doc = world.did_document()
    result = run_node("verify-di.mjs", {"credential": vc, "documents": {doc["id"]: doc}})
    assert result["verified"], result["errors"]
    ours = _verify(world, vc)
    assert ours.status_code == 200, ours.text
    # The direction is signed: flipping it breaks the signature (RDFC) or the bytes (JCS).
    flipped = {**vc, "name": {**vc["name"], "@direction": "ltr"}}
    assert _verify(world, flipped).json()["verified"] is False
    assert not run_node("verify-di.mjs", {"credential": flipped, "documents": {doc["id"]: doc}})[
        "verified"
    ]


@pytest.mark.interop
def test_the_reference_stack_signs_directed_text_and_we_verify(world: World, now: datetime) -> None:
    # Signed at the test clock's time: a proof from the verifier's future is refused.
    created = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    request = {
        "credential": _directed("did:example:replaced"),
        "setIssuer": True,
        "created": created,
    }
    signed = run_node("sign-di.mjs", request)["signed"]
    assert signed["issuer"]["name"]["@direction"] == "rtl"
    response = _verify(world, signed)
    assert response.status_code == 200, response.text
    assert response.json()["verified"] is True
    flipped = {**signed, "issuer": {**signed["issuer"], "name": {**signed["issuer"]["name"],
                                                                 "@direction": "ltr"}}}  # fmt: skip
    assert _verify(world, flipped).json()["verified"] is False


def test_a_directed_credential_on_the_verify_page_is_not_a_server_error(world: World) -> None:
    signed = world.client.post(
        "/credentials/issue",
        json={"credential": _directed(world.issuer["did"])},
        headers=world.issue_headers,
    ).json()["verifiableCredential"]
    import json

    page = world.client.post("/verify", data={"credential": json.dumps(signed)})
    assert page.status_code == 200, page.text
    assert "Verified" in page.text
