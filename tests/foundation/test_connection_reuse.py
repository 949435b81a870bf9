"""Kept-alive connections end after about N requests (`app.connection_reuse`), so that the
clients of `learnproof serve --workers N` spread across its processes."""

from __future__ import annotations

import asyncio
import copy
import multiprocessing
import os
import random
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import uvicorn
from fastapi.testclient import TestClient
from starlette.types import Message, Receive, Scope, Send

from app import connection_reuse
from app.connection_reuse import ConnectionReuseMiddleware, WorkerLoads


async def _answer(scope: Scope, receive: Receive, send: Send) -> None:
    headers = [(b"content-type", b"text/plain"), (b"Connection", b"keep-alive")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": b"ok"})


def _closing_headers(middleware: ConnectionReuseMiddleware, requests: int) -> list[list[bytes]]:
    """For each request, the values of the answer's Connection headers."""
    found: list[list[bytes]] = []

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            found.append([v for k, v in message["headers"] if k.lower() == b"connection"])

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def run() -> None:
        for _ in range(requests):
            await middleware({"type": "http", "method": "GET", "path": "/"}, receive, send)

    asyncio.run(run())
    return found


def test_one_request_per_connection_closes_every_connection() -> None:
    found = _closing_headers(ConnectionReuseMiddleware(_answer, requests_per_connection=1), 20)
    # The app's own Connection header is replaced, not repeated.
    assert found == [[b"close"]] * 20


def test_zero_never_closes() -> None:
    found = _closing_headers(ConnectionReuseMiddleware(_answer, requests_per_connection=0), 200)
    assert found == [[b"keep-alive"]] * 200


def test_about_one_answer_in_n_closes_its_connection() -> None:
    middleware = ConnectionReuseMiddleware(_answer, requests_per_connection=25)
    middleware.draw = random.Random(7)
    found = _closing_headers(middleware, 5000)
    closed = sum(1 for values in found if values == [b"close"])
    # Binomial(5000, 1/25): mean 200, standard deviation 14.
    assert 120 < closed < 280
    assert all(values in ([b"close"], [b"keep-alive"]) for values in found)


def test_the_app_carries_the_setting(client: TestClient) -> None:
    # The test settings keep the default: 25.
    closes = [client.get("/healthz").headers.get("connection") for _ in range(300)]
    assert 0 < closes.count("close") < 60
    assert set(closes) <= {"close", None}


@pytest.fixture
def served() -> Iterator[int]:
    """A real uvicorn serving `_answer` behind the middleware, N = 1."""
    app = ConnectionReuseMiddleware(_answer, requests_per_connection=1)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    yield port
    server.should_exit = True
    thread.join(10)


def test_uvicorn_ends_the_connection_after_such_an_answer(served: int) -> None:
    with socket.create_connection(("127.0.0.1", served), timeout=5) as connection:
        connection.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n")
        received: list[Any] = []
        while chunk := connection.recv(4096):  # b"" once the server has closed it
            received.append(chunk)
    answer = b"".join(received)
    assert answer.startswith(b"HTTP/1.1 200")
    assert b"connection: close" in answer.lower()


# Under `serve --workers N` the processes share their in-flight counts (`WorkerLoads`), and
# one with `SPREAD_MARGIN` or more requests beyond the least busy other ends connections.


def _hold_in_worker(loads: WorkerLoads, ready: Any, done: Any, requests: int) -> None:
    """A spawned worker: joins `loads`, has `requests` in flight until `done` is set."""
    assert connection_reuse.join(loads)
    for _ in range(requests):
        loads.enter()
    ready.set()
    done.wait(30)
    loads.release()


@pytest.fixture
def other_worker() -> Iterator[tuple[WorkerLoads, Any]]:
    """Loads shared with a spawned process that holds 3 requests in flight."""
    spawn = multiprocessing.get_context("spawn")
    loads = WorkerLoads(2)
    ready, done = spawn.Event(), spawn.Event()
    process = spawn.Process(target=_hold_in_worker, args=(loads, ready, done, 3))
    process.start()
    try:
        assert ready.wait(60), "the spawned worker did not start"
        assert loads.claim()
        yield loads, process
    finally:
        done.set()
        process.join(30)
        loads.release()


def test_spawned_workers_see_each_others_counts(other_worker: tuple[WorkerLoads, Any]) -> None:
    loads, _process = other_worker
    # 3 in flight over there: this process is not busier until it has 5.
    for expected in (False, False, False, False, True, True):
        loads.enter()
        assert loads.busier_than_others() is expected, loads.in_flight()
    for _ in range(6):
        loads.leave()
    assert loads.in_flight() == 0


def test_a_busier_worker_ends_the_connection_a_balanced_one_keeps_it(
    other_worker: tuple[WorkerLoads, Any],
) -> None:
    loads, _process = other_worker
    middleware = ConnectionReuseMiddleware(_answer, requests_per_connection=0, loads=loads)
    # Each request counts itself: 1 against 3 keeps the connection.
    assert _closing_headers(middleware, 3) == [[b"keep-alive"]] * 3
    for _ in range(3):
        loads.enter()  # three other requests of this process in flight: 4 against 3
    assert _closing_headers(middleware, 1) == [[b"keep-alive"]]
    loads.enter()  # 5 against 3
    assert _closing_headers(middleware, 2) == [[b"close"]] * 2
    for _ in range(4):
        loads.leave()
    assert loads.in_flight() == 0  # every request left its count, closed or not


def test_a_failing_request_leaves_its_count(other_worker: tuple[WorkerLoads, Any]) -> None:
    loads, _process = other_worker

    async def failing(scope: Scope, receive: Receive, send: Send) -> None:
        assert loads.in_flight() == 1
        raise RuntimeError("boom")

    middleware = ConnectionReuseMiddleware(failing, requests_per_connection=0, loads=loads)
    with pytest.raises(RuntimeError):
        _closing_headers(middleware, 1)
    assert loads.in_flight() == 0


def test_the_only_worker_is_never_busier() -> None:
    loads = WorkerLoads(1)
    assert loads.claim()
    try:
        for _ in range(50):
            loads.enter()
        assert not loads.busier_than_others()
    finally:
        loads.release()


def test_slots_of_ended_processes_are_claimed_again_and_counted_from_zero() -> None:
    spawn = multiprocessing.get_context("spawn")
    loads = WorkerLoads(1)  # two slots
    ready, done = spawn.Event(), spawn.Event()
    process = spawn.Process(target=_hold_in_worker, args=(loads, ready, done, 4))
    process.start()
    assert ready.wait(60)
    assert loads.claim()  # the second slot
    assert not WorkerLoads.claim(copy.copy(loads))  # both taken by live processes
    process.kill()  # ended without releasing its slot or its counts
    process.join(30)
    other = copy.copy(loads)
    assert other.claim()  # the dead process's slot
    assert other.slot != loads.slot
    assert other.in_flight() == 0
    assert not loads.busier_than_others()
    loads.enter()
    loads.enter()
    assert loads.busier_than_others()  # 2 against the reclaimed slot's 0, not the dead 4
    other.release()
    loads.release()
    assert WorkerLoads.claim(copy.copy(loads))


def test_a_claim_frees_every_slot_of_an_ended_process() -> None:
    """A killed worker's slot after a free one: the next claim takes the free one and still
    clears the dead one's counts, which would otherwise pass for an idle worker's."""
    spawn = multiprocessing.get_context("spawn")
    loads = WorkerLoads(2)  # four slots
    holders = []
    for requests in (1, 0):
        ready, done = spawn.Event(), spawn.Event()
        process = spawn.Process(target=_hold_in_worker, args=(loads, ready, done, requests))
        process.start()
        assert ready.wait(60)
        holders.append((process, done))
    (first, first_done), (second, second_done) = holders
    first_done.set()
    first.join(30)  # released its slot (0): free
    second.kill()  # slot 1, its count 0, never released
    second.join(30)
    assert loads.claim()
    assert loads.slot == 0
    loads.enter()
    loads.enter()
    # Against a dead process's 0 this would say True.
    assert not loads.busier_than_others()
    loads.release()


def test_without_loads_only_the_draw_closes() -> None:
    middleware = ConnectionReuseMiddleware(_answer, requests_per_connection=0, loads=None)
    assert _closing_headers(middleware, 20) == [[b"keep-alive"]] * 20


def _claim_in_worker(loads: WorkerLoads, placed: Any, done: Any) -> None:
    """A spawned worker: claims a slot, reports its CPU, holds the slot until `done`."""
    assert loads.claim()
    placed.put((os.getpid(), loads.cpu))
    done.wait(30)
    loads.release()


@dataclass
class PlacedWorker:
    process: Any
    done: Any
    cpu: int

    def stop(self) -> None:
        self.done.set()
        self.process.join(30)


@pytest.fixture
def placed_workers() -> Iterator[tuple[WorkerLoads, list[PlacedWorker]]]:
    """Loads placing workers on CPUs 4 and 7, and two spawned workers that claimed a slot."""
    spawn = multiprocessing.get_context("spawn")
    loads = WorkerLoads(2, cpus=(4, 7))
    placed = spawn.Queue()
    started = []
    for _ in range(2):
        done = spawn.Event()
        process = spawn.Process(target=_claim_in_worker, args=(loads, placed, done))
        process.start()
        started.append((process, done))
    try:
        cpu_of = dict([placed.get(timeout=60), placed.get(timeout=60)])
        yield loads, [PlacedWorker(p, done, cpu_of[p.pid]) for p, done in started]
    finally:
        loads.release()
        for process, done in started:
            done.set()
            process.join(30)


def test_each_worker_is_placed_on_the_cpu_fewest_live_workers_are_on(
    placed_workers: tuple[WorkerLoads, list[PlacedWorker]],
) -> None:
    loads, (first, second) = placed_workers
    assert {first.cpu, second.cpu} == {4, 7}
    # A replacement started while both live shares the first of them (least used: tie).
    assert loads.claim()
    assert loads.cpu == 4
    loads.release()
    # One worker gone: its CPU is the least used one, whichever it was.
    first.stop()
    assert loads.claim()
    assert loads.cpu == first.cpu


def test_without_cpus_no_worker_is_placed() -> None:
    loads = WorkerLoads(2)
    assert loads.claim()
    try:
        assert loads.cpu is None
    finally:
        loads.release()


def test_a_replacement_sharing_a_cpu_moves_once_the_replaced_worker_has_gone(
    placed_workers: tuple[WorkerLoads, list[PlacedWorker]],
) -> None:
    loads, workers = placed_workers
    assert loads.claim()  # the replacement, placed while both still run: on 4, with one
    assert loads.cpu == 4
    assert loads.move_if_crowded() is None  # no CPU is idle yet
    next(worker for worker in workers if worker.cpu == 7).stop()
    assert loads.move_if_crowded() == 7
    assert loads.cpu == 7
    assert loads.move_if_crowded() is None  # alone on 7 now
