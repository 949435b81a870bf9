"""``learnproof audit``: the audit log's hash chain."""

from __future__ import annotations

import typer

from app.audit import service as audit_service
from app.cli.common import cli_session, cli_settings

audit_cli = typer.Typer(help="The audit log.", no_args_is_help=True)


@audit_cli.command("verify")
def audit_verify() -> None:
    """Check the audit log's hash chain; exit 0 only when it is intact."""
    with cli_session(cli_settings()) as session:
        report = audit_service.verify_chain(session)
    typer.echo(report.describe(), err=not report.intact)
    raise typer.Exit(0 if report.intact else 1)
