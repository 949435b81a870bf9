"""Writes and reads the append-only, hash-chained audit log; callers pass the actor and time.

``record`` only queues an event on the session. The queue is written when the outermost
transaction commits: the chain head row is locked (``FOR UPDATE`` on PostgreSQL; SQLite
already admits one writer), each event is linked to the previous hash, and the head moves
on. Appending at commit time keeps the lock for milliseconds instead of for the whole
request (a batch chunk signs 100 credentials), so instances sharing one PostgreSQL do not
queue behind each other's signing. On PostgreSQL a transaction with one event (every
single-credential request) does the lock, the chaining and the head update in one statement
(``_append_in_one_statement``), and one with a few (a group of single issuances) locks the
head, then inserts them all and moves the head in one more (``_append_many_in_two_statements``).
Events queued inside a savepoint that rolls back (a failed
batch item) are dropped with it, exactly as the rows they describe.
"""

from __future__ import annotations

import functools
import json
from datetime import datetime
from typing import Any, Final

from sqlalchemy import LargeBinary, TextClause, bindparam, event, select, text
from sqlalchemy.orm import Session, SessionTransaction

from app.audit import chain
from app.audit.models import AuditChainHead, AuditEvent
from app.db import UTCDateTime

_PENDING = "learnproof_audit_pending"
HEAD_ID = 1

_Queued = tuple[AuditEvent, SessionTransaction | None]


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    now: datetime,
    issuer_slug: str | None = None,
    credential_id: str | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Queue an event; it is chained and inserted when the transaction commits."""
    entry = AuditEvent(
        occurred_at=now,
        actor=actor,
        action=action,
        issuer_slug=issuer_slug,
        credential_id=credential_id,
        details=details or {},
    )
    if not session.in_transaction():
        # Begin now, so the transaction's end (commit, rollback or close) owns the queue.
        session.connection()
    queue: list[_Queued] = session.info.setdefault(_PENDING, [])
    queue.append((entry, session.get_nested_transaction()))
    return entry


def queued(session: Session) -> int:
    """How many events the session's transaction has queued (not yet written)."""
    return len(session.info.get(_PENDING, ()))


def _link(entries: list[AuditEvent], previous: str) -> str:
    """Chain ``entries`` in order after the hash ``previous``; returns the last one's hash."""
    for entry in entries:
        entry.prev_hash = previous
        entry.entry_hash = previous = chain.hash_after(previous, entry)
    return previous


