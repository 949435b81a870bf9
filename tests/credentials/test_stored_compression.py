"""PostgreSQL stores credentials' documents and VC-JWTs (migration 0018) and status list rows
(migration 0019) compressed with lz4, and they read back unchanged."""

from __future__ import annotations

import pytest
from sqlalchemy import Connection, bindparam, text

from tests.credentials.factories import World


@pytest.fixture
def lz4(connection: Connection) -> None:
    """Skips unless the test database is a PostgreSQL built with lz4 (else the migrations
    keep pglz, and there is nothing to check)."""
    if connection.dialect.name != "postgresql":
        pytest.skip("column compression methods: PostgreSQL")
    available = connection.scalar(
        text(
            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
        )
    )
    if not available:
        pytest.skip("this PostgreSQL is built without lz4; the migration keeps pglz")


@pytest.mark.usefixtures("lz4")
def test_new_credentials_are_compressed_with_lz4(world: World, connection: Connection) -> None:
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


@pytest.mark.usefixtures("lz4")
def test_status_list_rows_are_compressed_with_lz4(world: World, connection: Connection) -> None:
    columns = ("bits", "occupancy", "published_document", "published_jwt")
    methods = dict(
        connection.execute(
            text(
                "SELECT attname, attcompression FROM pg_attribute "
                "WHERE attrelid = 'status_list'::regclass AND attname IN :columns"
            ).bindparams(bindparam("columns", expanding=True)),
            {"columns": list(columns)},
        ).all()
    )
    assert methods == dict.fromkeys(columns, "l")
    issued = world.issue()
    revoked = world.client.post(
        f"/v1/credentials/{issued['id']}/revoke", headers=world.revoke_headers
    )
    assert revoked.status_code == 200, revoked.text
    # The 16 KiB bitmaps exceed the 2 KB threshold: written (and rewritten) with lz4.
    rows = connection.execute(
        text(
            "SELECT pg_column_compression(bits), pg_column_compression(occupancy) "
            "FROM status_list JOIN status_entry ON status_entry.list_id = status_list.id "
            "WHERE status_entry.credential_id = :id"
        ),
        {"id": issued["id"]},
    ).all()
    assert rows
    assert {tuple(row) for row in rows} == {("lz4", "lz4")}
    report = world.client.post(
        "/credentials/verify", json={"verifiableCredential": issued["credential"]}
    ).json()
    assert report["verified"] is False
    assert "revoked" in str(report).lower()
