"""The portable proofs of an issued credential: each one carries it and verifies."""

from __future__ import annotations

import io
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from app.proofs.extract import extract_credential
from app.proofs.pdf import JWT_ATTACHMENT
from app.web.rendering import content_disposition, download_name
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
    # Named after the achievement and the learner (RFC 6266: ASCII fallback, then UTF-8).
    assert response.headers["content-disposition"] == (
        f'attachment; filename="Introduction-to-Python-Programming.{form}"; '
        f"filename*=UTF-8''Introduction%20to%20Python%20Programming-"
        f"%E6%9D%8E%E5%B0%8F%E9%BE%99.{form}"
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


@pytest.mark.parametrize(
    ("parts", "name", "header"),
    [
        (("Data Science", "Zoë Ångström"), "Data Science-Zoë Ångström.pdf",
         "attachment; filename=\"Data-Science-Zoe-Angstrom.pdf\"; "
         "filename*=UTF-8''Data%20Science-Zo%C3%AB%20%C3%85ngstr%C3%B6m.pdf"),
        (("数据分析", "李小龙"), "数据分析-李小龙.pdf",
         "attachment; filename=\"credential.pdf\"; "
         "filename*=UTF-8''%E6%95%B0%E6%8D%AE%E5%88%86%E6%9E%90-%E6%9D%8E%E5%B0%8F%E9%BE%99.pdf"),
        (('../../etc/"passwd";\r\n', None), "etcpasswd.pdf",
         'attachment; filename="etcpasswd.pdf"'),
        (("", None), "credential.pdf", 'attachment; filename="credential.pdf"'),
    ],
)  # fmt: skip
def test_download_names_are_safe_in_any_script(
    parts: tuple[str, str | None], name: str, header: str
) -> None:
    assert download_name(*parts, suffix="pdf") == name
    assert content_disposition(name) == header


def test_the_pdf_follows_the_page_language(client: TestClient, issued: dict[str, Any]) -> None:
    english = client.get(issued["links"]["pdf"])
    chinese = client.get(issued["links"]["pdf"] + "?lang=zh-CN")
    assert english.headers["etag"] != chinese.headers["etag"]
    assert "Accept-Language" in chinese.headers["vary"]
    text = PdfReader(io.BytesIO(chinese.content)).pages[0].extract_text()
    assert "兹证明" in text
    assert "李小龙" in text
    assert "This certifies that" in PdfReader(io.BytesIO(english.content)).pages[0].extract_text()


def test_a_pdf_no_font_can_draw_is_refused_with_a_reason(world: World, client: TestClient) -> None:
    issued = world.issue(recipient={"name": "\U00013000 Scribe", "email": "s@example.org"})
    response = client.get(issued["links"]["pdf"])
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert "U+13000" in response.json()["detail"]
    # The other proofs still carry the name exactly.
    assert client.get(issued["links"]["json"]).status_code == 200
