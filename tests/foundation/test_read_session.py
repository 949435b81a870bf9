"""``read_session``: a session that never commits and that the database refuses to write in.

Both ways it is made: from the app's engine (`make_read_sessionmaker`, connected at the first
statement; on PostgreSQL through `make_read_engine`'s autocommit, read-only connections) and
from a factory bound elsewhere (set up at once). These tests use the engine
directly, not the per-test outer transaction (on SQLite that transaction holds the writer lock
a second writer would wait for).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from app.db import make_read_engine, make_read_sessionmaker, make_sessionmaker
from app.dependencies import read_session as open_read_session


@pytest.fixture
def readers(engine: Engine) -> Iterator[Engine | None]:
    """The app's read engine for this database (None on SQLite)."""
    url = engine.url.render_as_string(hide_password=False)
    made = make_read_engine(url, pool_size=2)
    yield made
    if made is not None:
        made.dispose()


def _opened(factory: sessionmaker[Session], readers: sessionmaker[Session] | None) -> Session:
    manager = open_read_session(factory, readers)
    session = manager.__enter__()
    session.info["manager"] = manager
    return session


def _closed(session: Session) -> None:
    session.info.pop("manager").__exit__(None, None, None)


@pytest.fixture(params=["lazy", "bound"])
def read_session(
    request: pytest.FixtureRequest, engine: Engine, readers: Engine | None
) -> Iterator[Session]:
    factory = make_read_sessionmaker(engine, readers) if request.param == "lazy" else None
    session = _opened(make_sessionmaker(engine), factory)
    yield session
    if "manager" in session.info:
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


def test_the_app_read_session_connects_only_when_it_reads(
    engine: Engine, readers: Engine | None
) -> None:
    pool = (readers or engine).pool
    session = _opened(make_sessionmaker(engine), make_read_sessionmaker(engine, readers))
    assert not session.in_transaction()
    assert pool.checkedout() == 0
    session.execute(text("SELECT 1"))
    assert pool.checkedout() == 1
    _closed(session)
    assert pool.checkedout() == 0


def test_a_read_session_sees_what_was_committed_after_it_opened(
    engine: Engine, readers: Engine | None
) -> None:
    """Verification reads the status list as it is now, not as it was when it began."""
    with make_sessionmaker(engine)() as writer:
        writer.execute(text("CREATE TABLE IF NOT EXISTS read_probe (id INTEGER)"))
        writer.execute(text("DELETE FROM read_probe"))
        writer.commit()
    try:
        session = _opened(make_sessionmaker(engine), make_read_sessionmaker(engine, readers))
        assert session.scalar(text("SELECT count(*) FROM read_probe")) == 0
        with make_sessionmaker(engine)() as writer:
            writer.execute(text("INSERT INTO read_probe VALUES (1)"))
            writer.commit()
        seen = session.scalar(text("SELECT count(*) FROM read_probe"))
        _closed(session)
        # PostgreSQL's readers autocommit each statement; SQLite's hold one snapshot.
        assert seen == (1 if readers is not None else 0)
    finally:
        with make_sessionmaker(engine)() as writer:
            writer.execute(text("DROP TABLE read_probe"))
            writer.commit()