def _inside(transaction: SessionTransaction | None, ancestor: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is ancestor:
            return True
        transaction = transaction.parent
    return False


@event.listens_for(Session, "after_soft_rollback")
def _drop_rolled_back(session: Session, previous: SessionTransaction) -> None:
    queue: list[_Queued] | None = session.info.get(_PENDING)
    if not queue:
        return
    if previous.parent is None:
        queue.clear()
    elif previous.nested:
        queue[:] = [(e, t) for e, t in queue if not _inside(t, previous)]


@event.listens_for(Session, "after_transaction_end")
def _forget_on_end(session: Session, transaction: SessionTransaction) -> None:
    # Closing a session without committing ends its root transaction: nothing was written.
    if transaction.parent is None:
        session.info.pop(_PENDING, None)


@event.listens_for(Session, "before_commit")
def _append_queued(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint is released; its events wait for the outermost commit
    queue: list[_Queued] = session.info.pop(_PENDING, [])
    if not queue:
        return
    if session.get_bind().dialect.name == "postgresql":
        if len(queue) == 1:
            split = _split_content(queue[0][0])
            if split is not None:
                _append_in_one_statement(session, queue[0][0], *split)
                return
        elif len(queue) <= _MANY_AT_MOST:
            _append_many_in_two_statements(session, [entry for entry, _transaction in queue])
            return
    head = session.scalar(
        select(AuditChainHead).where(AuditChainHead.id == HEAD_ID).with_for_update()
    )
    if head is None:
        raise RuntimeError("the audit chain head row is missing; run `learnproof db upgrade`")
    entries = [entry for entry, _transaction in queue]
    previous = _link(entries, head.last_hash)
    session.add_all(entries)
    session.flush()
    head.last_event_id, head.last_hash = queue[-1][0].id, previous


_PLACEHOLDER = chain.GENESIS.encode()
_TAIL = b'"prev_hash":"' + _PLACEHOLDER + b'"}'

# Lock the head, chain and insert the entry, move the head: one round trip. The lock is
# taken when the INSERT reads ``head`` (before the entry's id is drawn, so ids still follow
# the chain), and after waiting for it ``FOR UPDATE`` returns the head as last committed.
_APPEND_ONE: Final = text(
    """
    WITH head AS (
        SELECT last_hash FROM audit_chain_head WHERE id = :head_id FOR UPDATE
    ), entry AS (
        INSERT INTO audit_event
            (occurred_at, actor, action, issuer_slug, credential_id, details, prev_hash,
             entry_hash)
        SELECT :occurred_at, :actor, :action, :issuer_slug, :credential_id,
               CAST(:details AS JSON), head.last_hash,
               encode(sha256(:prefix || convert_to(head.last_hash, 'UTF8') || :suffix), 'hex')
        FROM head
        RETURNING id, prev_hash, entry_hash
    )
    UPDATE audit_chain_head SET last_event_id = entry.id, last_hash = entry.entry_hash
    FROM entry WHERE audit_chain_head.id = :head_id
    RETURNING entry.id, entry.prev_hash, entry.entry_hash
    """
).bindparams(
    bindparam("occurred_at", type_=UTCDateTime()),
    bindparam("prefix", type_=LargeBinary()),
    bindparam("suffix", type_=LargeBinary()),
)


def _split_content(entry: AuditEvent) -> tuple[bytes, bytes] | None:
    """The entry's canonical content around its ``prev_hash`` (the last key in sorted order),
    or None if the format ever stops ending with it."""
    content = chain.content_after(chain.GENESIS, entry)
    if not content.endswith(_TAIL):
        return None
    return content[: -len(_PLACEHOLDER) - 2], content[-2:]


def _append_in_one_statement(
    session: Session, entry: AuditEvent, prefix: bytes, suffix: bytes
) -> None:
    """PostgreSQL, one event (every single-credential request): the head row stays locked
    from this statement to the commit right after it, instead of across three round trips
    (lock, insert, update), each of which waits for the GIL behind signing threads. The hash
    is ``chain.entry_hash`` computed by the database: SHA-256 of the same canonical bytes."""
    session.flush()  # the request's other rows first, outside the lock
    row = session.execute(
        _APPEND_ONE,
        {
            "head_id": HEAD_ID,
            "occurred_at": entry.occurred_at,
            "actor": entry.actor,
            "action": entry.action,
            "issuer_slug": entry.issuer_slug,
            "credential_id": entry.credential_id,
            "details": json.dumps(entry.details),
            "prefix": prefix,
            "suffix": suffix,
        },
    ).one_or_none()
    if row is None:
        raise RuntimeError("the audit chain head row is missing; run `learnproof db upgrade`")
    entry.id, entry.prev_hash, entry.entry_hash = row


# A group of single issuances (app/credentials/issuance_groups.py) queues one event each;
# a batch chunk's hundreds take the ORM's path above.
_MANY_AT_MOST: Final = 64

_LOCK_HEAD: Final = text("SELECT last_hash FROM audit_chain_head WHERE id = :head_id FOR UPDATE")


@functools.lru_cache(maxsize=_MANY_AT_MOST)
def _append_many_statement(count: int) -> TextClause:
    """Insert ``count`` chained entries and move the head, in one statement. The entries are
    inserted in the order of their ``ord`` (so their ids follow the chain) and their ids come
    back in that order."""
    rows = ", ".join(
        f"(CAST(:occurred_at_{n} AS TIMESTAMPTZ), :actor_{n}, :action_{n}, :issuer_slug_{n}, "
        f":credential_id_{n}, :details_{n}, :prev_hash_{n}, :entry_hash_{n}, {n})"
        for n in range(count)
    )
    columns = (
        "occurred_at, actor, action, issuer_slug, credential_id, details, prev_hash, entry_hash"
    )
    return text(
        f"""
        WITH entry AS (
            INSERT INTO audit_event ({columns})
            SELECT occurred_at, actor, action, issuer_slug, credential_id,
                   CAST(details AS JSON), prev_hash, entry_hash
            FROM (VALUES {rows}) AS given({columns}, ord)
            ORDER BY ord
            RETURNING id
        )
        UPDATE audit_chain_head
        SET last_event_id = (SELECT max(id) FROM entry), last_hash = :last_hash
        WHERE audit_chain_head.id = :head_id
        RETURNING (SELECT array_agg(id ORDER BY id) FROM entry)
        """
    ).bindparams(*(bindparam(f"occurred_at_{n}", type_=UTCDateTime()) for n in range(count)))


def _append_many_in_two_statements(session: Session, entries: list[AuditEvent]) -> None:
    """PostgreSQL, a few events: lock the head, chain them here, then insert them all and move
    the head in one statement (the ORM's flush of each entry and of the head cost a tenth of
    a grouped issuance's CPU)."""
    session.flush()  # the transaction's other rows first, outside the lock
    previous = session.execute(_LOCK_HEAD, {"head_id": HEAD_ID}).scalar_one_or_none()
    if previous is None:
        raise RuntimeError("the audit chain head row is missing; run `learnproof db upgrade`")
    params: dict[str, Any] = {"head_id": HEAD_ID, "last_hash": _link(entries, previous)}
    for n, entry in enumerate(entries):
        params.update({
            f"occurred_at_{n}": entry.occurred_at, f"actor_{n}": entry.actor,
            f"action_{n}": entry.action, f"issuer_slug_{n}": entry.issuer_slug,
            f"credential_id_{n}": entry.credential_id, f"details_{n}": json.dumps(entry.details),
            f"prev_hash_{n}": entry.prev_hash, f"entry_hash_{n}": entry.entry_hash,
        })  # fmt: skip
    ids = session.execute(_append_many_statement(len(entries)), params).scalar_one()
    for entry, ident in zip(entries, ids, strict=True):
        entry.id = ident


def list_events(
    session: Session,
    *,
    issuer_slug: str | None = None,
    credential_id: str | None = None,
    action: str | None = None,
    after: int | None = None,
    limit: int = 100,
) -> list[AuditEvent]:
    query = select(AuditEvent).order_by(AuditEvent.id).limit(limit)
    if issuer_slug is not None:
        query = query.where(AuditEvent.issuer_slug == issuer_slug)
    if credential_id is not None:
        query = query.where(AuditEvent.credential_id == credential_id)
    if action is not None:
        query = query.where(AuditEvent.action == action)
    if after is not None:
        query = query.where(AuditEvent.id > after)
    return list(session.scalars(query))


_CHAIN_COLUMNS = select(
    AuditEvent.id,
    AuditEvent.prev_hash,
    AuditEvent.entry_hash,
    AuditEvent.occurred_at,
    AuditEvent.actor,
    AuditEvent.action,
    AuditEvent.issuer_slug,
    AuditEvent.credential_id,
    AuditEvent.details,
).order_by(AuditEvent.id)


def verify_chain(session: Session) -> chain.ChainReport:
    """Recompute the whole chain (streamed in id order) and compare it with the head."""
    head = session.get(AuditChainHead, HEAD_ID)
    if head is None:
        return chain.ChainReport(False, 0, chain.GENESIS, None, "the chain head row is missing")
    rows = session.execute(_CHAIN_COLUMNS.execution_options(yield_per=1_000))
    try:
        entries = (chain.Entry(*row) for row in rows)
        return chain.check(entries, head_event_id=head.last_event_id, head_hash=head.last_hash)
    finally:
        rows.close()  # a broken chain stops early: release the server-side cursor
