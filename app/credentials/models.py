from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Mapped, QueryableAttribute, mapped_column
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

from app.db import Base, UTCDateTime

# States are StrEnums: each member is the very string stored in its String column (and equal
# to it), so rows written before the enums and queries by plain strings keep working.


class CredentialStatus(StrEnum):
    active = "active"
    revoked = "revoked"
    suspended = "suspended"


class JobStatus(StrEnum):
    pending = "pending"
    running = "running"
    done = "done"


class Credential(Base):
    """One awarded achievement; the signed document and JWT are its stored projections."""

    __tablename__ = "credential"
    __table_args__ = (
        UniqueConstraint("issuer_id", "external_id"),
        UniqueConstraint("issuer_id", "idempotency_key"),
        Index("ix_credential_issuer_id_issued_at", "issuer_id", "issued_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    issuer_id: Mapped[str] = mapped_column(ForeignKey("issuer.id"))
    # None for credentials posted through the VC-API, which carry their own subject.
    achievement_id: Mapped[str | None] = mapped_column(ForeignKey("achievement.id"), index=True)
    signing_key_id: Mapped[str] = mapped_column(ForeignKey("signing_key.id"), index=True)
    recipient_name: Mapped[str | None] = mapped_column(String(500))
    recipient_identity_hash: Mapped[str | None] = mapped_column(String(100))
    recipient_salt: Mapped[str | None] = mapped_column(String(64))
    recipient_did: Mapped[str | None] = mapped_column(String(2000))
    external_id: Mapped[str | None] = mapped_column(String(200))
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    request_hash: Mapped[str | None] = mapped_column(String(64))
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    jwt: Mapped[str] = mapped_column(Text)
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime())
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    status: Mapped[str] = mapped_column(String(16), default=CredentialStatus.active, index=True)
    status_reason: Mapped[str | None] = mapped_column(Text)
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    public_page: Mapped[bool] = mapped_column(Boolean, default=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())


class document_id(FunctionElement[str]):  # noqa: N801 - used like a SQL function
    """The stored document's top-level ``id`` as text, written as the index on it is written.

    ``document["id"].as_string()`` sends the JSON path as a bound parameter, and an expression
    index only serves a query whose expression is the same text: with a parameter SQLite never
    uses it and PostgreSQL's generic plans (psycopg prepares repeated statements) may not. So
    the index (migration 0017) and every lookup by document id go through this one literal
    expression.
    """

    type = String()
    name = "document_id"
    inherit_cache = True

    def __init__(self, document: ColumnElement[Any] | QueryableAttribute[Any]) -> None:
        super().__init__(document)


@compiles(document_id, "sqlite")
def _document_id_sqlite(element: document_id, compiler: SQLCompiler, **kw: Any) -> str:
    return f"json_extract({compiler.process(element.clauses, **kw)}, '$.id')"


@compiles(document_id)
def _document_id_postgresql(element: document_id, compiler: SQLCompiler, **kw: Any) -> str:
    # The column is JSON (not JSONB) on PostgreSQL; ->> on json is immutable, so indexable.
    return f"({compiler.process(element.clauses, **kw)} ->> 'id')"


Index("ix_credential_document_id", document_id(Credential.__table__.c.document))


class IssueJob(Base):
    """A batch accepted for background issuance: items are stored before the 202 answer,
    so nothing accepted is lost; progress commits chunk by chunk with its credentials."""

    __tablename__ = "issue_job"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    issuer_id: Mapped[str] = mapped_column(ForeignKey("issuer.id"), index=True)
    actor: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), index=True)
    # "issue" (items are credential requests) or "reissue" (items name credentials).
    kind: Mapped[str] = mapped_column(String(16), default="issue", server_default="issue")
    total: Mapped[int] = mapped_column(Integer)
    done_count: Mapped[int] = mapped_column(Integer, default=0)
    failed_count: Mapped[int] = mapped_column(Integer, default=0)
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    results: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class LifecycleNotice(Base):
    """Which expiry events were sent for a credential: each kind at most once (the primary
    key is what keeps two instances' scans from announcing the same expiry twice)."""

    __tablename__ = "lifecycle_notice"

    credential_id: Mapped[str] = mapped_column(ForeignKey("credential.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)  # expiring | expired
    notified_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CredentialSuccession(Base):
    """A re-issue: the old credential (revoked, reason ``superseded``) and its successor."""

    __tablename__ = "credential_succession"

    predecessor_id: Mapped[str] = mapped_column(ForeignKey("credential.id"), primary_key=True)
    successor_id: Mapped[str] = mapped_column(ForeignKey("credential.id"), unique=True)
    reason: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class IssueJobChunk(Base):
    """One chunk of a job: its items as accepted, then its results once issued.

    A worker reads and writes one chunk row per chunk, so the work and memory of a chunk do
    not grow with the size of the job (jobs stored before this table keep using the job
    row's ``items`` and ``results``).
    """

    __tablename__ = "issue_job_chunk"

    job_id: Mapped[str] = mapped_column(ForeignKey("issue_job.id"), primary_key=True)
    # Index of the chunk's first item in the job.
    start: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    results: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
