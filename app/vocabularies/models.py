"""Tables of the occupation, industry and skill vocabularies (shipped data, loaded whole).

A concept is keyed by (scheme, code): CSCO ``2-02-10-03``, NAICS ``541511``, NACE ``62.10``,
ISIC ``6201``, or an ESCO concept URI. ``search_text`` is the lower-cased code, names and
alternative labels, so one indexed-free LIKE over a few thousand rows answers search in
Chinese and English on both databases without a full-text extension.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime


class Vocabulary(Base):
    """One loaded classification with its provenance; ``digest`` makes reloading a no-op."""

    __tablename__ = "vocabulary"

    scheme: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(Text)
    label: Mapped[str] = mapped_column(String(64))
    version: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(16))
    publisher: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text)
    source_url: Mapped[str] = mapped_column(Text)
    licence: Mapped[str] = mapped_column(Text)
    digest: Mapped[str] = mapped_column(String(64))
    concept_count: Mapped[int] = mapped_column(Integer)
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime())


class VocabularyConcept(Base):
    __tablename__ = "vocabulary_concept"
    __table_args__ = (
        CheckConstraint("kind IN ('occupation', 'industry', 'skill')", name="kind"),
        Index("ix_vocabulary_concept_scheme_parent", "scheme", "parent_code"),
    )

    scheme: Mapped[str] = mapped_column(
        ForeignKey("vocabulary.scheme", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(200), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    level: Mapped[int] = mapped_column(Integer)
    parent_code: Mapped[str | None] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(Text)
    name_en: Mapped[str | None] = mapped_column(Text)
    definition: Mapped[str | None] = mapped_column(Text)
    alt_labels: Mapped[list[str]] = mapped_column(JSON)
    digital: Mapped[bool] = mapped_column(Boolean)
    green: Mapped[bool] = mapped_column(Boolean)
    extra: Mapped[dict[str, Any]] = mapped_column(JSON)
    search_text: Mapped[str] = mapped_column(Text)


class VocabularyRelation(Base):
    """An ESCO occupation's essential or optional skill."""

    __tablename__ = "vocabulary_relation"
    __table_args__ = (
        CheckConstraint("relation_type IN ('essential', 'optional')", name="relation_type"),
        Index("ix_vocabulary_relation_skill", "scheme", "skill_code"),
    )

    scheme: Mapped[str] = mapped_column(
        ForeignKey("vocabulary.scheme", ondelete="CASCADE"), primary_key=True
    )
    occupation_code: Mapped[str] = mapped_column(String(200), primary_key=True)
    skill_code: Mapped[str] = mapped_column(String(200), primary_key=True)
    relation_type: Mapped[str] = mapped_column(String(16))
