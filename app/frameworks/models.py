"""Tables of the framework registry: frameworks, their levels, level-to-level linkages,
referencing reports, ISCED-F.

Column limits follow the meta-standard (framework codes <= 64, level codes <= 32 characters);
free text is ``Text`` so a document the schema accepts never overflows a column on PostgreSQL.
The columns hold what is queried; ``QualificationFramework.document`` holds the whole
meta-standard v2 document (NULL for frameworks stored before v2: they are upgraded on read).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime


class QualificationFramework(Base):
    __tablename__ = "qualification_framework"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(Text)
    # ISO 3166-1 / 3166-2 code or a regional body's name (meta-standard v2).
    jurisdiction: Mapped[str] = mapped_column(String(64))
    version: Mapped[str] = mapped_column(Text)
    source_url: Mapped[str] = mapped_column(Text)
    credit_system: Mapped[str] = mapped_column(String(32))
    description: Mapped[str | None] = mapped_column(Text)
    document: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    levels: Mapped[list[FrameworkLevel]] = relationship(
        back_populates="framework", lazy="raise", order_by="FrameworkLevel.ordinal"
    )


class FrameworkLevel(Base):
    __tablename__ = "framework_level"
    __table_args__ = (
        UniqueConstraint("framework_id", "code"),
        UniqueConstraint("framework_id", "ordinal"),
        CheckConstraint("ordinal >= 1", name="ordinal_positive"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    framework_id: Mapped[str] = mapped_column(ForeignKey("qualification_framework.id"))
    code: Mapped[str] = mapped_column(String(32))
    ordinal: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(Text)
    # {domain code: text or {language: text}}: always read and written as a whole.
    descriptors: Mapped[dict[str, Any]] = mapped_column(JSON)
    typical_volume: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))

    framework: Mapped[QualificationFramework] = relationship(back_populates="levels", lazy="raise")


class FrameworkLinkage(Base):
    """A stated correspondence from a level of one framework to a level of another.

    No ORM relationships: linkages are always read as rows of codes (repository.linkage_rows),
    which is what the API and the equivalence graph need.
    """

    __tablename__ = "framework_linkage"
    __table_args__ = (
        UniqueConstraint("source_level_id", "target_level_id"),
        CheckConstraint(
            "relation IN ('exactMatch', 'closeMatch', 'broadMatch', 'narrowMatch')",
            name="relation",
        ),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    source_level_id: Mapped[str] = mapped_column(ForeignKey("framework_level.id"))
    target_level_id: Mapped[str] = mapped_column(ForeignKey("framework_level.id"), index=True)
    relation: Mapped[str] = mapped_column(String(16))
    # A referencing report's URL or a written justification: who says these levels match.
    source: Mapped[str] = mapped_column(Text)
    # Set for linkages derived from a referencing report: they carry its status.
    report_id: Mapped[str | None] = mapped_column(ForeignKey("referencing_report.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ReferencingReport(Base):
    """A referencing report of one framework to a reference framework, kept as data.

    ``document`` is the report as posted; ``credential_id`` the signed credential that
    publishes it (a row of the credential table, known here by id only).
    """

    __tablename__ = "referencing_report"
    __table_args__ = (
        CheckConstraint("status IN ('official', 'proposed', 'withdrawn')", name="status"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    framework_id: Mapped[str] = mapped_column(ForeignKey("qualification_framework.id"), index=True)
    target_framework_id: Mapped[str] = mapped_column(ForeignKey("qualification_framework.id"))
    status: Mapped[str] = mapped_column(String(16))
    approved_on: Mapped[str] = mapped_column(String(10))
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    credential_id: Mapped[str | None] = mapped_column(ForeignKey("credential.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class IscedField(Base):
    """An ISCED-F 2013 field of education and training; shipped data, loaded by migration."""

    __tablename__ = "isced_field"

    code: Mapped[str] = mapped_column(String(4), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(8))
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("isced_field.code"), index=True)
