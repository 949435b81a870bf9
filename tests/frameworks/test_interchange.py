"""SKOS JSON-LD and CTDL-shaped exports, and their import back into the registry."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from pyld import jsonld

from tests.support.frameworks import fixture
from tests.support.problems import assert_problem

SKOS = "http://www.w3.org/2004/02/skos/core#"


def _with_linkages(name: str) -> dict[str, Any]:
    document = fixture(name)
    source = "https://example.org/referencing-report"
    document["linkages"] = [
        {"level": "5", "target_framework": "eqf", "target_level": "4",
         "relation": "broadMatch", "source": source},
        {"level": "7", "target_framework": "eqf", "target_level": "6",
         "relation": "exactMatch", "source": source},
        {"level": "8", "target_framework": "aqrf", "target_level": "7",
         "relation": "closeMatch", "source": source},
    ]  # fmt: skip
    return document


@pytest.mark.parametrize("form", ["skos", "ctdl"])
@pytest.mark.parametrize("name", ["za-nqf", "aqf-like"])
def test_export_import_round_trips(
    client: TestClient, admin_headers: dict[str, str], form: str, name: str
) -> None:
    document = _with_linkages(name)
    assert client.post("/v1/frameworks", json=document, headers=admin_headers).status_code == 201
    exported = client.get(f"/v1/frameworks/{document['code']}/export?format={form}").json()
    meta_before = client.get(f"/v1/frameworks/{document['code']}/export").json()

    renamed = _rename(exported, form, document["code"], "copy")
    created = client.post(
        f"/v1/frameworks/import?format={form}", json=renamed, headers=admin_headers
    )

    assert created.status_code == 201, created.text
    meta_after = client.get("/v1/frameworks/copy/export").json()
    assert meta_after == {**meta_before, "code": "copy"}


@pytest.mark.parametrize("code", ["cn-vsl", "aqrf", "eqf"])
def test_built_ins_round_trip_through_skos(
    client: TestClient, admin_headers: dict[str, str], code: str
) -> None:
    exported = client.get(f"/v1/frameworks/{code}/export?format=skos").json()
    renamed = _rename(exported, "skos", code, f"{code}-copy")
    created = client.post("/v1/frameworks/import?format=skos", json=renamed, headers=admin_headers)
    assert created.status_code == 201, created.text
    before = client.get(f"/v1/frameworks/{code}/export").json()
    assert client.get(f"/v1/frameworks/{code}-copy/export").json() == {
        **before,
        "code": f"{code}-copy",
    }


def test_skos_export_is_skos(client: TestClient, admin_headers: dict[str, str]) -> None:
    document = _with_linkages("aqf-like")
    client.post("/v1/frameworks", json=document, headers=admin_headers)
    response = client.get("/v1/frameworks/aqf-like/export?format=skos")
    assert response.headers["content-type"].startswith("application/ld+json")
    scheme = response.json()
    assert scheme["@type"] == "skos:ConceptScheme"
    level7 = scheme["skos:hasTopConcept"][6]
    assert level7["@type"] == "skos:Concept"
    assert level7["skos:exactMatch"] == [{"@id": "http://127.0.0.1:8000/frameworks/eqf/levels/6"}]
    assert scheme["skos:hasTopConcept"][4]["skos:broadMatch"][0]["@id"].endswith("/eqf/levels/4")

    expanded = jsonld.expand(scheme)
    assert expanded[0]["@type"] == [f"{SKOS}ConceptScheme"]
    concepts = expanded[0][f"{SKOS}hasTopConcept"]
    assert concepts[6]["@type"] == [f"{SKOS}Concept"]
    assert concepts[6][f"{SKOS}exactMatch"] == [
        {"@id": "http://127.0.0.1:8000/frameworks/eqf/levels/6"}
    ]

    vsl = client.get("/v1/frameworks/cn-vsl/export?format=skos").json()
    labels = vsl["skos:hasTopConcept"][0]["skos:prefLabel"]
    assert {"@value": "五级/初级工", "@language": "zh"} in labels
    ctdl = client.get("/v1/frameworks/cn-vsl/export?format=ctdl").json()
    assert ctdl["@graph"][0]["@type"] == "ceasn:ProgressionModel"
    assert ctdl["@graph"][1]["ceasn:prefLabel"]["zh"] == "五级/初级工"


@pytest.mark.parametrize(
    ("form", "body", "field"),
    [
        ("skos", {"@type": "skos:Concept"}, "$.@type"),
        ("skos", {"@type": "skos:ConceptScheme", "@context": {}}, "$.@context"),
        ("ctdl", {"@graph": []}, "$.@graph"),
        (
            "ctdl",
            {"@graph": [{"@type": "ceasn:ProgressionModel"}]},
            "$.@graph[0].ceasn:codedNotation",
        ),
    ],
)
def test_malformed_imports_are_422(
    client: TestClient, admin_headers: dict[str, str], form: str, body: Any, field: str
) -> None:
    response = client.post(f"/v1/frameworks/import?format={form}", json=body, headers=admin_headers)
    problem = assert_problem(response, 422)
    assert problem["errors"][0]["field"] == field  # type: ignore[index]


def test_import_with_lint_errors_stores_nothing(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    exported = client.get("/v1/frameworks/aqrf/export?format=skos").json()
    renamed = _rename(exported, "skos", "aqrf", "broken")
    renamed["skos:hasTopConcept"][3]["lp:ordinal"] = 1
    response = client.post("/v1/frameworks/import?format=skos", json=renamed, headers=admin_headers)
    problem = assert_problem(response, 422)
    assert [f["path"] for f in problem["findings"]] == ["$.levels[3].ordinal"]  # type: ignore[attr-defined]
    assert client.get("/v1/frameworks/broken").status_code == 404
    assert_problem(client.post("/v1/frameworks/import?format=skos", json=renamed), 401)


def _rename(exported: dict[str, Any], form: str, old: str, new: str) -> dict[str, Any]:
    """The export with another framework code (the original is still registered)."""
    if form == "skos":
        return {**exported, "skos:notation": new}
    model = {**exported["@graph"][0], "ceasn:codedNotation": new}
    return {**exported, "@graph": [model, *exported["@graph"][1:]]}
