from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from app import migrate
from app.cli import cli
from app.db import make_engine


@pytest.fixture
def cli_env(fresh_database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("LEARNPROOF_DATABASE_URL", fresh_database_url)
    monkeypatch.setenv("LEARNPROOF_KEYS_DIR", str(tmp_path / "keys"))
    monkeypatch.setenv("LEARNPROOF_ENV", "test")
    return fresh_database_url


def test_db_upgrade_twice_is_a_noop(cli_env: str) -> None:
    runner = CliRunner()
    first = runner.invoke(cli, ["db", "upgrade"])
    assert first.exit_code == 0, first.output
    second = runner.invoke(cli, ["db", "upgrade"])
    assert second.exit_code == 0, second.output
    head = migrate.head_revision(cli_env)
    assert f"database at revision {head}" in second.output


def test_apikey_create_list_revoke(cli_env: str) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["db", "upgrade"]).exit_code == 0
    created = runner.invoke(cli, ["apikey", "create", "--name", "ops", "--scope", "admin"])
    assert created.exit_code == 0, created.output
    secret = created.stdout.strip().splitlines()[-1]
    assert secret.startswith("lp_")
    prefix = secret.split("_")[1]
    listed = runner.invoke(cli, ["apikey", "list"])
    assert prefix in listed.output
    assert "active" in listed.output
    assert secret not in listed.output
    revoked = runner.invoke(cli, ["apikey", "revoke", prefix])
    assert revoked.exit_code == 0, revoked.output
    assert "revoked" in runner.invoke(cli, ["apikey", "list"]).output
    missing = runner.invoke(cli, ["apikey", "revoke", "nope"])
    assert missing.exit_code == 1
    engine = make_engine(cli_env)
    try:
        with engine.connect() as connection:
            hashes = [r[0] for r in connection.exec_driver_sql("SELECT key_hash FROM api_key")]
    finally:
        engine.dispose()
    assert secret not in hashes


def test_bad_scope_is_refused(cli_env: str) -> None:
    result = CliRunner().invoke(cli, ["apikey", "create", "--name", "x", "--scope", "root"])
    assert result.exit_code == 2


def test_bad_configuration_is_a_clear_error(cli_env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEARNPROOF_ENV", "production")
    monkeypatch.setenv("LEARNPROOF_PUBLIC_URL", "http://insecure.example")
    result = CliRunner().invoke(cli, ["db", "upgrade"])
    assert result.exit_code == 2
    assert "LEARNPROOF_PUBLIC_URL must use https" in result.output


def test_issuer_create_and_key_rotation(cli_env: str) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["db", "upgrade"]).exit_code == 0
    created = runner.invoke(
        cli,
        [
            "issuer", "create", "--slug", "cli-uni", "--name", "CLI University",
            "--url", "https://cli.example.org", "--email", "x@cli.example.org",
        ],
    )  # fmt: skip
    assert created.exit_code == 0, created.output
    assert "did:web:127.0.0.1%3A8000:issuers:cli-uni" in created.output
    rotated = runner.invoke(cli, ["keys", "rotate", "--issuer", "cli-uni"])
    assert rotated.exit_code == 0, rotated.output
    assert "key-2 (Ed25519) is now the active key" in rotated.output
    bad = runner.invoke(cli, ["issuer", "create", "--slug", "Bad Slug", "--name", "x",
                              "--url", "https://x.org", "--email", "a@x.org"])  # fmt: skip
    assert bad.exit_code == 2
    missing = runner.invoke(cli, ["keys", "rotate", "--issuer", "nope"])
    assert missing.exit_code == 1
    assert "No issuer has the slug 'nope'" in missing.output


def test_master_key_command_prints_a_fresh_secret() -> None:
    first = CliRunner().invoke(cli, ["keys", "master-key"]).stdout.strip()
    second = CliRunner().invoke(cli, ["keys", "master-key"]).stdout.strip()
    assert len(first) >= 43
    assert first != second
