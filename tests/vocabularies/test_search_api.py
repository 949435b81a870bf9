"""GET /v1/occupations and /v1/industries: Chinese, English, codes, flags, bounded pages."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.vocabularies import loader
from tests.vocabularies.fixtures import SOFTWARE_DEVELOPER


def _codes(body: dict[str, Any]) -> list[str]:
    return [item["code"] for item in body["items"]]


def test_search_in_chinese(client: TestClient) -> None:
    body = client.get("/v1/occupations", params={"q": "计算机软件"}).json()
    assert "2-02-10-03" in _codes(body)
    item = next(i for i in body["items"] if i["code"] == "2-02-10-03")
    assert item["name"] == "计算机软件工程技术人员"
    assert (item["digital"], item["green"], item["language"]) == (True, False, "zh")
    assert item["framework"] == "CSCO 2022"
    assert item["url"] == "http://127.0.0.1:8000/occupations/csco2022/2-02-10-03"


def test_search_in_english_finds_aliases_and_industries(client: TestClient) -> None:
    occupations = client.get("/v1/occupations", params={"q": "Python"}).json()
    assert "2-02-10-03" in _codes(occupations)
    industries = client.get(
        "/v1/industries", params={"q": "computer programming", "limit": 100}
    ).json()
    found = {(i["scheme"], i["code"]) for i in industries["items"]}
    assert {("naics2022", "541511"), ("nace2.1", "62.10"), ("isic4", "6201")} <= found


def test_code_prefix_comes_first(client: TestClient) -> None:
    body = client.get("/v1/occupations", params={"q": "2-02-10", "limit": 5}).json()
    assert all(code.startswith("2-02-10") for code in _codes(body))
    exact = client.get("/v1/industries", params={"q": "541511"}).json()
    assert _codes(exact)[0] == "541511"
    section = client.get("/v1/industries", params={"q": "j", "scheme": "isic4"}).json()
    assert _codes(section)[0] == "J"


@pytest.mark.parametrize(
    ("params", "total"),
    [
        ({"digital": "true", "level": 4}, 95),
        ({"green": "true"}, 134),
        ({"digital": "true", "green": "true"}, 23),
        ({"scheme": "csco2022", "level": 4}, 1632),
        ({"scheme": "csco2022", "level": 1}, 8),
    ],
)
def test_flags_and_levels(client: TestClient, params: dict[str, Any], total: int) -> None:
    body = client.get("/v1/occupations", params=params).json()
    assert body["total"] == total
    assert len(body["items"]) == min(total, 20)


def test_industry_scheme_filter(client: TestClient) -> None:
    body = client.get("/v1/industries", params={"scheme": "nace2.1", "q": "62.1"}).json()
    assert {i["scheme"] for i in body["items"]} == {"nace2.1"}
    assert _codes(body)[:3] == ["62.1", "62.10", "62.100"]


def test_like_wildcards_are_literal(client: TestClient) -> None:
    assert client.get("/v1/occupations", params={"q": "%"}).json()["total"] == 0
    assert client.get("/v1/industries", params={"q": "_"}).json()["total"] == 0


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/v1/occupations", {"limit": 101}),
        ("/v1/occupations", {"limit": 0}),
        ("/v1/occupations", {"q": "x" * 101}),
        ("/v1/occupations", {"scheme": "naics2022"}),
        ("/v1/industries", {"scheme": "csco2022"}),
        ("/v1/industries", {"offset": 10**9}),
        ("/v1/occupations", {"digital": "maybe"}),
    ],
)
def test_bad_queries_are_problems(client: TestClient, path: str, params: dict[str, Any]) -> None:
    response = client.get(path, params=params)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


def test_unknown_scheme_is_named(client: TestClient) -> None:
    problem = client.get("/v1/occupations", params={"scheme": "onet"}).json()
    assert "onet" in problem["detail"]
    assert "csco2022, esco" in problem["detail"]


def test_esco_search(client: TestClient, esco_loaded: loader.LoadResult) -> None:
    body = client.get("/v1/occupations", params={"scheme": "esco", "q": "Software Engineer"}).json()
    assert _codes(body) == [SOFTWARE_DEVELOPER]
    page = "/occupations/esco/f2b15a0e-e65a-438a-affb-29b9d50b77d1"
    assert body["items"][0]["url"].endswith(page)


def test_vocabularies_show_provenance(client: TestClient) -> None:
    body = client.get("/v1/vocabularies").json()
    by_scheme = {v["scheme"]: v for v in body}
    assert set(by_scheme) == {"csco2022", "naics2022", "nace2.1", "isic4"}
    assert by_scheme["naics2022"]["version"] == "2022"
    assert by_scheme["nace2.1"]["source_url"].startswith("https://pypi.org/project/naceconverter")
    assert all(v["licence"] for v in body)
