from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
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


def test_key_for_an_unknown_issuer_is_refused(cli_env: str) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["db", "upgrade"]).exit_code == 0
    args = ["apikey", "create", "--name", "x", "--scope", "issue", "--issuer", "nope"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 1
    assert "No issuer has the slug 'nope'" in result.output


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


def test_demo_seeds_and_prints_links_idempotently(cli_env: str) -> None:
    runner = CliRunner()
    first = runner.invoke(cli, ["demo"])
    assert first.exit_code == 0, first.output
    assert "did:web:127.0.0.1%3A8000:issuers:demo-university" in first.output
    assert "http://127.0.0.1:8000/issuers/demo-university/did.json" in first.output
    second = runner.invoke(cli, ["demo"])
    assert second.exit_code == 0, second.output
    page = [line for line in first.output.splitlines() if line.startswith("credential page")]
    assert page == [
        line for line in second.output.splitlines() if line.startswith("credential page")
    ]


def test_issue_from_csv(cli_env: str, tmp_path: Path) -> None:
    runner = CliRunner()
    seeded = runner.invoke(cli, ["demo"])
    assert seeded.exit_code == 0, seeded.output
    engine = make_engine(cli_env)
    try:
        with engine.connect() as connection:
            achievement = connection.exec_driver_sql("SELECT id FROM achievement").scalar_one()
    finally:
        engine.dispose()
    csv_file = tmp_path / "cohort.csv"
    csv_file.write_text(
        "name,email,external_id\n"
        "Grace Hopper,grace@example.org,c-1\n"
        "李雷,li@example.org,c-2\n"
        "Bad Row,not-an-email,c-3\n"
    )
    args = ["issue", "--issuer", "demo-university", "--achievement", achievement]
    result = runner.invoke(cli, [*args, "--csv", str(csv_file)])
    assert result.exit_code == 1, result.output
    assert "issued 2, failed 1" in result.output
    assert "line 4" in result.output
    again = runner.invoke(cli, [*args, "--csv", str(csv_file)])
    assert "issued 2, failed 1" in again.output
    engine = make_engine(cli_env)
    try:
        with engine.connect() as connection:
            count = connection.execute(
                text("SELECT count(*) FROM credential WHERE external_id LIKE :pattern"),
                {"pattern": "c-%"},
            ).scalar_one()
    finally:
        engine.dispose()
    assert count == 2
    bad_header = tmp_path / "bad.csv"
    bad_header.write_text("nom,courriel\nx,y\n")
    assert runner.invoke(cli, [*args, "--csv", str(bad_header)]).exit_code == 2


def test_serve_refuses_a_wrong_master_key(cli_env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    monkeypatch.setenv("LEARNPROOF_MASTER_KEY", "a" * 43)
    assert runner.invoke(cli, ["demo"]).exit_code == 0
    monkeypatch.setenv("LEARNPROOF_MASTER_KEY", "b" * 43)
    result = runner.invoke(cli, ["serve", "--port", "1"])
    assert result.exit_code == 2
    assert "does not match" in result.output


def _credential_count(url: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            count: int = connection.exec_driver_sql("SELECT count(*) FROM credential").scalar_one()
            return count
    finally:
        engine.dispose()


def test_issue_from_csv_is_interruptible_and_rerunnable(
    cli_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import app.cli.issue as cli_module

    runner = CliRunner()
    assert runner.invoke(cli, ["demo"]).exit_code == 0
    engine = make_engine(cli_env)
    try:
        with engine.connect() as connection:
            achievement = connection.exec_driver_sql("SELECT id FROM achievement").scalar_one()
    finally:
        engine.dispose()
    before = _credential_count(cli_env)
    csv_file = tmp_path / "cohort.csv"
    # No external_id column: each row gets one derived from its content.
    csv_file.write_text(
        "name,email\n"
        + "".join(f"Learner {i},l{i}@example.org\n" for i in range(5))
        + "Bad Row,not-an-email\n"
    )
    args = ["issue", "--issuer", "demo-university", "--achievement", achievement]
    monkeypatch.setenv("LEARNPROOF_BATCH_CHUNK_ITEMS", "2")
    real = cli_module._issue_rows
    calls = {"n": 0}

    def interrupted_on_the_second_chunk(*a: object, **k: object) -> object:
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        return real(*a, **k)  # type: ignore[arg-type]

    monkeypatch.setattr(cli_module, "_issue_rows", interrupted_on_the_second_chunk)
    stopped = runner.invoke(cli, [*args, "--csv", str(csv_file)])
    assert stopped.exit_code == 130, stopped.output
    assert "interrupted after 2 of 6 rows" in stopped.output
    assert _credential_count(cli_env) == before + 2
    monkeypatch.setattr(cli_module, "_issue_rows", real)
    finished = runner.invoke(cli, [*args, "--csv", str(csv_file)])
    assert finished.exit_code == 1, finished.output  # the bad row
    assert "issued 5, failed 1" in finished.output
    assert _credential_count(cli_env) == before + 5  # the first two were replayed
    lines = (tmp_path / "cohort.results.csv").read_text().splitlines()
    assert lines[0] == "row,credential_id,page,error"
    rows = [line.split(",", 3) for line in lines[1:]]
    assert [r[0] for r in rows] == ["2", "3", "4", "5", "6", "7"]
    assert all(r[1] and r[2].endswith(r[1]) and not r[3] for r in rows[:5])
    assert not rows[5][1]
    assert "email" in rows[5][3]
    again = runner.invoke(cli, [*args, "--csv", str(csv_file)])
    assert "issued 5, failed 1" in again.output
    assert _credential_count(cli_env) == before + 5
    assert (tmp_path / "cohort.results.csv").read_text().splitlines() == lines
