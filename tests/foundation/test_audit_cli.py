"""`learnproof audit verify` and the PostgreSQL migration/runtime roles."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from app import migrate
from app.audit import service
from app.cli import cli
from app.db import make_engine, make_sessionmaker
from tests.conftest import PG_ADMIN_URL
from tests.support.audit import tamper


@pytest.fixture
def cli_env(fresh_database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("LEARNPROOF_DATABASE_URL", fresh_database_url)
    monkeypatch.setenv("LEARNPROOF_KEYS_DIR", str(tmp_path / "keys"))
    monkeypatch.setenv("LEARNPROOF_ENV", "test")
    monkeypatch.delenv("LEARNPROOF_MIGRATION_DATABASE_URL", raising=False)
    return fresh_database_url


def test_audit_verify_exit_codes(cli_env: str) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["db", "upgrade"]).exit_code == 0
    for name in ("ops", "mooc", "reader"):
        created = runner.invoke(cli, ["apikey", "create", "--name", name, "--scope", "read"])
        assert created.exit_code == 0, created.output
    intact = runner.invoke(cli, ["audit", "verify"])
    assert intact.exit_code == 0, intact.output
    assert "audit chain intact: 3 entries" in intact.output
    engine = make_engine(cli_env)
    try:
        with engine.begin() as connection:
            second = connection.execute(text("SELECT id FROM audit_event ORDER BY id")).all()[1][0]
            tamper(
                connection,
                'UPDATE audit_event SET details = \'{"name": "forged"}\' WHERE id = :id',
                id=second,
            )
    finally:
        engine.dispose()
    broken = runner.invoke(cli, ["audit", "verify"])
    assert broken.exit_code == 1
    assert f"audit chain BROKEN at entry {second}" in broken.output


def _postgresql_only(url: str) -> None:
    if not url.startswith("postgresql"):
        pytest.skip("database roles exist on PostgreSQL only")


@pytest.fixture
def runtime_role(fresh_database_url: str) -> Iterator[str]:
    _postgresql_only(fresh_database_url)
    role = f"lp_runtime_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE ROLE "{role}" LOGIN'))
    try:
        yield role
    finally:
        owner = create_engine(fresh_database_url, isolation_level="AUTOCOMMIT")
        with owner.connect() as connection:
            connection.execute(text(f'DROP OWNED BY "{role}"'))
        owner.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        admin.dispose()


def test_runtime_role_can_append_but_not_rewrite_the_log(
    fresh_database_url: str, runtime_role: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # The migration role (here the superuser that owns the test database) upgrades and grants.
    monkeypatch.setenv("LEARNPROOF_MIGRATION_DATABASE_URL", fresh_database_url)
    runtime_url = (
        make_url(fresh_database_url).set(username=runtime_role, password=None)
    ).render_as_string(hide_password=False)
    monkeypatch.setenv("LEARNPROOF_DATABASE_URL", runtime_url)
    monkeypatch.setenv("LEARNPROOF_KEYS_DIR", str(tmp_path / "keys"))
    monkeypatch.setenv("LEARNPROOF_ENV", "test")
    runner = CliRunner()
    upgraded = runner.invoke(cli, ["db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.output
    printed = runner.invoke(cli, ["db", "grant-runtime", runtime_role, "--print"])
    assert f'GRANT SELECT, INSERT ON TABLE "audit_event" TO "{runtime_role}";' in printed.output
    granted = runner.invoke(cli, ["db", "grant-runtime", runtime_role])
    assert granted.exit_code == 0, granted.output
    # The service, as the runtime role: it works, and it writes the chained log.
    created = runner.invoke(cli, ["apikey", "create", "--name", "ops", "--scope", "admin"])
    assert created.exit_code == 0, created.output
    assert runner.invoke(cli, ["audit", "verify"]).exit_code == 0

    engine = make_engine(runtime_url)
    try:
        with make_sessionmaker(engine)() as session:
            service.record(session, actor="t", action="runtime.append", now=datetime.now(UTC))
            session.commit()
        for statement in (
            "TRUNCATE audit_event",
            "UPDATE audit_event SET actor = 'x'",
            "DELETE FROM audit_event",
            "ALTER TABLE audit_event DISABLE TRIGGER ALL",
            "ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_change",
            "DROP TRIGGER audit_event_no_change ON audit_event",
            "DELETE FROM audit_chain_head",
            "DROP TABLE audit_event",
        ):
            with engine.connect() as connection, pytest.raises(DBAPIError) as refused:
                connection.execute(text(statement))
            message = str(refused.value)
            assert "permission denied" in message or "must be owner" in message, statement
        with make_sessionmaker(engine)() as session:
            assert service.verify_chain(session).entries == 2
    finally:
        engine.dispose()


def test_grant_runtime_refuses_odd_role_names() -> None:
    with pytest.raises(ValueError, match="plain PostgreSQL role name"):
        migrate.runtime_grants('x"; DROP TABLE audit_event; --', ["audit_event"])


def test_grant_runtime_is_postgresql_only(cli_env: str) -> None:
    if cli_env.startswith("postgresql"):
        pytest.skip("this checks the SQLite refusal")
    result = CliRunner().invoke(cli, ["db", "grant-runtime", "learnproof_app"])
    assert result.exit_code == 2
    assert "PostgreSQL only" in result.output


def test_record_outside_a_transaction_is_dropped_with_the_session(
    session: Session, now: datetime
) -> None:
    session.commit()
    before = service.verify_chain(session).entries
    session.commit()
    session.close()
    service.record(session, actor="t", action="dropped", now=now)
    session.close()
    session.commit()
    assert service.verify_chain(session).entries == before
