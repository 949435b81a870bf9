"""`learnproof vocab ...`: load the shipped vocabularies, import ESCO, list what is loaded."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import select

from app.config import ConfigError, load_settings
from app.core.clock import SystemClock
from app.db import make_engine
from app.vocabularies import esco, loader
from app.vocabularies.models import Vocabulary
from app.vocabularies.parsing import VocabularyFormatError

vocab_cli = typer.Typer(help="Occupation, industry and skill vocabularies.", no_args_is_help=True)
import_cli = typer.Typer(help="Import a vocabulary download.", no_args_is_help=True)
vocab_cli.add_typer(import_cli, name="import")


def _database_url() -> str:
    try:
        return load_settings().database_url
    except ConfigError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None


def _report(results: list[loader.LoadResult]) -> None:
    for result in results:
        relations = f", {result.relations} relations" if result.relations else ""
        typer.echo(f"{result.scheme}: {result.outcome} ({result.concepts} concepts{relations})")


@vocab_cli.command("load")
def vocab_load(
    scheme: Annotated[
        list[str] | None, typer.Option(help="Only these schemes (repeatable)")
    ] = None,
) -> None:
    """(Re)load the shipped CSCO, NAICS, NACE and ISIC files; unchanged files are a no-op."""
    schemes = scheme or list(loader.BUILTIN)
    unknown = [s for s in schemes if s not in loader.BUILTIN]
    if unknown:
        typer.echo(
            f"error: unknown scheme {unknown[0]}; shipped: {', '.join(loader.BUILTIN)}", err=True
        )
        raise typer.Exit(2)
    engine = make_engine(_database_url())
    try:
        with engine.begin() as connection:
            results = loader.load_builtin(connection, SystemClock().now(), schemes)
    except VocabularyFormatError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    _report(results)


@import_cli.command("esco")
def import_esco(
    folder: Annotated[Path, typer.Argument(help="Folder of the ESCO CSV download (v1.2)")],
) -> None:
    """Import ESCO occupations, skills and their essential/optional relations, in one go."""
    try:
        download = esco.read_download(folder)
    except (VocabularyFormatError, OSError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    engine = make_engine(_database_url())
    try:
        with engine.begin() as connection:
            result = loader.load(
                connection,
                "esco",
                download.concepts,
                relations=download.relations,
                digest=download.digest,
                now=SystemClock().now(),
                metadata={"language": download.language},
            )
    finally:
        engine.dispose()
    _report([result])


@vocab_cli.command("list")
def vocab_list() -> None:
    """Print each loaded vocabulary with its version, source and licence."""
    engine = make_engine(_database_url())
    try:
        with engine.connect() as connection:
            rows = connection.execute(select(Vocabulary.__table__)).mappings().all()
    finally:
        engine.dispose()
    for row in rows:
        fields = (f"{row['concept_count']} concepts", row["source"], row["licence"])
        typer.echo("\t".join((row["scheme"], row["label"], *fields)))
