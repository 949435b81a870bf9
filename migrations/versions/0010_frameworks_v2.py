"""meta-standard v2: framework documents, referencing reports, accreditation; AQRF and cn-vsl

Revision ID: 0010
Revises: 0007
Create Date: 2026-12-06
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

from app.frameworks import meta

revision: str = "0010"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Lightweight tables for the shipped data (a migration must not import the ORM models).
_framework = sa.table(
    "qualification_framework",
    sa.column("id", sa.String),
    sa.column("code", sa.String),
    sa.column("name", sa.Text),
    sa.column("jurisdiction", sa.String),
    sa.column("version", sa.Text),
    sa.column("source_url", sa.Text),
    sa.column("credit_system", sa.String),
    sa.column("description", sa.Text),
    sa.column("document", sa.JSON(none_as_null=True)),
    sa.column("created_at", sa.DateTime(timezone=True)),
)
_level = sa.table(
    "framework_level",
    sa.column("id", sa.String),
    sa.column("framework_id", sa.String),
    sa.column("code", sa.String),
    sa.column("ordinal", sa.Integer),
    sa.column("name", sa.Text),
    sa.column("descriptors", sa.JSON),
    sa.column("typical_volume", sa.JSON(none_as_null=True)),
)


def _jurisdiction_length(old: int, new: int) -> None:
    """Widen (or narrow) qualification_framework.jurisdiction.

    SQLite would rebuild the table, and dropping a table that others reference fails with
    foreign keys on (they cannot be switched off inside the migration's transaction). A
    declared VARCHAR length changes nothing on disk in SQLite, so its schema text is edited
    in place, the procedure SQLite documents for changes without on-disk effect.
    """
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        with op.batch_alter_table("qualification_framework", schema=None) as batch_op:
            batch_op.alter_column(
                "jurisdiction",
                existing_type=sa.String(length=old),
                type_=sa.String(length=new),
                existing_nullable=False,
            )
        return
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar_one()
    bind.exec_driver_sql("PRAGMA writable_schema=ON")
    bind.exec_driver_sql(
        "UPDATE sqlite_master SET sql = replace(sql, ?, ?) "
        "WHERE type = 'table' AND name = 'qualification_framework'",
        (f"jurisdiction VARCHAR({old})", f"jurisdiction VARCHAR({new})"),
    )
    bind.exec_driver_sql(f"PRAGMA schema_version={int(version) + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema=OFF")


def upgrade() -> None:
    op.create_table(
        "referencing_report",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("framework_id", sa.String(length=36), nullable=False),
        sa.Column("target_framework_id", sa.String(length=36), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("approved_on", sa.String(length=10), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("credential_id", sa.String(length=36), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('official', 'proposed', 'withdrawn')",
            name=op.f("ck_referencing_report_status"),
        ),
        sa.ForeignKeyConstraint(
            ["credential_id"], ["credential.id"],
            name=op.f("fk_referencing_report_credential_id_credential"),
        ),
        sa.ForeignKeyConstraint(
            ["framework_id"], ["qualification_framework.id"],
            name=op.f("fk_referencing_report_framework_id_qualification_framework"),
        ),
        sa.ForeignKeyConstraint(
            ["target_framework_id"], ["qualification_framework.id"],
            name=op.f("fk_referencing_report_target_framework_id_qualification_framework"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referencing_report")),
    )  # fmt: skip
    with op.batch_alter_table("referencing_report", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_referencing_report_framework_id"), ["framework_id"], unique=False
        )
    _jurisdiction_length(3, 64)
    # A plain ADD COLUMN: SQLite needs no table rebuild for it.
    op.add_column("qualification_framework", sa.Column("document", sa.JSON(), nullable=True))
    with op.batch_alter_table("framework_linkage", schema=None) as batch_op:
        batch_op.add_column(sa.Column("report_id", sa.String(length=36), nullable=True))
        batch_op.create_index(batch_op.f("ix_framework_linkage_report_id"), ["report_id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_framework_linkage_report_id_referencing_report"),
            "referencing_report",
            ["report_id"],
            ["id"],
        )
    op.create_table(
        "trusted_accreditor",
        sa.Column("did", sa.String(length=500), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("did", name=op.f("pk_trusted_accreditor")),
    )
    op.create_table(
        "accreditation",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("accreditor_issuer_id", sa.String(length=36), nullable=True),
        sa.Column("accreditor_did", sa.String(length=500), nullable=False),
        sa.Column("accredited_issuer", sa.String(length=500), nullable=False),
        sa.Column("limits", sa.JSON(), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("credential_id", sa.String(length=36), nullable=True),
        sa.Column("document", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["accreditor_issuer_id"], ["issuer.id"],
            name=op.f("fk_accreditation_accreditor_issuer_id_issuer"),
        ),
        sa.ForeignKeyConstraint(
            ["credential_id"], ["credential.id"],
            name=op.f("fk_accreditation_credential_id_credential"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accreditation")),
    )  # fmt: skip
    with op.batch_alter_table("accreditation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_accreditation_accreditor_issuer_id"), ["accreditor_issuer_id"]
        )
        batch_op.create_index(
            batch_op.f("ix_accreditation_accredited_issuer"), ["accredited_issuer"]
        )
    _load_shipped_data()


def _stored(doc: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in doc.items() if key != "linkages"}


def _load_shipped_data() -> None:
    bind = op.get_bind()
    now = datetime.now(UTC)
    if bind.dialect.name == "sqlite":
        now = now.replace(tzinfo=None)  # as app.db.UTCDateTime stores it
    eqf = meta.load_built_in("eqf")
    bind.execute(
        _framework.update()
        .where(_framework.c.code == "eqf")
        .values(document=_stored(eqf), jurisdiction=eqf["jurisdiction"])
    )
    for code in ("aqrf", "cn-vsl"):
        doc = meta.load_built_in(code)
        framework_id = str(uuid.uuid4())
        description = doc.get("description")
        op.bulk_insert(
            _framework,
            [
                {
                    "id": framework_id,
                    "code": code,
                    "name": meta.text_in(doc["name"]),
                    "jurisdiction": doc["jurisdiction"],
                    "version": doc["version"],
                    "source_url": doc["source_url"],
                    "credit_system": meta.credit_unit(doc),
                    "description": meta.text_in(description) if description else None,
                    "document": _stored(doc),
                    "created_at": now,
                }
            ],
        )
        op.bulk_insert(
            _level,
            [
                {
                    "id": str(uuid.uuid4()),
                    "framework_id": framework_id,
                    "code": level["code"],
                    "ordinal": level["ordinal"],
                    "name": meta.text_in(level["name"]),
                    "descriptors": level["descriptors"],
                    "typical_volume": level.get("typical_volume"),
                }
                for level in doc["levels"]
            ],
        )


def downgrade() -> None:
    bind = op.get_bind()
    for code in ("aqrf", "cn-vsl"):
        ids = sa.select(_framework.c.id).where(_framework.c.code == code).scalar_subquery()
        bind.execute(_level.delete().where(_level.c.framework_id == ids))
        bind.execute(_framework.delete().where(_framework.c.code == code))
    op.drop_table("accreditation")
    op.drop_table("trusted_accreditor")
    with op.batch_alter_table("framework_linkage", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_framework_linkage_report_id_referencing_report"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_framework_linkage_report_id"))
        batch_op.drop_column("report_id")
    op.drop_column("qualification_framework", "document")
    _jurisdiction_length(64, 3)
    op.drop_table("referencing_report")
