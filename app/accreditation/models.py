"""Tables of accreditation: which bodies may accredit, and the accreditations they issued.

An accreditation row mirrors the signed accreditation credential (a row of the credential
table, known here by id) so that verification can find an issuer's accreditations by DID.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime


class TrustedAccreditor(Base):
    """A DID the operator trusts to accredit issuers (besides LEARNPROOF_TRUSTED_ACCREDITORS)."""

    __tablename__ = "trusted_accreditor"

    did: Mapped[str] = mapped_column(String(500), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Accreditation(Base):
    """Issued here by a registered accrediting body (``accreditor_issuer_id`` and
    ``credential_id`` set), or registered from an external trusted body (``document`` holds
    its credential as received; it is verified, status included, whenever it is used)."""

    __tablename__ = "accreditation"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    accreditor_issuer_id: Mapped[str | None] = mapped_column(ForeignKey("issuer.id"), index=True)
    accreditor_did: Mapped[str] = mapped_column(String(500))
    accredited_issuer: Mapped[str] = mapped_column(String(500), index=True)
    # {frameworks?: [{framework, max_level}], isced_f?: [prefix], qualification_types?,
    #  jurisdiction?}
    limits: Mapped[dict[str, Any]] = mapped_column(JSON)
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime())
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    credential_id: Mapped[str | None] = mapped_column(ForeignKey("credential.id"))
    document: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
