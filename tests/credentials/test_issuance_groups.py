"""Group commit (`app/credentials/issuance_groups.py`): the requests that wait run together in
one transaction, and each still gets the outcome it would have had alone.

The groups run on the test's one connection (sessions join it as savepoints), with one turn,
so one group at a time uses it. A first request holds the turn until the others have
queued, which makes the next group deterministic.
"""

from __future__ import annotations

import asyncio
import contextvars
import itertools
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection, event, func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from app.audit import service as audit_service
from app.audit.models import AuditEvent
from app.auth.scopes import Scope
from app.config import Settings
from app.core.clock import FixedClock
from app.credentials import issuance_router as issuance_router_module
from app.credentials import issuance_rows
from app.credentials import service as credential_service
from app.credentials.issuance_groups import IssuanceGroups
from app.credentials.models import Credential
from app.db import make_engine, make_sessionmaker
from app.errors import Conflict, ServiceUnavailable
from app.main import create_app
from app.status.allocation import reserve_in_blocks
from app.status.models import StatusEntry
from tests.conftest import TEST_PUBLIC_URL, make_key
from tests.credentials.factories import RECIPIENT, World

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
Work = Callable[[Session], Any]


@pytest.fixture
def factory(connection: Connection) -> sessionmaker[Session]:
    return sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )


class Log:
    """Which session each piece of work ran in, in order."""

    def __init__(self) -> None:
        self.runs: list[tuple[str, int]] = []
        self.lock = threading.Lock()
        self.numbers = itertools.count()

    def note(self, name: str, session: Session) -> None:
        with self.lock:
            # Numbered, not id(): a session closed before the next opens may share its id.
            self.runs.append((name, session.info.setdefault("test_number", next(self.numbers))))


def audited(log: Log, name: str, *, fail: Exception | None = None) -> Work:
    """Work that records an audit event (a write, at commit), then fails if told to."""

    def work(session: Session) -> str:
        log.note(name, session)
        audit_service.record(session, actor="test", action=f"test.{name}", now=NOW)
        if fail is not None:
            raise fail
        return name

    return work


def refused(log: Log, name: str, error: Exception) -> Work:
    """Work that reads, then fails before writing anything (a 401, 404, 409 or 422)."""

    def work(session: Session) -> str:
        log.note(name, session)
        session.execute(select(func.count()).select_from(AuditEvent))
        raise error

    return work


def stored_actions(session: Session) -> set[str]:
    actions = session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("test.%")))
    return {action.removeprefix("test.") for action in actions}


class Holder:
    """A first request that holds the one turn until released."""

    def __init__(self) -> None:
        self.started, self.release = threading.Event(), threading.Event()

    def __call__(self, _session: Session) -> str:
        self.started.set()
        self.release.wait(10)
        return "first"

    async def hold(self, groups: IssuanceGroups) -> asyncio.Task[str]:
        task = asyncio.create_task(groups.run(self))
        while not self.started.is_set():
            await asyncio.sleep(0.001)
        return task


def run_behind_a_first(
    factory: sessionmaker[Session], works: list[Work], *, group_size: int = 8,
    cancel: set[int] = frozenset(),  # type: ignore[assignment]
) -> list[Any]:  # fmt: skip
    """Queue ``works`` while a first request holds the one turn, then let it go: they run
    as the next group(s). Returns each one's result or exception (None when cancelled)."""

    async def scenario() -> list[Any]:
        groups = IssuanceGroups(factory, turns=1, group_size=group_size)
        first = Holder()
        holder = await first.hold(groups)
        tasks = [asyncio.create_task(groups.run(work)) for work in works]
        await asyncio.sleep(0)  # each queues itself
        for index in cancel:
            tasks[index].cancel()
        first.release.set()
        assert await holder == "first"
        results = await asyncio.gather(*tasks, return_exceptions=True)
        # A cancelled waiter's request still runs: wait until the turn is free.
        while groups._running:  # noqa: SLF001
            await asyncio.sleep(0.001)
        return [None if isinstance(r, asyncio.CancelledError) else r for r in results]

    return asyncio.run(scenario())


