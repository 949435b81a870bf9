"""Writes and reads the append-only, hash-chained audit log; callers pass the actor and time.

``record`` only queues an event on the session. The queue is written when the outermost
transaction commits: the chain head row is locked (``FOR UPDATE`` on PostgreSQL; SQLite
already admits one writer), each event is linked to the previous hash, and the head moves
on. Appending at commit time keeps the lock for milliseconds instead of for the whole
request (a batch chunk signs 100 credentials), so instances sharing one PostgreSQL do not
queue behind each other's signing. Events queued inside a savepoint that rolls back (a
failed batch item) are dropped with it, exactly as the rows they describe.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session, SessionTransaction

from app.audit import chain
from app.audit.models import AuditChainHead, AuditEvent

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
    head = session.scalar(
        select(AuditChainHead).where(AuditChainHead.id == HEAD_ID).with_for_update()
    )
    if head is None:
        raise RuntimeError("the audit chain head row is missing; run `learnproof db upgrade`")
    previous = head.last_hash
    for entry, _transaction in queue:
        entry.prev_hash = previous
        entry.entry_hash = chain.entry_hash(
            prev_hash=previous,
            occurred_at=entry.occurred_at,
            actor=entry.actor,
            action=entry.action,
            issuer_slug=entry.issuer_slug,
            credential_id=entry.credential_id,
            details=entry.details,
        )
        session.add(entry)
        previous = entry.entry_hash
    session.flush()
    head.last_event_id, head.last_hash = queue[-1][0].id, previous


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
