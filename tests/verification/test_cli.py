"""`learnproof verify FILE|-`: the report in words; exit 0 verified, 1 not, 2 unreadable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import cli
from tests.verification.conftest import THIRD_PARTY

VALID = THIRD_PARTY / "digitalcredentials-vc-test-fixtures/v2-di-didkey-obspec-example.json"
TAMPERED = THIRD_PARTY / "digitalcredentials-vc-test-fixtures/v2-ed2020-didkey-tampered.json"


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("LEARNPROOF_ENV", "test")
    monkeypatch.setenv("LEARNPROOF_KEYS_DIR", str(tmp_path / "keys"))


def test_verified_credential_exits_0() -> None:
    result = CliRunner().invoke(cli, ["verify", str(VALID)])

    assert result.exit_code == 0, result.output
    assert result.output.startswith("VERIFIED")
    assert "[ok  ] proof: the eddsa-rdfc-2022 signature is valid" in result.output
    assert "meaning: Teamwork" in result.output


def test_tampered_credential_exits_1_and_says_why() -> None:
    result = CliRunner().invoke(cli, ["verify", str(TAMPERED)])

    assert result.exit_code == 1
    assert result.output.startswith("NOT VERIFIED")
    assert "[FAIL] proof: the signature does not match" in result.output


def test_stdin_and_json_output() -> None:
    wrapped = json.dumps({"verifiableCredential": json.loads(VALID.read_text()), "options": {}})

    result = CliRunner().invoke(cli, ["verify", "-", "--json"], input=wrapped)

    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["verified"] is True


def test_a_jwt_whose_issuer_cannot_be_reached_exits_1(tmp_path: Path) -> None:
    token = (
        THIRD_PARTY / "w3c-vc-jose-cose-test-suite/credential-jose-minimal-es256.jwt"
    ).read_text()
    path = tmp_path / "vc.jwt"
    path.write_text(token)
    # example.issuer is not resolvable here; with a private address it would be refused.

    result = CliRunner().invoke(cli, ["verify", str(path)])

    assert result.exit_code == 1
    assert "[FAIL] proof" in result.output


@pytest.mark.parametrize("content", ["hello world", "{ not json", "[" * 2000 + "]" * 2000])
def test_unreadable_input_exits_2(tmp_path: Path, content: str) -> None:
    path = tmp_path / "input.txt"
    path.write_text(content)

    result = CliRunner().invoke(cli, ["verify", str(path)])

    assert result.exit_code == 2
    assert "cannot read" in result.output


def test_missing_file_exits_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["verify", str(tmp_path / "nope.json")])

    assert result.exit_code == 2
