"""The ``learnproof`` command line."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from pydantic import ValidationError
from sqlalchemy.orm import Session

from app import migrate
from app.auth import service as auth_service
from app.auth.scopes import Scope
from app.config import ConfigError, Settings, load_settings
from app.core.clock import SystemClock
from app.db import make_engine, make_sessionmaker
from app.errors import AppError
from app.issuers import service as issuer_service
from app.issuers.documents import issuer_did
from app.issuers.keystore import check_master_key, load_master_key, new_master_secret
from app.issuers.schemas import IssuerCreate
from app.issuers.signing import KeyRing

cli = typer.Typer(
    help="LearnProof: issue and verify Open Badges 3.0 credentials.", no_args_is_help=True
)
db_cli = typer.Typer(help="Database schema (Alembic).", no_args_is_help=True)
apikey_cli = typer.Typer(help="API keys.", no_args_is_help=True)
issuer_cli = typer.Typer(help="Issuers.", no_args_is_help=True)
keys_cli = typer.Typer(help="Signing keys and the master secret.", no_args_is_help=True)
cli.add_typer(db_cli, name="db")
cli.add_typer(apikey_cli, name="apikey")
cli.add_typer(issuer_cli, name="issuer")
cli.add_typer(keys_cli, name="keys")

CLI_ACTOR = "cli"


def _settings() -> Settings:
    try:
        return load_settings()
    except ConfigError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None


@contextmanager
def _session(settings: Settings) -> Iterator[Session]:
    engine = make_engine(settings.database_url)
    try:
        with make_sessionmaker(engine)() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise
    finally:
        engine.dispose()


def _fail(exc: AppError) -> typer.Exit:
    typer.echo(f"error: {exc.detail}", err=True)
    return typer.Exit(1)


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes")] = 1,
) -> None:
    """Apply migrations, then serve the API."""
    import uvicorn

    settings = _settings()
    migrate.upgrade(settings.database_url)
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        log_level="info",
    )


@db_cli.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument()] = "head") -> None:
    """Upgrade the database schema (to head by default); running it twice is a no-op."""
    settings = _settings()
    migrate.upgrade(settings.database_url, revision)
    engine = make_engine(settings.database_url)
    try:
        typer.echo(f"database at revision {migrate.current_revision(engine)}")
    finally:
        engine.dispose()


@db_cli.command("downgrade")
def db_downgrade(revision: Annotated[str, typer.Argument()]) -> None:
    """Downgrade the database schema to REVISION (``base`` empties it)."""
    migrate.downgrade(_settings().database_url, revision)


@apikey_cli.command("create")
def apikey_create(
    name: Annotated[str, typer.Option(help="Who or what uses the key")],
    scope: Annotated[Scope, typer.Option(help="admin, issue, revoke or read")],
    issuer: Annotated[str | None, typer.Option(help="Bind the key to one issuer slug")] = None,
) -> None:
    """Create an API key; the key is printed once, alone on the last line."""
    settings = _settings()
    with _session(settings) as session:
        record, secret = auth_service.create_key(
            session,
            name=name,
            scope=scope,
            issuer_slug=issuer,
            now=SystemClock().now(),
            actor=CLI_ACTOR,
        )
    typer.echo(f"created API key {record.id} (prefix {record.prefix}, scope {scope.value})")
    typer.echo("store it now; only its hash is kept:")
    typer.echo(secret)


@apikey_cli.command("list")
def apikey_list() -> None:
    """List API keys (never their secrets)."""
    with _session(_settings()) as session:
        for record in auth_service.list_keys(session):
            state = "revoked" if record.revoked_at else "active"
            typer.echo(
                f"{record.id}  {record.prefix}  {record.scope:<6}  "
                f"{record.issuer_slug or '-':<20}  {state:<7}  {record.name}"
            )


@apikey_cli.command("revoke")
def apikey_revoke(key: Annotated[str, typer.Argument(help="Key id or prefix")]) -> None:
    """Revoke an API key."""
    try:
        with _session(_settings()) as session:
            record = auth_service.revoke_key(session, key, now=SystemClock().now(), actor=CLI_ACTOR)
    except AppError as exc:
        raise _fail(exc) from None
    typer.echo(f"revoked {record.id}")


def _keyring(settings: Settings, session: Session) -> KeyRing:
    master = load_master_key(settings)
    check_master_key(session, master, now=SystemClock().now())
    return KeyRing(master)


@issuer_cli.command("create")
def issuer_create(
    slug: Annotated[str, typer.Option(help="lowercase letters, digits, hyphens")],
    name: Annotated[str, typer.Option()],
    url: Annotated[str, typer.Option(help="The issuer's home page")],
    email: Annotated[str, typer.Option(help="Contact email (public in the profile)")],
    description: Annotated[str | None, typer.Option()] = None,
    key_type: Annotated[str, typer.Option(help="Ed25519 or P-256")] = "Ed25519",
) -> None:
    """Create an issuer with a did:web identifier and a first signing key."""
    settings = _settings()
    try:
        data = IssuerCreate.model_validate(
            {
                "slug": slug,
                "name": name,
                "url": url,
                "email": email,
                "description": description,
                "key_type": key_type,
            }
        )
    except ValidationError as exc:
        for error in exc.errors():
            typer.echo(f"error: {'.'.join(map(str, error['loc']))}: {error['msg']}", err=True)
        raise typer.Exit(2) from None
    try:
        with _session(settings) as session:
            issuer_service.create_issuer(
                session, _keyring(settings, session), data, now=SystemClock().now(), actor=CLI_ACTOR
            )
    except AppError as exc:
        raise _fail(exc) from None
    typer.echo(f"created issuer {slug}")
    typer.echo(f"DID: {issuer_did(settings.public_url, slug)}")
    typer.echo(f"DID document: {settings.public_url}/issuers/{slug}/did.json")


@keys_cli.command("rotate")
def keys_rotate(
    issuer: Annotated[str, typer.Option(help="Issuer slug")],
    key_type: Annotated[str | None, typer.Option(help="Ed25519 or P-256")] = None,
) -> None:
    """Make a new key the issuer's signer; earlier keys keep verifying."""
    settings = _settings()
    if key_type not in (None, "Ed25519", "P-256"):
        typer.echo("error: --key-type is Ed25519 or P-256", err=True)
        raise typer.Exit(2)
    try:
        with _session(settings) as session:
            key = issuer_service.rotate_key(
                session,
                _keyring(settings, session),
                issuer,
                key_type=key_type,
                now=SystemClock().now(),
                actor=CLI_ACTOR,
                public_url=settings.public_url,
            )
    except AppError as exc:
        raise _fail(exc) from None
    typer.echo(f"{issuer}: {key.fragment} ({key.key_type}) is now the active key")


@keys_cli.command("master-key")
def keys_master_key() -> None:
    """Print a new random master secret for LEARNPROOF_MASTER_KEY."""
    typer.echo(new_master_secret())


def main() -> None:
    cli(prog_name="learnproof")


if __name__ == "__main__":
    main()
