"""VC-API ``credentialId`` lookups are served by ix_credential_document_id, not a table scan.

The plan is read for the very statements the lookups run (``lifecycle.by_document_id``), so a
change to their SQL that the index no longer matches fails here on either database.
"""

from __future__ import annotations

import pytest
from sqlalchemy import Connection, Select, literal
from sqlalchemy.dialects.postgresql import psycopg

from app.credentials.lifecycle import by_document_id
from app.credentials.models import Credential


def _plan(connection: Connection, statement: Select[Credential]) -> str:
    compiled = statement.compile(dialect=connection.dialect)
    if connection.dialect.name == "sqlite":
        params = tuple(compiled.params[name] for name in compiled.positiontup or ())
        rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", params).all()
        return "\n".join(str(row[-1]) for row in rows)
    # A test table is nearly empty, where a sequential scan is cheapest: forbid it to see
    # whether the index can serve the query at all. The plan is the generic one (what psycopg's
    # prepared statements end up with), planned without the parameters' values: a path sent as
    # a parameter, as document["id"].as_string() does, matches the index only in custom plans.
    numbered = psycopg.dialect(paramstyle="numeric_dollar")
    prepared = statement.compile(dialect=numbered)
    params = tuple(prepared.params[name] for name in prepared.positiontup or ())
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    connection.exec_driver_sql("SET LOCAL plan_cache_mode = force_generic_plan")
    connection.exec_driver_sql(f"PREPARE by_document_id AS {prepared}")
    # EXPLAIN cannot type bound parameters of EXECUTE: the values are written as literals.
    values = ", ".join(
        str(literal(value).compile(dialect=numbered, compile_kwargs={"literal_binds": True}))
        for value in params
    )
    try:
        rows = connection.exec_driver_sql(f"EXPLAIN EXECUTE by_document_id({values})").all()
    finally:
        connection.exec_driver_sql("DEALLOCATE by_document_id")
    return "\n".join(str(row[0]) for row in rows)


# The unbound-key lookup (status changes), the issuer-bound one (status changes and the VC-API
# issuance check for a repeated caller-chosen id).
@pytest.mark.parametrize("issuer_id", [None, "an-issuer"])
def test_lookup_by_document_id_uses_the_index(
    connection: Connection, issuer_id: str | None
) -> None:
    plan = _plan(connection, by_document_id("https://example.org/c/1", issuer_id).limit(50))
    if connection.dialect.name == "sqlite":
        assert "USING INDEX ix_credential_document_id" in plan, plan
    else:
        assert "Index Scan using ix_credential_document_id" in plan or (
            "Bitmap Index Scan on ix_credential_document_id" in plan
        ), plan
