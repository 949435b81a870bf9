"""achievements and credentials

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('achievement',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('issuer_id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=500), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('criteria_narrative', sa.Text(), nullable=True),
    sa.Column('criteria_url', sa.String(length=2000), nullable=True),
    sa.Column('achievement_type', sa.String(length=100), nullable=True),
    sa.Column('image', sa.String(length=2000), nullable=True),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('skills', sa.JSON(), nullable=False),
    sa.Column('result_descriptions', sa.JSON(), nullable=False),
    sa.Column('framework_levels', sa.JSON(), nullable=False),
    sa.Column('isced_f', sa.String(length=4), nullable=True),
    sa.Column('credits_available', sa.Float(), nullable=True),
    sa.Column('suspendable', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['issuer_id'], ['issuer.id'], name=op.f('fk_achievement_issuer_id_issuer')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_achievement'))
    )
    op.create_index(op.f('ix_achievement_issuer_id'), 'achievement', ['issuer_id'], unique=False)
    op.create_table('credential',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('issuer_id', sa.String(length=36), nullable=False),
    sa.Column('achievement_id', sa.String(length=36), nullable=True),
    sa.Column('signing_key_id', sa.String(length=36), nullable=False),
    sa.Column('recipient_name', sa.String(length=500), nullable=True),
    sa.Column('recipient_identity_hash', sa.String(length=100), nullable=True),
    sa.Column('recipient_salt', sa.String(length=64), nullable=True),
    sa.Column('recipient_did', sa.String(length=2000), nullable=True),
    sa.Column('external_id', sa.String(length=200), nullable=True),
    sa.Column('idempotency_key', sa.String(length=200), nullable=True),
    sa.Column('request_hash', sa.String(length=64), nullable=True),
    sa.Column('document', sa.JSON(), nullable=False),
    sa.Column('jwt', sa.Text(), nullable=False),
    sa.Column('valid_from', sa.DateTime(timezone=True), nullable=False),
    sa.Column('valid_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('status_reason', sa.Text(), nullable=True),
    sa.Column('status_changed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('public_page', sa.Boolean(), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['achievement_id'], ['achievement.id'], name=op.f('fk_credential_achievement_id_achievement')),
    sa.ForeignKeyConstraint(['issuer_id'], ['issuer.id'], name=op.f('fk_credential_issuer_id_issuer')),
    sa.ForeignKeyConstraint(['signing_key_id'], ['signing_key.id'], name=op.f('fk_credential_signing_key_id_signing_key')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credential')),
    sa.UniqueConstraint('issuer_id', 'external_id', name=op.f('uq_credential_issuer_id_external_id')),
    sa.UniqueConstraint('issuer_id', 'idempotency_key', name=op.f('uq_credential_issuer_id_idempotency_key'))
    )
    op.create_index(op.f('ix_credential_achievement_id'), 'credential', ['achievement_id'], unique=False)
    op.create_index('ix_credential_issuer_id_issued_at', 'credential', ['issuer_id', 'issued_at'], unique=False)
    op.create_index(op.f('ix_credential_signing_key_id'), 'credential', ['signing_key_id'], unique=False)
    op.create_index(op.f('ix_credential_status'), 'credential', ['status'], unique=False)


def downgrade() -> None:
    op.drop_table("credential")
    op.drop_table("achievement")
