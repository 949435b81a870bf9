"""POST /v1/pathways/{id}/evaluate: every input verified; what fails verification, or comes
from an untrusted issuer, never counts and says why; inputs in every accepted shape."""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.dependencies import verification_state
from tests.pathways.factories import LEARNER, Bank


def _reasons(result: dict[str, Any]) -> list[tuple[bool, str]]:
    return [(c["counted"], c["reason"]) for c in result["credentials"]]


def test_credentials_that_fail_verification_never_count(bank: Bank) -> None:
    pathway = bank.pathway()
    good = bank.mooc.issue(bank.python)["credential"]
    revoked = bank.mooc.issue(bank.web)
    bank.mooc.revoke(revoked["id"])
    expired = bank.mooc.issue(
        bank.web, valid_from="2025-01-01T00:00:00Z", valid_until="2026-01-01T00:00:00Z"
    )["credential"]
    tampered = copy.deepcopy(good)
    tampered["credentialSubject"]["achievement"]["creditsAvailable"] = 60
    tampered["id"] = tampered["id"] + "-copy"
    suspendable = bank.mooc.achievement(
        "Cloud Basics", level="5", isced_f="0612", credits=5, suspendable=True
    )
    suspended = bank.mooc.issue(suspendable)
    response = bank.client.post(
        f"/v1/credentials/{suspended['id']}/suspend",
        json={"reason": "under review"},
        headers=bank.mooc.revoke_headers,
    )
    assert response.status_code == 200, response.text

    result = bank.evaluate(
        pathway,
        [good, revoked["credential"], expired, tampered, suspended["credential"], "not.a.jwt"],
    )

    counted = [c["counted"] for c in result["credentials"]]
    assert counted == [True, False, False, False, False, False]
    reasons = [c["reason"] for c in result["credentials"]]
    assert "revoked" in reasons[1]
    assert "expired" in reasons[2] or "validUntil" in reasons[2] or "valid until" in reasons[2]
    assert "did not verify" in reasons[3]
    assert "suspended" in reasons[4]
    assert "did not verify" in reasons[5]
    assert result["credits"] == 10
    assert all(c["credits"] == 0 for c in result["credentials"][1:])


def test_jwt_and_json_ld_of_one_credential_count_once(bank: Bank) -> None:
    pathway = bank.pathway()
    issued = bank.mooc.issue(bank.python)
    result = bank.evaluate(pathway, [issued["credential"], issued["jwt"]])
    assert [c["counted"] for c in result["credentials"]] == [True, True]
    assert [c["credits"] for c in result["credentials"]] == [10, 0]
    assert "count once" in result["credentials"][1]["reason"]
    assert result["credits"] == 10


def test_a_presentation_is_accepted(bank: Bank, client: TestClient) -> None:
    pathway = bank.pathway()
    python = bank.mooc.issue(bank.python)
    presentation = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "verifiableCredential": [python["credential"]],
    }
    for body in (presentation, {"presentation": presentation}):
        response = client.post(f"/v1/pathways/{pathway['id']}/evaluate", json=body)
        assert response.status_code == 200, response.text
        assert response.json()["credits"] == 10


def test_credentials_that_match_nothing_say_so(bank: Bank) -> None:
    pathway = bank.pathway(requirements=[{"achievement": bank.python["id"]}], min_credits=None)
    web = bank.mooc.issue(bank.web)["credential"]
    result = bank.evaluate(pathway, [web])
    assert _reasons(result) == [(False, "it satisfies no requirement of this pathway")]
    assert result["summary"] == (
        "counts toward Software Developer (EQF 5): 0 credits; still missing: Python Programming"
    )


def test_levels_count_through_equivalences(
    bank: Bank, client: TestClient, admin_headers: dict[str, str]
) -> None:
    national = {
        "code": "nqf-x",
        "name": "National Framework X",
        "jurisdiction": "XX",
        "version": "1",
        "source_url": "https://nqf.example/x",
        "credit_system": "ECTS",
        "levels": [
            {
                "code": str(n),
                "ordinal": n,
                "name": f"Level {n}",
                "descriptors": {"knowledge": "k", "skills": "s", "responsibility_autonomy": "r"},
            }
            for n in range(1, 9)
        ],
    }
    response = client.post("/v1/frameworks", json=national, headers=admin_headers)
    assert response.status_code == 201, response.text
    response = client.post(
        "/v1/frameworks/nqf-x/linkages",
        json={"level": "6", "target_framework": "eqf", "target_level": "6",
              "relation": "exactMatch", "source": "https://nqf.example/report"},
        headers=admin_headers,
    )  # fmt: skip
    assert response.status_code == 201, response.text
    pathway = bank.pathway(
        requirements=[{"framework_level": {"framework": "nqf-x", "level": "5"}}], min_credits=None
    )
    eqf6 = bank.mooc.achievement("Advanced Python", level="6", isced_f="0613", credits=5)
    eqf5 = bank.mooc.issue(bank.python)["credential"]
    assert not bank.evaluate(pathway, [eqf5])["met"]  # EQF 5 has no stated national equivalent
    assert bank.evaluate(pathway, [bank.mooc.issue(eqf6)["credential"]])["met"]


