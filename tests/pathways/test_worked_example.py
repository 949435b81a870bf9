"""The worked example of the README, end to end: three MOOC certificates from two issuers and
one transfer rule meet a pathway; the qualification is awarded once; its CLR verifies here
and in the reference JavaScript stack."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.credentials.factories import assert_ob_valid
from tests.interop.node import run_node
from tests.pathways.factories import LEARNER, Bank


def _three_certificates(bank: Bank) -> list[dict[str, Any]]:
    python = bank.mooc.issue(bank.python)["credential"]
    web = bank.mooc.issue(bank.web)["credential"]
    return [python, web, bank.outside_databases()]


def _award(bank: Bank, pathway: dict[str, Any], credentials: list[Any]) -> Any:
    return bank.client.post(
        f"/v1/issuers/{bank.college.slug}/pathways/{pathway['id']}/award",
        json={"recipient": LEARNER, "credentials": credentials},
        headers=bank.college.issue_headers,
    )


def test_without_the_rule_the_outside_certificate_does_not_count(bank: Bank) -> None:
    pathway = bank.pathway()
    result = bank.evaluate(pathway, _three_certificates(bank))

    assert not result["met"]
    assert result["credits"] == 20
    outside = result["credentials"][2]
    assert not outside["counted"]
    assert outside["verified"]
    assert "not trusted" in outside["reason"]
    assert [item["text"] for item in result["missing"]] == [
        "Databases",
        "5 more credits (20 of 25)",
    ]
    assert result["summary"] == (
        "counts toward Software Developer (EQF 5): 20 of 25 credits; "
        "still missing: Databases; 5 more credits (20 of 25)"
    )
    award = _award(bank, pathway, _three_certificates(bank))
    assert award.status_code == 422, award.text
    assert "not met" in award.json()["detail"]
    assert award.json()["evaluation"]["met"] is False


def test_worked_example_end_to_end(bank: Bank, client: TestClient) -> None:
    pathway = bank.pathway()
    rule = bank.rule(pathway)
    certificates = _three_certificates(bank)

    result = bank.evaluate(pathway, certificates)
    assert result["met"], result["missing"]
    assert result["credits"] == 26  # 10 + 10 from the MOOC, 6 by the rule for the outside one
    assert [c["credits"] for c in result["credentials"]] == [10, 10, 6]
    assert result["credentials"][2]["rules"] == [rule["id"]]
    assert result["rules"] == [
        {"id": rule["id"], "credits": 6, "credentials": [certificates[2]["id"]]}
    ]
    databases = next(r for r in result["requirements"] if r.get("name") == "Databases")
    assert databases["satisfied_by"] == [certificates[2]["id"]]

    first = _award(bank, pathway, certificates)
    assert first.status_code == 201, first.text
    awarded = first.json()
    credential = awarded["credential"]
    assert_ob_valid(credential)
    assert credential["credentialSubject"]["achievement"]["name"] == "Software Developer"
    assert credential["credentialSubject"]["creditsEarned"] == 26
    evidence_ids = {e.get("id") for e in credential["evidence"]}
    assert {certificates[0]["id"], certificates[1]["id"]} <= evidence_ids
    assert any(certificates[2]["id"] in e["narrative"] for e in credential["evidence"])
    assert f"http://127.0.0.1:8000/transfer-rules/{rule['id']}" in evidence_ids

    again = _award(bank, pathway, certificates)
    assert again.status_code == 200, again.text
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == awarded["id"]
    assert again.json()["credential"] == credential

    clr = client.get(awarded["clr_url"].removeprefix("http://127.0.0.1:8000"))
    assert clr.status_code == 200
    record = clr.json()
    assert record["type"] == ["VerifiableCredential", "ClrCredential"]
    assert record["@context"][1] == "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
    included = record["credentialSubject"]["verifiableCredential"]
    assert [c["id"] for c in included] == [credential["id"]] + sorted(c["id"] for c in certificates)
    assert included[1:] == sorted(certificates, key=lambda c: c["id"])  # own proofs kept

    report = client.post("/credentials/verify", json={"verifiableCredential": record})
    assert report.status_code == 200, report.text
    body = report.json()
    assert [r["verified"] for r in body["credentials"]] == [True] * 4
    assert any(c["check"] == "credentials" and c["outcome"] == "passed" for c in body["checks"])


@pytest.mark.interop
def test_reference_stack_verifies_the_clr_and_everything_in_it(bank: Bank) -> None:
    pathway = bank.pathway()
    bank.rule(pathway)
    certificates = _three_certificates(bank)
    awarded = _award(bank, pathway, certificates).json()
    record = bank.client.get(awarded["clr_url"].removeprefix("http://127.0.0.1:8000")).json()
    documents = {}
    for party in (bank.college, bank.mooc):
        doc = bank.client.get(f"/issuers/{party.slug}/did.json").json()
        documents[doc["id"]] = doc
    included = record["credentialSubject"]["verifiableCredential"]
    result = run_node(
        "verify-di.mjs",
        {
            "items": [
                {"credential": c, "now": "2026-11-27T00:00:00Z"} for c in [record, *included]
            ],
            "documents": documents,
        },
    )
    verdicts = [(item["verified"], item.get("errors")) for item in result["results"]]
    assert all(ok for ok, _ in verdicts), verdicts
