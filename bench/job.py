"""A large batch job end to end: items/s, the server's memory as the job advances, and the
time to read one results page at the start and at the end of the job.

    .venv/bin/python bench/job.py [--postgresql] [--items 50000] [--workers 1] [--page 1000]

Posts ``--items`` items in one ``POST /v1/issuers/{slug}/credentials/batch`` (a 202 job) to a
throw-away server, then polls ``GET /v1/jobs/{id}`` for progress and reads one results page
(the first one, and the page holding the latest results) at every poll. Prints the rate, the
peak RSS (VmHWM) and current RSS (VmRSS) of the server's processes right after the 202 and
at 10 %, 50 % and 100 % of the job, the page read times, and the stored size of the job row
and its chunk rows.
Uses a throw-away SQLite database unless ``--postgresql``. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.issue import _item, _setup  # noqa: E402
from bench.server import Server, throwaway_postgresql, throwaway_server  # noqa: E402


def _tree(root: int) -> list[int]:
    """The process and its descendants (uvicorn's supervisor and its worker processes)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                parents[int(entry.name)] = int(fields[1])
    tree, grew = {root}, True
    while grew:
        grew = False
        for pid, parent in parents.items():
            if parent in tree and pid not in tree:
                tree.add(pid)
                grew = True
    return sorted(tree)


def memory(server: Server) -> dict[int, tuple[int, int]]:
    """Per server process: (VmRSS, VmHWM) in MiB."""
    found: dict[int, tuple[int, int]] = {}
    for pid in _tree(server.pid):
        with contextlib.suppress(OSError):
            fields = dict(
                line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
            )
            if "VmRSS" in fields:
                rss, hwm = (int(fields[k].split()[0]) // 1024 for k in ("VmRSS", "VmHWM"))
                found[pid] = (rss, hwm)
    return found


def _show_memory(label: str, mem: dict[int, tuple[int, int]]) -> str:
    per = ", ".join(f"{pid}: {rss}/{hwm}" for pid, (rss, hwm) in mem.items())
    total_hwm = sum(hwm for _rss, hwm in mem.values())
    return (
        f"  {label:>4}: peak RSS (VmHWM) of all server processes {total_hwm} MiB "
        f"[pid: RSS/peak MiB {per}]"
    )


def _timed_get(client: httpx.Client, path: str, **params: int) -> tuple[float, Any]:
    started = time.perf_counter()
    response = client.get(path, params=params)
    elapsed = time.perf_counter() - started
    response.raise_for_status()
    return elapsed, response.json()


def stored_sizes(server: Server, job_id: str) -> str:
    from sqlalchemy import create_engine, text

    engine = create_engine(server.env["LEARNPROOF_DATABASE_URL"])
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "postgresql":
                job = "pg_column_size(j.*)"
                chunk = "pg_column_size(c.*)"
            else:
                job = "length(CAST(j.items AS TEXT)) + length(CAST(j.results AS TEXT))"
                chunk = "length(CAST(c.items AS TEXT))"
                chunk += " + length(coalesce(CAST(c.results AS TEXT), ''))"
            job_bytes = conn.execute(
                text(f"SELECT {job} FROM issue_job j WHERE j.id = :id"), {"id": job_id}
            ).scalar_one()
            rows, avg, biggest = conn.execute(
                text(f"SELECT count(*), avg({chunk}), max({chunk}) FROM issue_job_chunk c "
                     "WHERE c.job_id = :id"),
                {"id": job_id},
            ).one()  # fmt: skip
    finally:
        engine.dispose()
    return (
        f"stored ({engine.dialect.name}): job row {job_bytes} bytes; {rows} chunk rows, "
        f"{float(avg or 0) / 1024:.1f} KiB each on average, "
        f"largest {int(biggest or 0) / 1024:.1f} KiB"
    )


def bench_job(server: Server, achievement_id: str, total: int, page: int, poll: float) -> None:
    with httpx.Client(base_url=server.base_url, headers=server.headers, timeout=300) as client:
        # Warm the worker process(es) (contexts, keys) outside the measurement.
        warm = {"items": [_item(achievement_id, -1)]}
        client.post("/v1/issuers/bench/credentials/batch", json=warm).raise_for_status()
        items = [_item(achievement_id, i) for i in range(total)]
        before = memory(server)
        started = time.perf_counter()
        response = client.post("/v1/issuers/bench/credentials/batch", json={"items": items})
        response.raise_for_status()
        accepted = time.perf_counter() - started
        after_accept = memory(server)  # the worker may have begun its first chunk
        del items
        job_id = response.json()["job_id"]
        path = f"/v1/jobs/{job_id}"
        print(
            f"job of {total} items, {server.workers} server worker(s), {server.backend}: "
            f"accepted (202) in {accepted:.1f} s"
        )
        marks, at_mark = [0.1, 0.5, 1.0], {}
        first_page: list[tuple[int, float]] = []  # (done, seconds) for offset 0
        latest_page: list[tuple[int, float]] = []  # the same for the latest results' page
        progress_reads: list[float] = []
        done = 0
        while True:
            seconds, job = _timed_get(client, path, limit=1)
            progress_reads.append(seconds)
            done = job["done"]
            if done >= page:  # a full first page, comparable from one poll to the next
                seconds, got = _timed_get(client, path, offset=0, limit=page)
                first_page.append((done, seconds))
            if done:
                offset = max(0, done - page)
                seconds, got = _timed_get(client, path, offset=offset, limit=page)
                latest_page.append((done, seconds))
            while marks and done >= marks[0] * total:
                at_mark[marks.pop(0)] = memory(server)
            if job["status"] == "done":
                break
            time.sleep(poll)
        elapsed = time.perf_counter() - started
        # The full set of results, page by page, once the job is done.
        read_started, pages, offset_next = time.perf_counter(), 0, 0
        while offset_next is not None:
            _s, got = _timed_get(client, path, offset=offset_next, limit=page)
            pages += 1
            offset_next = got["next_offset"]
        read_all = time.perf_counter() - read_started
        # With the job done (no worker competing): the first and the last page, 5 reads each.
        quiet = {
            offset: statistics.median(
                _timed_get(client, path, offset=offset, limit=page)[0] for _ in range(5)
            )
            for offset in (0, max(0, total - page))
        }
    print(f"  {job['done']} done, {job['failed']} failed in {elapsed:.1f} s (accept included): "
          f"{job['done'] / elapsed:.1f} items/s")  # fmt: skip
    print(_show_memory("idle", before))
    print(_show_memory("202", after_accept))
    for mark, mem in at_mark.items():
        print(_show_memory(f"{int(mark * 100)}%", mem))

    def describe(reads: list[tuple[int, float]]) -> str:
        if not reads:
            return "no reads"
        head = [s for _d, s in reads[: max(1, len(reads) // 5)]]
        tail = [s for _d, s in reads[-max(1, len(reads) // 5) :]]
        return (
            f"median {1000 * statistics.median(head):.1f} ms in the first fifth of the polls "
            f"(done {reads[0][0]}), {1000 * statistics.median(tail):.1f} ms in the last fifth "
            f"(done {reads[-1][0]}), {len(reads)} reads"
        )

    print(f"  progress (limit=1): median {1000 * statistics.median(progress_reads):.1f} ms")
    print(f"  results page offset 0, limit {page}: {describe(first_page)}")
    print(f"  results page of the latest items, limit {page}: {describe(latest_page)}")
    print(f"  all {total} results read back in {pages} pages of {page}: {read_all:.1f} s")
    print(
        "  after the job, median of 5: "
        + ", ".join(f"page at offset {o}: {1000 * s:.1f} ms" for o, s in quiet.items())
    )
    print(f"  {stored_sizes(server, job_id)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=50_000)
    parser.add_argument("--page", type=int, default=1000, help="results per page read")
    parser.add_argument("--poll", type=float, default=0.5, help="seconds between polls")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument("--postgresql", action="store_true", help="a throw-away PostgreSQL db")
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, load average {os.getloadavg()}")
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(throwaway_postgresql()) if args.postgresql else None
        server = stack.enter_context(throwaway_server(workers=args.workers, database_url=url))
        with httpx.Client(base_url=server.base_url, headers=server.headers, timeout=30) as client:
            achievement_id = _setup(client)
        bench_job(server, achievement_id, args.items, args.page, args.poll)
    print(f"load average at the end {os.getloadavg()}")


if __name__ == "__main__":
    main()
