from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from pyld import jsonld

from app.frameworks.meta import load_schema
from app.frameworks.pages import prefers_html
from tests.conftest import TEST_PUBLIC_URL
from tests.frameworks.conftest import Document, framework_document, linkage
from tests.support.problems import assert_problem

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
HOSTILE = '<script>alert("x")</script> & Co'


def test_level_is_json_ld_by_default(client: TestClient) -> None:
    response = client.get("/frameworks/eqf/levels/6")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/ld+json"
    assert response.headers["vary"] == "Accept"
    term = response.json()
    assert term["id"] == f"{TEST_PUBLIC_URL}/frameworks/eqf/levels/6"
    assert (term["type"], term["termCode"], term["name"]) == ("DefinedTerm", "6", "EQF level 6")
    assert term["inDefinedTermSet"]["termCode"] == "eqf"
    assert set(term["descriptors"]) == {"knowledge", "skills", "responsibility_autonomy"}
    assert term["descriptors"]["skills"] in term["description"]


def test_level_json_ld_expands_to_schema_org_without_fetching(client: TestClient) -> None:
    term = client.get("/frameworks/eqf/levels/6").json()

    # The context is inline, so expansion needs no document loader (none is given).
    [expanded] = jsonld.expand(term, {"documentLoader": _no_fetching})

    assert expanded["@id"] == f"{TEST_PUBLIC_URL}/frameworks/eqf/levels/6"
    assert expanded["@type"] == ["https://schema.org/DefinedTerm"]
    assert expanded["https://schema.org/termCode"] == [{"@value": "6"}]
    set_node = expanded["https://schema.org/inDefinedTermSet"][0]
    assert set_node["@type"] == ["https://schema.org/DefinedTermSet"]
    assert any(key.startswith("urn:learnproof:vocab:") for key in expanded)


def _no_fetching(url: str, options: object) -> object:
    raise AssertionError(f"JSON-LD processing tried to fetch {url}")


@pytest.mark.parametrize("accept", [BROWSER_ACCEPT, "text/html", "text/*;q=0.9, */*;q=0.1"])
def test_browsers_get_an_html_page(client: TestClient, accept: str) -> None:
    response = client.get("/frameworks/eqf/levels/6", headers={"Accept": accept})

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    # The page follows the language too (app/web/i18n.py).
    assert response.headers["vary"] == "Accept, Accept-Language"
    assert '<h1 dir="auto">EQF level 6</h1>' in response.text
    assert "European Qualifications Framework" in response.text


@pytest.mark.parametrize(
    ("accept", "html"),
    [
        (None, False),
        ("", False),
        ("*/*", False),
        ("application/json", False),
        ("application/ld+json", False),
        ("text/html;q=0.5, application/ld+json", False),
        ("text/html, application/ld+json", False),
        ("application/json;q=0.2, text/html", True),
        (BROWSER_ACCEPT, True),
        ("text/html;q=bogus, */*;q=0.1", False),
    ],
)
def test_content_negotiation(accept: str | None, html: bool) -> None:
    assert prefers_html(accept) is html


def test_html_page_escapes_hostile_names(
    client: TestClient, create_framework: Callable[[Document], Document]
) -> None:
    document = framework_document("evil", ["1", "2"], linkages=[linkage("2", "eqf", "6")])
    document["name"] = HOSTILE
    document["levels"][1]["name"] = HOSTILE
    document["levels"][1]["descriptors"]["skills"] = HOSTILE
    create_framework(document)

    page = client.get("/frameworks/evil/levels/2", headers={"Accept": "text/html"}).text
    eqf_page = client.get("/frameworks/eqf/levels/6", headers={"Accept": "text/html"}).text

    for text in (page, eqf_page):
        assert "<script>alert" not in text
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Co" in text
    # The embedded JSON-LD cannot close its own <script> element either.
    [embedded] = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert json.loads(embedded)["name"] == HOSTILE
    assert client.get("/frameworks/evil/levels/2").json()["name"] == HOSTILE


def test_html_page_lists_corresponding_levels(
    client: TestClient, create_framework: Callable[[Document], Document]
) -> None:
    create_framework(framework_document("de-dqr", ["6"], linkages=[linkage("6", "eqf", "6")]))

    page = client.get("/frameworks/eqf/levels/6", headers={"Accept": "text/html"}).text

    assert f'href="{TEST_PUBLIC_URL}/frameworks/de-dqr/levels/6"' in page
    assert "exactMatch" in page


@pytest.mark.parametrize("path", ["/frameworks/eqf/levels/9", "/frameworks/nowhere/levels/1"])
def test_unknown_level_page_is_a_problem(client: TestClient, path: str) -> None:
    assert_problem(client.get(path, headers={"Accept": "text/html"}), 404)


def test_meta_standard_schema_is_published(client: TestClient) -> None:
    response = client.get("/frameworks/schema.json")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/schema+json"
    assert response.json() == load_schema()
