"""The issuer's look on the PDF and the page; the framework linkage and occupations printed;
every download named after the achievement and the learner."""

from __future__ import annotations

import base64
import hashlib
import io
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy.orm import Session

from app.proofs import fonts
from app.web.rendering import PAGE_CSP
from tests.credentials.factories import World
from tests.frameworks.conftest import framework_document, linkage
from tests.support.images import jpeg_url, png_url

HTML = {"Accept": "text/html"}
LOGO = png_url(200, 80, "#8a1538")
SIGNATURE = png_url(120, 40, "#000000")
BRANDING = {
    "image": LOGO,
    "brand_color": "#8a1538",
    "signatory_name": "Prof. Dr. Grace Hopper",
    "signatory_title": "Dean of Studies",
    "signature_image": SIGNATURE,
    "background_image": jpeg_url(297, 210),
}
OCCUPATION = "计算机软件工程技术人员"


@pytest.fixture
def world(client: TestClient, session: Session, admin_headers: dict[str, str]) -> World:
    document = framework_document("de-dqr", ["6"], linkages=[linkage("6", "eqf", "6")])
    created = client.post("/v1/frameworks", json=document, headers=admin_headers)
    assert created.status_code == 201, created.text
    world = World(client, session, admin_headers, **BRANDING)
    world.achievement = world.create_achievement(
        framework_levels=[{"framework": "de-dqr", "level": "6"}],
        occupations=[{"scheme": "csco2022", "code": "2-02-10-03"}],
    )
    return world


def _pdf_text(client: TestClient, issued: dict[str, Any], lang: str = "en") -> str:
    response = client.get(f"{issued['links']['pdf']}?lang={lang}")
    assert response.status_code == 200, response.text
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 1
    return " ".join(reader.pages[0].extract_text().split())


def test_the_pdf_prints_signatory_linkage_and_occupation(world: World, client: TestClient) -> None:
    issued = world.issue(recipient={"name": "李小龙", "email": "li@example.org"})
    text = _pdf_text(client, issued)
    for expected in [
        "Prof. Dr. Grace Hopper",
        "Dean of Studies",
        # The level with what it equals, as the credential page says it.
        "Level 6 (Framework de-dqr); equals EQF level 6",
        OCCUPATION,
        "李小龙",
    ]:
        assert expected in text, (expected, text)
    # The same facts on the Chinese certificate, around the Chinese words.
    chinese = _pdf_text(client, issued, "zh-CN")
    assert "Prof. Dr. Grace Hopper" in chinese
    assert OCCUPATION in chinese
    # Our words translated, the names as issued: "等同于EQF level 6".
    assert "等同于EQF level 6" in chinese
    assert "equals EQF level 6" not in chinese


def test_the_pdf_draws_the_logo_signature_and_background(world: World, client: TestClient) -> None:
    issued = world.issue()
    branded = PdfReader(io.BytesIO(client.get(issued["links"]["pdf"]).content))
    images = branded.pages[0].images
    # The badge, the logo, the signature and the background, each drawn from stored bytes.
    assert len(images) == 4, [image.name for image in images]


@pytest.mark.parametrize("name", ["王小明", "Élodie Müller-Brandt"])
def test_a_signatory_in_any_script_prints_without_system_fonts(
    world: World, client: TestClient, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, name: str
) -> None:
    monkeypatch.setattr(fonts, "SYSTEM_FOLDERS", [tmp_path / "no-such-folder"])
    patched = client.patch(
        f"/v1/issuers/{world.slug}",
        json={"signatory_name": name, "signatory_title": "校长"},
        headers=world.admin,
    )
    assert patched.status_code == 200, patched.text
    text = _pdf_text(client, world.issue())
    assert name in text
    assert "校长" in text
    assert "?" * len(name) not in text


def test_an_achievement_overrides_the_issuers_signatory(world: World, client: TestClient) -> None:
    url = f"/v1/issuers/{world.slug}/achievements/{world.achievement['id']}"
    change = {"signatory_name": "Dr. Katherine Johnson", "signatory_title": "Programme Director"}
    assert client.patch(url, json=change, headers=world.issue_headers).status_code == 200
    issued = world.issue()
    text = _pdf_text(client, issued)
    assert "Dr. Katherine Johnson" in text
    assert "Programme Director" in text
    assert "Grace Hopper" not in text
    page = client.get(f"/credentials/{issued['id']}", headers=HTML).text
    assert "Dr. Katherine Johnson" in page
    assert "Grace Hopper" not in page


def test_a_branding_change_is_a_new_pdf_for_caches(world: World, client: TestClient) -> None:
    issued = world.issue()
    before = client.get(issued["links"]["pdf"])
    again = client.get(issued["links"]["pdf"], headers={"If-None-Match": before.headers["etag"]})
    assert again.status_code == 304
    change = {"signatory_name": "Dr. Mary Jackson"}
    client.patch(f"/v1/issuers/{world.slug}", json=change, headers=world.admin)
    after = client.get(issued["links"]["pdf"], headers={"If-None-Match": before.headers["etag"]})
    assert after.status_code == 200
    assert after.headers["etag"] != before.headers["etag"]


