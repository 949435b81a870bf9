"""``learnproof issuer`` and ``learnproof keys``: issuers, signing keys, the master secret."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError

from app.cli.common import CLI_ACTOR, cli_session, cli_settings, fail, open_keyring
from app.core.clock import SystemClock
from app.errors import AppError
from app.issuers import service as issuer_service
from app.issuers.keystore import new_master_secret
from app.issuers.schemas import IssuerCreate
from app.proofs.branding import MAX_IMAGE_BYTES, as_data_url

issuer_cli = typer.Typer(help="Issuers.", no_args_is_help=True)
keys_cli = typer.Typer(help="Signing keys and the master secret.", no_args_is_help=True)


@issuer_cli.command("create")
def issuer_create(
    slug: Annotated[str, typer.Option(help="lowercase letters, digits, hyphens")],
    name: Annotated[str, typer.Option()],
    url: Annotated[str, typer.Option(help="The issuer's home page")],
    email: Annotated[str, typer.Option(help="Contact email (public in the profile)")],
    description: Annotated[str | None, typer.Option()] = None,
    key_type: Annotated[str, typer.Option(help="Ed25519 or P-256")] = "Ed25519",
    brand_color: Annotated[str | None, typer.Option(help="#rrggbb, for certificates")] = None,
    signatory_name: Annotated[str | None, typer.Option(help="Who signs the certificates")] = None,
    signatory_title: Annotated[str | None, typer.Option(help="The signatory's title")] = None,
    logo: Annotated[Path | None, typer.Option(help="PNG or JPEG file", dir_okay=False)] = None,
    signature: Annotated[
        Path | None, typer.Option(help="PNG or JPEG of the signature", dir_okay=False)
    ] = None,
    background: Annotated[
        Path | None, typer.Option(help="PNG or JPEG certificate background", dir_okay=False)
    ] = None,
) -> None:
    """Create an issuer with a did:web identifier and a first signing key (and its look)."""
    settings = cli_settings()
    fields: dict[str, Any] = {
        "slug": slug,
        "name": name,
        "url": url,
        "email": email,
        "description": description,
        "key_type": key_type,
        "brand_color": brand_color,
        "signatory_name": signatory_name,
        "signatory_title": signatory_title,
    }
    images = {"image": logo, "signature_image": signature, "background_image": background}
    for field, path in images.items():
        if path is not None:
            fields[field] = _image_file(path, field)
    try:
        data = IssuerCreate.model_validate({k: v for k, v in fields.items() if v is not None})
    except ValidationError as exc:
        for error in exc.errors():
            typer.echo(f"error: {'.'.join(map(str, error['loc']))}: {error['msg']}", err=True)
        raise typer.Exit(2) from None
    try:
        with cli_session(settings) as session:
            issuer_service.create_issuer(
                session,
                open_keyring(settings, session),
                data,
                now=SystemClock().now(),
                actor=CLI_ACTOR,
            )
    except AppError as exc:
        raise fail(exc) from None
    typer.echo(f"created issuer {slug}")
    typer.echo(f"DID: {settings.urls.issuer_did(slug)}")
    typer.echo(f"DID document: {settings.urls.issuer_did_document(slug)}")


def _image_file(path: Path, field: str) -> str:
    """The file as a data: URL, read no further than the size limit."""
    try:
        with path.open("rb") as handle:
            return as_data_url(handle.read(MAX_IMAGE_BYTES + 1))
    except (OSError, ValueError) as exc:
        typer.echo(f"error: {field}: {path}: {exc}", err=True)
        raise typer.Exit(2) from None


@keys_cli.command("rotate")
def keys_rotate(
    issuer: Annotated[str, typer.Option(help="Issuer slug")],
    key_type: Annotated[str | None, typer.Option(help="Ed25519 or P-256")] = None,
) -> None:
    """Make a new key the issuer's signer; earlier keys keep verifying."""
    settings = cli_settings()
    if key_type not in (None, "Ed25519", "P-256"):
        typer.echo("error: --key-type is Ed25519 or P-256", err=True)
        raise typer.Exit(2)
    try:
        with cli_session(settings) as session:
            key = issuer_service.rotate_key(
                session,
                open_keyring(settings, session),
                issuer,
                key_type=key_type,
                now=SystemClock().now(),
                actor=CLI_ACTOR,
                urls=settings.urls,
            )
    except AppError as exc:
        raise fail(exc) from None
    typer.echo(f"{issuer}: {key.fragment} ({key.key_type}) is now the active key")


@keys_cli.command("master-key")
def keys_master_key() -> None:
    """Print a new random master secret for LEARNPROOF_MASTER_KEY."""
    typer.echo(new_master_secret())
