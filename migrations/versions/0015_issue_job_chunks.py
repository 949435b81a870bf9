"""issue job chunks: items and results stored per chunk

Revision ID: 0015
Revises: 0011
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
# The head of this branch's base; the integrator re-chains at merge.
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "issue_job_chunk",
        sa.Column("job_id", sa.String(length=36), nullable=False),
        sa.Column("start", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("results", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["job_id"], ["issue_job.id"], name=op.f("fk_issue_job_chunk_job_id_issue_job")
        ),
        sa.PrimaryKeyConstraint("job_id", "start", name=op.f("pk_issue_job_chunk")),
    )


def downgrade() -> None:
    op.drop_table("issue_job_chunk")
