"""`learnproof issuer create` takes the issuer's look: colour, signatory and image files."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from app.cli import cli
from app.db import make_engine
from app.proofs.branding import MAX_IMAGE_BYTES
from tests.support.images import image

BASE = ["issuer", "create", "--url", "https://b.example.org", "--email", "x@b.example.org"]


@pytest.fixture
def cli_env(fresh_database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("LEARNPROOF_DATABASE_URL", fresh_database_url)
    monkeypatch.setenv("LEARNPROOF_KEYS_DIR", str(tmp_path / "keys"))
    monkeypatch.setenv("LEARNPROOF_ENV", "test")
    assert CliRunner().invoke(cli, ["db", "upgrade"]).exit_code == 0
    return fresh_database_url


def _stored(database_url: str, slug: str) -> dict[str, object]:
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            row = connection.execute(
                text(
                    "SELECT brand_color, signatory_name, signatory_title, image, "
                    "signature_image, background_image FROM issuer WHERE slug = :slug"
                ),
                {"slug": slug},
            ).one()
    finally:
        engine.dispose()
    return dict(row._mapping)


def test_issuer_create_stores_the_look_from_files(cli_env: str, tmp_path: Path) -> None:
    logo = tmp_path / "logo.png"
    logo.write_bytes(image(200, 80, colour="#8a1538"))
    signature = tmp_path / "signature.jpg"
    signature.write_bytes(image(120, 40, kind="JPEG"))
    result = CliRunner().invoke(
        cli,
        [*BASE, "--slug", "branded", "--name", "Branded College", "--brand-color", "#8a1538",
         "--signatory-name", "王小明", "--signatory-title", "Dean",
         "--logo", str(logo), "--signature", str(signature)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    stored = _stored(cli_env, "branded")
    assert stored["brand_color"] == "#8a1538"
    assert (stored["signatory_name"], stored["signatory_title"]) == ("王小明", "Dean")
    png = base64.b64encode(logo.read_bytes()).decode()
    assert stored["image"] == f"data:image/png;base64,{png}"
    assert str(stored["signature_image"]).startswith("data:image/jpeg;base64,")
    assert stored["background_image"] is None


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "not a PNG or JPEG"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * MAX_IMAGE_BYTES, "larger than 512 KB"),
        (b"\x89PNG\r\n\x1a\n" + b"not really a png", "image"),
    ],
)
def test_issuer_create_refuses_files_that_are_not_images(
    cli_env: str, tmp_path: Path, content: bytes, message: str
) -> None:
    logo = tmp_path / "logo.png"
    logo.write_bytes(content)
    result = CliRunner().invoke(
        cli, [*BASE, "--slug", "bad-logo", "--name", "Bad Logo", "--logo", str(logo)]
    )
    assert result.exit_code == 2
    assert message in result.output
    assert "created issuer" not in result.output


def test_issuer_create_refuses_a_bad_colour_and_a_missing_file(
    cli_env: str, tmp_path: Path
) -> None:
    runner = CliRunner()
    colour = runner.invoke(cli, [*BASE, "--slug", "c", "--name", "C", "--brand-color", "red"])
    assert colour.exit_code == 2
    assert "brand_color" in colour.output
    missing = runner.invoke(
        cli, [*BASE, "--slug", "m", "--name", "M", "--logo", str(tmp_path / "nope.png")]
    )
    assert missing.exit_code == 2
    assert "nope.png" in missing.output
