from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from app import migrate
from app.audit import chain, service
from app.audit.models import AuditChainHead, AuditEvent
from app.db import make_engine, make_sessionmaker
from tests.support.audit import tamper


def test_key_events_are_audited_and_filterable(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    issuer = {"slug": "uni", "name": "U", "url": "https://u.example", "email": "b@u.example"}
    assert client.post("/v1/issuers", json=issuer, headers=admin_headers).status_code == 201
    created = client.post(
        "/v1/api-keys",
        json={"name": "uni-issuer", "scope": "issue", "issuer": "uni"},
        headers=admin_headers,
    ).json()
    client.post(f"/v1/api-keys/{created['id']}/revoke", headers=admin_headers)
    page = client.get("/v1/audit-events", params={"issuer": "uni"}, headers=admin_headers).json()
    kinds = [e["action"] for e in page["items"]]
    assert kinds == ["issuer.created", "apikey.created", "apikey.revoked"]
    assert page["items"][2]["actor"] == "apikey:test-admin"
    only = client.get(
        "/v1/audit-events", params={"kind": "apikey.revoked"}, headers=admin_headers
    ).json()
    assert [e["action"] for e in only["items"]] == ["apikey.revoked"]


def _recorded(session: Session, now: datetime, action: str = "test.event") -> AuditEvent:
    event = service.record(session, actor="t", action=action, now=now, details={"n": 1})
    session.commit()
    return event


def _is_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def test_audit_log_is_append_only(session: Session, now: datetime) -> None:
    event = _recorded(session, now)
    assert event.id is not None
    with pytest.raises(DBAPIError, match="append-only"), session.begin_nested():
        session.execute(text("UPDATE audit_event SET actor = 'x' WHERE id = :id"), {"id": event.id})
    with pytest.raises(DBAPIError, match="append-only"), session.begin_nested():
        session.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": event.id})
    if _is_postgresql(session):
        with pytest.raises(DBAPIError, match="append-only"), session.begin_nested():
            session.execute(text("TRUNCATE audit_event"))


def test_entries_are_chained_at_commit(session: Session, now: datetime) -> None:
    first = _recorded(session, now)
    service.record(session, actor="t", action="kept", now=now)
    with session.begin_nested() as savepoint:
        service.record(session, actor="t", action="rolled.back", now=now)
        savepoint.rollback()
    service.record(session, actor="t", action="kept.too", now=now + timedelta(seconds=1))
    session.commit()
    events = service.list_events(session, after=first.id - 1)
    assert [e.action for e in events] == ["test.event", "kept", "kept.too"]
    for before, after in zip(events, events[1:], strict=False):
        assert after.prev_hash == before.entry_hash
    assert service.verify_chain(session).intact


def test_a_closed_session_writes_nothing(session: Session, now: datetime) -> None:
    before = service.verify_chain(session).entries
    service.record(session, actor="t", action="never.committed", now=now)
    session.rollback()
    session.commit()
    assert service.verify_chain(session).entries == before


def test_verify_names_the_first_altered_entry(
    session: Session, connection: Connection, now: datetime
) -> None:
    events = [_recorded(session, now, f"e{i}") for i in range(4)]
    assert service.verify_chain(session).intact
    tamper(connection, "UPDATE audit_event SET actor = 'mallory' WHERE id = :id", id=events[1].id)
    report = service.verify_chain(session)
    assert not report.intact
    assert report.broken_at == events[1].id
    assert "altered" in report.describe()


def test_verify_notices_a_removed_entry(
    session: Session, connection: Connection, now: datetime
) -> None:
    events = [_recorded(session, now, f"e{i}") for i in range(3)]
    tamper(connection, "DELETE FROM audit_event WHERE id = :id", id=events[1].id)
    report = service.verify_chain(session)
    assert report.broken_at == events[2].id
    assert "removed" in (report.reason or "")


def test_verify_notices_a_removed_tail(
    session: Session, connection: Connection, now: datetime
) -> None:
    events = [_recorded(session, now, f"e{i}") for i in range(2)]
    tamper(connection, "DELETE FROM audit_event WHERE id = :id", id=events[-1].id)
    report = service.verify_chain(session)
    assert not report.intact
    assert "removed from the end" in (report.reason or "")


def test_chain_format_is_stable() -> None:
    # A stored contract: migration 0008 and every verifier compute exactly this.
    moment = datetime.fromisoformat("2026-12-06T08:00:00+00:00")
    digest = chain.entry_hash(
        prev_hash=chain.GENESIS, occurred_at=moment, actor="cli", action="issuer.created",
        issuer_slug="uni", credential_id=None, details={"b": 1, "a": "é"},
    )  # fmt: skip
    content = chain.canonical_content(
        prev_hash=chain.GENESIS, occurred_at=moment, actor="cli", action="issuer.created",
        issuer_slug="uni", credential_id=None, details={"b": 1, "a": "é"},
    )  # fmt: skip
    assert content.startswith(b'{"action":"issuer.created","actor":"cli","credential_id":null,')
    assert b'"details":{"a":"\xc3\xa9","b":1}' in content
    assert b'"occurred_at":"2026-12-06T08:00:00.000000+00:00"' in content
    import hashlib

    assert digest == hashlib.sha256(content).hexdigest()


def test_concurrent_appends_from_two_instances_keep_one_chain(
    fresh_database_url: str, now: datetime
) -> None:
    migrate.upgrade(fresh_database_url)
    engines = [make_engine(fresh_database_url) for _ in range(2)]
    factories = [make_sessionmaker(e) for e in engines]

    def work(index: int) -> None:
        with factories[index % 2]() as session:
            for i in range(3):
                service.record(session, actor=f"w{index}", action=f"a{i}", now=now)
            session.commit()

    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(work, range(24)))
        with factories[0]() as session:
            report = service.verify_chain(session)
    finally:
        for engine in engines:
            engine.dispose()
    assert report.intact, report.describe()
    assert report.entries == 72


