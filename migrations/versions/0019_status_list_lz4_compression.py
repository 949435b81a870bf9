"""PostgreSQL: compress status list rows (bits, occupancy, signed list) with lz4, not pglz

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07

Each revocation, suspension or reinstatement rewrites its list's row: the 16 KiB bitstring and
the re-signed list credential in both forms, all over PostgreSQL's 2 KB TOAST threshold once a
list holds a few thousand changed bits. With pglz, writing that row took 3.1 ms of a revocation
on a list holding 3,000 revoked bits; with lz4 0.9 ms (README "Figures", night of the 7th).
As in 0018, only the method for new values changes (no rewrite), and a server built without
lz4 keeps pglz. SQLite: nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from app.migrate import set_toast_compression

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = ("bits", "occupancy", "published_document", "published_jwt")


def upgrade() -> None:
    set_toast_compression(op.get_bind(), "status_list", _COLUMNS, "lz4")


def downgrade() -> None:
    set_toast_compression(op.get_bind(), "status_list", _COLUMNS, "DEFAULT")
