"""PostgreSQL: compress stored credentials (JSON-LD document, VC-JWT) with lz4, not pglz

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07

Both values exceed PostgreSQL's 2 KB TOAST threshold, so every issuance compresses them; with
pglz that was about a tenth of PostgreSQL's CPU per single issuance (README "Figures", early
morning). Only the column's method for new values changes (no rewrite: existing rows stay as
they are, and PostgreSQL reads both). A server built without lz4 keeps pglz. SQLite: nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from app.migrate import set_toast_compression

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = ("document", "jwt")


def upgrade() -> None:
    set_toast_compression(op.get_bind(), "credential", _COLUMNS, "lz4")


def downgrade() -> None:
    set_toast_compression(op.get_bind(), "credential", _COLUMNS, "DEFAULT")