def test_the_page_shows_the_look_under_its_csp(world: World, client: TestClient) -> None:
    issued = world.issue()
    response = client.get(f"/credentials/{issued['id']}", headers=HTML)
    page = response.text
    assert f'<img class="logo" src="{LOGO}" alt="Logo of Université d&#39;Exemple">' in page
    assert f'src="{SIGNATURE}" alt="Signature of Prof. Dr. Grace Hopper"' in page
    assert "Signed for the issuer by" in page
    assert "Dean of Studies" in page
    assert "equals EQF level 6" in page
    assert OCCUPATION in page
    # The one inline style is allowed by its hash, and holds only checked colours and images.
    style = re.search(r"<style>(.*?)</style>", page, re.S)
    assert style is not None
    digest = base64.b64encode(hashlib.sha256(style.group(1).encode()).digest()).decode()
    csp = response.headers["content-security-policy"]
    assert f"style-src 'self' 'sha256-{digest}'" in csp
    assert "default-src 'self'" in csp
    assert "--brand:#8a1538;--on-brand:#ffffff;--brand-text:#8a1538" in style.group(1)
    assert "url(data:image/jpeg;base64," in style.group(1)
    chinese = client.get(f"/credentials/{issued['id']}?lang=zh-CN", headers=HTML).text
    assert "代表颁发机构签署" in chinese


def test_a_pale_brand_colour_keeps_text_readable(world: World, client: TestClient) -> None:
    client.patch(f"/v1/issuers/{world.slug}", json={"brand_color": "#FFD700"}, headers=world.admin)
    page = client.get(f"/credentials/{world.issue()['id']}", headers=HTML).text
    # Black on the gold band; the title in ink, not in gold on white.
    assert "--brand:#ffd700;--on-brand:#000000;--brand-text:#1a1a1a" in page


def test_an_unbranded_issuer_gets_the_house_look(
    client: TestClient, session: Session, admin_headers: dict[str, str]
) -> None:
    plain = World(client, session, admin_headers)
    issued = plain.issue()
    response = client.get(f"/credentials/{issued['id']}", headers=HTML)
    page = response.text
    # The site's own stylesheet is the house look: no inline style, the plain page CSP.
    assert "<style>" not in page
    assert response.headers["content-security-policy"] == PAGE_CSP
    assert 'class="logo"' not in page
    assert "Signed for the issuer by" not in page
    text = _pdf_text(client, issued)
    assert "Ada Lovelace" in text
    reader = PdfReader(io.BytesIO(client.get(issued["links"]["pdf"]).content))
    assert len(reader.pages[0].images) == 1  # the badge alone


@pytest.mark.parametrize("form", ["json", "jwt"])
def test_json_and_jwt_downloads_are_named_for_people(
    world: World, client: TestClient, form: str
) -> None:
    issued = world.issue(recipient={"name": "李小龙", "email": "li@example.org"})
    response = client.get(f"/credentials/{issued['id']}.{form}")
    assert response.status_code == 200
    assert response.headers["content-disposition"] == (
        f'attachment; filename="Introduction-to-Python-Programming.{form}"; '
        f"filename*=UTF-8''Introduction%20to%20Python%20Programming-"
        f"%E6%9D%8E%E5%B0%8F%E9%BE%99.{form}"
    )
    assert issued["id"] not in response.headers["content-disposition"]


def test_the_longest_signatory_stays_above_the_footer(world: World, client: TestClient) -> None:
    long = {"signatory_name": "Grace " * 32 + "Hopper", "signatory_title": "Dean " * 39 + "X"}
    patched = client.patch(f"/v1/issuers/{world.slug}", json=long, headers=world.admin)
    assert patched.status_code == 200, patched.text
    response = client.get(world.issue()["links"]["pdf"])
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 1
    lines: list[tuple[float, str]] = []

    def visit(text: str, cm: Any, tm: list[float], font: Any, size: Any) -> None:
        if text.strip():
            # Millimetres from the top of the A4 landscape page.
            lines.append((210 - tm[5] * 25.4 / 72, text.strip()))

    reader.pages[0].extract_text(visitor_text=visit)
    signatory = [(y, text) for y, text in lines if "Grace" in text or "Dean" in text]
    assert signatory
    assert all(y < 188 for y, _ in signatory), signatory
    assert any(text.endswith("…") for _, text in signatory), signatory


def test_the_chinese_page_says_what_a_level_equals_in_chinese(
    world: World, client: TestClient
) -> None:
    issued = world.issue()
    english = client.get(f"/credentials/{issued['id']}?lang=en", headers=HTML).text
    chinese = client.get(f"/credentials/{issued['id']}?lang=zh-CN", headers=HTML).text
    assert "equals EQF level 6" in english
    assert "等同于EQF level 6" in chinese
    assert "equals EQF level 6" not in chinese
