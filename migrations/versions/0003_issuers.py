"""issuers, encrypted signing keys and the master-key check

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('issuer',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('slug', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('url', sa.String(length=2000), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('image', sa.String(length=2000), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_issuer')),
    sa.UniqueConstraint('slug', name=op.f('uq_issuer_slug'))
    )
    op.create_table('keystore_check',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_keystore_check'))
    )
    op.create_table('signing_key',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('issuer_id', sa.String(length=36), nullable=False),
    sa.Column('fragment', sa.String(length=32), nullable=False),
    sa.Column('key_type', sa.String(length=16), nullable=False),
    sa.Column('public_multikey', sa.String(length=128), nullable=False),
    sa.Column('public_jwk', sa.JSON(), nullable=False),
    sa.Column('encrypted_private_key', sa.LargeBinary(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revocation_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['issuer_id'], ['issuer.id'], name=op.f('fk_signing_key_issuer_id_issuer')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signing_key')),
    sa.UniqueConstraint('issuer_id', 'fragment', name=op.f('uq_signing_key_issuer_id_fragment'))
    )
    op.create_index(op.f('ix_signing_key_issuer_id'), 'signing_key', ['issuer_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_signing_key_issuer_id"), table_name="signing_key")
    op.drop_table("signing_key")
    op.drop_table("keystore_check")
    op.drop_table("issuer")
