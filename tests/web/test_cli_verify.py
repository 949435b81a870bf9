"""``learnproof verify FILE`` reads every portable proof: PDF, baked PNG and SVG, JSON, JWT.

The command has no database: it resolves the issuer's did:web and status list over HTTP,
here from the live test server (allow-listed on loopback, as an intranet verifier would).
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from app.cli import cli
from tests.web.live import Live


def _run(live: Live, *args: str) -> tuple[int, str]:
    env = {
        "LEARNPROOF_PUBLIC_URL": live.url,
        "LEARNPROOF_DATABASE_URL": live.database_url,
        "LEARNPROOF_FETCH_ALLOW_HOSTS": "127.0.0.1",
    }
    result = CliRunner().invoke(cli, ["verify", *args], env=env)
    return result.exit_code, result.output


@pytest.mark.parametrize("form", ["pdf", "png", "svg", "json", "jwt"])
def test_every_download_verifies_from_the_command_line(
    live: Live, tmp_path: Path, form: str
) -> None:
    path = tmp_path / f"credential.{form}"
    path.write_bytes(httpx.get(live.credential["links"][form], timeout=30).content)
    code, output = _run(live, str(path))
    assert code == 0, output
    assert output.startswith("VERIFIED")
    assert "status" in output


def test_a_broken_badge_is_unreadable_input(live: Live, tmp_path: Path) -> None:
    path = tmp_path / "badge.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 20)
    code, output = _run(live, str(path))
    assert code == 2
    assert "The PNG image is damaged" in output
