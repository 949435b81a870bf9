"""What one single issuance reads and writes, each in as few SQL statements as it can.

Issuer, keys, the named achievement and whether webhooks are subscribed come from one
statement (`load_issuance_context`); the credential and its status entries are written with
Core INSERTs (`store_issued`), on PostgreSQL in one statement. In a group commit
(`app.credentials.issuance_groups`) on PostgreSQL, the rows of the group's credentials are
held back (`defer_rows`) and written together, in one round trip, just before the commit.
README "Figures" (single issuance) says what each saved.
"""

from __future__ import annotations

import functools
from typing import Any, Final, NamedTuple, cast

from sqlalchemy import (
    Insert,
    Select,
    Table,
    bindparam,
    event,
    insert,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session, defer, make_transient_to_detached

from app.achievements.models import Achievement
from app.core.urls import PublicUrls
from app.credentials.models import Credential
from app.db import transaction_memo
from app.issuers import service as issuer_service
from app.issuers.models import Issuer, SigningKey
from app.issuers.service import IssuerContext
from app.status.models import StatusEntry
from app.webhooks import events as webhook_events


def load_issuance_context(
    session: Session, slug: str, achievement_id: str, *, urls: PublicUrls
) -> tuple[IssuerContext, Achievement | None]:
    """``issuer_service.load_context`` for one issuance, in one statement: the issuer, its
    keys, the achievement the request names (None when the issuer has none of that id, for
    ``issue_credential(..., achievement=...)``) and whether the issuer has webhook endpoints
    (when it has none, emitting events looks nothing up).

    The branding images (data: URLs, possibly large) are left out: issuance does not use
    them, and they would be repeated on every key's row.
    """
    # Read once per transaction: a group of issuances (one transaction) shares the read.
    known = transaction_memo(session, _CONTEXTS_READ)
    rows = known.get((slug, achievement_id))
    if rows is None:
        rows = known[slug, achievement_id] = session.execute(
            _context_statement(), {"slug": slug, "achievement_id": achievement_id}
        ).all()
    if not rows:
        return issuer_service.load_context(session, slug, urls=urls), None  # its NotFound
    issuer, achievement, subscribed, _key = rows[0]
    if not subscribed:
        webhook_events.none_subscribed(session, issuer.id)
    keys = [key for *_rest, key in rows if key is not None]
    return IssuerContext(issuer=issuer, keys=keys, did=urls.issuer_did(slug)), achievement


_CONTEXTS_READ: Final = "learnproof_issuance_contexts_read"


@functools.cache
def _context_statement() -> Select[Issuer, Achievement, bool, SigningKey]:
    """Built once with bound parameters: building it per request (ORM comparisons, joins,
    options) cost about a third of its CPU (README "Figures", single issuance)."""
    return (
        select(Issuer, Achievement, webhook_events.subscribed(Issuer.id), SigningKey)
        .outerjoin(
            Achievement,
            (Achievement.id == bindparam("achievement_id")) & (Achievement.issuer_id == Issuer.id),
        )
        .outerjoin(SigningKey, SigningKey.issuer_id == Issuer.id)
        .where(Issuer.slug == bindparam("slug"))
        .order_by(SigningKey.created_at, SigningKey.fragment)
        .options(*_IMAGES)
    )


_IMAGES: Final = (
    defer(Issuer.image),
    defer(Issuer.signature_image),
    defer(Issuer.background_image),
    defer(Achievement.signature_image),
    defer(Achievement.background_image),
)


_CREDENTIALS: Final = cast(Table, Credential.__table__)
_STATUS_ENTRIES: Final = cast(Table, StatusEntry.__table__)
_CREDENTIAL_COLUMNS: Final = tuple(column.key for column in _CREDENTIALS.columns)
_ENTRY_VALUES: Final = ("purpose", "list_id", "index")  # with the credential's id


@functools.cache
def _insert_with_entries(count: int) -> Insert:
    """The one statement for a credential and ``count`` status entries, built once (values
    inlined, it would be a new statement to compile every time): the entries are selected
    from what the credential's INSERT returns, which SQLAlchemy can cache compiled."""
    credential = (
        insert(_CREDENTIALS)
        .values({c.key: bindparam(f"c_{c.key}", type_=c.type) for c in _CREDENTIALS.columns})
        .returning(_CREDENTIALS.c.id)
        .cte("issued_credential")
    )
    columns = [_STATUS_ENTRIES.c[key] for key in _ENTRY_VALUES]
    rows = [
        select(credential.c.id, *(bindparam(f"e{n}_{c.key}", type_=c.type) for c in columns))
        for n in range(count)
    ]
    chosen = rows[0] if count == 1 else union_all(*rows)
    return insert(_STATUS_ENTRIES).from_select(["credential_id", *_ENTRY_VALUES], chosen)


def store_issued(
    session: Session, record: Credential, entries: list[dict[str, Any]], *,
    deferrable: bool = False,
) -> None:  # fmt: skip
    """Insert one credential and its status entries with Core INSERTs, then attach the
    record to the session as if a flush had written it.

    ``deferrable``: the caller accepts that a unique key (Idempotency-Key, external id) taken
    meanwhile by another transaction fails the commit rather than this statement. In a
    transaction that `defer_rows` the rows are then only held, and written with the others
    just before the commit; `credential_with_key` finds them for a replay in the same
    transaction.

    The unit of work's flush cost more CPU than signing a credential; what it would write
    here is fixed (new rows, nothing to order or to update), so the rows are inserted
    directly: on PostgreSQL in one statement (the credential's INSERT in a WITH clause, the
    entries selected from what it returns; their foreign keys are checked at the statement's
    end, when the credential row exists), elsewhere in two. The record then becomes
    persistent in the session, so later changes to it (a reissue revoking it, say) are
    flushed as usual.
    """
    # Every column gets a value: the record must not come back with unloaded attributes.
    record.status_reason = None
    record.status_changed_at = None
    session.flush()  # anything pending first (a list row the entries reference, say)
    row = {key: getattr(record, key) for key in _CREDENTIAL_COLUMNS}
    if session.get_bind().dialect.name == "postgresql":
        params = {f"c_{key}": value for key, value in row.items()}
        for number, entry in enumerate(entries):
            params.update({f"e{number}_{key}": entry[key] for key in _ENTRY_VALUES})
        held = _held(session) if deferrable else None
        if held is not None:
            held.append(_Held(len(entries), params, record))
        else:
            session.execute(_insert_with_entries(len(entries)), params)
    else:
        session.execute(insert(_CREDENTIALS), [row])
        session.execute(insert(_STATUS_ENTRIES), entries)
    make_transient_to_detached(record)
    session.add(record)


_DEFERRED: Final = "learnproof_issued_rows_deferred"


class _Held(NamedTuple):
    entries: int
    params: dict[str, Any]
    record: Credential


def defer_rows(session: Session) -> None:
    """On PostgreSQL, until the session's current transaction ends, hold back the rows of
    deferrable issuances and write them all just before it commits.

    For a group commit: written one by one, each credential cost its own statement, its own
    round trip and PostgreSQL's per-statement work; together they are one `executemany` per
    number of status entries, which psycopg sends in one pipeline (README "Figures", noon).
    """
    if session.get_bind().dialect.name == "postgresql":
        transaction_memo(session, _DEFERRED)["rows"] = []


def holds_rows(session: Session) -> bool:
    """Whether the current transaction holds deferrable rows back until its commit."""
    return _held(session) is not None


def deferred(session: Session) -> int:
    """How many issuances' rows the current transaction holds back: a write of the request
    that queued one, as much as a statement it ran (group commit's footprint)."""
    return len(_held(session) or ())


def _held_credential(
    session: Session, issuer_id: str, *, idempotency_key: str | None, external_id: str | None
) -> Credential | None:
    """The first held-back credential of ``issuer_id`` with this Idempotency-Key or external
    id: what a replay would read once the rows are written."""
    for held in _held(session) or ():
        record = held.record
        if record.issuer_id == issuer_id and (
            (idempotency_key is not None and record.idempotency_key == idempotency_key)
            or (external_id is not None and record.external_id == external_id)
        ):
            return record
    return None


def credential_with_key(
    session: Session, issuer_id: str, *, idempotency_key: str | None, external_id: str | None
) -> Credential | None:
    """The credential ``issuer_id`` issued with this Idempotency-Key or external id, held
    back in this transaction or stored; None when neither is given or none was issued.

    Most requests that carry a key find none: that is one prepared statement reading an id,
    and the credential itself is read only when there is one (a replay or a 409).
    """
    if idempotency_key is None and external_id is None:
        return None
    held = _held_credential(
        session, issuer_id, idempotency_key=idempotency_key, external_id=external_id
    )
    if held is not None:
        return held
    statement = _key_statement(idempotency_key is not None, external_id is not None)
    params = {
        "issuer_id": issuer_id,
        "idempotency_key": idempotency_key,
        "external_id": external_id,
    }
    found = session.execute(statement, params).scalar()
    return None if found is None else session.get(Credential, found)


@functools.cache
def _key_statement(by_key: bool, by_external_id: bool) -> Select[str]:
    """Built once per combination, with bound parameters (see `_context_statement`)."""
    columns = _CREDENTIALS.c
    clauses = []
    if by_key:
        clauses.append(columns.idempotency_key == bindparam("idempotency_key"))
    if by_external_id:
        clauses.append(columns.external_id == bindparam("external_id"))
    return (
        select(columns.id)
        .where(columns.issuer_id == bindparam("issuer_id"), or_(*clauses))
        .limit(1)
    )


def _held(session: Session) -> list[_Held] | None:
    held: list[_Held] | None = transaction_memo(session, _DEFERRED).get("rows")
    return held


# Ahead of every other listener: the audit chain's append (`app.audit.service`) locks the
# chain's one head row until the commit, and every other transaction that appends waits
# for it, so that lock is taken after these rows are written, not before.
@event.listens_for(Session, "before_commit", insert=True)
def _write_deferred(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint is released (another request's): the rows wait for the commit
    held = _held(session)
    if not held:
        return
    # The entries reference status list rows: anything still pending is written first.
    session.flush()
    by_entries: dict[int, list[dict[str, Any]]] = {}
    for entries, params, _record in held:
        by_entries.setdefault(entries, []).append(params)
    held.clear()
    # A unique key another transaction committed meanwhile fails here, and so the commit.
    for entries, rows in by_entries.items():
        session.execute(_insert_with_entries(entries), rows)
