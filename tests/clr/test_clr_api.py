"""POST /v1/issuers/{slug}/clr: only verified credentials of the learner go into a record."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.pathways.factories import LEARNER, Bank


def _clr(bank: Bank, body: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
    return bank.client.post(
        f"/v1/issuers/{bank.mooc.slug}/clr",
        json={"recipient": LEARNER, **body},
        headers=headers or bank.mooc.issue_headers,
    )


def test_a_record_of_stored_and_posted_credentials(bank: Bank, client: TestClient) -> None:
    python = bank.mooc.issue(bank.python)
    web = bank.mooc.issue(bank.web)
    outside = bank.outside_databases()
    python_url = python["credential"]["credentialSubject"]["achievement"]["id"]
    web_url = web["credential"]["credentialSubject"]["achievement"]["id"]
    response = _clr(
        bank,
        {
            "credential_ids": [python["id"], web["id"]],
            "credentials": [outside],
            "associations": [
                {"associationType": "precedes", "sourceId": python_url, "targetId": web_url}
            ],
        },
    )
    assert response.status_code == 201, response.text
    body = response.json()
    record = body["credential"]
    assert body["included"] == [python["credential"]["id"], web["credential"]["id"], outside["id"]]
    subject = record["credentialSubject"]
    assert subject["type"] == ["ClrSubject"]
    assert subject["identifier"][0]["identityType"] == "emailAddress"
    assert "ada@example.org" not in str(record)
    assert [a["name"] for a in subject["achievement"]] == [
        "Python Programming", "Web Development", "Relational Databases"
    ]  # fmt: skip
    assert subject["association"] == [
        {"type": "Association", "associationType": "precedes",
         "sourceId": python_url, "targetId": web_url}
    ]  # fmt: skip
    assert subject["verifiableCredential"][2] == outside  # its own proof, untouched
    assert record["credentialSchema"][0]["id"].endswith("clr_v2p0_clrcredential_schema.json")
    assert client.get(f"/clr/{body['id']}").json() == record

    report = client.post("/credentials/verify", json={"verifiableCredential": record})
    assert report.status_code == 200, report.text
    assert [r["verified"] for r in report.json()["credentials"]] == [True, True, True]

    # Later, one included credential is revoked: the record's proof still verifies, and the
    # report names the credential inside that no longer does.
    bank.mooc.revoke(web["id"])
    report = client.post("/credentials/verify", json={"verifiableCredential": record})
    assert report.status_code == 422
    verdicts = report.json()["credentials"]
    assert [r["verified"] for r in verdicts] == [True, False, True]
    assert "credential 2" in str(report.json()["errors"])


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "body"),
        ({"credential_ids": ["00000000-0000-0000-0000-000000000000"]}, "credential_ids[0]"),
        ({"credentials": ["eyJhbGciOiJFZERTQSJ9.e30.sig"]}, "credentials[0]"),
        ({"credentials": [{"@context": ["https://www.w3.org/ns/credentials/v2"]}]},
         "credentials[0]"),
    ],
)  # fmt: skip
def test_bad_requests_name_the_field(bank: Bank, body: dict[str, Any], field: str) -> None:
    response = _clr(bank, body)
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == field


def test_only_verified_credentials_of_this_learner(bank: Bank) -> None:
    python = bank.mooc.issue(bank.python)
    tampered = copy.deepcopy(python["credential"])
    tampered["credentialSubject"]["creditsEarned"] = 60
    response = _clr(bank, {"credentials": [tampered]})
    assert response.status_code == 422
    assert "did not verify" in response.json()["detail"]

    someone_else = bank.mooc.issue(bank.python, recipient={"email": "eve@example.org"})
    response = _clr(bank, {"credential_ids": [python["id"], someone_else["id"]]})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "credential_ids[1]"
    assert "someone else" in response.json()["detail"]

    achievement = python["credential"]["credentialSubject"]["achievement"]["id"]
    for association, field in (
        ({"associationType": "isFriendOf", "sourceId": achievement, "targetId": achievement},
         "associations[0].associationType"),
        ({"associationType": "isParentOf", "sourceId": achievement, "targetId": "urn:x"},
         "associations[0].targetId"),
    ):  # fmt: skip
        response = _clr(bank, {"credential_ids": [python["id"]], "associations": [association]})
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == field


def test_other_issuers_keys_and_private_credentials(bank: Bank) -> None:
    python = bank.mooc.issue(bank.python)
    foreign = _clr(bank, {"credential_ids": [python["id"]]}, headers=bank.college.issue_headers)
    assert foreign.status_code == 403
    # The college may include the MOOC's credential while its page is public, not after.
    college = bank.client.post(
        f"/v1/issuers/{bank.college.slug}/clr",
        json={"recipient": LEARNER, "credential_ids": [python["id"]]},
        headers=bank.college.issue_headers,
    )
    assert college.status_code == 201, college.text
    hidden = bank.client.post(
        f"/v1/credentials/{python['id']}/page", json={"public": False},
        headers=bank.mooc.issue_headers,
    )  # fmt: skip
    assert hidden.status_code == 200, hidden.text
    college = bank.client.post(
        f"/v1/issuers/{bank.college.slug}/clr",
        json={"recipient": LEARNER, "credential_ids": [python["id"]]},
        headers=bank.college.issue_headers,
    )
    assert college.status_code == 422
    assert bank.client.get("/clr/not-a-record").status_code == 404


def test_the_command_line_lists_included_credentials(bank: Bank) -> None:
    from app.verification.report import Report, render_text

    inner = Report()
    inner.add("proof", "failed", "the signature does not match")
    outer = Report(nested=[inner])
    outer.add("proof", "passed", "signed")
    text = render_text(outer)
    assert "included credential 1: NOT VERIFIED: the signature does not match" in text
