"""What every command shares: settings, a committed session, errors and the key ring."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from sqlalchemy.orm import Session

from app.config import ConfigError, Settings, load_settings
from app.core.clock import SystemClock
from app.db import committed, make_engine, make_sessionmaker
from app.errors import AppError
from app.issuers.keystore import check_master_key, load_master_key
from app.issuers.signing import KeyRing

CLI_ACTOR = "cli"


def cli_settings() -> Settings:
    try:
        return load_settings()
    except ConfigError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None


@contextmanager
def cli_session(settings: Settings) -> Iterator[Session]:
    engine = make_engine(settings.database_url)
    try:
        with committed(make_sessionmaker(engine)) as session:
            yield session
    finally:
        engine.dispose()


def fail(exc: AppError) -> typer.Exit:
    typer.echo(f"error: {exc.detail}", err=True)
    return typer.Exit(1)


def open_keyring(settings: Settings, session: Session) -> KeyRing:
    master = load_master_key(settings)
    check_master_key(session, master, now=SystemClock().now())
    return KeyRing(master)
