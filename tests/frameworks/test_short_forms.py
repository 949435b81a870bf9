"""The contract's short request shapes (DESIGN §3) work, completed with visible defaults."""

from __future__ import annotations

from fastapi.testclient import TestClient

from app.frameworks import meta
from app.frameworks.defaults import NOT_STATED


def test_short_framework_and_linkage_forms(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    short = {
        "code": "nqf-x",
        "name": "National Framework X",
        "jurisdiction": "IE",
        "levels": [
            {"code": "5", "name": "Level 5",
             "descriptors": {"knowledge": "broad", "competence": "c"}},
            {"code": "6", "name": "Level 6", "descriptors": {"knowledge": "deep"}},
        ],
    }  # fmt: skip
    created = client.post("/v1/frameworks", json=short, headers=admin_headers)
    assert created.status_code == 201, created.text
    framework = created.json()
    assert [level["ordinal"] for level in framework["levels"]] == [1, 2]
    descriptors = framework["levels"][0]["descriptors"]
    assert descriptors == {
        "knowledge": "broad",
        "skills": NOT_STATED,
        "responsibility_autonomy": "c",
    }
    exported = client.get("/v1/frameworks/nqf-x/export").json()
    assert meta.validate_framework_document(exported) == []
    assert exported["source_url"] == "http://127.0.0.1:8000/v1/frameworks/nqf-x"

    linkage = {"level": "6", "target_framework": "eqf", "target_level": "6", "relation": "exact"}
    linked = client.post("/v1/frameworks/nqf-x/linkages", json=linkage, headers=admin_headers)
    assert linked.status_code == 201, linked.text
    assert linked.json()["relation"] == "exactMatch"
    assert "Stated through the LearnProof API by apikey:test-admin" in linked.json()["source"]
    equivalents = client.get("/v1/frameworks/nqf-x/levels/6/equivalents").json()
    assert ("eqf", "6", "exactMatch") in {
        (e["framework"], e["level"], e["relation"]) for e in equivalents
    }


def test_unknown_relation_is_still_refused(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    linkage = {"level": "6", "target_framework": "eqf", "target_level": "5", "relation": "sameAs"}
    response = client.post("/v1/frameworks/eqf/linkages", json=linkage, headers=admin_headers)
    assert response.status_code == 422