def test_waiting_requests_commit_together(factory: sessionmaker[Session], session: Session) -> None:
    log = Log()
    results = run_behind_a_first(factory, [audited(log, name) for name in "abcde"])
    assert results == list("abcde")
    assert len({ident for _name, ident in log.runs}) == 1  # one session: one transaction
    assert [name for name, _ident in log.runs] == list("abcde")  # in arrival order
    assert stored_actions(session) == set("abcde")
    assert audit_service.verify_chain(session).intact


def test_a_group_is_at_most_group_size(factory: sessionmaker[Session], session: Session) -> None:
    log = Log()
    results = run_behind_a_first(factory, [audited(log, n) for n in "abcde"], group_size=2)
    assert results == list("abcde")
    sessions = [ident for _name, ident in log.runs]
    assert sessions[0] == sessions[1] != sessions[2] == sessions[3] != sessions[4]
    assert stored_actions(session) == set("abcde")


def test_a_request_refused_before_writing_fails_alone(
    factory: sessionmaker[Session], session: Session
) -> None:
    log = Log()
    conflict = Conflict("already used")
    works = [audited(log, "a"), refused(log, "b", conflict), audited(log, "c")]
    results = run_behind_a_first(factory, works)
    assert results == ["a", conflict, "c"]
    # The group went on: every request ran once, in the one transaction.
    assert len(log.runs) == 3
    assert len({ident for _name, ident in log.runs}) == 1
    assert stored_actions(session) == {"a", "c"}


def test_a_request_failing_after_it_wrote_sends_its_group_to_run_alone(
    factory: sessionmaker[Session], session: Session
) -> None:
    log = Log()
    works = [audited(log, "a"), audited(log, "b", fail=RuntimeError("late")), audited(log, "c")]
    results = run_behind_a_first(factory, works)
    assert results[0] == "a"
    assert results[2] == "c"
    assert isinstance(results[1], RuntimeError)
    # a and b ran in the group, then every request again, each in a session of its own.
    assert [name for name, _ident in log.runs] == ["a", "b", "a", "b", "c"]
    alone = [ident for _name, ident in log.runs[2:]]
    assert len(set(alone)) == 3
    assert log.runs[0][1] not in alone
    # Nothing of b, nor a second a: the group's transaction was rolled back.
    assert stored_actions(session) == {"a", "c"}
    assert session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "test.a")
    ) == 1  # fmt: skip
    assert audit_service.verify_chain(session).intact


def test_a_statement_that_is_not_a_select_counts_as_a_write(
    factory: sessionmaker[Session], session: Session
) -> None:
    log = Log()

    def updates_then_fails(session: Session) -> str:
        log.note("b", session)
        session.execute(text("UPDATE audit_chain_head SET id = id WHERE 1 = 0"))
        raise Conflict("after an update")

    results = run_behind_a_first(factory, [audited(log, "a"), updates_then_fails])
    assert results[0] == "a"
    assert isinstance(results[1], Conflict)
    assert [name for name, _ident in log.runs] == ["a", "b", "a", "b"]
    assert stored_actions(session) == {"a"}


def test_a_database_error_sends_its_group_to_run_alone(
    factory: sessionmaker[Session], session: Session
) -> None:
    log = Log()

    def bad_select(session: Session) -> str:
        log.note("b", session)
        session.execute(text("SELECT no_such_column FROM audit_chain_head"))
        return "unreachable"

    results = run_behind_a_first(factory, [audited(log, "a"), bad_select, audited(log, "c")])
    assert results[0] == "a"
    assert results[2] == "c"
    assert "no_such_column" in str(results[1])
    assert [name for name, _ident in log.runs] == ["a", "b", "a", "b", "c"]
    assert stored_actions(session) == {"a", "c"}


