"""The request's context as typed dependencies: routers take these, not ``request.app.state``.

This is the one module that reads the app's state (``create_app`` and its lifespan write it;
tests pin the settings, the clock and the verification state there). A test fails when any
other module reads ``app.state`` (tests/foundation/test_app_state.py).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Annotated

import httpx
from fastapi import Depends, FastAPI, Request
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from app.config import Settings
from app.core.clock import Clock
from app.core.urls import PublicUrls
from app.credentials.issuance_groups import IssuanceGroups
from app.db import AUTOCOMMIT_INFO, READ_ONLY_OPTION
from app.issuers.signing import KeyRing
from app.observability import Metrics
from app.verification.state import VerificationState, build_verification_state
from app.webhooks.delivery import Deliverer


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_clock(request: Request) -> Clock:
    clock: Clock = request.app.state.clock
    return clock


SettingsDep = Annotated[Settings, Depends(get_settings)]
ClockDep = Annotated[Clock, Depends(get_clock)]


async def get_urls(request: Request) -> PublicUrls:
    urls: PublicUrls = request.app.state.urls
    return urls


UrlsDep = Annotated[PublicUrls, Depends(get_urls)]
"""Every public URL and DID of this service (built once from the settings by ``create_app``)."""


async def get_metrics(request: Request) -> Metrics:
    metrics: Metrics = request.app.state.metrics
    return metrics


MetricsDep = Annotated[Metrics, Depends(get_metrics)]


async def get_keyring(request: Request) -> KeyRing:
    keyring: KeyRing = request.app.state.keyring
    return keyring


async def get_open_keyring(request: Request) -> KeyRing | None:
    """The key ring once the lifespan has opened it (verification works without one)."""
    keyring: KeyRing | None = getattr(request.app.state, "keyring", None)
    return keyring


KeyRingDep = Annotated[KeyRing, Depends(get_keyring)]
OpenKeyRingDep = Annotated[KeyRing | None, Depends(get_open_keyring)]


async def get_sessionmaker(request: Request) -> sessionmaker[Session]:
    factory: sessionmaker[Session] = request.app.state.sessionmaker
    return factory


async def get_status_sessions(request: Request) -> sessionmaker[Session]:
    """Sessions for reserving status indexes (a pool of their own on PostgreSQL)."""
    factory: sessionmaker[Session] = request.app.state.status_sessions
    return factory


SessionmakerDep = Annotated[sessionmaker[Session], Depends(get_sessionmaker)]
StatusSessionsDep = Annotated[sessionmaker[Session], Depends(get_status_sessions)]


@dataclass(frozen=True)
class Issuing:
    """What the single-issuance route takes from the app, as one dependency: FastAPI solves
    each dependency of each request anew, and five of them cost more than this one."""

    keyring: KeyRing
    urls: PublicUrls
    clock: Clock
    status_sessions: sessionmaker[Session]
    metrics: Metrics
    # Runs the single issuances of this process, alone or in groups (`issuance_groups`).
    groups: IssuanceGroups


async def get_issuing(request: Request) -> Issuing:
    state = request.app.state
    return Issuing(
        keyring=state.keyring, urls=state.urls, clock=state.clock,
        status_sessions=state.status_sessions, metrics=state.metrics, groups=state.issue_groups,
    )  # fmt: skip


IssuingDep = Annotated[Issuing, Depends(get_issuing)]


@dataclass(frozen=True)
class Verifying:
    """What the verification routes and their verifier take from the app, as one dependency
    (for the reason given at `Issuing`)."""

    settings: Settings
    clock: Clock
    urls: PublicUrls
    state: VerificationState
    keyring: KeyRing | None  # None until the lifespan has opened it
    # A read-only session (`read_session`), opened and closed in the calling thread: the
    # verification routes use one inside their worker thread, not as a dependency.
    open_read_session: Callable[[], AbstractContextManager[Session]]
    # Whether those sessions read through connections of their own (PostgreSQL's readers),
    # which no writer holds: only then may a verification read on the event loop, where
    # waiting for a connection would stall every request of the process.
    reads_apart: bool = False


async def get_verifying(request: Request) -> Verifying:
    state = request.app.state
    factory: sessionmaker[Session] = state.sessionmaker
    readers: sessionmaker[Session] | None = getattr(state, "read_sessions", None)
    return Verifying(
        settings=state.settings, clock=state.clock, urls=state.urls,
        state=verification_state(request.app), keyring=getattr(state, "keyring", None),
        open_read_session=functools.partial(read_session, factory, readers),
        reads_apart=getattr(state, "reads_apart", False),
    )  # fmt: skip


VerifyingDep = Annotated[Verifying, Depends(get_verifying)]


def _commit(session: Session) -> None:
    with session:
        try:
            session.commit()
        except BaseException:
            session.rollback()
            raise


def _discard(session: Session) -> None:
    with session:
        session.rollback()


async def get_session(factory: SessionmakerDep) -> AsyncIterator[Session]:
    """The request's one transaction; it commits when the route returns, or rolls back.

    Async on purpose: opening a session does no I/O (it connects at its first statement),
    so only the commit or rollback pays a hop to the threadpool, where a sync generator
    paid one to enter and one to leave. A route that began no transaction pays none.
    """
    session = factory()
    try:
        yield session
    except BaseException:
        await run_in_threadpool(_discard, session)
        raise
    if session.in_transaction() or session.new or session.dirty or session.deleted:
        await run_in_threadpool(_commit, session)
    else:
        session.close()  # nothing begun: no connection to return, no I/O


# scope="function": the commit runs when the route returns, before the response is
# sent, so a client never sees a credential that is not durably stored.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def _bound_read_session(factory: sessionmaker[Session]) -> Session:
    """A read-only session from a factory bound elsewhere (a test's connection): set up at once."""
    session = factory()
    connection = session.connection(execution_options={READ_ONLY_OPTION: True})
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET TRANSACTION READ ONLY")
    return session


@contextmanager
def read_session(
    factory: sessionmaker[Session], readers: sessionmaker[Session] | None
) -> Iterator[Session]:
    """A session that never commits, for questions that only read (verification); the
    database enforces it. Blocking: opened and closed in the calling thread, which for the
    verification routes is their worker thread (`Verifying.open_read_session`).

    From the app's read sessionmaker (`make_read_sessionmaker`) it connects at its first
    statement: a verification whose documents are all cached opens no connection. Its end
    costs a ROLLBACK, except on autocommit connections (PostgreSQL's readers), where nothing
    is left to roll back and closing sends no statement.
    """
    session = readers() if readers is not None else _bound_read_session(factory)
    try:
        yield session
    finally:
        if session.in_transaction() and not session.info.get(AUTOCOMMIT_INFO):
            _discard(session)
        else:
            session.close()


async def get_http(request: Request) -> httpx.Client:
    """The lifespan's shared client of the verifier (deadlines and size caps of its own)."""
    client: httpx.Client = request.app.state.http
    return client


HttpClientDep = Annotated[httpx.Client, Depends(get_http)]


async def get_deliverer(request: Request) -> Deliverer:
    deliverer: Deliverer = request.app.state.webhooks
    return deliverer


DelivererDep = Annotated[Deliverer, Depends(get_deliverer)]

_VERIFICATION_LOCK = threading.Lock()


def verification_state(app: FastAPI) -> VerificationState:
    """The app's one `VerificationState`, built on first use from the shared httpx client."""
    state: VerificationState | None = getattr(app.state, "verification", None)
    if state is not None:
        return state
    with _VERIFICATION_LOCK:
        state = getattr(app.state, "verification", None)
        if state is None:
            state = build_verification_state(app.state.settings, app.state.http)
            app.state.verification = state
    return state


async def get_verification_state(request: Request) -> VerificationState:
    return verification_state(request.app)


VerificationStateDep = Annotated[VerificationState, Depends(get_verification_state)]
