"""Engine, sessions and the declarative base.

One transaction per request: ``SessionDep`` opens a session, the route and its services
only ``flush()``, and the dependency commits once the route returns (before the response
is sent) or rolls back when it raises. Routes that only answer questions (verification)
take ``ReadSessionDep`` instead: it never commits, and the database refuses writes in it
(``SET TRANSACTION READ ONLY`` on PostgreSQL, ``PRAGMA query_only`` on SQLite).
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator
from starlette.concurrency import run_in_threadpool

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware datetimes on every backend (SQLite drops the zone on its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; attach a time zone")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


_SQLITE_LOCK_TIMEOUT = 15.0
READ_ONLY_OPTION = "learnproof_read_only"
"""Connection execution option that marks a read-only transaction (see ``get_read_session``)."""


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite's own transaction handling breaks SAVEPOINT and defers BEGIN;
        # disable it and emit BEGIN ourselves (SQLAlchemy's documented recipe).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    # SQLite admits one writer; its busy handler polls with growing sleeps, which starves
    # some waiters for seconds under load. Threads of this process queue on a lock instead,
    # and BEGIN IMMEDIATE still guards against other processes.
    writer = threading.Lock()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        if connection.get_execution_options().get(READ_ONLY_OPTION):
            # A reader needs neither the writer lock nor BEGIN IMMEDIATE: WAL gives it a
            # snapshot while one writer goes on.
            connection.exec_driver_sql("BEGIN")
            connection.exec_driver_sql("PRAGMA query_only=ON")
            connection.info["learnproof_query_only"] = True
            return
        if connection.info.pop("learnproof_query_only", False):
            connection.exec_driver_sql("PRAGMA query_only=OFF")
        if not writer.acquire(timeout=_SQLITE_LOCK_TIMEOUT):
            raise TimeoutError("the SQLite database stayed busy; retry the request")
        try:
            # IMMEDIATE takes the write lock up front: a deferred transaction that reads
            # and then writes fails with SQLITE_BUSY instead of waiting for the lock.
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            writer.release()
            raise
        connection.info["learnproof_writer"] = True

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _on_end(connection: Any) -> None:
        # Only the connection that took the lock gives it back (rollback also fires on
        # connections with no transaction).
        if connection.info.pop("learnproof_writer", False):
            writer.release()


def make_engine(database_url: str, **kwargs: Any) -> Engine:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 15}, **kwargs
        )
        _configure_sqlite(engine)
        return engine
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    return create_engine(url, pool_pre_ping=True, **kwargs)


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)


def _commit(session: Session) -> None:
    with session:
        try:
            session.commit()
        except BaseException:
            session.rollback()
            raise


def _discard(session: Session) -> None:
    with session:
        session.rollback()


async def get_session(request: Request) -> AsyncIterator[Session]:
    """The request's one transaction; it commits when the route returns, or rolls back.

    Async on purpose: opening a session does no I/O (it connects at its first statement),
    so only the commit or rollback pays a hop to the threadpool, where a sync generator
    paid one to enter and one to leave.
    """
    factory: sessionmaker[Session] = request.app.state.sessionmaker
    session = factory()
    try:
        yield session
    except BaseException:
        await run_in_threadpool(_discard, session)
        raise
    await run_in_threadpool(_commit, session)


# scope="function": the commit runs when the route returns, before the response is
# sent, so a client never sees a credential that is not durably stored.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def get_read_session(request: Request) -> Iterator[Session]:
    """A session that never commits, for routes that only read; the database enforces it."""
    factory: sessionmaker[Session] = request.app.state.sessionmaker
    with factory() as session:
        connection = session.connection(execution_options={READ_ONLY_OPTION: True})
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql("SET TRANSACTION READ ONLY")
        try:
            yield session
        finally:
            session.rollback()


ReadSessionDep = Annotated[Session, Depends(get_read_session, scope="function")]