def test_a_failed_group_commit_runs_each_request_alone(
    factory: sessionmaker[Session], session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = Log()
    failed: list[int] = []
    commit = Session.commit

    def fail_the_first_commit_of_two(self: Session) -> None:
        if not failed and len({ident for _name, ident in log.runs}) == 1 and len(log.runs) > 1:
            failed.append(1)
            raise RuntimeError("the database went away")
        commit(self)

    monkeypatch.setattr(Session, "commit", fail_the_first_commit_of_two)
    results = run_behind_a_first(factory, [audited(log, n) for n in "abc"])
    assert failed
    assert results == list("abc")
    assert [name for name, _ident in log.runs] == list("abcabc")
    assert stored_actions(session) == set("abc")
    assert audit_service.verify_chain(session).intact


def test_each_request_runs_in_its_own_context(factory: sessionmaker[Session]) -> None:
    request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id")

    async def scenario() -> list[str]:
        groups = IssuanceGroups(factory, turns=1, group_size=8)

        async def one(ident: str) -> str:
            request_id.set(ident)
            await asyncio.sleep(0)
            return await groups.run(lambda _session: request_id.get())

        return await asyncio.gather(*(one(f"r{i}") for i in range(6)))

    assert asyncio.run(scenario()) == [f"r{i}" for i in range(6)]


def test_a_request_whose_client_went_away_is_still_issued(
    factory: sessionmaker[Session], session: Session
) -> None:
    log = Log()
    results = run_behind_a_first(factory, [audited(log, n) for n in "abc"], cancel={1})
    assert results == ["a", None, "c"]
    assert stored_actions(session) == set("abc")


def test_requests_left_when_the_loop_stops_are_refused(factory: sessionmaker[Session]) -> None:
    async def scenario() -> list[Any]:
        groups = IssuanceGroups(factory, turns=1, group_size=1)
        first = Holder()
        holder = await first.hold(groups)
        waiting = asyncio.create_task(groups.run(lambda _session: "second"))
        await asyncio.sleep(0)
        (drain,) = groups._drains  # noqa: SLF001
        drain.cancel()  # as the loop's shutdown does
        first.release.set()
        return await asyncio.gather(holder, waiting, return_exceptions=True)

    first, second = asyncio.run(scenario())
    assert first == "first"  # it ran to its end: its thread is not abandoned
    assert isinstance(second, ServiceUnavailable)


def _issued_count(client: TestClient) -> float:
    for line in client.get("/metrics").text.splitlines():
        if line.startswith("learnproof_credentials_issued_total "):
            return float(line.split()[1])
    raise AssertionError("no learnproof_credentials_issued_total in /metrics")


# An issuance sent through the API: the issuer's slug, the body, the headers.
Sent = tuple[str, dict[str, Any], dict[str, str]]


def _grouping(
    settings: Settings, clock: FixedClock, connection: Connection,
    monkeypatch: pytest.MonkeyPatch,
) -> tuple[sessionmaker[Session], FastAPI, list[tuple[int, bool]]]:  # fmt: skip
    """An app on the test's connection with one turn (the groups share that connection), and
    the list `_note_groups` fills."""
    factory = sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    capped = settings.model_copy(update={"issue_concurrency": 1, "issue_group_size": 16})
    app = create_app(capped, clock=clock, session_factory=factory)
    return factory, app, _note_groups(monkeypatch)


def _note_groups(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, bool]]:
    """(size, whether it committed together) of each group of more than one request."""
    together: list[tuple[int, bool]] = []
    run_together = IssuanceGroups._together  # noqa: SLF001

    def noted(self: IssuanceGroups, group: list[Any]) -> bool:
        ran = run_together(self, group)
        together.append((len(group), ran))
        return ran

    monkeypatch.setattr(IssuanceGroups, "_together", noted)
    return together


