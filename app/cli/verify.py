"""``learnproof verify``: a credential file checked offline against our own database."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from app.cli.common import cli_settings
from app.core.clock import SystemClock


def verify(
    source: Annotated[
        str, typer.Argument(help="Credential file (JSON-LD, VC-JWT, PDF, PNG or SVG), or -")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON")] = False,
) -> None:
    """Verify a credential; exit 0 if verified, 1 if not, 2 if the input is unreadable."""
    import json
    from pathlib import Path

    # Imported here: JSON-LD and schema loading would slow every other command down.
    from app.proofs.extract import ExtractionError, extract_baked
    from app.verification import standalone
    from app.verification.credential_input import InputRejected
    from app.verification.report import render_text

    try:
        data = sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
        # A PDF certificate or a baked badge carries the credential inside it.
        baked = extract_baked(data)
        value = baked if baked is not None else standalone.read_text(data.decode("utf-8"))
    except (OSError, UnicodeDecodeError, InputRejected, ExtractionError) as exc:
        typer.echo(f"error: cannot read {source}: {exc}", err=True)
        raise typer.Exit(2) from None
    settings = cli_settings()
    now = SystemClock().now()
    with standalone.own_documents(settings, now=now) as own:
        report = standalone.verify(value, settings, now=now, own=own)
    if as_json:
        typer.echo(json.dumps(report.to_json(problem_base=settings.urls.problems)))
    else:
        typer.echo(render_text(report))
    raise typer.Exit(0 if report.verified else 1)
