"""The issuer signs only what the verifier accepts (issue 12.1).

One corpus of VC-API issue requests: the refused ones answer 422 naming the field, and for
every accepted one `POST /credentials/verify` answers 200 with `verified: true`.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.credentials.factories import World

pytestmark = pytest.mark.usefixtures("verification_state")

V2 = "https://www.w3.org/ns/credentials/v2"
V1 = "https://www.w3.org/2018/credentials/v1"
EXAMPLES = "https://www.w3.org/ns/credentials/examples/v2"
OB = [
    V2,
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
]
ISSUER = "ISSUER"  # replaced by the test issuer's DID
STATUS = {
    "id": "https://status.example/lists/3#94567",
    "type": "BitstringStatusListEntry",
    "statusPurpose": "revocation",
    "statusListIndex": "94567",
    "statusListCredential": "https://status.example/lists/3",
}


def _v2(**members: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "@context": [V2, EXAMPLES],
        "type": ["VerifiableCredential"],
        "issuer": ISSUER,
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:subject", "name": "Ada"},
    }
    base.update(members)
    return {k: v for k, v in base.items() if v is not None}


def _ob(**subject: Any) -> dict[str, Any]:
    achievement: dict[str, Any] = {
        "id": "https://example.org/achievements/1",
        "type": ["Achievement"],
        "name": "Python",
        "description": "Writes Python.",
        "criteria": {"narrative": "Passed."},
        "creditsAvailable": 5,
        "resultDescription": [
            {
                "id": "https://example.org/achievements/1#grade",
                "type": ["ResultDescription"],
                "name": "Score",
                "resultType": "ScaledScore",
                "valueMin": "0",
                "valueMax": "100",
            },
            {
                "id": "https://example.org/achievements/1#letter",
                "type": ["ResultDescription"],
                "name": "Letter",
                "resultType": "LetterGrade",
                "allowedValue": ["A", "B", "C"],
            },
        ],
    }
    return {
        "@context": list(OB),
        "id": "urn:uuid:2b4dbc92-93b1-4f5b-8a44-0c8e1f4c2d11",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": "Python",
        "issuer": {"id": ISSUER, "type": ["Profile"], "name": "Uni"},
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "achievement": achievement,
            **subject,
        },
    }


ACCEPTED: dict[str, dict[str, Any]] = {
    "minimal v2": _v2(),
    "subject with id only": _v2(credentialSubject={"id": "did:example:s"}),
    "two subjects": _v2(credentialSubject=[{"id": "did:example:a"}, {"name": "B"}]),
    "own well-formed BSL entry is replaced": _v2(credentialStatus=dict(STATUS)),
    "suspension entry asked for": _v2(credentialStatus={**STATUS, "statusPurpose": "suspension"}),
    "other status type kept beside ours": _v2(
        credentialStatus={"id": "https://example.org/status/1", "type": "ExampleStatus"}
    ),
    "caller id (urn)": _v2(id="urn:uuid:7a0c4d1e-2f87-4a8b-9c1b-58e0e2d7a1f3"),
    "evidence with type": _v2(evidence=[{"id": "https://example.org/e/1", "type": ["Evidence"]}]),
    "termsOfUse with type": _v2(termsOfUse={"type": "ExampleTermsPolicy"}),
    "validUntil after validFrom": _v2(validUntil="2030-01-01T00:00:00+02:00"),
    "relatedResource": _v2(
        relatedResource=[
            {
                "id": "https://example.org/pictures/1.png",
                "digestSRI": "sha384-" + "A" * 64,
            }
        ]
    ),
    "v1 credential": {
        "@context": [V1],
        "type": ["VerifiableCredential"],
        "issuer": ISSUER,
        "issuanceDate": "2026-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:subject"},
    },
    "open badge": _ob(
        creditsEarned=5,
        result=[
            {
                "type": ["Result"],
                "resultDescription": "https://example.org/achievements/1#grade",
                "value": "87",
            },
            {
                "type": ["Result"],
                "resultDescription": "https://example.org/achievements/1#letter",
                "value": "B",
            },
        ],
    ),  # fmt: skip
}

REFUSED: dict[str, tuple[dict[str, Any], str]] = {
    "status without type": (
        _v2(credentialStatus={"id": "https://example.org/s/1"}),
        "credential.credentialStatus.type",
    ),
    "termsOfUse without type": (
        _v2(termsOfUse={"id": "https://example.org/t/1"}),
        "credential.termsOfUse.type",
    ),
    "evidence without type": (
        _v2(evidence=[{"id": "https://example.org/e/1"}]),
        "credential.evidence",
    ),
    "refreshService without type": (
        _v2(refreshService={"id": "https://example.org/r/1"}),
        "credential.refreshService",
    ),
    "credentialSchema without type": (
        _v2(credentialSchema={"id": "https://example.org/schema.json"}),
        "credential.credentialSchema",
    ),
    "empty subject": (_v2(credentialSubject={}), "credential.credentialSubject"),
    "no subjects": (_v2(credentialSubject=[]), "credential.credentialSubject"),
    "one empty subject": (_v2(credentialSubject=[{}]), "credential.credentialSubject"),
    "validFrom in RFC 2822": (
        _v2(validFrom="Sun, 26 Feb 2023 01:22:14 +0000"),
        "credential.validFrom",
    ),
    "validUntil without zone": (
        _v2(validUntil="2030-01-01T00:00:00"),
        "credential.validUntil",
    ),
    "validUntil before validFrom": (
        _v2(validUntil="2025-01-01T00:00:00Z"),
        "credential.validUntil",
    ),
    "BSL entry without purpose": (
        _v2(credentialStatus={k: v for k, v in STATUS.items() if k != "statusPurpose"}),
        "credential.credentialStatus",
    ),
    "BSL index not a decimal string": (
        _v2(credentialStatus={**STATUS, "statusListIndex": True}),
        "credential.credentialStatus",
    ),
    "BSL index outside the list": (
        _v2(credentialStatus={**STATUS, "statusListIndex": "131072"}),
        "credential.credentialStatus.statusListIndex",
    ),
    "BSL purpose we do not manage": (
        _v2(credentialStatus={**STATUS, "statusPurpose": "message"}),
        "credential.credentialStatus",
    ),
    "id not a URL": (_v2(id="https ://not-a-url/1"), "credential.id"),
    "status id not a URL": (
        _v2(credentialStatus={"id": "not a url", "type": "ExampleStatus"}),
        "credential.credentialStatus.id",
    ),
    "relatedResource without digest": (
        _v2(relatedResource=[{"id": "https://example.org/1.png"}]),
        "credential.relatedResource.0",
    ),
    "relatedResource ids repeated": (
        _v2(
            relatedResource=[
                {"id": "https://example.org/1.png", "digestSRI": "sha256-" + "A" * 43 + "="},
                {"id": "https://example.org/1.png", "digestSRI": "sha256-" + "A" * 43 + "="},
            ]
        ),
        "credential.relatedResource.1.id",
    ),
    "v1 status without id": (
        {
            "@context": [V1, "https://www.w3.org/2018/credentials/examples/v1"],
            "type": ["VerifiableCredential"],
            "issuer": ISSUER,
            "issuanceDate": "2026-01-01T00:00:00Z",
            "credentialSubject": {"id": "did:example:subject"},
            "credentialStatus": {"type": "ExampleStatus"},
        },
        "credential.credentialStatus.id",
    ),
    "id null": ({**_v2(), "id": None}, "credential.id"),
    "type mapped to a non-URL": (
        _v2(
            **{
                "@context": [V2, {"ExampleTestCredential": "https ://not-a-url#Example"}],
                "type": ["VerifiableCredential", "ExampleTestCredential"],
            }
        ),
        "credential",
    ),
    "protected term redefined": (
        _v2(**{"@context": [V2, {"VerifiableCredential": "https://example.org/#Bad"}]}),
        "credential",
    ),
    "credits above those available": (
        _ob(creditsEarned=50),
        "credential.credentialSubject.creditsEarned",
    ),
    "score above the maximum": (
        _ob(
            result=[
                {
                    "type": ["Result"],
                    "value": "101",
                    "resultDescription": "https://example.org/achievements/1#grade",
                }
            ]
        ),
        "credential.credentialSubject.result.0.value",
    ),  # fmt: skip
    "grade not allowed": (
        _ob(
            result=[
                {
                    "type": ["Result"],
                    "value": "F",
                    "resultDescription": "https://example.org/achievements/1#letter",
                }
            ]
        ),
        "credential.credentialSubject.result.0.value",
    ),  # fmt: skip
}


def _with_issuer(value: Any, did: str) -> Any:
    if value == ISSUER:
        return did
    if isinstance(value, dict):
        return {k: _with_issuer(v, did) for k, v in value.items()}
    if isinstance(value, list):
        return [_with_issuer(v, did) for v in value]
    return value


def _issue(world: World, credential: dict[str, Any], **options: Any) -> Any:
    body = {"credential": _with_issuer(copy.deepcopy(credential), world.issuer["did"])}
    body["options"] = options
    return world.client.post("/credentials/issue", json=body, headers=world.issue_headers)


def _verify(client: TestClient, credential: Any) -> Any:
    return client.post("/credentials/verify", json={"verifiableCredential": credential})


@pytest.mark.parametrize("name", sorted(ACCEPTED))
@pytest.mark.parametrize("cryptosuite", ["eddsa-rdfc-2022", "eddsa-jcs-2022"])
def test_whatever_is_issued_verifies(world: World, name: str, cryptosuite: str) -> None:
    issued = _issue(world, ACCEPTED[name], cryptosuite=cryptosuite)
    assert issued.status_code == 201, issued.text
    vc = issued.json()["verifiableCredential"]
    verified = _verify(world.client, vc)
    assert verified.status_code == 200, verified.text
    assert verified.json()["verified"] is True


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_what_the_verifier_would_refuse_is_not_signed(world: World, name: str) -> None:
    credential, field = REFUSED[name]
    response = _issue(world, credential)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["errors"][0]["field"].startswith(field), body


def test_refused_inputs_are_refused_by_the_verifier_too(world: World) -> None:
    """Where the verifier has the same rule, signing the input anyway fails verification."""
    from app.crypto.data_integrity import add_proof
    from app.crypto.keys import generate_private_key
    from app.crypto.multikey import did_key_for
    from app.crypto.signer import LocalSigner

    key = generate_private_key("Ed25519")
    did = did_key_for(key.public_key())
    signer = LocalSigner(key, f"{did}#{did.removeprefix('did:key:')}")
    structural = [n for n in REFUSED if "BSL" not in n and "credits" not in n]
    structural = [n for n in structural if "score" not in n and "grade" not in n]
    for name in structural:
        credential = _with_issuer(copy.deepcopy(REFUSED[name][0]), did)
        try:
            signed = add_proof(credential, signer, created=world_now())
        except Exception:  # noqa: BLE001 - unsignable is refused as well
            continue
        body = _verify(world.client, signed).json()
        assert body["verified"] is False, name


def world_now() -> Any:
    from datetime import UTC, datetime

    return datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
