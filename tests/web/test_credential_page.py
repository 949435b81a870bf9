"""The public credential page: what it shows, what it never shows, and who may hide it."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from defusedxml.ElementTree import fromstring
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.auth.scopes import Scope
from app.web.rendering import PAGE_CSP
from tests.conftest import make_key
from tests.credentials.factories import RECIPIENT, World
from tests.support.issuers import create_issuer

HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def _page(client: TestClient, issued: dict[str, Any], status: int = 200) -> str:
    response = client.get(f"/credentials/{issued['id']}", headers=HTML)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("text/html")
    return response.text


def test_the_page_shows_the_credential_and_links_every_form(
    world: World, client: TestClient
) -> None:
    issued = world.issue(credits_earned=5)
    page = _page(client, issued)
    for expected in [
        '<html lang="en">',
        "Introduction to Python Programming",
        "Writes, tests and debugs small Python programs.",
        "Passed all graded exercises and the final project.",
        "Université d&#39;Exemple",
        "Ada Lovelace",
        "26 November 2026",
        "EQF level 5 (European Qualifications Framework for lifelong learning)",
        "Software and applications development and analysis",
        "(ISCED-F 0613)",
        "5 earned",
        "5 available",
        "Python (computer programming)",
        "Verified",
        f'src="/credentials/{issued["id"]}.png"',
        'alt="Badge: Introduction to Python Programming, issued by',
    ]:
        assert expected in page, expected
    for form in ("pdf", "png", "svg", "json", "jwt"):
        assert f'href="/credentials/{issued["id"]}.{form}" download' in page
    assert RECIPIENT["email"] not in page
    assert "identityHash" not in page


def test_the_page_is_secured_and_loads_nothing_from_elsewhere(
    world: World, client: TestClient
) -> None:
    issued = world.issue()
    response = client.get(f"/credentials/{issued['id']}", headers=HTML)
    assert response.headers["content-security-policy"] == PAGE_CSP
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    sources = re.findall(r'(?:src|href)="([^"]+)"', response.text)
    loaded = re.findall(r'<(?:img|script|link)[^>]+(?:src|href)="([^"]+)"', response.text)
    assert loaded
    assert all(url.startswith("/") for url in loaded), loaded
    external = [url for url in sources if not url.startswith(("/", "#"))]
    assert all(urlsplit(url).scheme in ("http", "https") for url in external), external
    css = client.get("/static/style.css")
    assert css.status_code == 200
    assert css.headers["content-type"].startswith("text/css")
    assert "@import" not in css.text
    assert "url(" not in css.text


def test_the_linkedin_link_carries_the_certification(world: World, client: TestClient) -> None:
    issued = world.issue()
    [link] = re.findall(
        r'href="(https://www\.linkedin\.com/profile/add\?[^"]+)"', _page(client, issued)
    )
    query = parse_qs(urlsplit(link.replace("&amp;", "&")).query)
    assert query == {
        "startTask": ["CERTIFICATION_NAME"],
        "name": ["Introduction to Python Programming"],
        "organizationName": ["Université d'Exemple"],
        "issueYear": ["2026"],
        "issueMonth": ["11"],
        "certUrl": [issued["url"]],
        "certId": [issued["id"]],
    }


@pytest.mark.parametrize(
    "accept", ["application/json", "application/ld+json", "text/html;q=0.5, application/json"]
)
def test_json_clients_get_credential_status_and_links(
    world: World, client: TestClient, accept: str
) -> None:
    issued = world.issue()
    response = client.get(f"/credentials/{issued['id']}", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.json() == {
        "credential": issued["credential"],
        "status": "active",
        "links": issued["links"],
        "expired": False,
        "valid_until": None,
        "replaced_by": None,
    }
    assert RECIPIENT["email"] not in response.text


@pytest.mark.parametrize("accept", [None, "*/*", "text/html"])
def test_browsers_and_plain_clients_get_html(
    world: World, client: TestClient, accept: str | None
) -> None:
    issued = world.issue()
    headers = {"Accept": accept} if accept else {}
    response = client.get(f"/credentials/{issued['id']}", headers=headers)
    assert response.headers["content-type"].startswith("text/html")


SVG_TAGS = {"svg", "credential", "title", "circle", "polygon", "g", "text"}
HOSTILE = '<script>alert("name")</script><img src=x onerror=alert(1)>'


def test_hostile_names_are_inert_everywhere(world: World, client: TestClient) -> None:
    world.achievement = world.create_achievement(
        name=HOSTILE, description=f"{HOSTILE} description", criteria={"narrative": HOSTILE}
    )
    issued = world.issue(recipient={"name": HOSTILE, "email": "x@example.org"})
    page = _page(client, issued)
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert "&lt;script&gt;alert(&#34;name&#34;)&lt;/script&gt;" in page
    # In the SVG the name is character data; the credential itself sits in a CDATA section.
    root = fromstring(client.get(issued["links"]["svg"]).content)
    assert {element.tag.rsplit("}", 1)[-1] for element in root.iter()} <= SVG_TAGS


def test_a_revoked_credential_says_so(world: World, client: TestClient) -> None:
    issued = world.issue()
    revoked = client.post(
        f"/v1/credentials/{issued['id']}/revoke",
        json={"reason": "issued in error"},
        headers=world.revoke_headers,
    )
    assert revoked.status_code == 200, revoked.text
    page = _page(client, issued)
    assert "Not verified" in page
    assert "The issuer has revoked this credential" in page
    assert "issued in error" not in page
    as_json = client.get(f"/credentials/{issued['id']}", headers={"Accept": "application/json"})
    assert as_json.json()["status"] == "revoked"


def _set_public(
    client: TestClient, issued: dict[str, Any], headers: dict[str, str], public: bool
) -> Any:
    return client.post(
        f"/v1/credentials/{issued['id']}/page", json={"public": public}, headers=headers
    )


PUBLIC_FORMS = ("pdf", "png", "svg", "json", "jwt")


def test_an_issuer_can_hide_the_page_and_every_download(
    world: World, client: TestClient, admin_headers: dict[str, str]
) -> None:
    issued = world.issue()
    hidden = _set_public(client, issued, world.issue_headers, False)
    assert hidden.status_code == 200, hidden.text
    assert hidden.json() == {"id": issued["id"], "public": False}
    assert "There is no public credential at this address" in _page(client, issued, 404)
    as_json = client.get(f"/credentials/{issued['id']}", headers={"Accept": "application/json"})
    assert as_json.status_code == 404
    assert as_json.headers["content-type"] == "application/problem+json"
    for form in PUBLIC_FORMS:
        assert client.get(issued["links"][form]).status_code == 404, form
    # The authenticated API still serves it, and the change is audited.
    api = client.get(f"/v1/credentials/{issued['id']}", headers=world.issue_headers)
    assert api.status_code == 200
    events = client.get(
        "/v1/audit-events", params={"credential_id": issued["id"]}, headers=admin_headers
    ).json()
    assert "credential.page_hidden" in json.dumps(events)
    shown = _set_public(client, issued, world.revoke_headers, True)
    assert shown.json()["public"] is True
    _page(client, issued)
    for form in PUBLIC_FORMS:
        assert client.get(issued["links"][form]).status_code == 200, form


def test_only_the_issuers_issue_or_revoke_keys_may_hide_a_page(
    world: World, client: TestClient, session: Session, admin_headers: dict[str, str]
) -> None:
    issued = world.issue()
    other = create_issuer(client, admin_headers, slug="other-uni")
    read_key = {"Authorization": f"Bearer {make_key(session, Scope.read, issuer=world.slug)}"}
    foreign_key = {
        "Authorization": f"Bearer {make_key(session, Scope.issue, issuer=other['slug'])}"
    }
    assert _set_public(client, issued, {}, False).status_code == 401
    assert _set_public(client, issued, read_key, False).status_code == 403
    assert _set_public(client, issued, foreign_key, False).status_code == 403
    assert _set_public(client, issued, admin_headers, False).status_code == 200
    missing = client.post(
        "/v1/credentials/nope/page", json={"public": False}, headers=world.issue_headers
    )
    assert missing.status_code == 404
    bad = client.post(
        f"/v1/credentials/{issued['id']}/page", json={"public": "maybe"}, headers=admin_headers
    )
    assert bad.status_code == 422


def test_an_unknown_credential_page_is_a_404_page(client: TestClient) -> None:
    response = client.get("/credentials/00000000-0000-4000-8000-000000000000", headers=HTML)
    assert response.status_code == 404
    assert response.headers["content-security-policy"] == PAGE_CSP
    assert "Credential not found" in response.text
