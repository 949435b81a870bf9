from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime


class StatusList(Base):
    """One Bitstring Status List of an issuer for one purpose, and its published credential.

    ``occupancy`` records which indexes are handed out (never published: it would reveal how
    many credentials were issued); ``bits`` is the status bitstring itself. ``version`` moves
    only when a published bit changes, so the signed list is rebuilt only then.
    """

    __tablename__ = "status_list"
    __table_args__ = (UniqueConstraint("issuer_id", "purpose", "number"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    issuer_id: Mapped[str] = mapped_column(ForeignKey("issuer.id"))
    purpose: Mapped[str] = mapped_column(String(16))
    number: Mapped[int] = mapped_column(Integer)
    size: Mapped[int] = mapped_column(Integer)
    allocated_count: Mapped[int] = mapped_column(Integer, default=0)
    occupancy: Mapped[bytes] = mapped_column(LargeBinary)
    bits: Mapped[bytes] = mapped_column(LargeBinary)
    version: Mapped[int] = mapped_column(Integer, default=1)
    full: Mapped[bool] = mapped_column(Boolean, default=False)
    published_document: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    published_jwt: Mapped[str | None] = mapped_column(Text)
    published_version: Mapped[int | None] = mapped_column(Integer)
    etag: Mapped[str | None] = mapped_column(String(80))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    @property
    def public_id(self) -> str:
        return f"{self.purpose}-{self.number}"

    def __repr__(self) -> str:
        return (
            f"StatusList(id={self.id!r}, public_id={self.public_id!r}, "
            f"allocated={self.allocated_count}/{self.size}, version={self.version})"
        )


class StatusEntry(Base):
    """Where one credential's status of one purpose lives: a list and an index in it."""

    __tablename__ = "status_entry"
    __table_args__ = (UniqueConstraint("list_id", "index"),)

    credential_id: Mapped[str] = mapped_column(ForeignKey("credential.id"), primary_key=True)
    purpose: Mapped[str] = mapped_column(String(16), primary_key=True)
    list_id: Mapped[str] = mapped_column(ForeignKey("status_list.id"))
    index: Mapped[int] = mapped_column(Integer)
