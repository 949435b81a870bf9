"""Kept-alive connections end after about `LEARNPROOF_REQUESTS_PER_CONNECTION` requests.

`learnproof serve --workers N` runs N processes that accept from one listening socket. A
client that opens its connections all at once (a connection pool, a proxy, a load test) can
see all of them accepted by one process: measured with 16 kept-alive clients and two
workers, 16/0 and 13/3 splits, one process working on one core while the other idled, for as
long as the connections lived. Closing a connection now and then (nginx's
`keepalive_requests`, Node's `maxRequestsPerSocket`) lets its client reconnect, and a new
connection goes to whichever process gets to its accept first, the less busy one more often:
the same clients then spread across the processes (7/9, 6/10 measured).

Which response ends its connection is drawn at random (on average one in N): an ASGI app
cannot tell one connection from another behind a proxy (the client address is the
forwarded one). The response carries ``Connection: close``; HTTP/1.1 clients reconnect on
their own.

Under `serve --workers N` on Linux the processes also share their in-flight request counts
(`WorkerLoads`), and a process answering while it has two or more requests in flight beyond
the least busy other process ends that connection too. Its client reconnects, and the kernel
(`SO_REUSEPORT`, `app.cli.workers`) gives the new connection to another process as often as
not: measured with 16 clients and two workers, the random draw alone left the processes at 12
and 4 requests in flight on average, a mean latency of 66 ms on one and 21 ms on the other for
the same work, and the busier one set the p99.
"""

from __future__ import annotations

import multiprocessing
import os
import random
from collections import Counter
from collections.abc import Sequence
from ctypes import c_int64
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

SPREAD_MARGIN = 2
"""A process ends a connection when it has this many requests in flight beyond the least busy
other process: one more than the jitter of clients between two requests."""


class WorkerLoads:
    """The in-flight request counts of a server's worker processes, in memory they share,
    and (with `cpus`) the CPU each worker runs on.

    Made by the supervisor before it starts its workers, and inherited by each of them when
    it is spawned (the only way shared ctypes memory crosses to a spawned process). A worker
    claims a slot (`claim`) and counts its requests in it; each slot has one writer, and the
    others only read it, so no lock is needed past the claim. There are twice as many slots
    as workers: a replacement worker starts before the one it replaces has stopped.

    `cpus`: the CPUs to place the workers on, one each (`app.cli.workers`); a worker claiming
    a slot is given the one the fewest live workers are on, so a replacement takes the CPU of
    the worker it replaces once that one has gone.
    """

    def __init__(self, workers: int, *, cpus: Sequence[int] = ()) -> None:
        spawn = multiprocessing.get_context("spawn")
        self._counts: Any = spawn.RawArray(c_int64, 2 * workers)
        self._owners: Any = spawn.RawArray(c_int64, 2 * workers)
        self._cpus: Any = spawn.RawArray(c_int64, [-1] * (2 * workers))
        self._claim_lock: Any = spawn.Lock()
        self.placements = tuple(cpus)
        self.slot = -1

    @property
    def cpu(self) -> int | None:
        """The CPU this process's slot was given, if the workers are placed."""
        cpu = int(self._cpus[self.slot]) if self.slot >= 0 else -1
        return None if cpu < 0 else cpu

    def claim(self) -> bool:
        """Take a free slot for this process: False if none.

        Slots of processes that ended without releasing theirs (killed) are freed first, so
        that their last counts do not pass for a live worker's.
        """
        with self._claim_lock:
            for slot, owner in enumerate(self._owners):
                if owner and not _alive(owner):
                    self._free(slot)
            for slot, owner in enumerate(self._owners):
                if owner == 0:
                    self._owners[slot], self._counts[slot] = os.getpid(), 0
                    self._cpus[slot] = self._least_used_cpu()
                    self.slot = slot
                    return True
        return False

    def _least_used_cpu(self) -> int:
        if not self.placements:
            return -1
        return min(self.placements, key=self._used().__getitem__)  # the first of the least used

    def _used(self) -> Counter[int]:
        """How many live workers are on each CPU."""
        return Counter(
            cpu
            for owner, cpu in zip(self._owners, self._cpus, strict=True)
            if owner and (owner == os.getpid() or _alive(owner))
        )

    def move_if_crowded(self) -> int | None:
        """If another worker shares this one's CPU while one of the placements has none, take
        that one: the CPU to move to, or None.

        A replacement worker is placed while the worker it replaces still runs, so both can
        end up on one CPU; once the old one has gone, one of them moves here.
        """
        if self.slot < 0 or not self.placements:
            return None
        with self._claim_lock:
            used = self._used()
            if used[self._cpus[self.slot]] < 2:
                return None
            idle = next((cpu for cpu in self.placements if used[cpu] == 0), None)
            if idle is not None:
                self._cpus[self.slot] = idle
            return idle

    def _free(self, slot: int) -> None:
        self._owners[slot], self._counts[slot], self._cpus[slot] = 0, 0, -1

    def release(self) -> None:
        if self.slot >= 0:
            with self._claim_lock:
                self._free(self.slot)
            self.slot = -1

    def enter(self) -> None:
        self._counts[self.slot] += 1

    def leave(self) -> None:
        self._counts[self.slot] -= 1

    def in_flight(self) -> int:
        return int(self._counts[self.slot])

    def busier_than_others(self) -> bool:
        """Whether this process has `SPREAD_MARGIN` or more requests in flight beyond the
        least busy other worker (False when it is the only one)."""
        mine, least = self._counts[self.slot], None
        for slot, owner in enumerate(self._owners):
            if owner and slot != self.slot:
                count = self._counts[slot]
                least = count if least is None else min(least, count)
        return least is not None and mine - least >= SPREAD_MARGIN


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


_joined: WorkerLoads | None = None


def join(loads: WorkerLoads) -> bool:
    """In a worker process, before its app is built: count this process's requests in
    `loads` (see `joined`). False if no slot was free."""
    global _joined
    if not loads.claim():
        return False
    _joined = loads
    return True


def joined() -> WorkerLoads | None:
    """The loads this worker process joined, if it is one of `serve --workers N`'s."""
    return _joined


class ConnectionReuseMiddleware:
    def __init__(
        self, app: ASGIApp, *, requests_per_connection: int, loads: WorkerLoads | None = None
    ) -> None:
        self.app = app
        self.chance = 1 / requests_per_connection if requests_per_connection > 0 else 0.0
        # Not for security: only spreads reconnections.
        self.draw = random.Random()
        self.loads = loads

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        loads = self.loads
        if loads is None:
            if self.draw.random() < self.chance:
                send = _closing(send)
            await self.app(scope, receive, send)
            return
        closing = self.draw.random() < self.chance

        async def spreading_send(message: Message) -> None:
            # Decided when the answer starts: the counts then are the freshest.
            if message["type"] == "http.response.start" and (closing or loads.busier_than_others()):
                message = _with_close(message)
            await send(message)

        loads.enter()
        try:
            await self.app(scope, receive, spreading_send)
        finally:
            loads.leave()


def _with_close(message: Message) -> Message:
    headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"connection"]
    return {**message, "headers": [*headers, (b"connection", b"close")]}


def _closing(send: Send) -> Send:
    async def closing_send(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = _with_close(message)
        await send(message)

    return closing_send
