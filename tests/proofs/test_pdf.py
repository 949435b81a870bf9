from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

import pytest
from fpdf import FPDF
from pypdf import PdfReader

from app.proofs import pdf as pdf_module
from app.proofs.fonts import faces_for
from app.proofs.payload import ExtractionError
from app.proofs.pdf import (
    JSON_ATTACHMENT,
    JWT_ATTACHMENT,
    Certificate,
    extract_from_pdf,
    render_pdf,
)
from app.proofs.summary import summarise
from tests.proofs.samples import ARABIC_ISSUER, CHINESE_NAME, JWT, credential


def _certificate(vc: dict[str, Any]) -> Certificate:
    return Certificate(
        summary=summarise(vc),
        credential=vc,
        jwt=JWT,
        page_url=vc["id"],
        verify_url="http://127.0.0.1:8000/verify",
        issued_at=datetime(2026, 11, 26, 12, tzinfo=UTC),
    )


def _text(document: bytes) -> str:
    [page] = PdfReader(io.BytesIO(document)).pages
    return page.extract_text()


def test_the_fonts_for_every_script_are_installed() -> None:
    families = [face.family for face in faces_for([CHINESE_NAME, ARABIC_ISSUER, "Zoë"])]
    assert families == ["NotoSans", "NotoSansArabic", "WenQuanYiMicroHei"], (
        "install the Debian packages fonts-noto-core and fonts-wqy-microhei"
    )


def test_latin_text_needs_only_the_primary_face() -> None:
    assert [face.family for face in faces_for(["Zoë Ångström, Łódź"])] == ["NotoSans"]


def test_the_pdf_is_one_page_and_carries_both_forms_of_the_credential() -> None:
    vc = credential()
    document = render_pdf(_certificate(vc))
    reader = PdfReader(io.BytesIO(document))
    assert len(reader.pages) == 1
    assert set(reader.attachments) == {JSON_ATTACHMENT, JWT_ATTACHMENT}
    assert reader.attachments[JWT_ATTACHMENT] == [JWT.encode()]
    assert extract_from_pdf(document) == vc


def test_names_in_any_script_are_printed_as_text() -> None:
    text = _text(render_pdf(_certificate(credential())))
    assert CHINESE_NAME in text
    assert "Zoë Ångström" in text
    # Extractors list right-to-left words in visual order; each word must be intact.
    assert all(word in text for word in ARABIC_ISSUER.split())
    assert "Introduction to Data Science" in text
    assert "European Qualifications Framework, level 5" in text
    assert "5 available" in text
    assert "26 November 2026" in text


def test_the_fonts_are_embedded_as_subsets() -> None:
    document = render_pdf(_certificate(credential()))
    [page] = PdfReader(io.BytesIO(document)).pages
    fonts = {str(f.get_object()["/BaseFont"]) for f in page["/Resources"]["/Font"].values()}
    assert any("WenQuanYi" in name for name in fonts), fonts
    assert any("NotoSansArabic" in name for name in fonts), fonts
    assert len(document) < 400_000


def test_without_fonts_the_certificate_still_renders_and_carries_the_proof(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pdf_module, "faces_for", lambda texts: [])
    vc = credential()
    document = render_pdf(_certificate(vc))
    assert extract_from_pdf(document) == vc
    assert "Introduction to Data Science" in _text(document)


def test_hostile_text_is_printed_not_interpreted() -> None:
    vc = credential(name="<script>alert(1)</script> (Robert'); DROP TABLE")
    assert "<script>alert(1)</script>" in _text(render_pdf(_certificate(vc)))


def _pdf_with(**attachments: bytes) -> bytes:
    document = FPDF()
    document.add_page()
    for name, content in attachments.items():
        document.embed_file(bytes=content, basename=name.replace("_", "."), compress=True)
    return bytes(document.output())


def test_only_a_jwt_attachment_gives_the_jwt() -> None:
    assert extract_from_pdf(_pdf_with(credential_jwt=JWT.encode())) == JWT


def test_a_compressed_bomb_attachment_is_refused() -> None:
    bomb = _pdf_with(credential_json=b"{" + b" " * 30_000_000 + b"}")
    assert len(bomb) < 200_000
    with pytest.raises(ExtractionError):
        extract_from_pdf(bomb)


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (b"%PDF-1.7\n garbage that is no PDF at all", "could not be read"),
        (b"plain text", "not a PDF"),
        (_pdf_with(), "no attached credential"),
        (_pdf_with(credential_json=b"[1, 2]"), "not a JSON object"),
        (_pdf_with(credential_json=b"\xff\xfe"), "not UTF-8"),
    ],
)
def test_broken_or_empty_pdfs_are_refused_in_words(document: bytes, message: str) -> None:
    with pytest.raises(ExtractionError, match=message):
        extract_from_pdf(document)
