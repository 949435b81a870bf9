"""`learnproof serve --workers 2` spreads connections across its worker processes
(`app.cli.workers`): each worker listens on a socket of its own (SO_REUSEPORT).

Before, all workers accepted from one socket, and 16 clients connecting at once could all
land on one process. Here a real `serve` runs on a random port; 40 connections are opened
and kept open, and /proc tells which worker process holds each one.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from app.cli import workers as workers_module
from app.cli.workers import SPREADS_CONNECTIONS
from tests.support.serving import BIN, free_port, serve_environment

pytestmark = pytest.mark.skipif(not SPREADS_CONNECTIONS, reason="SO_REUSEPORT spreading: Linux")


def _env(database_url: str, tmp_path: Path, port: int, **settings: str) -> dict[str, str]:
    # Every connection stays open unless ended on purpose (app/connection_reuse.py draws some).
    return serve_environment(database_url, tmp_path, port, job_worker="false",
                             webhook_worker="false", requests_per_connection="0",
                             **settings)  # fmt: skip


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[1]) == pid:
                found.add(int(entry.name))
    return found


def _sockets(port: int, state: str) -> set[str]:
    """Inodes of the TCP sockets on local `port` in `state` ("01" established, "0A" listen)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == state:
                inodes.add(fields[9])
    return inodes


