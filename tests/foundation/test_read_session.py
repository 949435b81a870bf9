"""``ReadSessionDep``: a session that never commits and that the database refuses to write in.

These tests use the engine directly, not the per-test outer transaction (on SQLite that
transaction holds the writer lock a second writer would wait for).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from app.db import make_sessionmaker
from app.dependencies import get_read_session


@pytest.fixture
def read_session(engine: Engine) -> Iterator[Session]:
    sessions = get_read_session(make_sessionmaker(engine))
    yield next(sessions)
    sessions.close()


def test_the_read_session_refuses_writes(read_session: Session) -> None:
    with pytest.raises(DBAPIError, match="read-only|readonly"):
        read_session.execute(text("CREATE TABLE read_only_probe (id INTEGER)"))


def test_a_write_session_after_a_read_session_can_write(
    read_session: Session, engine: Engine
) -> None:
    read_session.execute(text("SELECT 1"))
    read_session.rollback()
    read_session.close()
    with make_sessionmaker(engine)() as session:
        session.execute(text("CREATE TEMPORARY TABLE write_probe (id INTEGER)"))
        session.execute(text("INSERT INTO write_probe VALUES (1)"))
        assert session.scalar(text("SELECT count(*) FROM write_probe")) == 1
        session.rollback()
