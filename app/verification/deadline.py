"""One deadline per fetch, for connecting, sending, reading the headers and the body.

httpx's timeouts apply per socket operation, so a server trickling its headers a byte at a
time would otherwise hold a verification for as long as it likes. The client from
`make_http_client` gives every socket operation only the time left before the deadline the
fetcher sets in `FETCH_DEADLINE` (and never more than the request's own work budget allows).
"""

from __future__ import annotations

import contextvars
import ssl
import time
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx

FETCH_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "learnproof_fetch_deadline", default=None
)


def _time_left(timeout: float | None) -> float | None:
    """`timeout` cut to what is left of the current fetch's deadline (if one is set)."""
    deadline = FETCH_DEADLINE.get()
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise httpcore.ReadTimeout("the fetch's overall deadline has passed")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _time_left(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _time_left(timeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        tls = self._stream.start_tls(ssl_context, server_hostname, _time_left(timeout))
        return _DeadlineStream(tls)

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's sync backend, each socket operation bounded by the fetch's deadline."""

    def __init__(self) -> None:
        self._backend = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._backend.connect_tcp(
            host, port, _time_left(timeout), local_address, socket_options
        )
        return _DeadlineStream(stream)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("the verifier does not use unix sockets")

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


class DeadlineTransport(httpx.HTTPTransport):
    """An HTTPTransport whose connections honour the overall deadline of each fetch."""

    def __init__(self) -> None:
        super().__init__(trust_env=False)
        # httpx offers no way to pass a network backend; this is the pool it would build.
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            network_backend=_DeadlineBackend(),
        )


def make_http_client(timeout_seconds: float) -> httpx.Client:
    """The client the verifier fetches with (shared by all threads; httpx.Client is safe)."""
    return httpx.Client(
        transport=DeadlineTransport(),
        timeout=httpx.Timeout(timeout_seconds),
        follow_redirects=False,
        headers={"User-Agent": "LearnProof-verifier"},
    )
