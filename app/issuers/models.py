from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime


class KeyStatus(StrEnum):
    """A signing key's state, stored as its value: one active key signs; retired and revoked
    keys stay in the DID document only while retired."""

    active = "active"
    retired = "retired"
    revoked = "revoked"


class Issuer(Base):
    __tablename__ = "issuer"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(2000))
    email: Mapped[str] = mapped_column(String(320))
    description: Mapped[str | None] = mapped_column(Text)
    # An https URL (the Profile's image) or the logo itself as a checked data: URL.
    image: Mapped[str | None] = mapped_column(Text)
    brand_color: Mapped[str | None] = mapped_column(String(7))
    signatory_name: Mapped[str | None] = mapped_column(String(200))
    signatory_title: Mapped[str | None] = mapped_column(String(200))
    signature_image: Mapped[str | None] = mapped_column(Text)
    background_image: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    keys: Mapped[list[SigningKey]] = relationship(
        back_populates="issuer", lazy="raise", order_by="SigningKey.created_at"
    )


class SigningKey(Base):
    """A signing key; the private half only as AES-GCM ciphertext under the master secret."""

    __tablename__ = "signing_key"
    __table_args__ = (UniqueConstraint("issuer_id", "fragment"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    issuer_id: Mapped[str] = mapped_column(ForeignKey("issuer.id"), index=True)
    fragment: Mapped[str] = mapped_column(String(32))
    key_type: Mapped[str] = mapped_column(String(16))
    public_multikey: Mapped[str] = mapped_column(String(128))
    public_jwk: Mapped[dict[str, Any]] = mapped_column(JSON)
    encrypted_private_key: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revocation_reason: Mapped[str | None] = mapped_column(Text)

    issuer: Mapped[Issuer] = relationship(back_populates="keys", lazy="raise")

    def __repr__(self) -> str:
        # Never show the ciphertext either: reprs end up in logs.
        return f"SigningKey(id={self.id!r}, fragment={self.fragment!r}, status={self.status!r})"


class KeystoreCheck(Base):
    """Proof that the configured master secret is the one that encrypted this database's keys."""

    __tablename__ = "keystore_check"

    id: Mapped[int] = mapped_column(primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
