from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, String, Text
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
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
