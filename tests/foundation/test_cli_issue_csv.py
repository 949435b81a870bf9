"""``learnproof issue --csv``: the progress bar, an interruption in the middle of a chunk and
the re-run, and the results CSV."""

from __future__ import annotations

import csv
import io
import os
import re
import signal
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from rich.progress import Progress
from sqlalchemy import event
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

import app.cli.issue as cli_issue
import app.credentials.chunk as chunk_module
from app.cli import cli
from app.db import make_engine


class _Clock:
    """The bar's time, moved by the test only (rich's refresh thread reads it too)."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _bar(progress: Progress, console: Console) -> str:
    with console.capture() as captured:
        console.print(progress.get_renderable())
    return " ".join(captured.get().split())


def _run(total: int, chunks: list[tuple[float, int]]) -> list[str]:
    """The bar before any chunk and after each (seconds taken, rows done) chunk."""
    clock = _Clock()
    console = Console(file=io.StringIO(), width=120, color_system=None, get_time=clock)
    progress = cli_issue._progress(console)
    task = progress.add_task("issuing", total=total)
    bars = [_bar(progress, console)]
    for seconds, rows in chunks:
        clock.now += seconds
        progress.advance(task, rows)
        bars.append(_bar(progress, console))
    return bars


def test_the_bar_shows_done_total_rate_and_time_left_from_the_first_chunk() -> None:
    bars = _run(6, [(1.0, 2), (4.0, 2), (1.0, 2)])
    assert bars[0].endswith(" 0/6 -:--:--")  # nothing done: no rate, no estimate yet
    # After one chunk: its rate, and the time left at that rate.
    assert bars[1].endswith(" 2/6 2.0 rows/s 0:00:02")
    # While running, the rate of the recent chunks (a slowdown shows at once) ...
    assert bars[2].endswith(" 4/6 0.5 rows/s 0:00:04")
    # ... and at the end the total, the average over the whole run and nothing left.
    assert bars[3].endswith(" 6/6 1.0 rows/s 0:00:00")


def test_a_one_chunk_run_ends_with_its_rate() -> None:
    assert _run(5, [(2.0, 5)])[-1].endswith(" 5/5 2.5 rows/s 0:00:00")


def test_the_time_left_counts_hours() -> None:
    bar = _run(100_000, [(10.0, 100)])[-1]
    assert bar.endswith(" 100/100000 10.0 rows/s 2:46:30")


def test_an_empty_file_has_nothing_left() -> None:
    assert _run(0, [])[-1].endswith(" 0/0 0:00:00")


@pytest.fixture
def cli_env(fresh_database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("LEARNPROOF_DATABASE_URL", fresh_database_url)
    monkeypatch.setenv("LEARNPROOF_KEYS_DIR", str(tmp_path / "keys"))
    monkeypatch.setenv("LEARNPROOF_ENV", "test")
    # The bar as a pipe gets it (its final state, printed once), wide enough for one line.
    monkeypatch.setenv("COLUMNS", "150")
    for name in ("FORCE_TERMINAL", "FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE"):
        monkeypatch.delenv(name, raising=False)
    return fresh_database_url


def _scalar(url: str, sql: str) -> Any:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return connection.exec_driver_sql(sql).scalar_one()
    finally:
        engine.dispose()


def _results(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def _final_bar(output: str) -> str:
    bars = [line for line in output.splitlines() if line.startswith("issuing ")]
    assert bars, output
    return " ".join(bars[-1].split())


# Five rows with derived external ids, one invalid row, then an external_id used twice with
# different content: issued chunk by chunk, three rows a chunk.
COHORT = (
    "name,email,external_id\n"
    + "".join(f"Learner {i},l{i}@example.org,\n" for i in range(5))
    + "Bad Row,not-an-email,\n"
    + "Twin,twin@example.org,t-1\n"
    + "Other Twin,other@example.org,t-1\n"
)
BAR = r" \d+\.\d rows/s \d:\d\d:\d\d$"


@pytest.mark.parametrize("stop", [KeyboardInterrupt, RuntimeError])
def test_stopped_in_the_middle_of_a_chunk_and_rerun(
    cli_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stop: type[BaseException]
) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["demo"]).exit_code == 0
    achievement = _scalar(cli_env, "SELECT id FROM achievement")
    before = _scalar(cli_env, "SELECT count(*) FROM credential")
    source = tmp_path / "cohort.csv"
    source.write_text(COHORT, encoding="utf-8")
    results = tmp_path / "cohort.results.csv"
    command = ["issue", "--issuer", "demo-university", "--achievement", achievement]
    command += ["--csv", str(source)]
    monkeypatch.setenv("LEARNPROOF_BATCH_CHUNK_ITEMS", "3")

    real_store = chunk_module._store
    calls = {"n": 0}

    def stopped_after_the_second_write(*args: Any, **kwargs: Any) -> None:
        # The second chunk's credentials are written (flushed) but not committed.
        real_store(*args, **kwargs)
        calls["n"] += 1
        if calls["n"] == 2:
            raise stop

    monkeypatch.setattr(chunk_module, "_store", stopped_after_the_second_write)
    stopped = runner.invoke(cli, command)
    if stop is KeyboardInterrupt:
        assert stopped.exit_code == 130, stopped.output
        assert "interrupted after 3 of 8 rows (issued 3)" in stopped.stderr
        assert "re-run the same command" in stopped.stderr
        # Where it stopped, with the rate so far and the time the rest would take.
        assert re.search(r" 3/8" + BAR, _final_bar(stopped.stderr)), stopped.stderr
    else:
        assert isinstance(stopped.exception, RuntimeError)
    # The interrupted chunk was rolled back whole; the first one is committed ...
    assert _scalar(cli_env, "SELECT count(*) FROM credential") == before + 3
    # ... and in the results file, as on stdout.
    first = _results(results)
    assert first[0] == ["row", "credential_id", "page", "error"]
    assert [r[0] for r in first[1:]] == ["2", "3", "4"]
    assert all(r[1] and r[2].endswith(f"/credentials/{r[1]}") and not r[3] for r in first[1:])
    assert stopped.stdout.splitlines() == [",".join(r[:3]) for r in first[1:]]

    monkeypatch.setattr(chunk_module, "_store", real_store)
    finished = runner.invoke(cli, command)
    assert finished.exit_code == 1, finished.output  # two rows failed
    assert "issued 6, failed 2" in finished.stderr
    # Every row counted, the replayed ones too: the bar reaches the total.
    assert re.search(r" 8/8 \d+\.\d rows/s 0:00:00$", _final_bar(finished.stderr))
    assert _scalar(cli_env, "SELECT count(*) FROM credential") == before + 6
    complete = _results(results)
    assert [r[0] for r in complete[1:]] == [str(line) for line in range(2, 10)]
    assert complete[1:4] == first[1:]  # replayed: the same credentials, not new ones
    issued = [r for r in complete[1:] if r[1]]
    assert len(issued) == len({r[1] for r in issued}) == 6
    bad, twin, other_twin = complete[6:]
    assert bad[1:3] == ["", ""]
    assert "email" in bad[3]
    assert twin[1]
    assert not twin[3]
    assert not other_twin[1]
    assert "external_id 't-1' was already used" in other_twin[3]

    again = runner.invoke(cli, command)
    assert again.exit_code == 1, again.output
    assert _scalar(cli_env, "SELECT count(*) FROM credential") == before + 6
    assert _results(results) == complete


def test_results_file_for_stdin_only_when_asked(cli_env: str, tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["demo"]).exit_code == 0
    achievement = _scalar(cli_env, "SELECT id FROM achievement")
    command = ["issue", "--issuer", "demo-university", "--achievement", achievement]
    rows = "name,email\nAda,ada@example.org\nBad,nope\n"
    piped = runner.invoke(cli, [*command, "--csv", "-"], input=rows)
    assert piped.exit_code == 1, piped.output
    assert "results:" not in piped.stderr
    assert re.search(r" 2/2" + BAR, _final_bar(piped.stderr))
    out = tmp_path / "out.csv"
    asked = runner.invoke(cli, [*command, "--csv", "-", "--results", str(out)], input=rows)
    assert f"results: {out}" in asked.stderr
    written = _results(out)
    assert written[0] == ["row", "credential_id", "page", "error"]
    assert written[1][0] == "2"
    assert written[1][2].endswith(f"/credentials/{written[1][1]}")
    assert not written[1][3]
    assert written[2][:3] == ["3", "", ""]
    assert "email" in written[2][3]


def _cohort(cli_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ``issue`` command for COHORT, three rows a chunk, on a seeded database."""
    assert CliRunner().invoke(cli, ["demo"]).exit_code == 0
    achievement = _scalar(cli_env, "SELECT id FROM achievement")
    source = tmp_path / "cohort.csv"
    source.write_text(COHORT, encoding="utf-8")
    monkeypatch.setenv("LEARNPROOF_BATCH_CHUNK_ITEMS", "3")
    return [
        "issue",
        "--issuer",
        "demo-university",
        "--achievement",
        achievement,
        "--csv",
        str(source),
    ]


