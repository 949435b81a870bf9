from __future__ import annotations

from datetime import datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from app.audit import service


def test_key_events_are_audited_and_filterable(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    issuer = {"slug": "uni", "name": "U", "url": "https://u.example", "email": "b@u.example"}
    assert client.post("/v1/issuers", json=issuer, headers=admin_headers).status_code == 201
    created = client.post(
        "/v1/api-keys",
        json={"name": "uni-issuer", "scope": "issue", "issuer": "uni"},
        headers=admin_headers,
    ).json()
    client.post(f"/v1/api-keys/{created['id']}/revoke", headers=admin_headers)
    page = client.get("/v1/audit-events", params={"issuer": "uni"}, headers=admin_headers).json()
    kinds = [e["action"] for e in page["items"]]
    assert kinds == ["issuer.created", "apikey.created", "apikey.revoked"]
    assert page["items"][2]["actor"] == "apikey:test-admin"
    only = client.get(
        "/v1/audit-events", params={"kind": "apikey.revoked"}, headers=admin_headers
    ).json()
    assert [e["action"] for e in only["items"]] == ["apikey.revoked"]


def test_audit_log_is_append_only(session: Session, now: datetime) -> None:
    event = service.record(session, actor="t", action="test.event", now=now)
    session.flush()
    with pytest.raises(DBAPIError, match="append-only"), session.begin_nested():
        session.execute(text("UPDATE audit_event SET actor = 'x' WHERE id = :id"), {"id": event.id})
    with pytest.raises(DBAPIError, match="append-only"), session.begin_nested():
        session.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": event.id})
