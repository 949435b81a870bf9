"""``learnproof apikey``: create, list and revoke API keys."""

from __future__ import annotations

from typing import Annotated

import typer

from app.auth import service as auth_service
from app.auth.scopes import Scope
from app.cli.common import CLI_ACTOR, cli_session, cli_settings, fail
from app.core.clock import SystemClock
from app.errors import AppError
from app.issuers import service as issuer_service

apikey_cli = typer.Typer(help="API keys.", no_args_is_help=True)


@apikey_cli.command("create")
def apikey_create(
    name: Annotated[str, typer.Option(help="Who or what uses the key")],
    scope: Annotated[
        list[Scope], typer.Option(help="admin, issue, revoke or read; repeat for several")
    ],
    issuer: Annotated[str | None, typer.Option(help="Bind the key to one issuer slug")] = None,
) -> None:
    """Create an API key; the key is printed once, alone on the last line."""
    settings = cli_settings()
    try:
        with cli_session(settings) as session:
            if issuer is not None:
                issuer_service.require_slug(session, issuer, field="--issuer")
            record, secret = auth_service.create_key(
                session,
                name=name,
                scope=frozenset(scope),
                issuer_slug=issuer,
                now=SystemClock().now(),
                actor=CLI_ACTOR,
            )
    except AppError as exc:
        raise fail(exc) from None
    typer.echo(f"created API key {record.id} (prefix {record.prefix}, scope {record.scope})")
    typer.echo("store it now; only its hash is kept:")
    typer.echo(secret)


@apikey_cli.command("list")
def apikey_list() -> None:
    """List API keys (never their secrets)."""
    with cli_session(cli_settings()) as session:
        for record in auth_service.list_keys(session):
            state = "revoked" if record.revoked_at else "active"
            typer.echo(
                f"{record.id}  {record.prefix}  {record.scope:<12}  "
                f"{record.issuer_slug or '-':<20}  {state:<7}  {record.name}"
            )


@apikey_cli.command("revoke")
def apikey_revoke(key: Annotated[str, typer.Argument(help="Key id or prefix")]) -> None:
    """Revoke an API key."""
    try:
        with cli_session(cli_settings()) as session:
            record = auth_service.revoke_key(session, key, now=SystemClock().now(), actor=CLI_ACTOR)
    except AppError as exc:
        raise fail(exc) from None
    typer.echo(f"revoked {record.id}")
