"""credit bank: pathways, transfer rules, pathway awards

Revision ID: 0013
Revises: 0007
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pathway",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("issuer_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("target_achievement_id", sa.String(length=36), nullable=False),
        sa.Column("target_achievement_url", sa.String(length=2000), nullable=False),
        sa.Column("required_achievements", sa.JSON(), nullable=False),
        sa.Column("requirements", sa.JSON(), nullable=False),
        sa.Column("min_credits", sa.Float(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["issuer_id"], ["issuer.id"], name=op.f("fk_pathway_issuer_id_issuer")),
        sa.ForeignKeyConstraint(
            ["target_achievement_id"],
            ["achievement.id"],
            name=op.f("fk_pathway_target_achievement_id_achievement"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pathway")),
    )
    op.create_index(op.f("ix_pathway_issuer_id"), "pathway", ["issuer_id"], unique=False)
    op.create_index(
        op.f("ix_pathway_target_achievement_id"), "pathway", ["target_achievement_id"], unique=False
    )
    op.create_index(
        op.f("ix_pathway_target_achievement_url"), "pathway", ["target_achievement_url"], unique=False
    )
    op.create_table(
        "transfer_rule",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("issuer_id", sa.String(length=36), nullable=False),
        sa.Column("pathway_id", sa.String(length=36), nullable=False),
        sa.Column("credential_id", sa.String(length=36), nullable=False),
        sa.Column("source_issuer", sa.String(length=2000), nullable=False),
        sa.Column("source_achievement", sa.String(length=2000), nullable=True),
        sa.Column("source_framework", sa.String(length=64), nullable=True),
        sa.Column("source_level", sa.String(length=32), nullable=True),
        sa.Column("source_isced_f", sa.String(length=4), nullable=True),
        sa.Column("requirement", sa.String(length=200), nullable=True),
        sa.Column("credits", sa.Float(), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["credential_id"], ["credential.id"], name=op.f("fk_transfer_rule_credential_id_credential")
        ),
        sa.ForeignKeyConstraint(
            ["issuer_id"], ["issuer.id"], name=op.f("fk_transfer_rule_issuer_id_issuer")
        ),
        sa.ForeignKeyConstraint(
            ["pathway_id"], ["pathway.id"], name=op.f("fk_transfer_rule_pathway_id_pathway")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transfer_rule")),
        sa.UniqueConstraint("credential_id", name=op.f("uq_transfer_rule_credential_id")),
    )
    op.create_index(op.f("ix_transfer_rule_issuer_id"), "transfer_rule", ["issuer_id"], unique=False)
    op.create_index(op.f("ix_transfer_rule_pathway_id"), "transfer_rule", ["pathway_id"], unique=False)
    op.create_table(
        "pathway_award",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("pathway_id", sa.String(length=36), nullable=False),
        sa.Column("recipient_key", sa.String(length=64), nullable=False),
        sa.Column("credential_id", sa.String(length=36), nullable=False),
        sa.Column("clr_credential_id", sa.String(length=36), nullable=True),
        sa.Column("counted", sa.JSON(), nullable=False),
        sa.Column("credits", sa.Float(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["clr_credential_id"],
            ["credential.id"],
            name=op.f("fk_pathway_award_clr_credential_id_credential"),
        ),
        sa.ForeignKeyConstraint(
            ["credential_id"], ["credential.id"], name=op.f("fk_pathway_award_credential_id_credential")
        ),
        sa.ForeignKeyConstraint(
            ["pathway_id"], ["pathway.id"], name=op.f("fk_pathway_award_pathway_id_pathway")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pathway_award")),
        sa.UniqueConstraint("credential_id", name=op.f("uq_pathway_award_credential_id")),
        sa.UniqueConstraint(
            "pathway_id", "recipient_key", name=op.f("uq_pathway_award_pathway_id_recipient_key")
        ),
    )


def downgrade() -> None:
    op.drop_table("pathway_award")
    op.drop_table("transfer_rule")
    op.drop_table("pathway")
