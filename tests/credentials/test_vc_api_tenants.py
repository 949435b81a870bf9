"""VC-API issuance with caller-chosen ids and status, across two tenants (issue 11.5), and the
issue-time options (issue 12.5)."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.auth.scopes import Scope
from app.status.models import StatusEntry
from tests.conftest import make_key
from tests.credentials.factories import World
from tests.interop.node import run_node

V2 = "https://www.w3.org/ns/credentials/v2"
PUBLIC = "http://127.0.0.1:8000"


@pytest.fixture
def other(client: TestClient, session: Session, admin_headers: dict[str, str]) -> World:
    return World(client, session, admin_headers, slug="uni-other", name="Other University")


def _credential(world: World, **members: Any) -> dict[str, Any]:
    return {
        "@context": [V2],
        "type": ["VerifiableCredential"],
        "issuer": world.issuer["did"],
        "credentialSubject": {"id": "did:example:subject"},
        **members,
    }


def _issue(world: World, credential: dict[str, Any], **options: Any) -> Any:
    return world.client.post(
        "/credentials/issue",
        json={"credential": credential, "options": options},
        headers=world.issue_headers,
    )


def _status(
    client: TestClient, headers: dict[str, str], credential_id: str, value: bool = True,
    **entry: Any,
) -> Any:  # fmt: skip
    return client.post(
        "/credentials/status",
        json={
            "credentialId": credential_id,
            "credentialStatus": {
                "type": "BitstringStatusListEntry",
                "statusPurpose": "revocation",
                **entry,
            },
            "status": value,
        },
        headers=headers,
    )


def test_a_shared_caller_id_acts_on_the_callers_own_credential(
    world: World, other: World, session: Session, admin_headers: dict[str, str]
) -> None:
    shared = "urn:example:shared-id"
    mine = _issue(world, _credential(world, id=shared)).json()["verifiableCredential"]
    theirs = _issue(other, _credential(other, id=shared)).json()["verifiableCredential"]

    revoked = _status(world.client, world.revoke_headers, shared)
    assert revoked.status_code == 200, revoked.text
    assert world.client.get(f"/v1/credentials/{revoked.json()['id']}",
                            headers=world.issue_headers).json()["credential"] == mine  # fmt: skip
    other_status = other.client.get(
        f"/v1/issuers/{other.slug}/credentials?status=revoked", headers=other.issue_headers
    )
    assert other_status.json()["items"] == []

    # An unbound admin key cannot tell the two apart: refused, nothing changed ...
    ambiguous = _status(world.client, admin_headers, shared)
    assert ambiguous.status_code == 409, ambiguous.text
    assert len(ambiguous.json()["candidates"]) == 2
    # ... unless the status list names the tenant.
    chosen = _status(
        world.client, admin_headers, shared,
        statusListCredential=theirs["credentialStatus"]["statusListCredential"],
    )  # fmt: skip
    assert chosen.status_code == 200, chosen.text
    assert chosen.json()["status"] == "revoked"


def test_a_caller_id_is_unique_within_its_issuer(world: World, other: World) -> None:
    assert _issue(world, _credential(world, id="urn:example:1")).status_code == 201
    again = _issue(world, _credential(world, id="urn:example:1"))
    assert again.status_code == 409, again.text
    assert _issue(other, _credential(other, id="urn:example:1")).status_code == 201


@pytest.mark.parametrize(
    "caller_id",
    [
        f"{PUBLIC}/credentials/00000000-0000-4000-8000-000000000000",
        f"{PUBLIC}/issuers/uni-other",
        PUBLIC,
        "HTTP://127.0.0.1:8000/Credentials/00000000-0000-4000-8000-000000000000",
        f"{PUBLIC}#fragment",
    ],
)
def test_ids_in_our_url_space_are_refused(world: World, caller_id: str) -> None:
    response = _issue(world, _credential(world, id=caller_id))
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "credential.id"
    via_option = _issue(world, _credential(world), credentialId=caller_id)
    assert via_option.status_code == 422
    assert via_option.json()["errors"][0]["field"] == "options.credentialId"


def test_another_tenants_credential_url_is_refused_and_not_resolved(
    world: World, other: World
) -> None:
    theirs = _issue(other, _credential(other)).json()["verifiableCredential"]
    taken = _issue(world, _credential(world, id=theirs["id"]))
    assert taken.status_code == 422
    # A key bound to another issuer cannot find it by any of its forms.
    bare = theirs["id"].rsplit("/", 1)[-1]
    for form in (theirs["id"], bare, f"urn:uuid:{bare}"):
        assert _status(world.client, world.revoke_headers, form).status_code == 404


def test_caller_status_is_replaced_by_an_entry_on_our_own_list(
    world: World, other: World, session: Session
) -> None:
    theirs = _issue(other, _credential(other)).json()["verifiableCredential"]
    stolen = dict(theirs["credentialStatus"])  # another tenant's list and bit
    issued = _issue(world, _credential(world, credentialStatus=stolen))
    assert issued.status_code == 201, issued.text
    vc = issued.json()["verifiableCredential"]
    entry = vc["credentialStatus"]
    assert entry["statusListCredential"].startswith(f"{PUBLIC}/status/{world.slug}/")
    assert entry != stolen

    revoked = _status(world.client, world.revoke_headers, vc["id"])
    assert revoked.status_code == 200, revoked.text  # revocable, not a 409
    their_id = theirs["id"].rsplit("/", 1)[-1]
    assert session.get(StatusEntry, (their_id, "revocation")) is not None
    their_record = other.client.get(f"/v1/credentials/{their_id}", headers=other.issue_headers)
    assert their_record.json()["status"] == "active"


def test_a_suspension_entry_asked_for_is_allocated_and_works(world: World) -> None:
    asked = {
        "type": "BitstringStatusListEntry",
        "statusPurpose": "suspension",
        "statusListIndex": "5",
        "statusListCredential": "https://status.example/1",
    }
    vc = _issue(world, _credential(world, credentialStatus=asked)).json()["verifiableCredential"]
    purposes = [e["statusPurpose"] for e in vc["credentialStatus"]]
    assert purposes == ["revocation", "suspension"]
    suspended = _status(world.client, world.revoke_headers, vc["id"], statusPurpose="suspension")
    assert suspended.json()["status"] == "suspended"
    back = _status(world.client, world.revoke_headers, vc["id"], False, statusPurpose="suspension")
    assert back.json()["status"] == "active"


def test_a_read_key_or_other_tenants_key_cannot_issue_for_us(
    world: World, other: World, session: Session
) -> None:
    response = world.client.post(
        "/credentials/issue",
        json={"credential": _credential(world)},
        headers=other.issue_headers,
    )
    assert response.status_code in (400, 403)
    reader = {"Authorization": f"Bearer {make_key(session, Scope.read, issuer=world.slug)}"}
    denied = world.client.post(
        "/credentials/issue", json={"credential": _credential(world)}, headers=reader
    )
    assert denied.status_code == 403


# ---- options (issue 12.5) -------------------------------------------------------------------


def test_cryptosuite_the_key_cannot_make_is_422_listing_the_allowed(world: World) -> None:
    response = _issue(world, _credential(world), cryptosuite="ecdsa-rdfc-2019")
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["allowed"] == ["eddsa-rdfc-2022", "eddsa-jcs-2022"]
    assert "eddsa-jcs-2022" in body["detail"]
    assert _issue(world, _credential(world), cryptosuite="nope").status_code == 422


@pytest.mark.interop
@pytest.mark.parametrize(
    ("key_type", "cryptosuite"),
    [
        ("Ed25519", None),
        ("Ed25519", "eddsa-rdfc-2022"),
        ("Ed25519", "eddsa-jcs-2022"),
        ("P-256", None),
        ("P-256", "ecdsa-rdfc-2019"),
        ("P-256", "ecdsa-jcs-2019"),
    ],
)
def test_every_cryptosuite_verifies_in_the_reference_stack(
    client: TestClient, session: Session, admin_headers: dict[str, str],
    key_type: str, cryptosuite: str | None,
) -> None:  # fmt: skip
    world = World(client, session, admin_headers, key_type=key_type)
    options = {"cryptosuite": cryptosuite} if cryptosuite else {}
    response = _issue(world, _credential(world, name="Ada"), **options)
    assert response.status_code == 201, response.text
    vc = response.json()["verifiableCredential"]
    expected = cryptosuite or ("eddsa-rdfc-2022" if key_type == "Ed25519" else "ecdsa-rdfc-2019")
    assert isinstance(vc["proof"], dict)  # one proof: a single object
    assert vc["proof"]["cryptosuite"] == expected
    doc = world.did_document()
    result = run_node("verify-di.mjs", {"credential": vc, "documents": {doc["id"]: doc}})
    assert result["verified"], result["errors"]
    assert result["proofs"][0]["cryptosuite"] == expected


def _payload(token: str) -> dict[str, Any]:
    segment = token.split(".")[1]
    decoded: dict[str, Any] = json.loads(
        base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    )
    return decoded


@pytest.mark.interop
def test_format_vc_jwt_gives_an_enveloped_credential(world: World) -> None:
    response = _issue(world, _credential(world), format="application/vc+jwt")
    assert response.status_code == 201, response.text
    envelope = response.json()["verifiableCredential"]
    assert envelope["@context"] == [V2]
    assert envelope["type"] == "EnvelopedVerifiableCredential"
    prefix = "data:application/vc+jwt,"
    assert envelope["id"].startswith(prefix)
    token = envelope["id"].removeprefix(prefix)
    payload = _payload(token)
    assert payload["credentialStatus"]["type"] == "BitstringStatusListEntry"
    assert payload["issuer"] == world.issuer["did"]
    doc = world.did_document()
    [method] = [m for m in doc["verificationMethod"] if m["type"] == "JsonWebKey"]
    result = run_node("verify-jwt.mjs", {"jwt": token, "jwk": method, "typ": "vc+jwt"})
    assert result["verified"], result
    revoked = _status(world.client, world.revoke_headers, payload["id"])
    assert revoked.status_code == 200, revoked.text


def test_unknown_format_is_422(world: World) -> None:
    response = _issue(world, _credential(world), format="application/vc+sd-jwt")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "options.format"


def test_open_badges_keep_the_one_element_proof_array(world: World) -> None:
    issued = world.issue()["credential"]
    assert isinstance(issued["proof"], list)
    assert len(issued["proof"]) == 1
    unsigned = {k: v for k, v in issued.items() if k not in ("proof", "id", "credentialStatus")}
    response = _issue(world, unsigned)
    assert response.status_code == 201, response.text
    proof = response.json()["verifiableCredential"]["proof"]
    assert isinstance(proof, list)
    assert len(proof) == 1


@pytest.mark.parametrize(
    ("members", "options"),
    [
        ({"credentialStatus": "https://status.example/1"}, {}),
        ({"credentialStatus": 5}, {}),
        ({"credentialStatus": [1, 2]}, {}),
        ({"credentialStatus": []}, {}),
        ({"credentialStatus": {"type": ["BitstringStatusListEntry"], "statusListIndex": "1"}}, {}),
        ({"credentialStatus": {"type": "BitstringStatusListEntry", "statusPurpose": "revocation",
                               "statusListIndex": "99999999999999999999999",
                               "statusListCredential": "https://s.example/1"}}, {}),
        ({"id": 5}, {}),
        ({"id": ["urn:a", "urn:b"]}, {}),
        ({"relatedResource": {"id": {"x": 1}}}, {}),
        ({"validFrom": 20260101}, {}),
        ({"credentialSubject": "did:example:x"}, {}),
        ({}, {"cryptosuite": 5}),
        ({}, {"format": ["application/vc+jwt"]}),
        ({}, {"credentialId": {"a": 1}}),
        ({"issuer": {"id": None}}, {}),
    ],
)  # fmt: skip
def test_hostile_shapes_are_4xx_never_5xx(
    world: World, members: dict[str, Any], options: dict[str, Any]
) -> None:
    response = _issue(world, _credential(world, **members), **options)
    assert 400 <= response.status_code < 500, response.text
    assert response.headers["content-type"].startswith("application/problem+json")


def test_the_v1_status_routes_refuse_a_shared_caller_id(
    world: World, other: World, admin_headers: dict[str, str]
) -> None:
    shared = "urn:example:shared-v1"
    assert _issue(world, _credential(world, id=shared)).status_code == 201
    assert _issue(other, _credential(other, id=shared)).status_code == 201
    response = world.client.post(f"/v1/credentials/{shared}/revoke", headers=admin_headers)
    assert response.status_code == 409, response.text
    # A key bound to one issuer is refused the other's, never silently given it.
    mine = world.client.post(f"/v1/credentials/{shared}/revoke", headers=world.revoke_headers)
    assert mine.status_code in (403, 409)
