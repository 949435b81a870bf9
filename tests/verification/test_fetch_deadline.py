"""Issue 11 item 3: one overall deadline per fetch, against a real server that trickles."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from app.core import budget as work_budget
from app.verification.deadline import make_http_client
from app.verification.did_documents import ResolutionError
from app.verification.fetch import Fetcher
from tests.verification.conftest import FakeWeb

TRICKLE_SECONDS = 4.0  # how long the server trickles before it answers in full


@pytest.fixture
def trickling_server() -> Iterator[tuple[int, threading.Event]]:
    """Sends its status line, then one header byte every 50 ms, then a complete answer."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    client_gone = threading.Event()

    def serve() -> None:
        connection, _ = listener.accept()
        with connection:
            connection.recv(65536)
            try:
                connection.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
                end = time.monotonic() + TRICKLE_SECONDS
                while time.monotonic() < end:
                    connection.sendall(b"a")
                    time.sleep(0.05)
                body = b'{"id": "slow"}'
                connection.sendall(
                    b"\r\nContent-Type: application/json\r\nContent-Length: "
                    + str(len(body)).encode()
                    + b"\r\n\r\n"
                    + body
                )
            except OSError:
                client_gone.set()  # the verifier hung up: what the deadline should do

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield port, client_gone
    listener.close()
    thread.join(TRICKLE_SECONDS + 5)


def test_trickled_headers_hit_the_overall_deadline(
    trickling_server: tuple[int, threading.Event],
) -> None:
    port, client_gone = trickling_server
    with make_http_client(0.5) as client:
        fetcher = Fetcher(client, allow_hosts=["127.0.0.1"], max_bytes=10_000, timeout_seconds=0.5)
        with pytest.raises(ResolutionError, match="LEARNPROOF_FETCH_TIMEOUT_SECONDS"):
            fetcher.get(f"http://127.0.0.1:{port}/status/1")
    # The connection was dropped while the server was still trickling.
    assert client_gone.wait(TRICKLE_SECONDS + 2)


def test_a_fetch_cut_by_the_requests_deadline_is_not_cached(
    fetcher: Fetcher, fake_web: FakeWeb
) -> None:
    """The URL did nothing wrong: the next request must fetch it again."""
    budget = work_budget.WorkBudget(cpu_seconds=60, wall_seconds=60)
    calls = 0

    def slow_then_fine(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        if calls == 1:
            budget.deadline = time.monotonic() - 1  # the request's time runs out meanwhile
            raise httpx.ReadTimeout("slow", request=request)
        return httpx.Response(200, json={"id": "fine"})

    fake_web.handlers[("lists.example", "/1")] = slow_then_fine

    with pytest.raises(work_budget.WorkLimitExceeded, match="LEARNPROOF_VERIFY_WALL_SECONDS"):
        work_budget.run_within(budget, lambda: fetcher.get("https://lists.example/1"))
    assert fetcher.get("https://lists.example/1").body == b'{"id":"fine"}'
    assert calls == 2
