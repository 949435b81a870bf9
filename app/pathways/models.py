"""Tables of the credit bank: pathways, transfer rules and awards.

A transfer rule's terms are columns (evaluation filters on them); its signed form is a row of
``credential``, so revoking it is revoking that credential. An award is unique per pathway
and recipient: the constraint is what makes a retried or racing award return one credential.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime


class Pathway(Base):
    __tablename__ = "pathway"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    issuer_id: Mapped[str] = mapped_column(ForeignKey("issuer.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    target_achievement_id: Mapped[str] = mapped_column(ForeignKey("achievement.id"), index=True)
    # The target's URL and the achievement URLs required, to find cycles across pathways.
    target_achievement_url: Mapped[str] = mapped_column(String(2000), index=True)
    required_achievements: Mapped[list[str]] = mapped_column(JSON, default=list)
    requirements: Mapped[dict[str, Any]] = mapped_column(JSON)
    min_credits: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class TransferRule(Base):
    __tablename__ = "transfer_rule"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    issuer_id: Mapped[str] = mapped_column(ForeignKey("issuer.id"), index=True)
    pathway_id: Mapped[str] = mapped_column(ForeignKey("pathway.id"), index=True)
    credential_id: Mapped[str] = mapped_column(ForeignKey("credential.id"), unique=True)
    source_issuer: Mapped[str] = mapped_column(String(2000))
    source_achievement: Mapped[str | None] = mapped_column(String(2000))
    source_framework: Mapped[str | None] = mapped_column(String(64))
    source_level: Mapped[str | None] = mapped_column(String(32))
    source_isced_f: Mapped[str | None] = mapped_column(String(4))
    requirement: Mapped[str | None] = mapped_column(String(200))
    credits: Mapped[float] = mapped_column(Float)
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime())
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PathwayAward(Base):
    __tablename__ = "pathway_award"
    __table_args__ = (UniqueConstraint("pathway_id", "recipient_key"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    pathway_id: Mapped[str] = mapped_column(ForeignKey("pathway.id"))
    # sha256 of the recipient's DID or lower-cased email: the same learner, whatever salt.
    recipient_key: Mapped[str] = mapped_column(String(64))
    credential_id: Mapped[str] = mapped_column(ForeignKey("credential.id"), unique=True)
    clr_credential_id: Mapped[str | None] = mapped_column(ForeignKey("credential.id"))
    counted: Mapped[list[str]] = mapped_column(JSON, default=list)
    credits: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
