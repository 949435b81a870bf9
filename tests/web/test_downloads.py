"""The portable proofs of an issued credential: each one carries it and verifies."""

from __future__ import annotations

import io
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from app.proofs.extract import extract_credential
from app.proofs.pdf import JWT_ATTACHMENT
from tests.credentials.factories import World
from tests.interop.node import run_node

FORMS = {"pdf": "application/pdf", "png": "image/png", "svg": "image/svg+xml"}


@pytest.fixture
def issued(world: World) -> dict[str, Any]:
    body: dict[str, Any] = world.issue(recipient={"name": "李小龙", "email": "li@example.org"})
    return body


def _download(client: TestClient, issued: dict[str, Any], form: str) -> bytes:
    response = client.get(issued["links"][form])
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(FORMS[form])
    assert response.headers["x-content-type-options"] == "nosniff"
    assert (
        response.headers["content-disposition"] == f'attachment; filename="{issued["id"]}.{form}"'
    )
    return response.content


@pytest.mark.parametrize("form", FORMS)
def test_each_form_carries_the_stored_credential_and_it_verifies(
    client: TestClient, issued: dict[str, Any], form: str
) -> None:
    extracted = extract_credential(_download(client, issued, form))
    assert extracted == issued["credential"]
    report = client.post("/credentials/verify", json={"verifiableCredential": extracted})
    assert report.status_code == 200, report.json()["errors"]
    assert report.json()["verified"] is True


@pytest.mark.interop
def test_the_reference_stack_verifies_what_each_form_carries(
    world: World, client: TestClient, issued: dict[str, Any]
) -> None:
    doc = world.did_document()
    items = [
        {
            "credential": extract_credential(_download(client, issued, form)),
            "now": "2026-11-27T00:00:00Z",
        }
        for form in FORMS
    ]
    result = run_node("verify-di.mjs", {"items": items, "documents": {doc["id"]: doc}})
    assert [r["verified"] for r in result["results"]] == [True, True, True], result


def test_the_pdf_carries_the_jwt_and_prints_the_chinese_name(
    client: TestClient, issued: dict[str, Any]
) -> None:
    reader = PdfReader(io.BytesIO(_download(client, issued, "pdf")))
    assert reader.attachments[JWT_ATTACHMENT] == [issued["jwt"].encode()]
    text = reader.pages[0].extract_text()
    assert "李小龙" in text
    assert "Introduction to Python Programming" in text
    assert "li@example.org" not in text


def test_a_tampered_baked_credential_does_not_verify(
    client: TestClient, issued: dict[str, Any]
) -> None:
    svg = _download(client, issued, "svg").replace("李小龙".encode("unicode_escape"), b"Mallory")
    extracted = extract_credential(svg)
    assert isinstance(extracted, dict)
    assert extracted["credentialSubject"]["name"] == "Mallory"
    report = client.post("/credentials/verify", json={"verifiableCredential": extracted})
    assert report.json()["verified"] is False


def test_the_svg_badge_may_not_run_anything(client: TestClient, issued: dict[str, Any]) -> None:
    response = client.get(issued["links"]["svg"])
    assert "sandbox" in response.headers["content-security-policy"]
    assert "default-src 'none'" in response.headers["content-security-policy"]


@pytest.mark.parametrize("form", FORMS)
def test_a_browser_revalidates_without_a_new_drawing(
    client: TestClient, issued: dict[str, Any], form: str
) -> None:
    first = client.get(issued["links"][form])
    again = client.get(issued["links"][form], headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert again.content == b""


def test_unknown_credentials_have_no_downloads(client: TestClient) -> None:
    for form in FORMS:
        response = client.get(f"/credentials/00000000-0000-4000-8000-000000000000.{form}")
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"
