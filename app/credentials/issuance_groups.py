"""Group commit for single issuances: the requests that wait, run together in one transaction.

A `POST /v1/issuers/{slug}/credentials` that finds nothing running runs alone, in a
transaction of its own. Under load, the requests that arrive while a worker process runs
`LEARNPROOF_ISSUE_CONCURRENCY` of them wait on the event loop; when a turn frees up, all of
them (up to `LEARNPROOF_ISSUE_GROUP_SIZE`) run one after the other in one worker thread and
one transaction, which commits once. Each request of a group saves a commit, the audit
chain's lock and append (one for the group), and the reads the group shares
(`app.db.transaction_memo`: the API key, the issuer and achievement). With 16 clients that
was about a quarter of the CPU of a request (README "Figures", mid morning). On PostgreSQL the
group's credential rows are also written together, in one round trip just before the commit
(`issuance_rows.defer_rows`, README "Figures", noon).

Every request keeps its own outcome, as if it had run alone:

- its answer is sent only after its group has committed;
- a request that fails before it has written anything (the checks of a 401, 403, 404, 409
  or 422 all come before the first write) gets its error, and the group goes on: it left
  nothing in the transaction;
- a request that fails after it wrote (a statement other than a SELECT, a pending ORM
  change, a queued audit event, rows held back for the commit), or with a database error,
  and a commit that fails, roll the whole group back. Each of its requests then runs again
  alone, in a transaction of its own, which gives exactly the answer it would have had
  without grouping. That costs at most the group's work twice, and never leaves a
  half-written record.

Each request runs in its own `contextvars` context (request id, locale), copied when it
arrived. A request whose client goes away is still issued (it was accepted), as before.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import re
import weakref
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final, Generic, TypeVar, cast

import anyio.to_thread
from sqlalchemy import Connection, Engine, event
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from app.audit import service as audit_service
from app.credentials import issuance_rows
from app.errors import ServiceUnavailable

log = logging.getLogger("learnproof.issuance")

T = TypeVar("T")

# Statements that are not SELECTs (nor SQLite's BEGIN), by the connection that ran them: a
# session's transaction holds one connection, so what its requests wrote is counted here.
_WRITES: Final[weakref.WeakKeyDictionary[Connection, int]] = weakref.WeakKeyDictionary()
_READS: Final = re.compile(r"\s*(SELECT|BEGIN)\b", re.IGNORECASE)


@event.listens_for(Engine, "before_cursor_execute")
def _count_writes(
    connection: Connection, cursor: Any, statement: str, parameters: Any, context: Any,
    executemany: bool,
) -> None:  # fmt: skip
    # Counted before it runs: a statement that fails has begun to change the transaction.
    if not _READS.match(statement):
        _WRITES[connection] = _WRITES.get(connection, 0) + 1


def _footprint(session: Session, connection: Connection) -> tuple[int, ...]:
    """What a request may have left in the transaction: changes when it wrote anything."""
    return (
        _WRITES.get(connection, 0),
        len(session.new),
        len(session.dirty),
        len(session.deleted),
        audit_service.queued(session),
        issuance_rows.deferred(session),
    )


def _from_database(exc: BaseException) -> bool:
    """Whether a database error is behind ``exc`` (the transaction may be aborted)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, SQLAlchemyError):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


@dataclass(eq=False)
class _Request(Generic[T]):
    work: Callable[[Session], T]
    context: contextvars.Context
    done: asyncio.Event = field(default_factory=asyncio.Event)
    finished: bool = False
    outcome: T | None = None
    error: Exception | None = None

    def settle(self, outcome: T | None, error: Exception | None) -> None:
        self.outcome, self.error, self.finished = outcome, error, True


