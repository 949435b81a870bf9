"""Shared fixtures: one migrated database per run, one rolled-back transaction per test.

``LEARNPROOF_TEST_DB=postgresql`` runs the suite on a fresh PostgreSQL database
(created on ``LEARNPROOF_TEST_PG_URL``'s server and dropped afterwards); otherwise SQLite.
"""

from __future__ import annotations

import base64
import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from app import migrate
from app.auth import service as auth_service
from app.auth.scopes import Scope
from app.config import Settings
from app.core.clock import FixedClock
from app.db import make_engine
from app.main import create_app
from tests.support.markers import mark_interop

PG_ADMIN_URL = os.environ.get(
    "LEARNPROOF_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
TEST_PUBLIC_URL = "http://127.0.0.1:8000"
TEST_MASTER_KEY = base64.urlsafe_b64encode(b"learnproof-test-master-key-32by!").decode()


def _backend() -> str:
    return os.environ.get("LEARNPROOF_TEST_DB", "sqlite")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if _backend() == "postgresql":
        name = f"lp_test_{uuid.uuid4().hex[:12]}"
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
        try:
            migrate.upgrade(url)
            yield url
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    else:
        path = tmp_path_factory.mktemp("db") / "learnproof.db"
        url = f"sqlite:///{path}"
        migrate.upgrade(url)
        yield url


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as conn:
        outer = conn.begin()
        try:
            yield conn
        finally:
            outer.rollback()


@pytest.fixture
def session(connection: Connection) -> Iterator[Session]:
    with Session(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    ) as session:
        yield session


@pytest.fixture
def now() -> datetime:
    return datetime(2026, 11, 26, 12, 0, 0, tzinfo=UTC)


@pytest.fixture
def clock(now: datetime) -> FixedClock:
    return FixedClock(now)


@pytest.fixture
def keys_dir(tmp_path: Path) -> Path:
    path = tmp_path / "keys"
    path.mkdir()
    return path


@pytest.fixture
def settings(database_url: str, keys_dir: Path) -> Settings:
    return Settings(
        env="test",
        database_url=database_url,
        public_url=TEST_PUBLIC_URL,
        keys_dir=keys_dir,
        master_key=SecretStr(TEST_MASTER_KEY),
        fetch_allow_hosts=["127.0.0.1"],
        # Tests share one connection per test, so jobs run when a test asks, not in a thread.
        job_worker=False,
        # Likewise webhook deliveries and expiry scans: tests drive app.state.webhooks.
        webhook_worker=False,
        # Tests change keys and statuses and verify at once; production reuses for 2 s.
        own_documents_cache_seconds=0,
    )


@pytest.fixture
def app(settings: Settings, clock: FixedClock, connection: Connection) -> FastAPI:
    # Every session the app opens joins the test's outer transaction as a savepoint.
    factory = sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    return create_app(settings, clock=clock, session_factory=factory)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url=TEST_PUBLIC_URL) as test_client:
        yield test_client


def make_key(session: Session, scope: Scope, issuer: str | None = None, name: str = "") -> str:
    _record, secret = auth_service.create_key(
        session,
        name=name or f"test-{scope.value}",
        scope=scope,
        issuer_slug=issuer,
        now=datetime.now(UTC),
        actor="test",
    )
    session.commit()
    return secret


@pytest.fixture
def admin_headers(session: Session) -> dict[str, str]:
    return {"Authorization": f"Bearer {make_key(session, Scope.admin)}"}


@pytest.fixture
def fresh_database_url(tmp_path: Path) -> Iterator[str]:
    """An empty database of the backend under test, not migrated, dropped afterwards."""
    if _backend() == "postgresql":
        name = f"lp_fresh_{uuid.uuid4().hex[:12]}"
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    else:
        yield f"sqlite:///{tmp_path / 'fresh.db'}"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that call Node are marked ``interop`` even when their author forgot."""
    mark_interop(items)
