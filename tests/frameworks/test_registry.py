from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator
from sqlalchemy.orm import Session

from app.auth.scopes import Scope
from app.core.urls import PublicUrls
from app.errors import Conflict, InvalidInput, NotFound
from app.frameworks import repository, service
from app.frameworks.meta import load_eqf, load_isced_f, load_schema, validate_framework_document
from app.frameworks.schemas import LinkageCreate
from tests.conftest import TEST_PUBLIC_URL, make_key
from tests.frameworks.conftest import Document, framework_document, linkage
from tests.support.problems import assert_problem

DQR_LEVELS = [str(n) for n in range(1, 9)]
Create = Callable[[Document], Document]
Link = Callable[..., httpx.Response]


def _error_fields(response: httpx.Response) -> list[str]:
    return [error["field"] for error in assert_problem(response, 422)["errors"]]  # type: ignore[attr-defined]


def test_shipped_eqf_is_loaded_by_the_migration(client: TestClient) -> None:
    frameworks = client.get("/v1/frameworks").json()
    eqf = next(f for f in frameworks if f["code"] == "eqf")

    assert [level["code"] for level in eqf["levels"]] == DQR_LEVELS
    assert [level["ordinal"] for level in eqf["levels"]] == list(range(1, 9))
    assert eqf["levels"][5]["descriptors"] == load_eqf()["levels"][5]["descriptors"]
    assert eqf["levels"][5]["typical_volume"] == {
        "min_credits": 180,
        "max_credits": 240,
        "unit": "ECTS",
    }
    assert eqf["levels"][0]["typical_volume"] is None
    assert (eqf["jurisdiction"], eqf["credit_system"], eqf["linkages"]) == ("EU", "ECTS", [])
    assert client.get("/v1/frameworks/eqf").json() == eqf


def test_shipped_isced_f_is_loaded_and_searchable(client: TestClient) -> None:
    every = client.get("/v1/isced-f").json()
    assert [f["code"] for f in every] == [f["code"] for f in load_isced_f()]

    field = client.get("/v1/isced-f/0613").json()
    assert field == {
        "code": "0613",
        "name": "Software and applications development and analysis",
        "level": "detailed",
        "parent": "061",
    }
    assert client.get("/v1/isced-f/061").json()["parent"] == "06"
    assert [f["code"] for f in client.get("/v1/isced-f", params={"q": "0613"}).json()] == ["0613"]
    by_name = client.get("/v1/isced-f", params={"q": "SOFTWARE"}).json()
    assert "0613" in [f["code"] for f in by_name]
    # LIKE wildcards in the query are literal text.
    assert client.get("/v1/isced-f", params={"q": "%"}).json() == []
    assert_problem(client.get("/v1/isced-f/0614"), 404)