class IssuanceGroups:
    """One worker process's single issuances, run in groups (module docstring).

    ``run`` is called on the event loop; the groups run in worker threads, at most
    ``turns`` at once, each of at most ``group_size`` requests taken in arrival order.
    """

    def __init__(self, sessions: sessionmaker[Session], *, turns: int, group_size: int) -> None:
        self._sessions = sessions
        self._turns = turns
        self._group_size = group_size
        # Its own, so a group never waits behind the threadpool's other work.
        self._limiter = anyio.CapacityLimiter(turns)
        self._waiting: deque[_Request[Any]] = deque()
        self._running = 0
        self._drains: set[asyncio.Task[None]] = set()

    async def run(self, work: Callable[[Session], T]) -> T:
        """``work(session)`` in a transaction, alone or in a group; its result once committed."""
        request: _Request[T] = _Request(work, contextvars.copy_context())
        self._waiting.append(request)
        if self._running < self._turns:
            self._running += 1
            task = asyncio.get_running_loop().create_task(self._drain())
            self._drains.add(task)
            task.add_done_callback(self._drains.discard)
        await request.done.wait()
        if request.error is not None:
            raise request.error
        return cast(T, request.outcome)

    async def _drain(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while self._waiting:
                count = min(self._group_size, len(self._waiting))
                group = [self._waiting.popleft() for _ in range(count)]
                # Shielded: a group whose thread has begun is answered when the thread ends,
                # with what it did, even if this drain is cancelled meanwhile.
                await asyncio.shield(loop.create_task(self._run(group)))
        finally:
            self._running -= 1
            if self._running == 0:
                # Only when the loop is torn down mid-drain: no turn is left to run these.
                while self._waiting:
                    request = self._waiting.popleft()
                    request.settle(None, _interrupted())
                    request.done.set()

    async def _run(self, group: list[_Request[Any]]) -> None:
        failure: Exception | None = None
        try:
            await anyio.to_thread.run_sync(self._run_group, group, limiter=self._limiter)
        except Exception as exc:  # not a request's own error: those are settled
            log.exception("a group of %d issuances failed", len(group))
            failure = exc
        finally:
            for request in group:
                if not request.finished:
                    request.settle(None, failure or _interrupted())
                request.done.set()

    def _run_group(self, group: list[_Request[Any]]) -> None:
        if len(group) > 1 and self._together(group):
            return
        for request in group:
            request.context.run(self._alone, request)

    def _alone(self, request: _Request[Any]) -> None:
        """The request in a transaction of its own, as the route ran before groups."""
        session = self._sessions()
        try:
            with session:
                try:
                    outcome = request.work(session)
                    session.commit()
                except BaseException:
                    session.rollback()
                    raise
        except Exception as exc:
            request.settle(None, exc)
        else:
            request.settle(outcome, None)

    def _together(self, group: list[_Request[Any]]) -> bool:
        """The group in one transaction; False when it was rolled back and must run alone."""
        settled: list[tuple[_Request[Any], Any, Exception | None]] = []
        # Closing the session rolls back whatever it did not commit.
        with self._sessions() as session:
            try:
                connection = session.connection()  # begun here, so its writes are counted
                # The group's credential rows are written together, just before its commit.
                issuance_rows.defer_rows(session)
                for request in group:
                    before = _footprint(session, connection)
                    try:
                        outcome = request.context.run(request.work, session)
                    except Exception as exc:
                        if _from_database(exc) or _footprint(session, connection) != before:
                            return False
                        settled.append((request, None, exc))
                    else:
                        settled.append((request, outcome, None))
                session.commit()
            except Exception:
                log.warning(
                    "a group of %d issuances failed; each runs again alone", len(group),
                    exc_info=True,
                )  # fmt: skip
                return False
            for request, outcome, error in settled:
                request.settle(outcome, error)
        return True


def _interrupted() -> ServiceUnavailable:
    return ServiceUnavailable(
        "The service stopped before this request was answered. Retry it: with the same "
        "Idempotency-Key, a credential stored before the stop is returned, not issued again."
    )
