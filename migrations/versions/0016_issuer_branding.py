"""issuer and achievement branding: colour, signatory, signature and background images

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLES = ("issuer", "achievement")


def _columns() -> list[sa.Column[object]]:
    return [
        sa.Column("brand_color", sa.String(length=7), nullable=True),
        sa.Column("signatory_name", sa.String(length=200), nullable=True),
        sa.Column("signatory_title", sa.String(length=200), nullable=True),
        sa.Column("signature_image", sa.Text(), nullable=True),
        sa.Column("background_image", sa.Text(), nullable=True),
    ]


def _issuer_image(old: str, new: str) -> None:
    """issuer.image now also holds a logo as a data: URL (up to 512 KB), so it becomes TEXT.

    SQLite would rebuild the table, and dropping a table that others reference fails with
    foreign keys on; a declared type changes nothing on disk in SQLite, so its schema text
    is edited in place (as 0010 does), the procedure SQLite documents for such changes.
    """
    bind = op.get_bind()
    types = {"VARCHAR(2000)": sa.String(length=2000), "TEXT": sa.Text()}
    if bind.dialect.name != "sqlite":
        op.alter_column(
            "issuer", "image", existing_type=types[old], type_=types[new], existing_nullable=True
        )
        return
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar_one()
    bind.exec_driver_sql("PRAGMA writable_schema=ON")
    bind.exec_driver_sql(
        "UPDATE sqlite_master SET sql = replace(sql, ?, ?) WHERE type = 'table' AND name = 'issuer'",
        (f"image {old}", f"image {new}"),
    )
    bind.exec_driver_sql(f"PRAGMA schema_version={int(version) + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema=OFF")


def upgrade() -> None:
    _issuer_image("VARCHAR(2000)", "TEXT")
    for table in _TABLES:
        for column in _columns():
            op.add_column(table, column)


def downgrade() -> None:
    for table in _TABLES:
        for column in _columns():
            op.drop_column(table, column.name)
    # A logo stored as a data: URL does not fit the old column: it is dropped, not cut.
    op.execute("UPDATE issuer SET image = NULL WHERE length(image) > 2000")
    _issuer_image("TEXT", "VARCHAR(2000)")
