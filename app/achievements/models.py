from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime


class Achievement(Base):
    __tablename__ = "achievement"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    issuer_id: Mapped[str] = mapped_column(ForeignKey("issuer.id"), index=True)
    name: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text)
    criteria_narrative: Mapped[str | None] = mapped_column(Text)
    criteria_url: Mapped[str | None] = mapped_column(String(2000))
    achievement_type: Mapped[str | None] = mapped_column(String(100))
    image: Mapped[str | None] = mapped_column(String(2000))
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    skills: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    result_descriptions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    framework_levels: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    isced_f: Mapped[str | None] = mapped_column(String(4))
    credits_available: Mapped[float | None] = mapped_column(Float)
    suspendable: Mapped[bool] = mapped_column(Boolean, default=False)
    # ISO 8601 duration (e.g. P2Y): credentials get validUntil = validFrom + this.
    valid_for: Mapped[str | None] = mapped_column(String(64))
    # The certificate's look for this achievement; each one unset falls back to the issuer's.
    brand_color: Mapped[str | None] = mapped_column(String(7))
    signatory_name: Mapped[str | None] = mapped_column(String(200))
    signatory_title: Mapped[str | None] = mapped_column(String(200))
    signature_image: Mapped[str | None] = mapped_column(Text)
    background_image: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AchievementTarget(Base):
    """An occupation, industry or ESCO skill an achievement prepares for, in stated order.

    Kept as rows (not JSON on the achievement) so "which achievements prepare for CSCO
    2-02-10-03" is an indexed query on both databases. No foreign key to the vocabulary:
    reloading a changed vocabulary must not be blocked by achievements that cite it.
    """

    __tablename__ = "achievement_target"
    __table_args__ = (
        CheckConstraint("kind IN ('occupation', 'industry', 'skill')", name="kind"),
        Index("ix_achievement_target_scheme_code", "scheme", "code"),
    )

    achievement_id: Mapped[str] = mapped_column(ForeignKey("achievement.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    scheme: Mapped[str] = mapped_column(String(32))
    code: Mapped[str] = mapped_column(String(200))
