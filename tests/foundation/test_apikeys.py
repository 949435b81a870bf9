from __future__ import annotations

import hashlib
from datetime import datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth import service
from app.auth.models import ApiKey
from app.auth.scopes import Scope, grants
from app.errors import Forbidden, Unauthorized
from tests.conftest import make_key


def test_only_the_hash_is_stored(session: Session, now: datetime) -> None:
    record, secret = service.create_key(
        session, name="mooc", scope=Scope.issue, issuer_slug=None, now=now, actor="t"
    )
    assert secret.startswith(f"lp_{record.prefix}_")
    assert record.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    stored = session.scalars(select(ApiKey)).all()
    assert all(secret not in (k.key_hash, k.prefix, k.name) for k in stored)


def test_authenticate_and_revoke(session: Session, now: datetime) -> None:
    record, secret = service.create_key(
        session, name="mooc", scope=Scope.issue, issuer_slug="uni", now=now, actor="t"
    )
    principal = service.authenticate(session, secret, now=now)
    assert principal.scope == Scope.issue
    assert principal.issuer_slug == "uni"
    with pytest.raises(Unauthorized):
        service.authenticate(session, secret[:-1] + ("A" if secret[-1] != "A" else "B"), now=now)
    service.revoke_key(session, record.prefix, now=now, actor="t")
    with pytest.raises(Unauthorized, match="revoked"):
        service.authenticate(session, secret, now=now)


@pytest.mark.parametrize(
    ("held", "needed", "allowed"),
    [
        (Scope.admin, Scope.issue, True),
        (Scope.admin, Scope.revoke, True),
        (Scope.issue, Scope.read, True),
        (Scope.issue, Scope.revoke, False),
        (Scope.revoke, Scope.issue, False),
        (Scope.read, Scope.issue, False),
        (Scope.issue, Scope.admin, False),
    ],
)
def test_scope_grants(held: Scope, needed: Scope, allowed: bool) -> None:
    assert grants(held, needed) is allowed


def test_issuer_binding() -> None:
    bound = service.Principal(key_id="k", name="n", scope=Scope.issue, issuer_slug="uni")
    bound.require_issuer("uni")
    with pytest.raises(Forbidden, match="bound to issuer 'uni'"):
        bound.require_issuer("bootcamp")
    service.Principal(key_id="k", name="n", scope=Scope.admin, issuer_slug=None).require_issuer(
        "anything"
    )


def test_admin_api_creates_lists_and_revokes(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    created = client.post(
        "/v1/api-keys", json={"name": "reader", "scope": "read"}, headers=admin_headers
    )
    assert created.status_code == 201, created.text
    body = created.json()
    secret = body["key"]
    listed = client.get("/v1/api-keys", headers=admin_headers).json()
    assert any(k["id"] == body["id"] for k in listed)
    assert all("key" not in k and "key_hash" not in k for k in listed)
    reader = {"Authorization": f"Bearer {secret}"}
    assert client.get("/v1/api-keys", headers=reader).status_code == 403
    revoked = client.post(f"/v1/api-keys/{body['id']}/revoke", headers=admin_headers)
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"] is not None
    assert client.get("/v1/api-keys", headers=reader).status_code == 401


def test_revoking_unknown_key_is_404(client: TestClient, admin_headers: dict[str, str]) -> None:
    assert client.post("/v1/api-keys/nope/revoke", headers=admin_headers).status_code == 404


def test_non_admin_cannot_create_keys(client: TestClient, session: Session) -> None:
    key = make_key(session, Scope.issue)
    response = client.post(
        "/v1/api-keys",
        json={"name": "x", "scope": "admin"},
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 403


def test_binding_to_an_unknown_issuer_is_refused(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    response = client.post(
        "/v1/api-keys",
        json={"name": "x", "scope": "issue", "issuer": "nope"},
        headers=admin_headers,
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "issuer"
