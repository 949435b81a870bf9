"""``learnproof issue``: one credential per CSV row, in chunks, interruptible and re-runnable."""

from __future__ import annotations

import contextlib
import csv
import math
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Annotated

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
from sqlalchemy.orm import Session

from app.cli.common import CLI_ACTOR, cli_settings, open_keyring
from app.config import Settings
from app.core.clock import SystemClock
from app.core.urls import PublicUrls
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
    interrupted = False
    with contextlib.ExitStack() as stack:
        stack.callback(engine.dispose)
        results = None
        if results_path is not None:
            results = stack.enter_context(results_path.open("w", newline="", encoding="utf-8"))
        with factory() as session:
            keyring = open_keyring(settings, session)
            session.commit()
        progress = stack.enter_context(_progress())
        report = _Report(settings.urls, progress, len(rows), results)
        try:
            chunk = settings.batch_chunk_items
            for start in range(0, len(rows), chunk):
                chunk_rows = rows[start : start + chunk]
                with factory() as session:
                    outcomes = _issue_rows(settings, session, keyring, issuer, chunk_rows)
                    # A Ctrl-C from here on waits until the committed chunk is reported
                    # whole: the results file and the counts never miss an issued row.
                    with _interrupt_deferred():
                        session.commit()
                        report.chunk(chunk_rows, outcomes)
        except KeyboardInterrupt:
            # The chunk in progress rolled back with its session; everything before it is
            # committed, reported, and replays on the next run.
            interrupted = True
    issued, failed = report.issued, report.failed
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


class _Report:
    """Where each row's outcome goes: stdout (issued), stderr (refused), the results CSV
    (every row) and the bar."""

    def __init__(
        self, urls: PublicUrls, progress: Progress, total: int, results: IO[str] | None
    ) -> None:
        self.urls = urls
        self.progress = progress
        self.task = progress.add_task("issuing", total=total)
        self.results = results
        self.writer = csv.writer(results) if results is not None else None
        if self.writer is not None:
            self.writer.writerow(RESULT_COLUMNS)
        # Both on one terminal, the bar is redrawn below each line only when the line goes
        # through its console; to a file or a pipe, stdout is written as it is.
        self.stdout_on_bar = progress.console.is_terminal and _stdout_is_terminal()
        self.issued = self.failed = 0

    def chunk(self, rows: list[CsvRow], outcomes: list[tuple[str | None, str | None]]) -> None:
        issued: list[str] = []
        for row, (credential_id, error) in zip(rows, outcomes, strict=True):
            page = ""
            if credential_id is not None:
                self.issued += 1
                page = credential_service.credential_url(self.urls, credential_id)
                issued.append(f"{row.line},{credential_id},{page}")
            else:
                self.failed += 1
                self.progress.console.out(f"line {row.line}: {error}", highlight=False)
            if self.writer is not None:
                self.writer.writerow([row.line, credential_id or "", page, error or ""])
        if self.results is not None:
            self.results.flush()
        if issued and self.stdout_on_bar:
            self.progress.console.out("\n".join(issued), highlight=False)
        elif issued:
            typer.echo("\n".join(issued))
        self.progress.advance(self.task, len(rows))


def _stdout_is_terminal() -> bool:
    return sys.stdout.isatty()


@contextlib.contextmanager
def _interrupt_deferred() -> Iterator[None]:
    """Ctrl-C (SIGINT) inside the block takes effect at its end."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread receives signals
        return
    received: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, _frame: received.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if received and callable(previous):
        previous(signal.SIGINT, None)  # Python's own handler raises KeyboardInterrupt


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
    settings: Settings, session: Session, keyring: KeyRing, issuer: str, rows: list[CsvRow]
) -> list[tuple[str | None, str | None]]:
    """(credential id, error) per row; the valid rows of the chunk issued in ``session``,
    for the caller to commit together."""
    outcomes: list[tuple[str | None, str | None]] = [(None, r.error) for r in rows]
    valid = [(i, r.body) for i, r in enumerate(rows) if r.request is not None and r.body]
    if not valid:
        return outcomes
    try:
        context = issuer_service.load_context(session, issuer, urls=settings.urls)
    except AppError as exc:
        return [(None, exc.detail) if r.request else o for r, o in zip(rows, outcomes, strict=True)]
    results = chunk_service.issue_chunk(
        session, keyring, context, [body for _, body in valid], first_index=0,
        now=SystemClock().now(), actor=CLI_ACTOR, urls=settings.urls,
    )  # fmt: skip
    for (position, _body), result in zip(valid, results, strict=True):
        if "error" in result:
            outcomes[position] = (None, str(result["error"]["detail"]))
        else:
            outcomes[position] = (str(result["id"]), None)
    return outcomes
