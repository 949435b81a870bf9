"""Kept-alive connections end after about N requests (`app.connection_reuse`), so that the
clients of `learnproof serve --workers N` spread across its processes."""

from __future__ import annotations

import asyncio
import random
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn
from fastapi.testclient import TestClient
from starlette.types import Message, Receive, Scope, Send

from app.connection_reuse import ConnectionReuseMiddleware


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
