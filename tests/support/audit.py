"""Tampering with the append-only audit log, as a superuser (or the SQLite file's owner) can."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import Connection, text


def lift_update_trigger(connection: Connection) -> Iterator[None]:
    if connection.dialect.name == "postgresql":
        connection.execute(text("ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_change"))
        yield
        connection.execute(text("ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_change"))
    else:
        for verb in ("update", "delete"):
            connection.execute(text(f"DROP TRIGGER audit_event_no_{verb}"))
        yield
        for verb in ("UPDATE", "DELETE"):
            connection.execute(
                text(
                    f"CREATE TRIGGER audit_event_no_{verb.lower()} BEFORE {verb} ON audit_event "
                    "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END"
                )
            )


def tamper(connection: Connection, statement: str, **params: object) -> None:
    """What a superuser (or the file's owner on SQLite) can do: lift the trigger, write."""
    lifted = lift_update_trigger(connection)
    next(lifted)
    connection.execute(text(statement), params)
    next(lifted, None)