def test_national_framework_is_created_with_its_linkage_and_audited(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    document = framework_document("de-dqr", DQR_LEVELS, linkages=[linkage("6", "eqf", "6")])

    response = client.post("/v1/frameworks", json=document, headers=admin_headers)

    assert response.status_code == 201, response.text
    created = response.json()
    assert [level["code"] for level in created["levels"]] == DQR_LEVELS
    assert [
        (lk["level"], lk["target_framework"], lk["target_level"], lk["relation"])
        for lk in created["linkages"]
    ] == [("6", "eqf", "6", "exactMatch")]
    assert client.get("/v1/frameworks/de-dqr").json() == created
    assert "de-dqr" in [f["code"] for f in client.get("/v1/frameworks").json()]
    events = client.get(
        "/v1/audit-events", params={"kind": "framework.created"}, headers=admin_headers
    ).json()["items"]
    assert [e["details"]["code"] for e in events] == ["de-dqr"]
    assert events[0]["actor"] == "apikey:test-admin"


def test_duplicate_framework_code_is_a_conflict(
    client: TestClient, admin_headers: dict[str, str], create_framework: Create
) -> None:
    create_framework(framework_document("de-dqr", DQR_LEVELS))

    again = client.post(
        "/v1/frameworks", json=framework_document("de-dqr", ["1"]), headers=admin_headers
    )

    assert "de-dqr" in str(assert_problem(again, 409)["detail"])
    assert_problem(client.post("/v1/frameworks", json=load_eqf(), headers=admin_headers), 409)


def test_linkage_is_created_audited_and_listed(
    client: TestClient, admin_headers: dict[str, str], create_framework: Create, link: Link
) -> None:
    create_framework(framework_document("fr-rncp", ["5", "6", "7", "8"], jurisdiction="FR"))

    response = link("fr-rncp", "6", "eqf", "6", "closeMatch")

    assert response.status_code == 201, response.text
    assert response.json()["relation"] == "closeMatch"
    assert response.json()["created_at"] == "2026-11-26T12:00:00Z"
    listed = client.get("/v1/frameworks/fr-rncp").json()["linkages"]
    assert [(lk["level"], lk["target_level"]) for lk in listed] == [("6", "6")]
    events = client.get(
        "/v1/audit-events", params={"kind": "framework.linkage_created"}, headers=admin_headers
    ).json()["items"]
    assert events[0]["details"]["framework"] == "fr-rncp"
    assert events[0]["details"]["target_level"] == "6"


def test_linkage_errors(client: TestClient, create_framework: Create, link: Link) -> None:
    create_framework(framework_document("fr-rncp", ["5", "6", "7", "8"], jurisdiction="FR"))
    assert link("fr-rncp", "6", "eqf", "6").status_code == 201

    assert_problem(link("fr-rncp", "6", "eqf", "6", "broadMatch"), 409)
    assert _error_fields(link("fr-rncp", "6", "eqf", "6", "sameAs")) == ["relation"]
    assert _error_fields(link("fr-rncp", "6", "fr-rncp", "7")) == ["target_framework"]
    unknown_framework = link("fr-rncp", "6", "uk-rqf", "6")
    assert _error_fields(unknown_framework) == ["target_framework"]
    assert "'uk-rqf'" in unknown_framework.json()["detail"]
    unknown_target = link("fr-rncp", "6", "eqf", "9")
    assert _error_fields(unknown_target) == ["target_level"]
    assert "'9'" in unknown_target.json()["detail"]
    assert _error_fields(link("fr-rncp", "4", "eqf", "4")) == ["level"]
    assert "'nowhere'" in str(assert_problem(link("nowhere", "6", "eqf", "6"), 404)["detail"])


def test_invalid_import_lists_every_error_with_its_path(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    document = framework_document("de-dqr", ["1", "2", "3"], linkages=[linkage("2", "eqf", "2")])
    document["levels"][1]["code"] = "1"
    document["levels"][2]["ordinal"] = 1
    document["levels"][0]["descriptors"]["mood"] = "not a descriptor"
    document["linkages"][0]["relation"] = "sameAs"
    document["jurisdiction"] = "Germany"

    response = client.post("/v1/frameworks", json=document, headers=admin_headers)

    assert _error_fields(response) == [
        "$.jurisdiction",
        "$.levels[0].descriptors",
        "$.levels[1].code",
        "$.levels[2].ordinal",
        "$.linkages[0].level",
        "$.linkages[0].relation",
    ]
    assert "$.levels[1].code" in response.json()["detail"]
    assert client.get("/v1/frameworks/de-dqr").status_code == 404


def test_import_linkages_must_point_at_known_levels(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    document = framework_document(
        "de-dqr",
        DQR_LEVELS,
        linkages=[linkage("6", "eqf", "6"), linkage("7", "uk-rqf", "7"), linkage("8", "eqf", "9")],
    )

    response = client.post("/v1/frameworks", json=document, headers=admin_headers)

    assert _error_fields(response) == [
        "$.linkages[1].target_framework",
        "$.linkages[2].target_level",
    ]
    messages = " ".join(e["message"] for e in response.json()["errors"])
    assert "'uk-rqf'" in messages
    assert "'9'" in messages


@pytest.mark.parametrize("body", [["eqf"], {"code": "x"}])
def test_malformed_import_is_422_not_500(
    client: TestClient, admin_headers: dict[str, str], body: Any
) -> None:
    assert_problem(client.post("/v1/frameworks", json=body, headers=admin_headers), 422)


def test_oversized_ordinal_is_refused_before_the_database(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    document = framework_document("de-dqr", ["1"])
    document["levels"][0]["ordinal"] = 2**31

    response = client.post("/v1/frameworks", json=document, headers=admin_headers)

    assert _error_fields(response) == ["$.levels[0].ordinal"]


def test_writes_are_admin_only(client: TestClient, session: Session) -> None:
    issue = {"Authorization": f"Bearer {make_key(session, Scope.issue)}"}
    document = framework_document("de-dqr", DQR_LEVELS)
    body = linkage("6", "eqf", "6")

    assert_problem(client.post("/v1/frameworks", json=document), 401)
    assert_problem(client.post("/v1/frameworks", json=document, headers=issue), 403)
    assert_problem(client.post("/v1/frameworks/eqf/linkages", json=body), 401)
    assert_problem(client.post("/v1/frameworks/eqf/linkages", json=body, headers=issue), 403)
    assert client.get("/v1/frameworks/de-dqr").status_code == 404


def test_export_import_round_trip(
    client: TestClient, admin_headers: dict[str, str], create_framework: Create, link: Link
) -> None:
    document = framework_document("de-dqr", DQR_LEVELS, linkages=[linkage("6", "eqf", "6")])
    document["levels"][5]["typical_volume"] = {"min_credits": 180, "max_credits": 240}
    document["description"] = "Deutscher Qualifikationsrahmen."
    create_framework(document)
    assert link("de-dqr", "7", "eqf", "7", "broadMatch").status_code == 201

    exported = client.get("/v1/frameworks/de-dqr/export").json()

    Draft202012Validator(load_schema()).validate(exported)
    assert validate_framework_document(exported) == []
    assert exported["levels"][5]["typical_volume"] == {"min_credits": 180, "max_credits": 240}
    assert [(lk["level"], lk["relation"]) for lk in exported["linkages"]] == [
        ("6", "exactMatch"),
        ("7", "broadMatch"),
    ]
    create_framework({**exported, "code": "de-dqr-copy"})
    copied = client.get("/v1/frameworks/de-dqr-copy/export").json()
    assert copied == {**exported, "code": "de-dqr-copy"}


def test_shipped_eqf_exports_as_shipped(client: TestClient) -> None:
    assert client.get("/v1/frameworks/eqf/export").json() == {**load_eqf(), "linkages": []}
    assert_problem(client.get("/v1/frameworks/nowhere/export"), 404)


def test_service_lookups_for_achievements(session: Session) -> None:
    level = service.get_level(session, "eqf", "6")
    assert (level.framework.code, level.code, level.name) == ("eqf", "6", "EQF level 6")
    assert service.get_isced_field(session, "0613").name.startswith("Software")

    with pytest.raises(InvalidInput, match="'9'") as unknown_level:
        service.get_level(session, "eqf", "9", field="framework_levels[0]")
    assert unknown_level.value.extra["errors"][0]["field"] == "framework_levels[0]"
    with pytest.raises(InvalidInput, match="'nqf'"):
        service.get_level(session, "nqf", "6")
    with pytest.raises(InvalidInput, match="'0614'") as unknown_field:
        service.get_isced_field(session, "0614")
    assert unknown_field.value.extra["errors"][0]["field"] == "isced_f"
    with pytest.raises(NotFound):
        service.read_level(session, "eqf", "9")


def test_level_urls_round_trip() -> None:
    url = service.level_url(PublicUrls(TEST_PUBLIC_URL), "de-dqr", "6")

    assert url == f"{TEST_PUBLIC_URL}/frameworks/de-dqr/levels/6"
    assert service.parse_level_url(PublicUrls(TEST_PUBLIC_URL), url) == ("de-dqr", "6")
    assert (
        service.parse_level_url(PublicUrls(TEST_PUBLIC_URL), "https://elsewhere.example/x") is None
    )
    assert (
        service.parse_level_url(PublicUrls(TEST_PUBLIC_URL), f"{TEST_PUBLIC_URL}/frameworks/eqf")
        is None
    )


def test_twin_linkage_racing_past_the_check_is_a_conflict(
    session: Session, create_framework: Create, monkeypatch: pytest.MonkeyPatch
) -> None:
    create_framework(framework_document("fr-rncp", ["5", "6"], jurisdiction="FR"))
    body = LinkageCreate.model_validate(linkage("6", "eqf", "6"))
    now = datetime(2026, 11, 26, tzinfo=UTC)
    service.add_linkage(session, "fr-rncp", body, actor="test", now=now)
    # As if a concurrent request had inserted the same linkage after our existence check.
    monkeypatch.setattr(repository, "linkage_exists", lambda *_args: False)

    with pytest.raises(Conflict, match="already linked"):
        service.add_linkage(session, "fr-rncp", body, actor="test", now=now)

    # Only the savepoint was rolled back: the transaction and the first linkage survive.
    assert len(service.read_framework(session, "fr-rncp").linkages) == 1
