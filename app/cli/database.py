"""``learnproof db``: schema migrations and the runtime role's grants."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy import inspect

from app import migrate
from app.cli.common import cli_settings
from app.db import make_engine

db_cli = typer.Typer(help="Database schema (Alembic).", no_args_is_help=True)


@db_cli.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument()] = "head") -> None:
    """Upgrade the database schema (to head by default); running it twice is a no-op.

    Runs as LEARNPROOF_MIGRATION_DATABASE_URL when set (the role that owns the schema).
    """
    settings = cli_settings()
    migrate.upgrade(settings.schema_database_url, revision)
    engine = make_engine(settings.schema_database_url)
    try:
        typer.echo(f"database at revision {migrate.current_revision(engine)}")
    finally:
        engine.dispose()


@db_cli.command("downgrade")
def db_downgrade(revision: Annotated[str, typer.Argument()]) -> None:
    """Downgrade the database schema to REVISION (``base`` empties it)."""
    migrate.downgrade(cli_settings().schema_database_url, revision)


@db_cli.command("grant-runtime")
def db_grant_runtime(
    role: Annotated[str, typer.Argument(help="The PostgreSQL role the service runs as")],
    print_only: Annotated[
        bool, typer.Option("--print", help="Print the SQL instead of running it")
    ] = False,
) -> None:
    """Grant ROLE what the service needs, and only INSERT/SELECT on the audit log.

    Run as the migration role after every `db upgrade` (new tables need grants too).
    """
    settings = cli_settings()
    engine = make_engine(settings.schema_database_url)
    try:
        if print_only:
            tables = inspect(engine).get_table_names(schema="public")
            statements = migrate.runtime_grants(role, tables)
        else:
            statements = migrate.grant_runtime(engine, role)
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    finally:
        engine.dispose()
    for statement in statements:
        typer.echo(f"{statement};")
