from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime


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
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(16), default="active", index=True)
    status_reason: Mapped[str | None] = mapped_column(Text)
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    public_page: Mapped[bool] = mapped_column(Boolean, default=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
