"""audit log: hash chain, chain head, TRUNCATE guard on PostgreSQL

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06

Existing rows are chained in id order (the append-only triggers are lifted for the
backfill only, inside this migration's transaction).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.audit import chain

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SQLITE_TRIGGERS = {
    verb: (
        f"CREATE TRIGGER audit_event_no_{verb.lower()} BEFORE {verb} ON audit_event "
        "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END"
    )
    for verb in ("UPDATE", "DELETE")
}

_events = sa.table(
    "audit_event",
    sa.column("id", sa.BigInteger()),
    sa.column("occurred_at", sa.DateTime(timezone=True)),
    sa.column("actor", sa.String()),
    sa.column("action", sa.String()),
    sa.column("issuer_slug", sa.String()),
    sa.column("credential_id", sa.String()),
    sa.column("details", sa.JSON()),
    sa.column("prev_hash", sa.String()),
    sa.column("entry_hash", sa.String()),
)


def _is_postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def _lift_triggers() -> None:
    if _is_postgresql():
        op.execute("ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_change")
    else:
        for verb in _SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS audit_event_no_{verb.lower()}")


def _restore_triggers() -> None:
    if _is_postgresql():
        op.execute("ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_change")
    else:
        for statement in _SQLITE_TRIGGERS.values():
            op.execute(statement)


def _utc(value: object) -> object:
    # SQLite hands back naive UTC datetimes (the app's UTCDateTime adds the zone).
    from datetime import UTC, datetime

    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def upgrade() -> None:
    op.create_table(
        "audit_chain_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_event_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_chain_head")),
    )
    _lift_triggers()
    with op.batch_alter_table("audit_event") as batch_op:
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("entry_hash", sa.String(length=64), nullable=True))

    bind = op.get_bind()
    previous, last_id = chain.GENESIS, None
    rows = bind.execute(sa.select(_events).order_by(_events.c.id)).mappings().all()
    for row in rows:
        digest = chain.entry_hash(
            prev_hash=previous,
            occurred_at=_utc(row["occurred_at"]),
            actor=row["actor"],
            action=row["action"],
            issuer_slug=row["issuer_slug"],
            credential_id=row["credential_id"],
            details=row["details"] or {},
        )
        bind.execute(
            _events.update()
            .where(_events.c.id == row["id"])
            .values(prev_hash=previous, entry_hash=digest)
        )
        previous, last_id = digest, row["id"]
    bind.execute(
        sa.table(
            "audit_chain_head",
            sa.column("id", sa.Integer()),
            sa.column("last_event_id", sa.BigInteger()),
            sa.column("last_hash", sa.String()),
        ).insert().values(id=1, last_event_id=last_id, last_hash=previous)
    )

    # SQLite rebuilds the table for NOT NULL, which drops its triggers: restore them after.
    with op.batch_alter_table("audit_event") as batch_op:
        batch_op.alter_column("prev_hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column("entry_hash", existing_type=sa.String(length=64), nullable=False)
    _restore_triggers()
    if _is_postgresql():
        # TRUNCATE skips row triggers; a statement-level one refuses it, whoever connects.
        op.execute(
            "CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()"
        )


def downgrade() -> None:
    if _is_postgresql():
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_event")
    _lift_triggers()
    with op.batch_alter_table("audit_event") as batch_op:
        batch_op.drop_column("entry_hash")
        batch_op.drop_column("prev_hash")
    _restore_triggers()
    op.drop_table("audit_chain_head")
