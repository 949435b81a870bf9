"""Alembic entry points: the schema comes only from migrations/."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect, text

ROOT = Path(__file__).resolve().parent.parent


def alembic_config(database_url: str) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    # ConfigParser interpolation would treat '%' in passwords as syntax.
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str) -> None:
    command.downgrade(alembic_config(database_url), revision)


def head_revision(database_url: str) -> str | None:
    return ScriptDirectory.from_config(alembic_config(database_url)).get_current_head()


def current_revision(bind: Engine | Connection) -> str | None:
    if isinstance(bind, Connection):
        return MigrationContext.configure(bind).get_current_revision()
    with bind.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def set_toast_compression(
    connection: Connection, table: str, columns: Sequence[str], method: str
) -> None:
    """PostgreSQL: compress ``columns`` of ``table`` with ``method`` (``lz4`` or ``DEFAULT``)
    from the next value written; stored values stay as they are (no rewrite), and PostgreSQL
    reads both. A server built without lz4 keeps its default. Other databases: nothing.

    For migrations (0018, 0019); the names are the migration's own, never input.
    """
    if connection.dialect.name != "postgresql":
        return
    if method == "lz4" and not connection.scalar(_LZ4_AVAILABLE):
        return
    changes = ", ".join(f"ALTER COLUMN {column} SET COMPRESSION {method}" for column in columns)
    connection.exec_driver_sql(f"ALTER TABLE {table} {changes}")


_LZ4_AVAILABLE = text(
    "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
)


# Role names are interpolated into GRANT statements (they cannot be bound parameters).
_ROLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
# The log is append-only for the runtime role; the chain head is moved, never removed.
_LIMITED_TABLES = {
    "audit_event": "SELECT, INSERT",
    "audit_chain_head": "SELECT, UPDATE",
    "alembic_version": "SELECT",
}


def runtime_grants(role: str, tables: Iterable[str]) -> list[str]:
    """GRANTs that let ``role`` run the service but never rewrite the audit log.

    The role gets DML on the service's tables, only INSERT/SELECT on ``audit_event`` and
    no TRUNCATE, REFERENCES, TRIGGER or ownership anywhere, so it can neither empty the
    log nor ``ALTER TABLE … DISABLE TRIGGER``. Run by the migration role (the owner).
    """
    if not _ROLE_NAME.match(role):
        raise ValueError(f"{role!r} is not a plain PostgreSQL role name (letters, digits, _)")
    quoted = f'"{role}"'
    statements = [f"GRANT USAGE ON SCHEMA public TO {quoted}"]
    for table in sorted(tables):
        statements.append(f'REVOKE ALL ON TABLE "{table}" FROM {quoted}')
        privileges = _LIMITED_TABLES.get(table, "SELECT, INSERT, UPDATE, DELETE")
        statements.append(f'GRANT {privileges} ON TABLE "{table}" TO {quoted}')
    statements.append(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quoted}")
    return statements


def grant_runtime(engine: Engine, role: str) -> list[str]:
    """Apply ``runtime_grants`` to every table of the public schema; returns the SQL run."""
    if engine.dialect.name != "postgresql":
        raise ValueError("separate database roles exist on PostgreSQL only")
    with engine.begin() as connection:
        tables = inspect(connection).get_table_names(schema="public")
        statements = runtime_grants(role, tables)
        for statement in statements:
            connection.exec_driver_sql(statement)
    return statements
