"""wallet offers (OID4VCI pre-authorized codes)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "wallet_offer",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("credential_id", sa.String(length=36), nullable=False),
        sa.Column("uri_hash", sa.String(length=64), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("tx_code_hash", sa.String(length=64), nullable=True),
        sa.Column("tx_code_attempts", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("redeemed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("access_token_hash", sa.String(length=64), nullable=True),
        sa.Column("token_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("origin", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["credential_id"],
            ["credential.id"],
            name=op.f("fk_wallet_offer_credential_id_credential"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wallet_offer")),
        sa.UniqueConstraint("access_token_hash", name=op.f("uq_wallet_offer_access_token_hash")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_wallet_offer_code_hash")),
        sa.UniqueConstraint("uri_hash", name=op.f("uq_wallet_offer_uri_hash")),
    )
    op.create_index(
        op.f("ix_wallet_offer_credential_id"), "wallet_offer", ["credential_id"], unique=False
    )
    op.create_index(
        op.f("ix_wallet_offer_expires_at"), "wallet_offer", ["expires_at"], unique=False
    )


def downgrade() -> None:
    op.drop_table("wallet_offer")
