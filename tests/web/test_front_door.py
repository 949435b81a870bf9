"""The front door: a landing page, offline API docs, a favicon, level pages on the site layout."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from app.web.rendering import PAGE_CSP

HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


def _secured(response: object) -> None:
    headers = response.headers  # type: ignore[attr-defined]
    assert headers["content-security-policy"] == PAGE_CSP
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"


def test_the_landing_page_says_what_this_is_and_where_to_go(client: TestClient) -> None:
    response = client.get("/", headers=HTML)
    assert response.status_code == 200
    _secured(response)
    page = response.text
    assert "<h1>Verifiable certificates for digital learning</h1>" in page
    for link in ('href="/verify"', 'href="/docs"', 'href="/redoc"', 'href="/favicon.ico"'):
        assert link in page, link
    # The seeded frameworks are listed with links to their level pages.
    assert "European Qualifications Framework" in page
    assert 'href="/frameworks/eqf/levels/6"' in page
    assert "<script" not in page


@pytest.mark.parametrize(
    ("path", "assets"),
    [
        ("/docs", ["/static/docs/swagger-ui-bundle.js", "/static/docs/swagger-ui.css"]),
        ("/redoc", ["/static/docs/redoc.standalone.js"]),
    ],
)
def test_the_api_docs_load_nothing_from_elsewhere(
    client: TestClient, path: str, assets: list[str]
) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["x-frame-options"] == "DENY"
    page = response.text
    loaded = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', page)
    assert loaded
    assert all(url.startswith("/") for url in loaded), loaded
    assert "fonts.googleapis" not in page
    assert "cdn.jsdelivr" not in page
    for asset in assets:
        assert asset in page
        fetched = client.get(asset)
        assert fetched.status_code == 200, asset
        assert len(fetched.content) > 50_000, asset
    assert client.get("/openapi.json").status_code == 200


def test_the_favicon(client: TestClient) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/x-icon"
    assert response.content[:4] == b"\x00\x00\x01\x00"


def test_a_level_page_has_the_site_layout_and_headers(client: TestClient) -> None:
    response = client.get("/frameworks/eqf/levels/6", headers=HTML)
    assert response.status_code == 200
    _secured(response)
    page = response.text
    assert '<link rel="stylesheet" href="/static/style.css">' in page
    assert '<a class="brand" href="/">LearnProof</a>' in page
    assert "<style>" not in page  # the CSP would block inline styles
    assert '<script type="application/ld+json">' in page
    assert "Level code 6, position 6 in the framework." in page
    # Machines still get JSON-LD.
    as_json = client.get("/frameworks/eqf/levels/6")
    assert as_json.headers["content-type"].startswith("application/ld+json")
