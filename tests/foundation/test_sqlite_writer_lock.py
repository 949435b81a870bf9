"""SQLite's in-process writer lock (app/db.py) goes back when a transaction ends in any way."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text

from app import db


def test_a_connection_dropped_inside_a_statement_gives_the_lock_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A leaked lock makes the next writer wait this long, then fail.
    monkeypatch.setattr(db, "_SQLITE_LOCK_TIMEOUT", 0.5)
    engine = db.make_engine(f"sqlite:///{tmp_path / 'lock.sqlite'}")
    try:
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE item (n INTEGER)"))

        def ctrl_c(*args: Any) -> None:
            if args[2].startswith("INSERT"):
                raise KeyboardInterrupt

        event.listen(engine, "before_cursor_execute", ctrl_c)
        # A BaseException inside a statement: SQLAlchemy invalidates the connection, and
        # the interruption reaches the caller as it was raised.
        with pytest.raises(KeyboardInterrupt), engine.begin() as connection:
            connection.execute(text("INSERT INTO item VALUES (1)"))
        event.remove(engine, "before_cursor_execute", ctrl_c)
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO item VALUES (2)"))
        with engine.connect() as connection:
            assert connection.execute(text("SELECT n FROM item")).scalars().all() == [2]
    finally:
        engine.dispose()
