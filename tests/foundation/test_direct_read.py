"""`DirectRead`: a prebuilt SELECT on a pooled DBAPI connection gives what Core would, with
its parameters processed as Core sends them, and refuses columns it could not return as Core
does. On PostgreSQL the verifier's one read per credential goes this way."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from enum import StrEnum

import pytest
from sqlalchemy import Column, Engine, Integer, MetaData, String, Table, bindparam, func, select

from app.db import DirectRead, UTCDateTime, make_engine, make_read_engine

metadata = MetaData()
probe = Table(
    "direct_read_probe",
    metadata,
    Column("id", String(8), primary_key=True),
    Column("state", String(8)),
    Column("number", Integer),
    Column("at", UTCDateTime),
)


class State(StrEnum):
    on = "on"
    off = "off"


@pytest.fixture
def table(engine: Engine) -> Iterator[Engine]:
    metadata.create_all(engine)
    at = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    with engine.begin() as connection:
        connection.execute(
            probe.insert(),
            [
                {"id": "a", "state": "on", "number": 1, "at": at},
                {"id": "b", "state": "off", "number": 2, "at": at},
            ],
        )
    yield engine
    metadata.drop_all(engine)


def test_it_reads_what_core_reads(table: Engine) -> None:
    statement = (
        select(probe.c.id, probe.c.number)
        .where(probe.c.state == State.off, probe.c.number > 0)
        .where(probe.c.at == func.coalesce(probe.c.at, probe.c.at))
        .limit(1)
    )
    with table.connect() as connection:
        expected = connection.execute(statement).first()
    assert expected is not None
    assert DirectRead(statement).first(table, {}) == tuple(expected) == ("b", 2)


def test_parameters_go_through_their_types(table: Engine) -> None:
    """An aware datetime is stored as UTCDateTime stores it, so it matches only that way."""
    statement = select(probe.c.id).where(probe.c.at == bindparam("at", type_=UTCDateTime))
    read = DirectRead(statement)
    at = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert read.first(table, {"at": at}) == ("a",)
    assert read.first(table, {"at": at.replace(second=6)}) is None


def test_a_column_that_needs_result_processing_is_refused(table: Engine) -> None:
    with pytest.raises(TypeError, match="cannot return"):
        DirectRead(select(probe.c.at)).first(table, {})


def test_a_dropped_connection_is_not_given_out_again(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("a server that drops connections: PostgreSQL")
    url = engine.url.render_as_string(hide_password=False)
    readers = make_read_engine(url, pool_size=1)
    assert readers is not None
    admin = make_engine(url)
    pid = DirectRead(select(func.pg_backend_pid()))
    try:
        (first,) = pid.first(readers, {}) or (None,)
        with admin.connect() as connection:
            connection.execute(select(func.pg_terminate_backend(first)))
        with pytest.raises(readers.dialect.loaded_dbapi.Error):
            pid.first(readers, {})
        (second,) = pid.first(readers, {}) or (None,)
        assert second is not None
        assert second != first
    finally:
        readers.dispose()
        admin.dispose()
