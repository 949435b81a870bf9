"""Engine, sessions and the declarative base.

One transaction per request: ``SessionDep`` (``app.dependencies``) opens a session, the
route and its services only ``flush()``, and the dependency commits once the route returns
(before the response is sent) or rolls back when it raises. Routes that only answer
questions (verification) use ``read_session`` instead: it never commits, and the database
refuses writes in it (``SET TRANSACTION READ ONLY`` on PostgreSQL, ``PRAGMA query_only`` on
SQLite).
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from sqlalchemy import DateTime, Engine, MetaData, Select, create_engine, event, exc
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.orm import DeclarativeBase, Session, SessionTransaction, sessionmaker
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.types import TypeDecorator

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
"""Connection execution option that marks a read-only transaction (see ``read_session``)."""


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
        if connection.invalidated:
            return  # its info is unreadable now; the lock went back in _on_invalidate
        # Only the connection that took the lock gives it back (rollback also fires on
        # connections with no transaction).
        if connection.info.pop("learnproof_writer", False):
            writer.release()

    @event.listens_for(engine, "invalidate")
    def _on_invalidate(_dbapi_connection: Any, record: Any, _exception: Any) -> None:
        # A connection dropped in the middle of a transaction (Ctrl-C or another
        # BaseException inside a statement) ends it without a readable rollback event.
        if record.info.pop("learnproof_writer", False):
            writer.release()


PING_AFTER_IDLE_SECONDS = 1.0
"""A pooled connection unused for longer is pinged before it is handed out."""


def _ping_when_idle(engine: Engine, idle_seconds: float) -> None:
    """Pessimistic disconnect handling, only for connections that sat idle in the pool.

    SQLAlchemy's ``pool_pre_ping`` costs a round trip (and a statement on the server) on
    every checkout, that is every request. A connection given back less than
    ``idle_seconds`` ago is handed out as it is: a server restart inside that window fails
    the statements that were under way anyway. An older one is pinged, and a dead one is
    replaced before the request sees it (the pool retries on ``DisconnectionError``).
    """
    dialect = engine.dialect

    @event.listens_for(engine, "connect")
    @event.listens_for(engine, "checkin")
    def _stamp(_dbapi_connection: Any, record: Any) -> None:
        record.info["learnproof_idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("learnproof_idle_since")
        if since is not None and time.monotonic() - since < idle_seconds:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as error:
            if dialect.is_disconnect(error, dbapi_connection, None):
                raise exc.DisconnectionError(str(error)) from error
            raise


def make_engine(
    database_url: str,
    *,
    pool_size: int | None = None,
    ping_after_idle_seconds: float = PING_AFTER_IDLE_SECONDS,
    **kwargs: Any,
) -> Engine:
    """`pool_size`: connections kept open (an in-memory SQLite database has one anyway).

    `ping_after_idle_seconds` (PostgreSQL): see `_ping_when_idle`.
    """
    url = make_url(database_url)
    in_memory = url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")
    if pool_size is not None and not in_memory:
        kwargs["pool_size"] = pool_size
    if url.get_backend_name() == "sqlite":
        if not in_memory:
            assert url.database is not None
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 15}, **kwargs
        )
        _configure_sqlite(engine)
        return engine
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    engine = create_engine(url, **kwargs)
    _ping_when_idle(engine, ping_after_idle_seconds)
    return engine


def open_pool(engine: Engine) -> bool:
    """Connect once, so that a worker's first request does not: the dialect's first-connect
    queries run and one connection waits in the pool (README "Figures", afternoon). False,
    and nothing raised, when the database cannot be reached: the first request that needs it
    then says so, as it would have without this."""
    try:
        with engine.connect():
            return True
    except exc.DBAPIError:
        return False


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)


AUTOCOMMIT_INFO = "learnproof_autocommit"
"""``Session.info`` key of read sessions whose statements each commit on their own."""


def make_read_engine(database_url: str, *, pool_size: int | None = None) -> Engine | None:
    """PostgreSQL: an engine of read-only connections in autocommit, with a pool of its own.

    Each statement is its own read-only transaction (``default_transaction_read_only``, set
    when the connection opens), so a verification sends no BEGIN and no ROLLBACK, and gives
    its connection back without a statement. None on SQLite, whose readers share the engine.
    """
    if make_url(database_url).get_backend_name() != "postgresql":
        return None
    return make_engine(
        database_url,
        pool_size=pool_size,
        isolation_level="AUTOCOMMIT",
        connect_args={"options": "-c default_transaction_read_only=on"},
    )


def make_read_sessionmaker(engine: Engine, readers: Engine | None = None) -> sessionmaker[Session]:
    """Sessions the database itself keeps from writing, connected at their first statement.

    With ``readers`` (`make_read_engine`), statements autocommit on its read-only
    connections; without, sessions of ``engine`` open a read-only transaction (SQLite: the
    begin hook takes no writer lock and sets ``query_only``).
    """
    if readers is not None:
        factory = make_sessionmaker(readers.execution_options(**{READ_ONLY_OPTION: True}))
        factory.kw["info"] = {AUTOCOMMIT_INFO: True}
        return factory
    options: dict[str, Any] = {READ_ONLY_OPTION: True}
    if engine.dialect.name == "postgresql":
        options["postgresql_readonly"] = True
    return make_sessionmaker(engine.execution_options(**options))


def transaction_memo(session: Session, name: str) -> dict[Any, Any]:
    """A dict of ``session.info`` that lives as long as the session's current transaction.

    For reads every request of a group commit repeats (`app.credentials.issuance_groups`):
    the same API key, the same issuer. A later transaction of the session starts with an
    empty one, so nothing read is reused past the snapshot it was read in. Outside a
    transaction nothing is kept.
    """
    transaction = session.get_transaction()
    if transaction is None:
        return {}
    held: tuple[weakref.ref[SessionTransaction], dict[str, dict[Any, Any]]] | None = (
        session.info.get(_MEMOS)
    )
    if held is None or held[0]() is not transaction:
        held = session.info[_MEMOS] = (weakref.ref(transaction), {})
    return held[1].setdefault(name, {})


_MEMOS: Final = "learnproof_transaction_memos"


@event.listens_for(Session, "after_transaction_end")
def _forget_memos(session: Session, transaction: SessionTransaction) -> None:
    # Dropped when the transaction ends, and held by a weak reference until then: what a
    # memo holds (ORM rows, whose result metadata leads back to the session) and the
    # transaction (which holds the session) made cycles that only the garbage collector
    # freed, with every object the session had loaded: about 200 objects a group commit,
    # a collection pause of 3-18 ms every second in each served worker (README "Figures",
    # evening).
    if transaction.parent is None:
        session.info.pop(_MEMOS, None)


@contextmanager
def committed(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session committed when the block ends, rolled back when it raises."""
    with factory() as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


