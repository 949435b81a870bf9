"""Fonts come with the install: certificates print right with the system font folders hidden."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from pypdf import PdfReader

from app.proofs import fonts
from app.proofs.badge import render_png
from app.proofs.pdf import Certificate, extract_from_pdf, render_pdf
from app.proofs.summary import summarise
from tests.proofs.samples import ARABIC_ISSUER, CHINESE_NAME, JWT, credential


@pytest.fixture
def no_system_fonts(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """As on a machine without the Debian font packages."""
    monkeypatch.setattr(fonts, "SYSTEM_FOLDERS", [tmp_path / "no-such-folder"])


def _certificate(vc: dict[str, Any]) -> Certificate:
    return Certificate(
        summary=summarise(vc),
        credential=vc,
        jwt=JWT,
        page_url=vc["id"],
        verify_url="http://127.0.0.1:8000/verify",
        issued_at=datetime(2026, 11, 26, 12, tzinfo=UTC),
    )


@pytest.mark.usefixtures("no_system_fonts")
def test_every_face_is_bundled_with_its_licence() -> None:
    faces = fonts.available_faces()
    assert [face.family for face in faces] == [face.family for face in fonts.faces()]
    assert all(face.regular.is_relative_to(fonts.BUNDLED) for face in faces)
    for licence in ("LICENSE-Noto.txt", "LICENSE-WenQuanYi-Micro-Hei.txt", "Apache-2.0.txt"):
        assert (fonts.BUNDLED / licence).stat().st_size > 1000, licence
    assert "SIL OPEN FONT LICENSE" in (fonts.BUNDLED / "LICENSE-Noto.txt").read_text().upper()
    size = sum(path.stat().st_size for path in fonts.BUNDLED.iterdir())
    assert size < 12_000_000  # a few fonts, not a font library


@pytest.mark.usefixtures("no_system_fonts")
def test_a_chinese_name_prints_right_without_system_fonts() -> None:
    vc = credential(name=CHINESE_NAME)
    vc["issuer"]["name"] = ARABIC_ISSUER
    document = render_pdf(_certificate(vc))
    text = PdfReader(io.BytesIO(document)).pages[0].extract_text()
    assert CHINESE_NAME in text
    assert "?" * len(CHINESE_NAME) not in text
    assert extract_from_pdf(document) == vc
    resources = PdfReader(io.BytesIO(document)).pages[0]["/Resources"]["/Font"]
    used = " ".join(str(font.get_object()["/BaseFont"]) for font in resources.values())
    assert "WenQuanYi" in used, used
    badge = Image.open(io.BytesIO(render_png(summarise(vc))))
    assert badge.size == (512, 512)


@pytest.mark.parametrize("name", ["Ankh \U00013000 Scribe", "\U0001f600 Smiley"])
def test_a_character_no_font_draws_refuses_the_pdf(name: str) -> None:
    vc = credential(name=name)
    with pytest.raises(fonts.UnprintableText) as refused:
        render_pdf(_certificate(vc))
    assert "cannot be printed" in str(refused.value)
    drawn_by_none = next(ch for ch in name if ord(ch) > 0xFFFF)
    assert f"U+{ord(drawn_by_none):04X}" in str(refused.value)
