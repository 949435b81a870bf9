"""Referencing reports: lint, publication as a signed credential, official/proposed labels."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.auth.scopes import Scope
from app.frameworks.models import FrameworkLinkage, ReferencingReport
from app.issuers.models import Issuer
from tests.conftest import make_key
from tests.credentials.factories import World
from tests.referencing.factories import create_dqr, publish, report
from tests.support.problems import assert_problem


def _verify(client: TestClient, credential: Any) -> Any:
    return client.post("/credentials/verify", json={"verifiableCredential": credential})


def _findings(response: Any) -> list[tuple[str, str]]:
    problem = assert_problem(response, 422)
    return [(f["path"], f["message"]) for f in problem["findings"]]  # type: ignore[attr-defined]


def test_criteria_sets_are_data(client: TestClient) -> None:
    sets = {s["code"]: s for s in client.get("/v1/referencing-criteria").json()}
    assert len(sets["eqf"]["criteria"]) == 10
    assert len(sets["aqrf"]["criteria"]) == 11


def test_report_is_published_as_a_signed_credential(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    create_dqr(client, admin_headers)
    body = publish(client, admin_headers)

    assert body["status"] == "official"
    credential = body["credential"]
    assert credential["issuer"].endswith(":issuers:registry")
    assert "ReferencingReportCredential" in credential["type"]
    assert credential["credentialStatus"]["statusPurpose"] == "revocation"
    assert credential["credentialSubject"]["levelTable"][5]["targetLevel"] == "6"
    verified = _verify(client, credential)
    assert verified.status_code == 200, verified.text
    assert verified.json()["verified"] is True
    again = client.get(f"/v1/referencing-reports/{body['id']}").json()
    assert again["credential"] == credential
    assert body["url"].endswith(f"/v1/referencing-reports/{body['id']}")
    assert [r["id"] for r in client.get("/v1/frameworks/de-dqr/referencing-reports").json()] == [
        body["id"]
    ]

    equivalents = client.get("/v1/frameworks/de-dqr/levels/6/equivalents").json()
    [eqf6] = [e for e in equivalents if e["framework"] == "eqf"]
    assert (eqf6["level"], eqf6["relation"], eqf6["label"]) == ("6", "exactMatch", "official")
    linkage = client.get("/v1/frameworks/de-dqr").json()["linkages"][5]
    assert (linkage["label"], linkage["report_id"]) == ("official", body["id"])


def test_proposed_report_gives_proposed_linkages(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    create_dqr(client, admin_headers)
    publish(client, admin_headers, status="proposed")
    equivalents = client.get("/v1/frameworks/de-dqr/levels/6/equivalents").json()
    assert {e["label"] for e in equivalents} == {"proposed"}


@pytest.mark.parametrize(
    ("change", "path", "words"),
    [
        (lambda r: r["criteria"].pop(3), "$.criteria", "criterion 4 of the eqf set"),
        (lambda r: r["criteria"][2].update(evidence=[]), "$.criteria[2].evidence", "evidence"),
        (lambda r: r["criteria"][0].update(id="11"), "$.criteria[0].id", "'11'"),
        (
            lambda r: r["level_table"][4].update(target_level="3"),
            "$.level_table[4]",
            "crossing",
        ),
        (
            lambda r: r["level_table"][4].update(level="9"),
            "$.level_table[4].level",
            "'9' is not a level",
        ),
        (lambda r: r.update(target="nowhere"), "$.target", "nowhere"),
        (lambda r: r.update(approved_on="31.5.2012"), "$.approved_on", "date"),
    ],
)
def test_seeded_faults_are_refused_at_their_path(
    client: TestClient, admin_headers: dict[str, str], session: Session, change: Any, path: str,
    words: str,
) -> None:  # fmt: skip
    create_dqr(client, admin_headers)
    body = report()
    change(body)

    response = client.post(
        "/v1/frameworks/de-dqr/referencing-reports", json=body, headers=admin_headers
    )

    found = [message for where, message in _findings(response) if where == path]
    assert found, _findings(response)
    assert any(words in message for message in found), found
    # Nothing half-stored: no report, no linkage, no registry issuer.
    assert session.scalar(select(func.count()).select_from(ReferencingReport)) == 0
    assert session.scalar(select(func.count()).select_from(FrameworkLinkage)) == 0
    assert session.scalar(select(Issuer).where(Issuer.slug == "registry")) is None
    linted = client.post("/v1/frameworks/lint", json={**body, "framework": "de-dqr"}).json()
    assert path in [f["path"] for f in linted["findings"]]


def test_exact_match_in_the_level_table_must_be_one_to_one(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    create_dqr(client, admin_headers)
    body = report()
    body["level_table"][6]["target_level"] = "6"
    paths = [p for p, _ in _findings(
        client.post("/v1/frameworks/de-dqr/referencing-reports", json=body, headers=admin_headers)
    )]  # fmt: skip
    assert "$.level_table[6]" in paths


def test_who_may_publish(
    client: TestClient, admin_headers: dict[str, str], session: Session
) -> None:
    create_dqr(client, admin_headers)
    url = "/v1/frameworks/de-dqr/referencing-reports"
    world = World(client, session, admin_headers)
    bound_admin = {"Authorization": f"Bearer {make_key(session, Scope.admin, issuer=world.slug)}"}
    assert_problem(client.post(url, json=report()), 401)
    assert_problem(client.post(url, json=report(), headers=world.issue_headers), 403)
    assert_problem(client.post(url, json=report(), headers=bound_admin), 403)
    assert_problem(
        client.post(
            "/v1/frameworks/nowhere/referencing-reports", json=report(), headers=admin_headers
        ),
        404,
    )
    assert_problem(client.post(url, json=report(framework="eqf"), headers=admin_headers), 422)
    for hostile in (["x"], "x", {"criteria": [{}] * 1000}):
        assert_problem(client.post(url, json=hostile, headers=admin_headers), 422)  # fmt: skip
    published = publish(client, admin_headers)
    withdraw = f"{url}/{published['id']}/withdraw"
    assert_problem(client.post(withdraw, json={"reason": "x"}, headers=bound_admin), 403)
    assert_problem(client.post(withdraw, json={"reason": "x"}, headers=world.issue_headers), 403)
    assert_problem(
        client.post(f"{url}/nope/withdraw", json={"reason": "x"}, headers=admin_headers), 404
    )
    assert client.post(withdraw, json={"reason": "x"}, headers=admin_headers).status_code == 200
    assert_problem(client.post(withdraw, json={"reason": "x"}, headers=admin_headers), 409)


def _eqf5_statement(world: World) -> tuple[str, dict[str, Any]]:
    vc = world.issue()["credential"]
    body = _verify(world.client, vc).json()
    assert body["verified"] is True, body
    [aligned] = [a for a in body["meaning"]["alignments"] if "frameworkLevel" in a]
    [dqr] = [e for e in aligned["frameworkLevel"]["equivalents"] if e["framework"] == "de-dqr"]
    return body["meaning"]["statement"], dqr


@pytest.mark.parametrize("how", ["withdraw", "revoke"])
def test_withdrawing_or_revoking_turns_official_into_proposed(
    client: TestClient, admin_headers: dict[str, str], session: Session, how: str
) -> None:
    create_dqr(client, admin_headers)
    published = publish(client, admin_headers)
    world = World(client, session, admin_headers)

    statement, dqr = _eqf5_statement(world)
    assert (
        "equals DQR level 5 (German Qualifications Framework), official referencing report of 2012"
        in statement
    )
    assert dqr["label"] == "official"

    if how == "withdraw":
        response = client.post(
            f"/v1/frameworks/de-dqr/referencing-reports/{published['id']}/withdraw",
            json={"reason": "Superseded"},
            headers=admin_headers,
        )
        assert response.status_code == 200, response.text
        assert response.json()["status"] == "withdrawn"
        assert response.json()["credential_status"] == "revoked"
    else:
        credential_id = published["credential"]["id"].rsplit("/", 1)[-1]
        response = client.post(
            f"/v1/credentials/{credential_id}/revoke", json={"reason": "x"}, headers=admin_headers
        )
        assert response.status_code == 200, response.text

    statement, dqr = _eqf5_statement(world)
    assert (
        "DQR level 5 (German Qualifications Framework), "
        "proposed (withdrawn referencing report of 2012)" in statement
    )
    assert dqr["label"] == "proposed"
    revoked = _verify(client, published["credential"])
    assert revoked.status_code == 422
    assert revoked.json()["verified"] is False


def test_aqrf_reports_use_the_eleven_aqrf_criteria(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    create_dqr(client, admin_headers)
    table = [
        {"level": str(n), "target_level": str(n), "relation": "broadMatch", "justification": "j"}
        for n in range(1, 9)
    ]
    criteria = [
        {"id": str(n), "statement": "s", "evidence": [f"https://example.org/{n}"]}
        for n in range(1, 12)
    ]
    url = "/v1/frameworks/de-dqr/referencing-reports"
    missing = report(target="aqrf", level_table=table, criteria=criteria[:10], status="proposed")
    found = _findings(client.post(url, json=missing, headers=admin_headers))
    assert [(p, m.split(":")[0]) for p, m in found] == [
        ("$.criteria", "criterion 11 of the aqrf set is not addressed")
    ]
    complete = report(target="aqrf", level_table=table, criteria=criteria, status="proposed")
    created = client.post(url, json=complete, headers=admin_headers)
    assert created.status_code == 201, created.text
    assert created.json()["target"] == "aqrf"
