from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

from app import migrate
from app.db import make_engine
from app.model_registry import metadata


def test_upgrade_downgrade_upgrade(fresh_database_url: str) -> None:
    migrate.upgrade(fresh_database_url)
    engine = make_engine(fresh_database_url)
    try:
        assert migrate.current_revision(engine) == migrate.head_revision(fresh_database_url)
        assert {"api_key", "audit_event"} <= set(inspect(engine).get_table_names())
        migrate.downgrade(fresh_database_url, "base")
        assert migrate.current_revision(engine) is None
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        migrate.upgrade(fresh_database_url)
        # A second upgrade is a no-op.
        migrate.upgrade(fresh_database_url)
        assert migrate.current_revision(engine) == migrate.head_revision(fresh_database_url)
    finally:
        engine.dispose()


# SQLite reflection cannot read expression indexes, so neither side of the comparison sees this
# one there; PostgreSQL's run compares it, and tests/credentials/test_document_id_index.py
# checks that SQLite's planner uses it.
@pytest.mark.filterwarnings(
    "ignore:Skipped unsupported reflection of expression-based index ix_credential_document_id"
)
@pytest.mark.filterwarnings(
    "ignore:autogenerate skipping metadata-specified expression-based index "
    "'ix_credential_document_id'"
)
def test_models_and_migrations_do_not_drift(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, metadata)
    assert diff == []