class DirectRead:
    """One prebuilt SELECT answered on a pooled DBAPI connection of its own: the first row.

    For the one read every verification of our credentials makes (`DatabaseDocuments`):
    through a Session and Core's execution it cost twice the round trip's own CPU (README
    "Figures", small hours). The statement is compiled once per dialect and its parameters
    go through the bind processors of their types, as Core would send them; rows come back
    as the driver gives them, so only columns whose types need no result processing (plain
    strings, integers) may be selected, which is checked when it is first compiled.
    """

    def __init__(self, statement: Select[Any]) -> None:
        self.statement = statement
        self._compiled: dict[str, tuple[SQLCompiler, dict[str, Callable[[Any], Any]]]] = {}

    def _for(self, dialect: Dialect) -> tuple[SQLCompiler, dict[str, Callable[[Any], Any]]]:
        found = self._compiled.get(dialect.name)
        if found is None:
            for column in self.statement.selected_columns:
                if column.type.dialect_impl(dialect).result_processor(dialect, None) is not None:
                    raise TypeError(f"DirectRead cannot return {column.type!r} ({column})")
            compiled = self.statement.compile(dialect=dialect)
            assert isinstance(compiled, SQLCompiler)
            processors: dict[str, Callable[[Any], Any]] = {
                name: process
                for name, bind in compiled.binds.items()
                if (process := bind.type.dialect_impl(dialect).bind_processor(dialect)) is not None
            }
            found = self._compiled[dialect.name] = compiled, processors
        return found

    def first(self, engine: Engine, parameters: Mapping[str, Any]) -> tuple[Any, ...] | None:
        compiled, processors = self._for(engine.dialect)
        values = dict(compiled.construct_params(dict(parameters)))
        for name, process in processors.items():
            values[name] = process(values[name])
        positions = compiled.positiontup
        arguments = tuple(values[name] for name in positions) if positions else values
        # A connection the server dropped is not given out again: the pool's reset on its
        # return (a rollback) fails, and the pool then discards it.
        connection = engine.raw_connection()
        try:
            cursor = connection.cursor()
            try:
                cursor.execute(compiled.string, arguments)
                row = cursor.fetchone()
            finally:
                cursor.close()
        finally:
            connection.close()
        return None if row is None else tuple(row)
