"""A throw-away LearnProof server for the benchmarks: migrated, with an admin key, on loopback.

SQLite in a temporary folder unless LEARNPROOF_DATABASE_URL is set (point that at a
throw-away PostgreSQL database).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

# The checkout this bench belongs to. Served workers start as `python -c …` processes, which
# put their working directory first on sys.path: started elsewhere (another checkout, a git
# worktree) they would import that directory's `app`, not this one's.
ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Server:
    base_url: str
    headers: dict[str, str]
    env: dict[str, str]
    workers: int = 1
    pid: int = 0  # the uvicorn supervisor; its workers are its children

    def cpu_seconds(self) -> float:
        """User + system CPU time used so far by the server's processes (Linux /proc).

        On a machine shared with other work, CPU time per credential moves far less than
        wall-clock rates do.
        """
        return sum(self.cpu_by_process().values())

    def cpu_by_process(self) -> dict[int, float]:
        """CPU seconds so far of the supervisor and of each of its (worker) processes."""
        tick = os.sysconf("SC_CLK_TCK")
        stats: dict[int, tuple[int, float]] = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            stats[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / tick)
        tree, grew = {self.pid}, True
        while grew:
            grew = False
            for pid, (parent, _cpu) in stats.items():
                if parent in tree and pid not in tree:
                    tree.add(pid)
                    grew = True
        return {pid: stats[pid][1] for pid in tree if pid in stats}

    def database_cpu_seconds(self) -> float:
        """User + system CPU time of the PostgreSQL backends serving this server's database
        (those alive now: the pools keep theirs open); 0.0 on SQLite, where it is in-process.
        """
        url = self.env["LEARNPROOF_DATABASE_URL"]
        if not url.startswith("postgresql"):
            return 0.0
        name = url.rsplit("/", 1)[-1].split("?", 1)[0]
        tick = os.sysconf("SC_CLK_TCK")
        total = 0.0
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                command = (entry / "cmdline").read_bytes().split(b"\0")[0].decode()
                if not command.startswith("postgres: ") or f" {name} " not in command:
                    continue
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, UnicodeDecodeError):
                continue
            total += (int(fields[11]) + int(fields[12])) / tick
        return total

    @property
    def backend(self) -> str:
        return self.env["LEARNPROOF_DATABASE_URL"].split(":", 1)[0]


def busiest_share(before: dict[int, float], after: dict[int, float]) -> str:
    """How the CPU of a run was shared by the server's processes, busiest first ("71/29 %"):
    with kept-alive connections, all of them can land on one worker process."""
    spent = sorted((cpu - before.get(pid, 0.0) for pid, cpu in after.items()), reverse=True)
    total = sum(spent)
    if total <= 0:
        return "n/a"
    shares = [round(100 * cpu / total) for cpu in spent if cpu / total >= 0.01]
    return "/".join(str(share) for share in shares) + " %"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


PG_ADMIN_URL = os.environ.get(
    "LEARNPROOF_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


@contextmanager
def throwaway_postgresql() -> Iterator[str]:
    """A fresh PostgreSQL database on the test server (``LEARNPROOF_TEST_PG_URL``), dropped
    at the end."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"lp_bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def throwaway_server(
    *, workers: int = 1, export_env: bool = False, database_url: str | None = None
) -> Iterator[Server]:
    """Serve until the block ends; ``export_env`` also sets the settings in this process."""
    tmp = Path(tempfile.mkdtemp(prefix="lp-bench-"))
    port = _free_port()
    settings = {
        "LEARNPROOF_DATABASE_URL": database_url
        or os.environ.get("LEARNPROOF_DATABASE_URL", f"sqlite:///{tmp / 'bench.db'}"),
        "LEARNPROOF_KEYS_DIR": os.environ.get("LEARNPROOF_KEYS_DIR", str(tmp / "keys")),
        "LEARNPROOF_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "LEARNPROOF_LOG_JSON": "false",
    }
    if export_env:
        os.environ.update(settings)
    env = {**os.environ, **settings}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    learnproof = str(Path(sys.executable).parent / "learnproof")
    subprocess.run(
        [learnproof, "db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True
    )
    made = subprocess.run(
        [learnproof, "apikey", "create", "--name", "bench", "--scope", "admin"],
        env=env, cwd=ROOT, check=True, capture_output=True, text=True,
    )  # fmt: skip
    headers = {"Authorization": f"Bearer {made.stdout.strip().splitlines()[-1]}"}
    process = subprocess.Popen(
        [learnproof, "serve", "--port", str(port), "--workers", str(workers)], env=env, cwd=ROOT,
        stdout=subprocess.DEVNULL, stderr=(tmp / "server.log").open("wb"),
    )  # fmt: skip
    base_url = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base_url, timeout=5) as client:
            # Two workers on a loaded 2-core machine can take well over 20 s to start.
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                try:
                    if client.get("/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.2)
            else:
                raise RuntimeError("the bench server did not start within two minutes")
        yield Server(base_url, headers, env, workers, process.pid)
    finally:
        process.terminate()
        process.wait(10)
