"""status lists and status entries

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('status_list',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('issuer_id', sa.String(length=36), nullable=False),
    sa.Column('purpose', sa.String(length=16), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('allocated_count', sa.Integer(), nullable=False),
    sa.Column('occupancy', sa.LargeBinary(), nullable=False),
    sa.Column('bits', sa.LargeBinary(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('full', sa.Boolean(), nullable=False),
    sa.Column('published_document', sa.JSON(), nullable=True),
    sa.Column('published_jwt', sa.Text(), nullable=True),
    sa.Column('published_version', sa.Integer(), nullable=True),
    sa.Column('etag', sa.String(length=80), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['issuer_id'], ['issuer.id'], name=op.f('fk_status_list_issuer_id_issuer')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_status_list')),
    sa.UniqueConstraint('issuer_id', 'purpose', 'number', name=op.f('uq_status_list_issuer_id_purpose_number'))
    )
    op.create_table('status_entry',
    sa.Column('credential_id', sa.String(length=36), nullable=False),
    sa.Column('purpose', sa.String(length=16), nullable=False),
    sa.Column('list_id', sa.String(length=36), nullable=False),
    sa.Column('index', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['credential_id'], ['credential.id'], name=op.f('fk_status_entry_credential_id_credential')),
    sa.ForeignKeyConstraint(['list_id'], ['status_list.id'], name=op.f('fk_status_entry_list_id_status_list')),
    sa.PrimaryKeyConstraint('credential_id', 'purpose', name=op.f('pk_status_entry')),
    sa.UniqueConstraint('list_id', 'index', name=op.f('uq_status_entry_list_id_index'))
    )


def downgrade() -> None:
    op.drop_table("status_entry")
    op.drop_table("status_list")