def test_ctrl_c_while_a_committed_chunk_is_reported_waits_for_the_report(
    cli_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    command = _cohort(cli_env, tmp_path, monkeypatch)
    before = _scalar(cli_env, "SELECT count(*) FROM credential")
    real_chunk = cli_issue._Report.chunk
    calls = {"n": 0}

    def ctrl_c_then_report(self: Any, *args: Any) -> None:
        # Ctrl-C lands between the second chunk's commit and its report.
        calls["n"] += 1
        if calls["n"] == 2:
            os.kill(os.getpid(), signal.SIGINT)
        real_chunk(self, *args)

    monkeypatch.setattr(cli_issue._Report, "chunk", ctrl_c_then_report)
    stopped = CliRunner().invoke(cli, command)
    assert stopped.exit_code == 130, stopped.output
    assert "interrupted after 6 of 8 rows (issued 5)" in stopped.stderr
    assert re.search(r" 6/8" + BAR, _final_bar(stopped.stderr)), stopped.stderr
    # Every committed credential is in the results file and on stdout, and only those.
    assert _scalar(cli_env, "SELECT count(*) FROM credential") == before + 5
    written = _results(tmp_path / "cohort.results.csv")[1:]
    assert [r[0] for r in written] == ["2", "3", "4", "5", "6", "7"]
    assert len(stopped.stdout.splitlines()) == len([r for r in written if r[1]]) == 5
    # The handler the command found is back.
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_on_a_terminal_row_lines_print_above_the_bar(
    cli_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    command = _cohort(cli_env, tmp_path, monkeypatch)
    monkeypatch.setenv("TTY_COMPATIBLE", "1")  # the bar's console (stderr) is a terminal ...
    monkeypatch.setattr(cli_issue, "_stdout_is_terminal", lambda: True)  # ... and stdout too
    result = CliRunner().invoke(cli, command)
    assert result.exit_code == 1, result.output
    # The screen as written: each redraw of the bar starts with a carriage return.
    screen = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", result.output).replace("\r", "\n")
    lines = [line for line in screen.splitlines() if line.strip()]
    rows = [line for line in lines if re.match(r"^\d+,[0-9a-f-]{36},http", line)]
    errors = [line for line in lines if line.startswith("line ")]
    assert len(rows) == 6, screen
    assert len(errors) == 2, screen
    # No line of output is written over or after the bar on its line.
    bars = [line for line in lines if "issuing" in line]
    assert all(line.startswith("issuing ") for line in bars), bars
    assert all(re.search(r" \d/8 .*(\d:\d\d:\d\d|-:--:--)$", line) for line in bars), bars
    assert re.search(r" 8/8" + BAR, " ".join(bars[-1].split()))


def test_ctrl_c_inside_a_database_statement(
    cli_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C lands in the driver, in the middle of the second chunk's INSERT: SQLAlchemy
    drops that connection, and the run still ends as an interruption."""
    command = _cohort(cli_env, tmp_path, monkeypatch)
    before = _scalar(cli_env, "SELECT count(*) FROM credential")
    inserts = {"n": 0}

    def ctrl_c_on_the_second_insert(*args: Any) -> None:
        if args[2].lstrip().upper().startswith("INSERT INTO CREDENTIAL "):
            inserts["n"] += 1
            if inserts["n"] == 2:
                raise KeyboardInterrupt

    event.listen(Engine, "before_cursor_execute", ctrl_c_on_the_second_insert)
    try:
        stopped = CliRunner().invoke(cli, command)
    finally:
        event.remove(Engine, "before_cursor_execute", ctrl_c_on_the_second_insert)
    assert inserts["n"] == 2
    assert stopped.exit_code == 130, stopped.output
    assert "interrupted after 3 of 8 rows (issued 3)" in stopped.stderr
    assert _scalar(cli_env, "SELECT count(*) FROM credential") == before + 3
    assert len(_results(tmp_path / "cohort.results.csv")) == 1 + 3
    # The database is not left locked: the re-run completes.
    finished = CliRunner().invoke(cli, command)
    assert "issued 6, failed 2" in finished.stderr, finished.output
    assert _scalar(cli_env, "SELECT count(*) FROM credential") == before + 6