def test_single_and_multi_event_commits_from_two_instances_keep_one_chain(
    fresh_database_url: str, now: datetime
) -> None:
    # A transaction with one event takes PostgreSQL's one-statement append (hashed by the
    # database), one with several the general one; racing each other they make one chain.
    migrate.upgrade(fresh_database_url)
    engines = [make_engine(fresh_database_url) for _ in range(2)]
    factories = [make_sessionmaker(e) for e in engines]

    def work(index: int) -> None:
        with factories[index % 2]() as session:
            # One event, a few (two statements on PostgreSQL) or more than 64 (the ORM's).
            for i in range((1, 2, 5, 1, 70)[index % 5]):
                details = {"i": index, "text": f"é\n{index}", "nested": {"b": [1, None]}}
                service.record(session, actor=f"w{index}", action=f"a{i}", now=now,
                               issuer_slug="uni" if i else None, details=details)  # fmt: skip
            session.commit()

    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(work, range(60)))
        with factories[0]() as session:
            report = service.verify_chain(session)
            single = service.record(session, actor="one", action="last", now=now)
            session.commit()
            head = session.get_one(AuditChainHead, service.HEAD_ID)
            last_hash = head.last_hash
            report_after = service.verify_chain(session)
    finally:
        for engine in engines:
            engine.dispose()
    assert report.intact, report.describe()
    assert report.entries == 12 * (1 + 2 + 5 + 1 + 70)
    assert report_after.intact
    assert report_after.entries == report.entries + 1
    assert (single.entry_hash, single.id) == (last_hash, head.last_event_id)
    assert single.entry_hash == chain.entry_hash(
        prev_hash=single.prev_hash, occurred_at=now, actor="one", action="last",
        issuer_slug=None, credential_id=None, details={},
    )  # fmt: skip


def test_every_append_path_keeps_one_chain(session: Session, now: datetime) -> None:
    # On PostgreSQL: one event in one statement, up to 64 in two, more through the ORM.
    sizes = (1, 2, 5, 64, 65, 1, 3)
    before = service.verify_chain(session).entries
    recorded: list[AuditEvent] = []
    for size in sizes:
        for i in range(size):
            details = {"n": i, "text": f"é\n{size}", "nested": {"b": [1, None]}}
            recorded.append(
                service.record(session, actor=f"s{size}", action=f"a{i}", now=now,
                               issuer_slug="uni" if i % 2 else None, details=details)
            )  # fmt: skip
        session.commit()
    report = service.verify_chain(session)
    assert report.intact, report.describe()
    assert report.entries == before + sum(sizes)
    # What each entry was given is what was stored, in chain (id) order.
    assert [e.id for e in recorded] == sorted(e.id for e in recorded)
    stored = {e.id: e for e in service.list_events(session, after=recorded[0].id - 1, limit=500)}
    for entry in recorded:
        row = stored[entry.id]
        assert (row.prev_hash, row.entry_hash, row.action) == (
            entry.prev_hash, entry.entry_hash, entry.action
        )  # fmt: skip
    head = session.get_one(AuditChainHead, service.HEAD_ID)
    assert (head.last_event_id, head.last_hash) == (recorded[-1].id, recorded[-1].entry_hash)


def test_migration_chains_existing_entries(fresh_database_url: str) -> None:
    migrate.upgrade(fresh_database_url, "0007")
    engine = make_engine(fresh_database_url)
    try:
        with engine.begin() as connection:
            for i in range(3):
                connection.execute(
                    text(
                        "INSERT INTO audit_event (occurred_at, actor, action, issuer_slug,"
                        " credential_id, details) VALUES (:at, 'cli', :action, 'uni', NULL, :d)"
                    ),
                    {
                        "at": datetime(2026, 1, 1, 12, 0, i, 5),
                        "action": f"old.{i}",
                        "d": json.dumps({"i": i, "name": "é"}),
                    },
                )
        migrate.upgrade(fresh_database_url)
        with make_sessionmaker(engine)() as session:
            report = service.verify_chain(session)
            assert report.intact, report.describe()
            assert report.entries == 3
            service.record(session, actor="t", action="new", now=datetime.now(UTC))
            session.commit()
            assert service.verify_chain(session).entries == 4
            with pytest.raises(DBAPIError, match="append-only"):
                session.execute(text("UPDATE audit_event SET actor = 'x'"))
    finally:
        engine.dispose()
