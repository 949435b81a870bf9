"""``learnproof issue``: one credential per CSV row, in chunks, interruptible and re-runnable."""

from __future__ import annotations

import contextlib
import csv
import math
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
)
from rich.text import Text
from sqlalchemy.orm import Session, sessionmaker

from app.cli.common import CLI_ACTOR, cli_settings, open_keyring
from app.config import Settings
from app.core.clock import SystemClock
from app.credentials import chunk as chunk_service
from app.credentials import service as credential_service
from app.credentials.csv_rows import RESULT_COLUMNS
from app.credentials.csv_rows import Row as CsvRow
from app.credentials.csv_rows import read_rows as read_csv_rows
from app.db import make_engine, make_sessionmaker
from app.errors import AppError
from app.issuers import service as issuer_service
from app.issuers.signing import KeyRing


def issue_csv(
    issuer: Annotated[str, typer.Option(help="Issuer slug")],
    achievement: Annotated[str, typer.Option(help="Achievement id")],
    csv_file: Annotated[typer.FileText, typer.Option("--csv", help="CSV file, '-' for stdin")],
    results_path: Annotated[
        Path | None,
        typer.Option(
            "--results",
            help="Results CSV (row,credential_id,page,error); default: next to the input as "
            "NAME.results.csv, none for stdin",
        ),
    ] = None,
) -> None:
    """Issue one credential per CSV row (columns: name,email,did,external_id,valid_from,
    valid_until,credits_earned). Interrupt at any time and re-run: issued rows are replayed,
    never duplicated (rows without an external_id get one derived from their content)."""
    settings = cli_settings()
    try:
        rows = list(read_csv_rows(csv_file, achievement))
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    if results_path is None and csv_file.name not in ("-", "<stdin>"):
        source = Path(csv_file.name)
        results_path = source.with_name(f"{source.stem}.results.csv")
    engine = make_engine(settings.database_url)
    factory = make_sessionmaker(engine)
    issued = failed = 0
    interrupted = False
    with contextlib.ExitStack() as stack:
        stack.callback(engine.dispose)
        writer = None
        if results_path is not None:
            out = stack.enter_context(results_path.open("w", newline="", encoding="utf-8"))
            writer = csv.writer(out)
            writer.writerow(RESULT_COLUMNS)
        with factory() as session:
            keyring = open_keyring(settings, session)
            session.commit()
        progress = stack.enter_context(_progress())
        task = progress.add_task("issuing", total=len(rows))
        try:
            chunk = settings.batch_chunk_items
            for start in range(0, len(rows), chunk):
                chunk_rows = rows[start : start + chunk]
                outcomes = _issue_rows(settings, factory, keyring, issuer, chunk_rows)
                for row, (credential_id, error) in zip(chunk_rows, outcomes, strict=True):
                    page = ""
                    if credential_id is not None:
                        issued += 1
                        page = credential_service.credential_url(settings.urls, credential_id)
                        typer.echo(f"{row.line},{credential_id},{page}")
                    else:
                        failed += 1
                        typer.echo(f"line {row.line}: {error}", err=True)
                    if writer is not None:
                        writer.writerow([row.line, credential_id or "", page, error or ""])
                if writer is not None:
                    out.flush()
                progress.advance(task, len(chunk_rows))
        except KeyboardInterrupt:
            # The chunk in progress rolled back with its session; everything before it is
            # committed and replays on the next run.
            interrupted = True
    if interrupted:
        typer.echo(
            f"interrupted after {issued + failed} of {len(rows)} rows (issued {issued}); "
            "re-run the same command to continue: issued rows are not issued again",
            err=True,
        )
        raise typer.Exit(130)
    if results_path is not None:
        typer.echo(f"results: {results_path}", err=True)
    typer.echo(f"issued {issued}, failed {failed}", err=True)
    if failed:
        raise typer.Exit(1)


def _rate(task: Task) -> float | None:
    """Rows per second. Rich's own speed needs two chunks inside its 30-second window, so
    alone it shows nothing until the second chunk, and nothing at all at the end of a
    one-chunk run: until it has them, and once finished, the average over the whole run."""
    if not task.completed:
        return None
    if task.finished_time:
        return task.completed / task.finished_time
    if task.speed:
        return task.speed
    elapsed = task.elapsed
    return task.completed / elapsed if elapsed else None


class _RateColumn(ProgressColumn):
    """Rows done per second: issued, replayed or refused (a re-run replays fast)."""

    def render(self, task: Task) -> Text:
        rate = _rate(task)
        return Text(f"{rate:.1f} rows/s" if rate else "", style="progress.data.speed")


class _TimeLeftColumn(ProgressColumn):
    """The time left at the rate of ``_rate``; ``-:--:--`` before the first chunk is done."""

    max_refresh = 0.5  # as rich's TimeRemainingColumn: an estimate that does not flicker

    def render(self, task: Task) -> Text:
        rate = _rate(task)
        if task.finished or task.remaining == 0:
            seconds = 0
        elif rate and task.remaining is not None:
            seconds = math.ceil(task.remaining / rate)
        else:
            return Text("-:--:--", style="progress.remaining")
        minutes, second = divmod(seconds, 60)
        hours, minute = divmod(minutes, 60)
        return Text(f"{hours:d}:{minute:02d}:{second:02d}", style="progress.remaining")


def _progress(console: Console | None = None) -> Progress:
    """A progress bar (on stderr unless given a console) with done/total, the rate and the
    time left."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        _RateColumn(),
        _TimeLeftColumn(),
        console=console or Console(stderr=True),
        transient=False,
    )


def _issue_rows(
    settings: Settings, factory: sessionmaker[Session], keyring: KeyRing, issuer: str,
    rows: list[CsvRow],
) -> list[tuple[str | None, str | None]]:  # fmt: skip
    """(credential id, error) per row; the valid rows of the chunk committed together."""
    outcomes: list[tuple[str | None, str | None]] = [(None, r.error) for r in rows]
    valid = [(i, r.body) for i, r in enumerate(rows) if r.request is not None and r.body]
    if not valid:
        return outcomes
    with factory() as session:
        try:
            context = issuer_service.load_context(session, issuer, urls=settings.urls)
        except AppError as exc:
            return [
                (None, exc.detail) if r.request else o for r, o in zip(rows, outcomes, strict=True)
            ]
        results = chunk_service.issue_chunk(
            session, keyring, context, [body for _, body in valid], first_index=0,
            now=SystemClock().now(), actor=CLI_ACTOR, urls=settings.urls,
        )  # fmt: skip
        session.commit()
    for (position, _body), result in zip(valid, results, strict=True):
        if "error" in result:
            outcomes[position] = (None, str(result["error"]["detail"]))
        else:
            outcomes[position] = (str(result["id"]), None)
    return outcomes