def send_as_one_group(
    client: TestClient, app: FastAPI, monkeypatch: pytest.MonkeyPatch, first: Sent,
    requests: list[Sent],
) -> tuple[Any, list[Any]]:  # fmt: skip
    """Send ``first``, and ``requests`` while it holds the one turn: they then run as one
    group (the app's group size permitting). Returns the answers."""
    groups = app.state.issue_groups
    queued = threading.Event()
    real = issuance_router_module.authenticate_bearer

    def held_first(*args: Any, **kwargs: Any) -> Any:
        # The first request holds the turn until every other one is waiting.
        if not queued.is_set():
            deadline = time.monotonic() + 10
            while len(groups._waiting) < len(requests) and time.monotonic() < deadline:  # noqa: SLF001
                time.sleep(0.002)
            queued.set()
        return real(*args, **kwargs)

    monkeypatch.setattr(issuance_router_module, "authenticate_bearer", held_first)

    def send(sent: Sent) -> Any:
        slug, body, headers = sent
        return client.post(f"/v1/issuers/{slug}/credentials", json=body, headers=headers)

    with ThreadPoolExecutor(max_workers=len(requests) + 1) as pool:
        held = pool.submit(send, first)
        while not groups._running:  # noqa: SLF001
            time.sleep(0.002)
        answers = list(pool.map(send, requests))
    return held.result(), answers


def _assert_verifies(client: TestClient, document: dict[str, Any]) -> None:
    """The issued credential verifies through the API (signature, status, structure)."""
    report = client.post("/credentials/verify", json={"verifiableCredential": document}).json()
    assert report["verified"] is True, report


def _plain_issuance_inserts(connection: Connection) -> list[int]:
    """The number of rows of each statement that writes a credential with its entries, and 0
    for each statement that locks the audit chain's head."""
    rows: list[int] = []

    @event.listens_for(connection, "before_cursor_execute")
    def noted(
        _conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any,
        executemany: bool,
    ) -> None:  # fmt: skip
        if statement.lstrip().startswith("WITH issued_credential"):
            rows.append(len(parameters) if executemany else 1)
        elif "audit_chain_head" in statement and "FOR UPDATE" in statement:
            rows.append(0)

    return rows


