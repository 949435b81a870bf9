"""Transfer rules: validated, published as signed credentials, revocable like any credential."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.interop.node import run_node
from tests.pathways.factories import Bank


def test_a_rule_is_a_signed_credential_that_verifies(bank: Bank, client: TestClient) -> None:
    pathway = bank.pathway()
    rule = bank.rule(pathway)
    assert rule["from"] == {"issuer": bank.outsider.did, "isced_f": "0612"}
    assert rule["to"] == {"pathway": pathway["id"], "requirement": "Databases"}
    credential = rule["credential"]
    assert credential["type"] == ["VerifiableCredential", "TransferRuleCredential"]
    assert credential["issuer"]["id"] == bank.college.did
    subject = credential["credentialSubject"]
    assert subject["type"] == ["TransferValueProfile"]
    assert subject["transferValue"]["creditValue"] == 6
    assert subject["transferValueFor"]["requirementName"] == "Databases"
    assert credential["credentialStatus"]["statusPurpose"] == "revocation"
    report = client.post("/credentials/verify", json={"verifiableCredential": credential})
    assert report.status_code == 200, report.text
    assert client.get(f"/transfer-rules/{rule['id']}").json() == credential
    assert client.get(f"/v1/transfer-rules/{rule['id']}").json()["status"] == "active"
    jwt_report = client.post(
        "/credentials/verify",
        content=bank.client.get(f"/v1/transfer-rules/{rule['id']}").json()["credential"]["id"],
    )
    assert jwt_report.status_code in (400, 422)  # a URL is not a credential


def test_revoking_the_rule_credential_revokes_the_rule(bank: Bank, client: TestClient) -> None:
    pathway = bank.pathway()
    rule = bank.rule(pathway)
    outside = bank.outside_databases()
    assert bank.evaluate(pathway, [outside])["credentials"][0]["counted"]
    response = client.post(
        f"/v1/credentials/{rule['credential_id']}/revoke",
        json={"reason": "superseded"},
        headers=bank.college.revoke_headers,
    )
    assert response.status_code == 200, response.text
    assert not bank.evaluate(pathway, [outside])["credentials"][0]["counted"]
    report = client.post("/credentials/verify", json={"verifiableCredential": rule["credential"]})
    assert report.status_code == 422
    assert "revoked" in report.text
    assert "Transfer rules" not in client.get(f"/pathways/{pathway['id']}").text


def test_rules_outside_their_window_do_not_count(bank: Bank) -> None:
    pathway = bank.pathway()
    bank.rule(pathway, valid_from="2027-01-01T00:00:00Z")
    bank.rule(pathway, valid_from="2025-01-01T00:00:00Z", valid_until="2026-01-01T00:00:00Z")
    result = bank.evaluate(pathway, [bank.outside_databases()])
    assert result["rules"] == []
    assert not result["credentials"][0]["counted"]


def test_rules_narrow_by_achievement_and_level(bank: Bank) -> None:
    pathway = bank.pathway()
    outside = bank.outside_databases()
    bank.rule(
        pathway,
        **{
            "from": {
                "issuer": bank.outsider.did,
                "achievement": "https://outsider.example/achievements/other",
            }
        },
    )
    bank.rule(
        pathway,
        **{
            "from": {
                "issuer": bank.outsider.did,
                "framework_level": {"framework": "eqf", "level": "6"},
            }
        },
    )
    assert not bank.evaluate(pathway, [outside])["credentials"][0]["counted"]
    level = bank.rule(
        pathway,
        credits=4,
        **{
            "from": {
                "issuer": bank.outsider.did,
                "framework_level": {"framework": "eqf", "level": "5"},
            }
        },
    )
    counted = bank.evaluate(pathway, [outside])["credentials"][0]
    assert counted["counted"]
    assert counted["rules"] == [level["id"]]
    assert counted["credits"] == 4  # this rule names no requirement: credits only
    assert counted["satisfies"] == [
        "requirements[1]", "requirements[2].of[0]", "requirements[2].of[2]"
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"to": {"pathway": "00000000-0000-0000-0000-000000000000"}}, "to.pathway"),
        ({"to": {"pathway": "{pathway}", "requirement": "Cooking"}}, "to.requirement"),
        ({"from": {"issuer": "not a did"}}, "from.issuer"),
        ({"from": {"issuer": "did:key:z6Mk", "isced_f": "0699"}}, "from.isced_f"),
        ({"from": {"issuer": "did:key:z6Mk", "framework_level": {"framework": "eqf"}}},
         "from.framework_level"),
        ({"from": {"issuer": "did:key:z6Mk", "achievement": "gopher://x"}}, "from.achievement"),
        ({"credits": -1}, "credits"),
        ({"valid_from": "yesterday"}, "valid_from"),
        ({"valid_from": "2026-01-01T00:00:00"}, "valid_from"),
        ({"valid_until": "2025-01-01T00:00:00Z"}, "valid_until"),
        ({"colour": "red"}, "colour"),
    ],
)  # fmt: skip
def test_malformed_rules_are_422_naming_the_field(
    bank: Bank, change: dict[str, Any], field: str
) -> None:
    pathway = bank.pathway()
    if "to" in change and change["to"]["pathway"] == "{pathway}":
        change = {"to": {**change["to"], "pathway": pathway["id"]}}
    response = bank.client.post(
        f"/v1/issuers/{bank.college.slug}/transfer-rules",
        json={
            "from": {"issuer": bank.outsider.did},
            "to": {"pathway": pathway["id"]},
            "credits": 5,
            "valid_from": "2026-01-01T00:00:00Z",
            **change,
        },
        headers=bank.college.issue_headers,
    )
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == field


def test_other_issuers_cannot_add_or_revoke_rules(bank: Bank, client: TestClient) -> None:
    pathway = bank.pathway()
    body = {
        "from": {"issuer": bank.outsider.did},
        "to": {"pathway": pathway["id"]},
        "credits": 5,
        "valid_from": "2026-01-01T00:00:00Z",
    }
    foreign = client.post(
        f"/v1/issuers/{bank.college.slug}/transfer-rules",
        json=body,
        headers=bank.mooc.issue_headers,
    )
    assert foreign.status_code == 403
    # Its own slug, but another issuer's pathway: not found for it.
    own = client.post(
        f"/v1/issuers/{bank.mooc.slug}/transfer-rules", json=body, headers=bank.mooc.issue_headers
    )
    assert own.status_code == 422
    assert own.json()["errors"][0]["field"] == "to.pathway"
    rule = bank.rule(pathway)
    for slug, headers, expected in (
        (bank.college.slug, bank.mooc.revoke_headers, 403),
        (bank.mooc.slug, bank.mooc.revoke_headers, 404),
        (bank.college.slug, bank.college.issue_headers, 403),
    ):
        response = client.post(
            f"/v1/issuers/{slug}/transfer-rules/{rule['id']}/revoke", json={}, headers=headers
        )
        assert response.status_code == expected, response.text
    assert client.get(f"/v1/transfer-rules/{rule['id']}").json()["status"] == "active"


@pytest.mark.interop
def test_reference_stack_verifies_rule_credentials(bank: Bank) -> None:
    pathway = bank.pathway()
    credential = bank.rule(pathway)["credential"]
    doc = bank.client.get(f"/issuers/{bank.college.slug}/did.json").json()
    tampered = {**credential, "credentialSubject": {
        **credential["credentialSubject"],
        "transferValue": {**credential["credentialSubject"]["transferValue"], "creditValue": 60},
    }}  # fmt: skip
    result = run_node(
        "verify-di.mjs",
        {
            "items": [
                {"credential": c, "now": "2026-11-27T00:00:00Z"} for c in (credential, tampered)
            ],
            "documents": {doc["id"]: doc},
        },
    )
    first, second = result["results"]
    assert first["verified"], first["errors"]
    assert not second["verified"]
