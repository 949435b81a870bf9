"""``ReadSessionDep``: a session that never commits and that the database refuses to write in.

Both ways it is made: from the app's engine (`make_read_sessionmaker`, connected at the first
statement) and from a factory bound elsewhere (set up at once). These tests use the engine
directly, not the per-test outer transaction (on SQLite that transaction holds the writer lock
a second writer would wait for).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from app.db import make_read_sessionmaker, make_sessionmaker
from app.dependencies import get_read_session


def _opened(factory: sessionmaker[Session], readers: sessionmaker[Session] | None) -> Session:
    sessions = get_read_session(factory, readers)
    session = asyncio.run(anext(sessions))
    session.info["generator"] = sessions
    return session


def _closed(session: Session) -> None:
    sessions = session.info.pop("generator")
    with pytest.raises(StopAsyncIteration):
        asyncio.run(anext(sessions))


@pytest.fixture(params=["lazy", "bound"])
def read_session(request: pytest.FixtureRequest, engine: Engine) -> Iterator[Session]:
    readers = make_read_sessionmaker(engine) if request.param == "lazy" else None
    session = _opened(make_sessionmaker(engine), readers)
    yield session
    if "generator" in session.info:
        _closed(session)


def test_the_read_session_refuses_writes(read_session: Session) -> None:
    with pytest.raises(DBAPIError, match="read-only|readonly"):
        read_session.execute(text("CREATE TABLE read_only_probe (id INTEGER)"))


def test_a_write_session_after_a_read_session_can_write(
    read_session: Session, engine: Engine
) -> None:
    read_session.execute(text("SELECT 1"))
    _closed(read_session)
    # The same pooled connection comes back to a writer with nothing of the reader's left.
    for _ in range(2):
        with make_sessionmaker(engine)() as session:
            session.execute(text("CREATE TEMPORARY TABLE write_probe (id INTEGER)"))
            session.execute(text("INSERT INTO write_probe VALUES (1)"))
            assert session.scalar(text("SELECT count(*) FROM write_probe")) == 1
            session.rollback()


def test_the_app_read_session_connects_only_when_it_reads(engine: Engine) -> None:
    session = _opened(make_sessionmaker(engine), make_read_sessionmaker(engine))
    assert not session.in_transaction()
    assert engine.pool.checkedout() == 0
    session.execute(text("SELECT 1"))
    assert engine.pool.checkedout() == 1
    _closed(session)
    assert engine.pool.checkedout() == 0