def test_a_groups_credentials_are_written_together_at_its_commit(
    settings: Settings, clock: FixedClock, connection: Connection, session: Session,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    if connection.dialect.name != "postgresql":
        pytest.skip("held back on PostgreSQL only: SQLite writes each credential at once")
    factory, app, together = _grouping(settings, clock, connection, monkeypatch)
    inserts = _plain_issuance_inserts(connection)
    with TestClient(app, base_url=TEST_PUBLIC_URL) as client:
        admin = {"Authorization": f"Bearer {make_key(session, Scope.admin)}"}
        a = World(client, session, admin, slug="a-platform", name="A")
        suspendable = a.create_achievement(name="Suspendable", suspendable=True)
        plain = {"achievement_id": a.achievement["id"], "recipient": RECIPIENT}
        two_lists = {**plain, "achievement_id": suspendable["id"]}
        keyed = {**a.issue_headers, "Idempotency-Key": "k-1"}
        requests: list[Sent] = [
            (a.slug, plain, a.issue_headers),
            (a.slug, two_lists, a.issue_headers),
            (a.slug, plain, keyed),
            (a.slug, {**plain, "external_id": "x-1"}, a.issue_headers),
            (a.slug, plain, a.issue_headers),
            (a.slug, two_lists, a.issue_headers),
            (a.slug, plain, keyed),  # its replay finds the row held back
            (a.slug, {**plain, "external_id": "x-1", "credits_earned": 2}, a.issue_headers),
        ]
        inserts.clear()
        held, answers = send_as_one_group(
            client, app, monkeypatch, (a.slug, plain, a.issue_headers), requests
        )
        assert held.status_code == 201
        # Arrival order within the group is the threads' own: either of two with one key may
        # come first.
        codes = [r.status_code for r in answers]
        assert codes[:7] == [201] * 7, [r.text for r in answers]
        assert together == [(8, True)]
        keyed_pair = [answers[2], answers[6]]
        assert keyed_pair[0].json()["id"] == keyed_pair[1].json()["id"]
        assert [r.headers.get("Idempotent-Replayed") for r in keyed_pair].count("true") == 1
        x_1 = sorted([answers[3], answers[7]], key=lambda r: r.status_code)
        assert [r.status_code for r in x_1] == [201, 409]
        assert x_1[0].json()["id"] in x_1[1].json()["detail"]
        # The first alone, then the group's six new credentials at its commit, in two
        # statements (one per number of status entries), before the audit chain's head is
        # locked: other transactions' appends wait for that lock until this one commits.
        assert inserts[:2] == [1, 0], inserts
        assert sorted(inserts[2:4]) == [2, 4], inserts
        assert inserts[4:] == [0], inserts
        issued = [held, answers[0], answers[1], answers[2], x_1[0], answers[4], answers[5]]
        for answer in issued:
            issued = answer.json()
            stored = session.get(Credential, issued["id"])
            assert stored is not None
            assert stored.document == issued["credential"]
            entries = session.scalars(
                select(StatusEntry.purpose).where(StatusEntry.credential_id == issued["id"])
            ).all()
            status = issued["credential"]["credentialStatus"]
            expected = [status] if isinstance(status, dict) else status
            assert sorted(entries) == sorted(e["statusPurpose"] for e in expected)
            _assert_verifies(client, issued["credential"])
        assert audit_service.verify_chain(session).intact


def test_a_request_failing_after_its_row_was_held_back_sends_its_group_to_run_alone(
    settings: Settings, clock: FixedClock, connection: Connection, session: Session,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    factory, app, together = _grouping(settings, clock, connection, monkeypatch)
    # Status indexes from a block reserved ahead (as the app's own reservation sessions do):
    # the request that fails then leaves nothing on the group's connection but its rows.
    reserve_in_blocks(factory, 100)
    real_store = issuance_rows.store_issued

    def failing_for_one(session: Session, record: Credential, *args: Any, **kwargs: Any) -> None:
        real_store(session, record, *args, **kwargs)
        # Right after its rows were held back, before anything else of it is queued.
        if record.recipient_name == "Fails Late":
            raise RuntimeError("after the credential's rows")

    monkeypatch.setattr(issuance_rows, "store_issued", failing_for_one)
    with TestClient(app, base_url=TEST_PUBLIC_URL, raise_server_exceptions=False) as client:
        admin = {"Authorization": f"Bearer {make_key(session, Scope.admin)}"}
        a = World(client, session, admin, slug="a-platform", name="A")
        plain = {"achievement_id": a.achievement["id"], "recipient": RECIPIENT}
        fails = {**plain, "recipient": {**RECIPIENT, "name": "Fails Late"}}
        stored_before = session.scalar(select(func.count()).select_from(Credential))
        held, answers = send_as_one_group(
            client, app, monkeypatch, (a.slug, plain, a.issue_headers),
            [(a.slug, plain, a.issue_headers), (a.slug, fails, a.issue_headers),
             (a.slug, plain, a.issue_headers)],
        )  # fmt: skip
        assert together == [(3, False)]
        assert [r.status_code for r in answers] == [201, 500, 201]
        issued = {held.json()["id"], answers[0].json()["id"], answers[2].json()["id"]}
        # Each plain one stored once (run again alone); nothing of the one that failed.
        stored = session.scalars(select(Credential.id)).all()
        assert len(stored) - stored_before == 3
        assert issued <= set(stored)
        assert not session.scalars(
            select(Credential.id).where(Credential.recipient_name == "Fails Late")
        ).all()
        assert audit_service.verify_chain(session).intact


def test_a_key_another_transaction_took_meanwhile_sends_the_group_to_run_alone(
    settings: Settings, clock: FixedClock, connection: Connection, session: Session,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """Another worker's transaction commits the same Idempotency-Key after this group's
    replay check and before its commit: the held-back rows fail the commit, and each request
    runs again alone, where the keyed one replays the other's credential."""
    factory, app, together = _grouping(settings, clock, connection, monkeypatch)
    with TestClient(app, base_url=TEST_PUBLIC_URL) as client:
        admin = {"Authorization": f"Bearer {make_key(session, Scope.admin)}"}
        a = World(client, session, admin, slug="a-platform", name="A")
        plain = {"achievement_id": a.achievement["id"], "recipient": RECIPIENT}
        keyed = {**a.issue_headers, "Idempotency-Key": "k-7"}
        other = client.post(f"/v1/issuers/{a.slug}/credentials", json=plain, headers=keyed)
        assert other.status_code == 201
        # The group's check runs before the other commits: it finds nothing the first time.
        real_replay = credential_service._replay  # noqa: SLF001
        missed: list[bool] = []

        def replay_missing_once(*args: Any, **kwargs: Any) -> Any:
            if kwargs.get("idempotency_key") == "k-7" and not missed:
                missed.append(True)
                return None
            return real_replay(*args, **kwargs)

        monkeypatch.setattr(credential_service, "_replay", replay_missing_once)
        stored_before = session.scalar(select(func.count()).select_from(Credential))
        held, answers = send_as_one_group(
            client, app, monkeypatch, (a.slug, plain, a.issue_headers),
            [(a.slug, plain, a.issue_headers), (a.slug, plain, keyed),
             (a.slug, plain, a.issue_headers)],
        )  # fmt: skip
        if connection.dialect.name == "postgresql":
            assert together == [(3, False)]  # the commit failed on the key
        else:
            assert together == [(3, True)]  # SQLite writes at once, in the savepoint
        assert [r.status_code for r in answers] == [201, 201, 201]
        assert answers[1].json()["id"] == other.json()["id"]
        assert answers[1].headers["Idempotent-Replayed"] == "true"
        stored = session.scalar(select(func.count()).select_from(Credential))
        assert stored - stored_before == 3  # the held first and the two plain ones, once each
        assert audit_service.verify_chain(session).intact


def test_two_tenants_issuing_at_once_each_get_their_own_answers(
    settings: Settings, clock: FixedClock, connection: Connection, session: Session,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    factory, app, together = _grouping(settings, clock, connection, monkeypatch)
    with TestClient(app, base_url=TEST_PUBLIC_URL) as client:
        admin = {"Authorization": f"Bearer {make_key(session, Scope.admin)}"}
        a = World(client, session, admin, slug="a-platform", name="A")
        b = World(client, session, admin, slug="b-platform", name="B")
        plain_a = {"achievement_id": a.achievement["id"], "recipient": RECIPIENT}
        plain_b = {"achievement_id": b.achievement["id"], "recipient": RECIPIENT}
        other_learner = {**RECIPIENT, "name": "Grace Hopper"}
        forged = a.issue_headers["Authorization"].rsplit("_", 1)[0] + "_" + "x" * 43
        # (who, issuer, body, extra headers, expected status)
        requests: list[tuple[World, World, dict[str, Any], dict[str, str], int]] = [
            (a, a, plain_a, {}, 201),
            (b, b, plain_b, {}, 201),
            (a, a, plain_a, {"Idempotency-Key": "k-1"}, 201),
            (a, a, plain_a, {"Idempotency-Key": "k-1"}, 201),  # the same again: a replay
            (b, a, plain_b, {}, 403),  # B's key, A's issuer
            (a, a, {**plain_a, "achievement_id": b.achievement["id"]}, {}, 404),  # B's
            (a, a, {**plain_a, "external_id": "x-1"}, {}, 0),  # one of these two: 201,
            (a, a, {**plain_a, "external_id": "x-1", "recipient": other_learner}, {}, 0),  # 409
            (b, b, {**plain_b, "credits_earned": "many"}, {}, 422),
            (b, b, {**plain_b, "external_id": "x-1"}, {}, 201),  # B's own x-1
            (a, a, plain_a, {"Authorization": forged}, 401),  # A's key prefix, not its secret
        ]
        before = _issued_count(client)
        first = {**plain_a, "recipient": other_learner}
        held, answers = send_as_one_group(
            client, app, monkeypatch, (a.slug, first, a.issue_headers),
            [(issuer.slug, body, {**who.issue_headers, **headers})
             for who, issuer, body, headers, _expected in requests],
        )  # fmt: skip
        assert held.status_code == 201
        expected = [r[-1] for r in requests]
        assert [a.status_code if e else 0 for a, e in zip(answers, expected, strict=True)] == (
            expected
        ), [r.text for r in answers]
        # The first alone, then all the others in one transaction.
        assert together == [(len(requests), True)]
        replayed = [r.headers.get("Idempotent-Replayed") for r in answers[2:4]]
        assert answers[2].json()["id"] == answers[3].json()["id"]
        assert replayed.count("true") == 1
        # Whichever of the two with external_id x-1 came first was issued; the other names it.
        x_1 = sorted(answers[6:8], key=lambda r: r.status_code)
        assert [r.status_code for r in x_1] == [201, 409]
        assert x_1[0].json()["id"] in x_1[1].json()["detail"]
        # Each tenant's credentials are its own, stored and verifiable.
        sent = [
            (a, held),
            *((r[1], answer) for r, answer in zip(requests, answers, strict=True)),
        ]
        issued = [(issuer, r.json()) for issuer, r in sent if r.status_code == 201]
        assert _issued_count(client) - before == len({c["id"] for _i, c in issued}) == 6
        for issuer, credential in issued:
            assert credential["issuer"] == issuer.slug
            assert credential["credential"]["issuer"]["id"].endswith(f":{issuer.slug}")
            assert session.get(Credential, credential["id"]) is not None
            _assert_verifies(client, credential["credential"])
        assert audit_service.verify_chain(session).intact


def test_two_processes_groups_crossing_on_unique_keys_end_without_hanging(
    fresh_database_url: str,
) -> None:
    """Two workers' groups insert the same two unique keys in crossing order (two retries of
    the same Idempotency-Keys, say): PostgreSQL ends the deadlock by failing one statement,
    whose group then runs alone; the other group commits. Nothing waits forever."""
    engine = make_engine(fresh_database_url)
    if engine.dialect.name != "postgresql":
        engine.dispose()
        pytest.skip("one SQLite writer at a time: two groups never hold rows at once")
    try:
        with engine.begin() as setup:
            setup.execute(text("CREATE TABLE crossing (k text PRIMARY KEY)"))
        factory = make_sessionmaker(engine)
        both_inserted = threading.Barrier(2, timeout=10)

        def insert(key: str, *, then_wait: bool) -> Work:
            waited: list[bool] = []

            def work(session: Session) -> str:
                session.execute(text("INSERT INTO crossing VALUES (:k)"), {"k": key})
                if then_wait and not waited:  # only the first time: not when run alone
                    waited.append(True)
                    both_inserted.wait()
                return key

            return work

        async def scenario() -> list[Any]:
            first, second = (IssuanceGroups(factory, turns=1, group_size=8) for _ in range(2))
            holders = [Holder(), Holder()]
            held = [
                await holder.hold(groups)
                for holder, groups in zip(holders, (first, second), strict=True)
            ]
            works = [
                (first, insert("k1", then_wait=True)), (first, insert("k2", then_wait=False)),
                (second, insert("k2", then_wait=True)), (second, insert("k1", then_wait=False)),
            ]  # fmt: skip
            tasks = [asyncio.create_task(groups.run(work)) for groups, work in works]
            await asyncio.sleep(0)
            for holder in holders:
                holder.release.set()
            await asyncio.gather(*held)
            return await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), 30)

        results = asyncio.run(scenario())
        with engine.connect() as check:
            stored = set(check.scalars(text("SELECT k FROM crossing")))
    finally:
        engine.dispose()
    assert stored == {"k1", "k2"}
    committed, alone = (
        (results[:2], results[2:]) if results[0] == "k1" else (results[2:], results[:2])
    )
    assert committed in (["k1", "k2"], ["k2", "k1"])
    # The other group ran again alone: each of its inserts now meets the committed key.
    assert all(isinstance(r, IntegrityError) for r in alone), alone
