"""Where verification runs: a bounded thread pool of its own, one work budget per request.

Verification of untrusted input is CPU-heavy and may wait on remote servers. Run on the
shared threadpool, a few dozen slow requests would starve every other route (`/healthz`
included); here it gets `LEARNPROOF_VERIFY_WORKERS` threads and at most
`LEARNPROOF_VERIFY_QUEUE` requests waiting for one (beyond that: 503 with Retry-After).

Each request runs under a `WorkBudget` (CPU seconds, a wall-clock deadline), is cancelled
when the client disconnects, and is charged to its client's CPU bucket afterwards (429 with
Retry-After while the bucket is in debt).

Work that is usually short (one credential of ours: cached documents, one indexed read) may
be tried on the event loop first, under a `LoopBudget` of `LOOP_CPU_SECONDS`: the hop to a
thread and back cost more CPU than such a verification's own checks (README "Figures", small
hours). Whatever would wait (a fetch, JSON-LD processing) or run longer stops with
`WouldBlock` and runs again, from the start, in the pool: verification writes nothing, so
running it twice only costs the time of the first try.
"""

from __future__ import annotations

import asyncio
import contextvars
import math
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from starlette.requests import Request

from app.core.budget import LoopBudget, WorkBudget, WouldBlock, run_within
from app.errors import ServiceUnavailable, TooManyRequests
from app.verification.limits import VerifyLimits
from app.verification.ratelimit import CpuBudgetLimiter

_T = TypeVar("_T")
DISCONNECT_POLL_SECONDS = 0.1
LOOP_CPU_SECONDS = 0.01
"""The most CPU one try on the event loop may take (every other request of the worker waits)."""


class VerificationPool:
    def __init__(self, *, workers: int, queue: int, cpu_limiter: CpuBudgetLimiter) -> None:
        self.executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="verify")
        self.workers = workers
        self.capacity = workers + queue
        self.cpu_limiter = cpu_limiter
        # Only touched on the event loop, so no lock.
        self.in_flight = 0

    def shutdown(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)

    async def run(
        self,
        request: Request,
        limits: VerifyLimits,
        work: Callable[[], _T],
        *,
        loop_first: bool = False,
    ) -> _T:
        """`work()` in the pool under a fresh budget; 429/503 problems when refused. With
        `loop_first`, tried on the event loop first (see the module's docstring)."""
        client = request.client.host if request.client else "unknown"
        wait = self.cpu_limiter.wait(client)
        if wait:
            seconds = math.ceil(wait)
            raise TooManyRequests(
                f"Verifications from {client} used more CPU than allowed "
                "(LEARNPROOF_VERIFY_CLIENT_CPU_SECONDS, refilled at "
                f"LEARNPROOF_VERIFY_CLIENT_CPU_PER_SECOND); retry in {seconds} s.",
                headers={"Retry-After": str(seconds)},
            )
        if loop_first:
            tried = LoopBudget(cpu_seconds=min(LOOP_CPU_SECONDS, limits.cpu_seconds))
            try:
                return run_within(tried, work)
            except WouldBlock:
                pass
            finally:
                self.cpu_limiter.charge(client, tried.cpu_used())
        if self.in_flight >= self.capacity:
            raise ServiceUnavailable(
                f"The verifier is busy ({self.in_flight} requests running or waiting, "
                "LEARNPROOF_VERIFY_WORKERS + LEARNPROOF_VERIFY_QUEUE); retry in a few seconds.",
                headers={"Retry-After": "2"},
            )
        budget = WorkBudget(cpu_seconds=limits.cpu_seconds, wall_seconds=limits.wall_seconds)
        spent: list[float] = []

        def measured() -> _T:
            try:
                return run_within(budget, work)
            finally:
                spent.append(budget.cpu_used())

        self.in_flight += 1
        loop = asyncio.get_running_loop()
        context = contextvars.copy_context()  # keeps the request id for the logs
        future = loop.run_in_executor(self.executor, context.run, measured)
        watcher = asyncio.create_task(_watch_disconnect(request, budget))
        try:
            return await asyncio.shield(future)
        except asyncio.CancelledError:
            budget.cancel("the request was cancelled")
            raise
        finally:
            watcher.cancel()
            self.in_flight -= 1
            if spent:
                self.cpu_limiter.charge(client, spent[0])
            else:
                future.add_done_callback(lambda _: self.cpu_limiter.charge(client, sum(spent)))


async def _watch_disconnect(request: Request, budget: WorkBudget) -> None:
    """Cancel the budget as soon as the client is gone: nobody will read the answer.

    Sleeps first: most verifications end within one poll interval, and then never pay for
    a look at the connection.
    """
    while not budget.cancelled:
        await asyncio.sleep(DISCONNECT_POLL_SECONDS)
        if await request.is_disconnected():
            budget.cancel()
            return
