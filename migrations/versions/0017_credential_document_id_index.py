"""index credential documents by their own id (VC-API credentialId lookups)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Written exactly as app.credentials.models.document_id compiles, or the planners ignore it.
_EXPRESSION = {
    "sqlite": "json_extract(document, '$.id')",
    "postgresql": "(document ->> 'id')",
}


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.execute(f"CREATE INDEX ix_credential_document_id ON credential ({_EXPRESSION[dialect]})")


def downgrade() -> None:
    op.drop_index("ix_credential_document_id", table_name="credential")
