"""The v2 registry over HTTP: built-ins, imports of other shapes, lint, export and upgrade."""

from __future__ import annotations

import copy
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.scopes import Scope
from app.frameworks.models import QualificationFramework
from tests.conftest import make_key
from tests.support.frameworks import fixture
from tests.support.problems import assert_problem


def test_built_ins_are_registered(client: TestClient) -> None:
    codes = {f["code"] for f in client.get("/v1/frameworks").json()}
    assert {"eqf", "aqrf", "cn-vsl"} <= codes

    vsl = client.get("/v1/frameworks/cn-vsl").json()
    assert vsl["names"]["zh"] == "国家职业技能等级"
    assert vsl["jurisdiction"] == "CN"
    assert [lvl["names"]["zh"] for lvl in vsl["levels"]][0] == "五级/初级工"
    assert vsl["levels"][4]["name"] == "Level 1 / Senior technician"
    assert vsl["domains"][0]["maps_to"] == ["skills", "responsibility_autonomy"]

    aqrf = client.get("/v1/frameworks/aqrf").json()
    assert aqrf["jurisdiction"] == "ASEAN"
    assert set(aqrf["levels"][5]["descriptors"]) == {
        "knowledge_skills",
        "application_responsibility",
    }
    page = client.get("/frameworks/aqrf/levels/6", headers={"Accept": "text/html"})
    assert "Application and responsibility" in page.text
    term = client.get("/frameworks/cn-vsl/levels/1").json()
    assert term["name"] == "Level 1 / Senior technician"
    assert "Occupational competence" in term["description"]


def test_schema_document_is_v2(client: TestClient) -> None:
    schema = client.get("/frameworks/schema.json").json()
    assert schema["$id"].endswith(":2")


def test_other_shapes_import_and_round_trip(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    for name in ("za-nqf", "aqf-like"):
        document = fixture(name)
        document["linkages"] = [
            {"level": "7", "target_framework": "eqf", "target_level": "6",
             "relation": "broadMatch", "source": "https://example.org/r"}
        ]  # fmt: skip
        created = client.post("/v1/frameworks", json=document, headers=admin_headers)
        assert created.status_code == 201, created.text
        exported = client.get(f"/v1/frameworks/{document['code']}/export").json()
        assert exported == document
    aqf = client.get("/v1/frameworks/aqf-like").json()
    assert aqf["credit_system"] == "year"
    assert aqf["credit"]["notional_hours_per_credit"] == {"min": 1200, "max": 1800}
    assert len(aqf["levels"][7]["qualification_types"]) == 2
    za = client.get("/v1/frameworks/za-nqf-test").json()
    assert [s["code"] for s in za["sub_frameworks"]] == ["gfetqsf", "oqsf", "heqsf"]


def test_scotland_subdivision_is_accepted(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    document = fixture("aqf-like")
    document.update(code="scqf-like", jurisdiction="GB-SCT")
    response = client.post("/v1/frameworks", json=document, headers=admin_headers)
    assert response.status_code == 201, response.text
    assert response.json()["jurisdiction"] == "GB-SCT"


def test_document_with_errors_is_refused_whole(
    client: TestClient, admin_headers: dict[str, str], session: Session
) -> None:
    document = fixture("za-nqf")
    del document["levels"][3]["descriptors"]["accountability"]
    document["levels"][6]["ordinal"] = 2
    document["linkages"] = [
        {"level": "5", "target_framework": "eqf", "target_level": "5",
         "relation": "exactMatch", "source": "https://example.org/r"},
        {"level": "6", "target_framework": "eqf", "target_level": "4",
         "relation": "exactMatch", "source": "https://example.org/r"},
    ]  # fmt: skip

    response = client.post("/v1/frameworks", json=document, headers=admin_headers)

    problem = assert_problem(response, 422)
    findings: list[dict[str, Any]] = problem["findings"]  # type: ignore[assignment]
    assert [(f["path"], f["severity"]) for f in findings] == [
        ("$.levels[3].descriptors.accountability", "error"),
        ("$.levels[6].ordinal", "error"),
        ("$.linkages[1]", "error"),
    ]
    assert "crossing" in findings[2]["message"]
    assert [e["field"] for e in problem["errors"]] == [f["path"] for f in findings]  # type: ignore[attr-defined]
    assert client.get("/v1/frameworks/za-nqf-test").status_code == 404
    stored = session.scalar(
        select(QualificationFramework).where(QualificationFramework.code == "za-nqf-test")
    )
    assert stored is None


def test_lint_endpoint_is_public_and_bounded(client: TestClient) -> None:
    ok = client.post("/v1/frameworks/lint", json=fixture("aqf-like"))
    assert ok.status_code == 200
    assert ok.json() == {"findings": []}

    broken = fixture("aqf-like")
    broken["levels"][2]["ordinal"], broken["levels"][3]["ordinal"] = 4, 3
    body = client.post("/v1/frameworks/lint", json=broken).json()
    assert [(f["path"], f["severity"]) for f in body["findings"]] == [
        ("$.levels[3].ordinal", "error")
    ]
    for hostile in ([], "x", None, {"levels": [{}] * 5000}, {"criteria": "x"}):
        response = client.post("/v1/frameworks/lint", json=hostile)
        assert response.status_code == 200, response.text
        assert response.json()["findings"]
        assert len(response.json()["findings"]) <= 500
    assert client.post(
        "/v1/frameworks/lint", content=b"{not json", headers={"Content-Type": "application/json"}
    ).status_code in (400, 422)


def test_another_tenants_key_cannot_create(client: TestClient, session: Session) -> None:
    bound = {"Authorization": f"Bearer {make_key(session, Scope.issue, issuer=None)}"}
    assert_problem(client.post("/v1/frameworks", json=fixture("aqf-like"), headers=bound), 403)


def test_frameworks_stored_before_v2_are_upgraded_on_read(
    client: TestClient, admin_headers: dict[str, str], session: Session
) -> None:
    document = fixture("aqf-like")
    v1 = {
        "code": "legacy",
        "name": "Legacy framework",
        "jurisdiction": "IE",
        "levels": [{"code": "1", "name": "One", "descriptors": {"knowledge": "k"}}],
    }
    assert client.post("/v1/frameworks", json=v1, headers=admin_headers).status_code == 201
    row = session.scalar(
        select(QualificationFramework).where(QualificationFramework.code == "legacy")
    )
    assert row is not None
    row.document = None  # as stored by the version 1 registry
    session.flush()
    session.expire_all()

    exported = client.get("/v1/frameworks/legacy/export").json()
    assert [d["code"] for d in exported["domains"]] == [
        "knowledge",
        "skills",
        "responsibility_autonomy",
    ]
    assert "credit_system" not in exported
    assert client.post("/v1/frameworks/lint", json=exported).json() == {"findings": []}
    assert copy.deepcopy(document) == fixture("aqf-like")