def _holder_of_each_connection(port: int, processes: set[int]) -> Counter[int]:
    """How many established connections to `port` each of `processes` holds."""
    inodes = _sockets(port, "01")
    held: Counter[int] = Counter()
    for pid in processes:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:[") and target[8:-1] in inodes:
                held[pid] += 1
    return held


def _wait_until_serving(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 120  # two workers importing the app on a loaded machine
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if process.poll() is not None:
            raise AssertionError(f"serve exited: {log.read_text()[-2000:]}")
        time.sleep(0.2)
    raise AssertionError(f"serve did not start: {log.read_text()[-2000:]}")


@dataclass(frozen=True)
class Served:
    process: subprocess.Popen[bytes]
    port: int
    log: Path


@contextlib.contextmanager
def _serving(database_url: str, tmp_path: Path, **settings: str) -> Iterator[Served]:
    """A real `serve --workers 2` on a free port, once both workers listen (each binds its
    own socket; the first may answer before the second has started); stopped after."""
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("ab") as out:
        process = subprocess.Popen(
            [str(BIN), "serve", "--port", str(port), "--workers", "2"],
            env=_env(database_url, tmp_path, port, **settings), stdout=out,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        _wait_until_serving(f"http://127.0.0.1:{port}", process, log)
        deadline = time.monotonic() + 120
        while len(_sockets(port, "0A")) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        yield Served(process, port, log)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def test_connections_spread_across_the_workers(fresh_database_url: str, tmp_path: Path) -> None:
    connections: list[socket.socket] = []
    with _serving(fresh_database_url, tmp_path) as served:
        port = served.port
        assert len(_sockets(port, "0A")) == 2  # one per worker, not one shared
        workers = _children(served.process.pid)
        try:
            for _ in range(40):
                connection = socket.create_connection(("127.0.0.1", port), timeout=10)
                connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                assert connection.recv(4096).startswith(b"HTTP/1.1 200")
                connections.append(connection)
            held = _holder_of_each_connection(port, workers)
        finally:
            for connection in connections:
                connection.close()
    assert sum(held.values()) == 40, held
    # Binomial(40, 1/2): below 5 on one side has a chance under one in ten million.
    assert len(held) == 2, held
    assert min(held.values()) >= 5, held


def test_serve_refuses_an_address_already_in_use(fresh_database_url: str, tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [str(BIN), "serve", "--port", str(port), "--workers", "2"],
            env=_env(fresh_database_url, tmp_path, port), capture_output=True, text=True,
            timeout=120,
        )  # fmt: skip
    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr


def _worker_of(connection: socket.socket, port: int, workers: set[int]) -> int:
    """The worker process holding the server's end of `connection`."""
    client_port = connection.getsockname()[1]
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote = fields[1], fields[2]
        if int(local.rsplit(":", 1)[1], 16) == port and int(remote.rsplit(":", 1)[1], 16) == (
            client_port
        ):
            inodes.add(fields[9])
    for pid in workers:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                if os.readlink(fd)[8:-1] in inodes:
                    return pid
            except OSError:
                continue
    raise AssertionError(f"no worker holds the connection from port {client_port}")


def _answer_of(connection: socket.socket) -> bytes:
    """GET /healthz on `connection`: the answer's head (lower case), its body read past."""
    connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    received = b""
    while b"\r\n\r\n" not in received:
        chunk = connection.recv(4096)
        assert chunk, f"the connection ended after {received!r}"
        received += chunk
    head, body = received.split(b"\r\n\r\n", 1)
    head = head.lower()
    assert head.startswith(b"http/1.1 200"), head
    length = int(head.split(b"content-length: ", 1)[1].split(b"\r\n", 1)[0])
    while len(body) < length:
        body += connection.recv(4096)
    return head


def test_a_busier_worker_ends_connections_so_that_clients_spread(
    fresh_database_url: str, tmp_path: Path
) -> None:
    """Three requests held in flight on one worker (their bodies not yet sent): that worker
    ends the next connection it answers on, the idle one keeps its own. No random draw
    (requests_per_connection=0), so only the shared counts can close."""
    connections: list[socket.socket] = []
    with _serving(fresh_database_url, tmp_path) as served:
        port = served.port
        # The supervisor's children: the two workers and multiprocessing's resource tracker
        # (of the lock the workers claim their load slots under).
        workers = _children(served.process.pid)
        by_worker: dict[int, list[socket.socket]] = {}
        try:
            while len(connections) < 60 and not (
                len(by_worker) == 2 and min(len(held) for held in by_worker.values()) >= 4
            ):
                connection = socket.create_connection(("127.0.0.1", port), timeout=10)
                connections.append(connection)
                assert b"connection: close" not in _answer_of(connection)
                by_worker.setdefault(_worker_of(connection, port, workers), []).append(connection)
            assert len(by_worker) == 2, by_worker
            assert min(map(len, by_worker.values())) >= 4, by_worker
            busy, idle = by_worker.values()
            for connection in busy[:3]:
                connection.sendall(
                    b"POST /credentials/verify HTTP/1.1\r\nHost: x\r\n"
                    b"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"
                )
            time.sleep(1)  # the three reach the app and wait for the rest of their bodies
            assert b"connection: close" in _answer_of(busy[3])  # 4 in flight against 0
            assert b"connection: close" not in _answer_of(idle[0])  # 1 against 3
            assert b"connection: close" not in _answer_of(idle[1])
        finally:
            for connection in connections:
                connection.close()


def test_placements_are_the_allowed_cpus_if_there_is_one_per_worker(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {3, 1, 2})
    assert workers_module.placements(3) == (1, 2, 3)
    # More CPUs than workers (another `serve` may use the rest) or fewer: left to the kernel.
    assert workers_module.placements(2) == ()
    assert workers_module.placements(4) == ()


def _allowed_cpus(pid: int) -> str:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Cpus_allowed_list:"):
            return line.split(":", 1)[1].strip()
    raise AssertionError(f"no Cpus_allowed_list for {pid}")


def _worker_cpus(tmp_path: Path, database_url: str, **settings: str) -> list[set[str]]:
    """For each worker of a real `serve --workers 2`: the CPUs each of its threads may run on."""
    with _serving(database_url, tmp_path, **settings) as served:
        workers = [pid for pid in _children(served.process.pid) if _listens(pid, served.port)]
        assert len(workers) == 2, workers
        return [
            {_allowed_cpus(int(thread)) for thread in os.listdir(f"/proc/{pid}/task")}
            for pid in workers
        ]


def _listens(pid: int, port: int) -> bool:
    inodes = _sockets(port, "0A")
    try:
        fds = list(Path(f"/proc/{pid}/fd").iterdir())
    except OSError:  # it has just exited (a worker replaced by SIGHUP, say)
        return False
    for fd in fds:
        with contextlib.suppress(OSError):
            if os.readlink(fd)[8:-1] in inodes:
                return True
    return False


@pytest.mark.skipif(len(os.sched_getaffinity(0)) != 2, reason="two workers placed: two CPUs")
def test_each_worker_runs_on_a_cpu_of_its_own(fresh_database_url: str, tmp_path: Path) -> None:
    placed = _worker_cpus(tmp_path, fresh_database_url)
    # Every thread of a worker (the event loop, the pools, uvicorn's health check) on one
    # CPU, and the two workers on two different ones.
    assert all(len(threads) == 1 for threads in placed), placed
    cpus = [next(iter(threads)) for threads in placed]
    assert all(cpu.isdigit() for cpu in cpus), cpus
    assert len(set(cpus)) == 2, cpus


@pytest.mark.skipif(len(os.sched_getaffinity(0)) != 2, reason="two workers placed: two CPUs")
def test_workers_are_left_to_the_kernel_when_told_to(
    fresh_database_url: str, tmp_path: Path
) -> None:
    everywhere = _allowed_cpus(os.getpid())
    placed = _worker_cpus(tmp_path, fresh_database_url, pin_workers="false")
    assert placed == [{everywhere}, {everywhere}]


@pytest.mark.skipif(len(os.sched_getaffinity(0)) != 2, reason="two workers placed: two CPUs")
def test_workers_restarted_one_by_one_end_on_cpus_of_their_own(
    fresh_database_url: str, tmp_path: Path
) -> None:
    """SIGHUP: uvicorn starts each replacement before it stops the worker it replaces, so a
    replacement is first placed beside a live worker. When that is the worker it replaces,
    nothing moves; when it is the other one (about half the restarts: which worker claimed
    which CPU first is a race), the replacement moves once the replaced worker has gone. The
    move itself is tested without the race in test_connection_reuse.py."""
    with _serving(fresh_database_url, tmp_path) as served:
        process, port = served.process, served.port
        before = {pid for pid in _children(process.pid) if _listens(pid, port)}
        assert len(before) == 2
        process.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 180
        placed: list[str] = []
        while time.monotonic() < deadline:
            now = {pid for pid in _children(process.pid) if _listens(pid, port)}
            if len(now) == 2 and not now & before:
                placed = [_allowed_cpus(pid) for pid in now]
                if len(set(placed)) == 2:
                    break
            time.sleep(0.5)
        assert len(set(placed)) == 2, (placed, served.log.read_text()[-2000:])