def test_bad_bodies_are_refused(bank: Bank, client: TestClient) -> None:
    pathway = bank.pathway()
    url = f"/v1/pathways/{pathway['id']}/evaluate"
    assert client.post(url, content=b"{not json").status_code == 400
    for body, field in (
        ({}, "credentials"),
        ({"credentials": []}, "credentials"),
        ({"credentials": "x"}, "credentials"),
        ([1, 2], "credentials"),
        ({"credentials": ["x"] * 101}, "credentials"),
        ({"verifiablePresentation": "x"}, "verifiablePresentation"),
    ):
        response = client.post(url, json=body)
        assert response.status_code == 422, (body, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["errors"][0]["field"] == field
    deep: Any = "x"
    for _ in range(200):
        deep = [deep]
    assert client.post(url, json={"credentials": [deep]}).status_code == 413
    assert client.post("/v1/pathways/nope/evaluate", json={"credentials": ["x"]}).status_code == 404


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(order=st.permutations(range(4)), keep=st.lists(st.booleans(), min_size=4, max_size=4))
def test_real_credentials_order_and_subsets(
    bank_pool: tuple[Bank, dict[str, Any], list[Any]], order: list[int], keep: list[bool]
) -> None:
    """Over real, verified credentials: order never matters; more never lowers the result."""
    bank, pathway, pool = bank_pool
    full = bank.evaluate(pathway, [pool[i] for i in order])
    assert (full["met"], full["credits"]) == (True, 26)
    subset = [pool[i] for i in order if keep[i]]
    if subset:
        part = bank.evaluate(pathway, subset)
        assert part["credits"] <= full["credits"]
        assert part["missing"] == bank.evaluate(pathway, list(reversed(subset)))["missing"]


def test_revoking_an_input_or_a_rule_counts_at_the_next_evaluation(
    bank_pool: tuple[Bank, dict[str, Any], list[Any]],
) -> None:
    bank, pathway, pool = bank_pool
    assert bank.evaluate(pathway, pool)["met"]
    bank.mooc.revoke(pool[0]["id"].rsplit("/", 1)[-1])
    after = bank.evaluate(pathway, pool)
    assert not after["met"]
    assert not after["credentials"][0]["counted"]
    assert "revoked" in after["credentials"][0]["reason"]
    [rule] = after["rules"]
    response = bank.client.post(
        f"/v1/issuers/{bank.college.slug}/transfer-rules/{rule['id']}/revoke",
        json={"reason": "agreement ended"},
        headers=bank.college.revoke_headers,
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "revoked"
    again = bank.evaluate(pathway, pool)
    assert again["rules"] == []
    outside = next(c for c in again["credentials"] if c["id"] == pool[2]["id"])
    assert not outside["counted"]
    assert "not trusted" in outside["reason"]


def test_a_presentation_whose_own_proof_fails_counts_nothing(
    bank: Bank, client: TestClient
) -> None:
    pathway = bank.pathway()
    python = bank.mooc.issue(bank.python)["credential"]
    presentation = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "holder": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
        "verifiableCredential": [python],
        "proof": {
            "type": "DataIntegrityProof",
            "cryptosuite": "eddsa-rdfc-2022",
            "proofPurpose": "authentication",
            "verificationMethod": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
            "#z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
            "proofValue": "z" + "1" * 80,
        },
    }
    response = client.post(f"/v1/pathways/{pathway['id']}/evaluate", json=presentation)
    assert response.status_code == 200, response.text
    [entry] = response.json()["credentials"]
    assert not entry["counted"]
    assert "the presentation did not verify" in entry["reason"]


def test_a_learner_record_counts_through_the_credentials_it_includes(
    bank: Bank, client: TestClient
) -> None:
    pathway = bank.pathway()
    bank.rule(pathway)
    python = bank.mooc.issue(bank.python)
    web = bank.mooc.issue(bank.web)
    record = client.post(
        f"/v1/issuers/{bank.mooc.slug}/clr",
        json={"recipient": LEARNER, "credential_ids": [python["id"], web["id"]]},
        headers=bank.mooc.issue_headers,
    ).json()["credential"]
    result = bank.evaluate(pathway, [record, bank.outside_databases(), python["jwt"]])
    assert result["met"]
    assert result["credits"] == 26  # the JWT is the Python credential again: counted once
    entries = [
        (c["input"], c["included"], c["counted"], c["credits"]) for c in result["credentials"]
    ]
    assert entries == [(0, None, False, 0), (0, 1, True, 10), (0, 2, True, 10),
                       (1, None, True, 6), (2, None, True, 0)]  # fmt: skip
    assert "learner record" in result["credentials"][0]["reason"]
    # Tampering with a credential inside breaks the record's own proof: nothing of it counts.
    forged = copy.deepcopy(record)
    forged["credentialSubject"]["verifiableCredential"][1]["name"] = "Forged"
    result = bank.evaluate(pathway, [forged])
    assert [c["counted"] for c in result["credentials"]] == [False]


def test_included_credentials_are_verified_within_a_budget(
    app: FastAPI, bank: Bank, client: TestClient
) -> None:
    # The count of included credentials is the bound under test: a CPU budget generous
    # enough for a slow CI host keeps the request's time limit from answering first.
    state = verification_state(app)
    state.limits = replace(state.limits, cpu_seconds=120.0, wall_seconds=240.0)
    pathway = bank.pathway()
    python = bank.mooc.issue(bank.python)
    record = client.post(
        f"/v1/issuers/{bank.mooc.slug}/clr",
        json={"recipient": LEARNER, "credential_ids": [python["id"]] * 60},
        headers=bank.mooc.issue_headers,
    ).json()["credential"]
    assert len(record["credentialSubject"]["verifiableCredential"]) == 1  # the same one, once
    big = copy.deepcopy(record)
    big["credentialSubject"]["verifiableCredential"] *= 60  # 60 copies: signature now fails
    result = bank.evaluate(pathway, [record, big, big])
    assert [c["counted"] for c in result["credentials"] if c["included"] is None] == [
        False, False, False
    ]  # fmt: skip
    report = client.post("/v1/verify/batch", json={"credentials": [big, big]}).json()
    reasons = [
        c["reason"] for r in report["results"] for c in r["checks"] if c["check"] == "credentials"
    ]
    assert "may verify only 40 more included credentials" in reasons[1]
