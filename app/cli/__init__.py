"""The ``learnproof`` command line: one module per command group, assembled here."""

from __future__ import annotations

import typer

from app.cli.apikeys import apikey_cli
from app.cli.audit import audit_cli
from app.cli.database import db_cli
from app.cli.issue import issue_csv
from app.cli.issuers import issuer_cli, keys_cli
from app.cli.server import demo, serve
from app.cli.verify import verify
from app.vocabularies.cli import vocab_cli

cli = typer.Typer(
    help="LearnProof: issue and verify Open Badges 3.0 credentials.", no_args_is_help=True
)
cli.add_typer(db_cli, name="db")
cli.add_typer(apikey_cli, name="apikey")
cli.add_typer(issuer_cli, name="issuer")
cli.add_typer(keys_cli, name="keys")
cli.add_typer(vocab_cli, name="vocab")
cli.add_typer(audit_cli, name="audit")
cli.command()(serve)
cli.command()(verify)
cli.command()(demo)
cli.command("issue")(issue_csv)


def main() -> None:
    cli(prog_name="learnproof")
