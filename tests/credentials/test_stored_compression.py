"""PostgreSQL stores credentials' documents and VC-JWTs compressed with lz4 (migration 0018),
and they read back unchanged."""

from __future__ import annotations

import pytest
from sqlalchemy import Connection, text

from tests.credentials.factories import World


def _lz4_available(connection: Connection) -> bool:
    return bool(
        connection.scalar(
            text(
                "SELECT 'lz4' = ANY(enumvals) FROM pg_settings "
                "WHERE name = 'default_toast_compression'"
            )
        )
    )


def test_new_credentials_are_compressed_with_lz4(world: World, connection: Connection) -> None:
    if connection.dialect.name != "postgresql":
        pytest.skip("column compression methods: PostgreSQL")
    if not _lz4_available(connection):
        pytest.skip("this PostgreSQL is built without lz4; the migration keeps pglz")
    methods = dict(
        connection.execute(
            text(
                "SELECT attname, attcompression FROM pg_attribute "
                "WHERE attrelid = 'credential'::regclass AND attname IN ('document', 'jwt')"
            )
        ).all()
    )
    assert methods == {"document": "l", "jwt": "l"}
    issued = world.issue()
    credential_id = issued["id"]
    row = connection.execute(
        text(
            "SELECT pg_column_compression(document), pg_column_compression(jwt) "
            "FROM credential WHERE id = :id"
        ),
        {"id": credential_id},
    ).one()
    # Both exceed the 2 KB threshold, so both were compressed, and with lz4.
    assert tuple(row) == ("lz4", "lz4")
    document = world.client.get(f"/credentials/{credential_id}.json")
    assert document.status_code == 200
    assert document.json() == issued["credential"]
    jwt = world.client.get(f"/credentials/{credential_id}.jwt")
    assert jwt.status_code == 200
    assert jwt.text == issued["jwt"]
