"""A work budget for one request: CPU seconds, a wall-clock deadline, and cancellation.

Verification of untrusted input runs JSON-LD expansion, toRdf and RDFC-1.0 canonicalization,
whose cost the sender chooses. The budget is installed in a context variable for the duration
of one request's work, and the loops that can run long (pyld's node map, Hash N-Degree Quads,
the credentials of a batch or presentation, remote fetches) call `check()`. When the budget is
spent, or the client has gone away, `check()` raises `WorkLimitExceeded` naming the limit.

CPU is measured with `time.thread_time()`, so the budget must be checked in the thread that
created it (verification runs each request in one worker thread).

Work may also be tried on the event loop first under a `LoopBudget`: a few milliseconds of
CPU and no waiting at all. Code about to wait (a network fetch, a lock other threads hold)
calls `about_to_wait()` first; under a `LoopBudget` that, or running out of its CPU, raises
`WouldBlock`, and the caller runs the work again from the start in a thread.
"""

from __future__ import annotations

import contextvars
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Final, TypeVar

_T = TypeVar("_T")

# How many `check()` calls pass between two clock reads: keeps a check at a few nanoseconds.
_CLOCK_EVERY: Final = 32


class WorkLimitExceeded(Exception):
    """The request's work budget is spent (or the client disconnected); the message says which."""

    def __init__(self, reason: str, *, setting: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.setting = setting


class WouldBlock(BaseException):
    """Work tried on the event loop needs to wait, or more CPU than the loop may give it.

    A BaseException, like asyncio's CancelledError: code that turns any `Exception` into a
    result (the verifier's report) must not swallow it.
    """


class WorkBudget:
    """CPU seconds and wall seconds one request may spend, checked cooperatively."""

    __slots__ = (
        "_calls",
        "_cancel_reason",
        "_cancelled",
        "_cpu_start",
        "cpu_seconds",
        "cpu_setting",
        "deadline",
        "wall_seconds",
        "wall_setting",
    )

    def __init__(
        self,
        *,
        cpu_seconds: float,
        wall_seconds: float,
        cpu_setting: str = "LEARNPROOF_VERIFY_CPU_SECONDS",
        wall_setting: str = "LEARNPROOF_VERIFY_WALL_SECONDS",
    ) -> None:
        if cpu_seconds <= 0 or wall_seconds <= 0:
            raise ValueError("budgets must be positive")
        self.cpu_seconds = cpu_seconds
        self.wall_seconds = wall_seconds
        self.cpu_setting = cpu_setting
        self.wall_setting = wall_setting
        self.deadline = time.monotonic() + wall_seconds
        self._cpu_start = time.thread_time()
        self._calls = 0
        self._cancelled = threading.Event()
        self._cancel_reason = ""

    def restart_clock(self) -> None:
        """Start counting CPU in the current thread (call first thing in the worker thread)."""
        self._cpu_start = time.thread_time()

    def cpu_used(self) -> float:
        return time.thread_time() - self._cpu_start

    def wall_remaining(self) -> float:
        return self.deadline - time.monotonic()

    def cancel(self, reason: str = "the client closed the connection") -> None:
        """Stop the work at its next check (thread-safe; called from the event loop)."""
        self._cancel_reason = reason
        self._cancelled.set()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def exhausted(self) -> str:
        """Why the work must stop now, or "" (reads the clocks; use `check()` in loops)."""
        if self._cancelled.is_set():
            return f"verification stopped: {self._cancel_reason}"
        if self.cpu_used() > self.cpu_seconds:
            return (
                f"verification stopped: this request used up its {self.cpu_seconds:g} s of CPU "
                f"({self.cpu_setting}); send what was not verified in another request"
            )
        if time.monotonic() > self.deadline:
            return (
                f"verification stopped: this request took longer than {self.wall_seconds:g} s "
                f"({self.wall_setting})"
            )
        return ""

    def check(self) -> None:
        """Raise `WorkLimitExceeded` if the budget is spent; cheap enough for inner loops."""
        self._calls += 1
        if self._calls % _CLOCK_EVERY and not self._cancelled.is_set():
            return
        self.check_now()

    def check_now(self) -> None:
        """Like `check()` but always reads the clocks (between whole units of work)."""
        reason = self.exhausted()
        if reason:
            raise WorkLimitExceeded(reason, setting=self._setting_for(reason))

    def _setting_for(self, reason: str) -> str | None:
        if self.cpu_setting in reason:
            return self.cpu_setting
        if self.wall_setting in reason:
            return self.wall_setting
        return None


class LoopBudget(WorkBudget):
    """The budget of work tried on the event loop: `cpu_seconds` of CPU and no waiting, else
    `WouldBlock` (the work is then run again in a thread, under a `WorkBudget`)."""

    __slots__ = ()

    def __init__(self, *, cpu_seconds: float) -> None:
        super().__init__(cpu_seconds=cpu_seconds, wall_seconds=cpu_seconds)

    def check_now(self) -> None:
        if self.cpu_used() > self.cpu_seconds:
            raise WouldBlock(f"more than {self.cpu_seconds:g} s of CPU")


_CURRENT: contextvars.ContextVar[WorkBudget | None] = contextvars.ContextVar(
    "learnproof_work_budget", default=None
)


def current() -> WorkBudget | None:
    """The budget of the work running in this context, if any."""
    return _CURRENT.get()


def check() -> None:
    """Check the current budget, if one is installed (a no-op otherwise)."""
    budget = _CURRENT.get()
    if budget is not None:
        budget.check()


def about_to_wait(what: str) -> None:
    """Say that the work will now wait (on the network, on a lock other threads hold):
    `WouldBlock` when it runs under a `LoopBudget`, a no-op otherwise."""
    if isinstance(_CURRENT.get(), LoopBudget):
        raise WouldBlock(what)


@contextmanager
def installed(budget: WorkBudget | None) -> Iterator[None]:
    """Make `budget` the current one for the code inside the block."""
    token = _CURRENT.set(budget)
    try:
        yield
    finally:
        _CURRENT.reset(token)


def run_within(budget: WorkBudget, work: Callable[[], _T]) -> _T:
    """Run `work` in this thread with `budget` installed and its CPU clock started here."""
    budget.restart_clock()
    with installed(budget):
        return work()
