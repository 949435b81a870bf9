"""PostgreSQL connections are pinged on checkout only after sitting idle (`app.db`).

A ping on every checkout (SQLAlchemy's ``pool_pre_ping``) cost a round trip per request; a
connection back from a request a moment ago is handed out as it is. These tests kill the
server side of a pooled connection and check which checkouts notice.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

from app.db import make_engine
from tests.conftest import _backend

pytestmark = pytest.mark.skipif(_backend() != "postgresql", reason="PostgreSQL connection pool")


@pytest.fixture
def admin(database_url: str) -> Iterator[Engine]:
    made = make_engine(database_url, pool_size=1)
    yield made
    made.dispose()


@contextmanager
def _pool(database_url: str, idle_seconds: float) -> Iterator[Engine]:
    """An engine of one pooled connection, disposed of afterwards."""
    engine = make_engine(database_url, pool_size=1, max_overflow=0,
                         ping_after_idle_seconds=idle_seconds)  # fmt: skip
    try:
        yield engine
    finally:
        engine.dispose()


def _backend_pid(engine: Engine) -> int:
    with engine.connect() as connection:
        pid: int = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
    return pid


def _kill(admin: Engine, pid: int) -> None:
    with admin.connect() as connection:
        # Waits (up to 5 s) until the backend is gone.
        killed = connection.execute(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid})
        assert killed.scalar_one() is True


def test_an_idle_connection_killed_on_the_server_is_replaced_before_use(
    database_url: str, admin: Engine
) -> None:
    with _pool(database_url, idle_seconds=0) as engine:
        first = _backend_pid(engine)
        _kill(admin, first)
        assert _backend_pid(engine) != first


def test_a_connection_used_a_moment_ago_is_handed_out_unpinged(
    database_url: str, admin: Engine
) -> None:
    with _pool(database_url, idle_seconds=3600) as engine:
        first = _backend_pid(engine)
        _kill(admin, first)
        # Not pinged: the dead connection reaches the statement, which fails (and the pool
        # then drops it, so the next checkout connects afresh).
        with pytest.raises(OperationalError):
            _backend_pid(engine)
        assert _backend_pid(engine) != first


def _pings_in_three_checkouts(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> int:
    pings: list[object] = []
    real = engine.dialect.do_ping

    def counted(dbapi_connection: object) -> bool:
        pings.append(dbapi_connection)
        return real(dbapi_connection)  # type: ignore[no-any-return]

    monkeypatch.setattr(engine.dialect, "do_ping", counted)
    for _ in range(3):
        _backend_pid(engine)
    return len(pings)


@pytest.mark.parametrize(("idle_seconds", "expected"), [(3600, 0), (0, 3)])
def test_pings_only_connections_idle_longer_than_the_limit(
    idle_seconds: float, expected: int, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with _pool(database_url, idle_seconds) as engine:
        assert _pings_in_three_checkouts(engine, monkeypatch) == expected
