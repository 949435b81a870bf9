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
from tests.web.live import TEST_MASTER_KEY, Live


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


def _run_beside(live: Live, tmp_path: Path, database_url: str, *args: str) -> tuple[int, str]:
    """The command on the installation's own machine: its settings, no allow-list."""
    env = {
        "LEARNPROOF_PUBLIC_URL": live.url,
        "LEARNPROOF_DATABASE_URL": database_url,
        "LEARNPROOF_MASTER_KEY": TEST_MASTER_KEY,
        "LEARNPROOF_KEYS_DIR": str(tmp_path / "keys"),
        "LEARNPROOF_FETCH_ALLOW_HOSTS": "",
    }
    result = CliRunner().invoke(cli, ["verify", *args], env=env)
    return result.exit_code, result.output


@pytest.mark.parametrize("form", ["json", "pdf"])
def test_a_credential_of_this_installation_verifies_without_an_allow_list(
    live: Live, tmp_path: Path, form: str
) -> None:
    path = tmp_path / f"credential.{form}"
    path.write_bytes(httpx.get(live.credential["links"][form], timeout=30).content)
    code, output = _run_beside(live, tmp_path, live.database_url, str(path))
    assert code == 0, output
    assert output.startswith("VERIFIED")
    # Without the installation's database, loopback stays refused: the fallback is honest.
    missing = f"sqlite:///{tmp_path / 'absent.db'}"
    code, output = _run_beside(live, tmp_path, missing, str(path))
    assert code == 1, output
    assert output.startswith("NOT VERIFIED")
    assert not (tmp_path / "absent.db").exists()
