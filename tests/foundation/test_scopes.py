"""An API key may hold several scopes (issue and revoke), by the API and the command line."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from app.auth import service
from app.auth.models import ApiKey
from app.auth.scopes import Scope, encode, grants
from app.cli import cli
from app.db import make_engine, make_sessionmaker
from tests.conftest import make_key
from tests.credentials.factories import World


@pytest.mark.parametrize(
    ("scopes", "stored"),
    [
        ({Scope.issue, Scope.revoke}, "issue revoke"),
        ({Scope.issue, Scope.read}, "issue"),
        ({Scope.admin, Scope.read, Scope.revoke}, "admin"),
        ({Scope.read}, "read"),
    ],
)
def test_scopes_are_stored_as_the_fewest_that_grant_the_same(
    scopes: set[Scope], stored: str
) -> None:
    assert encode(scopes) == stored
    assert len(stored) <= 16  # the api_key.scope column


def test_a_key_with_issue_and_revoke_may_do_both(
    client: TestClient, session: Session, admin_headers: dict[str, str]
) -> None:
    world = World(client, session, admin_headers)
    created = client.post(
        "/v1/api-keys",
        json={"name": "platform", "scope": ["issue", "revoke"], "issuer": world.slug},
        headers=admin_headers,
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["scope"] == "issue revoke"
    assert body["scopes"] == ["issue", "revoke"]
    headers = {"Authorization": f"Bearer {body['key']}"}
    issued = world.issue(headers=headers)
    revoked = client.post(
        f"/v1/credentials/{issued['id']}/revoke", json={"reason": "test"}, headers=headers
    )
    assert revoked.status_code == 200, revoked.text
    # Still no admin: it cannot create keys.
    refused = client.post(
        "/v1/api-keys", json={"name": "x", "scope": "read", "issuer": world.slug}, headers=headers
    )
    assert refused.status_code == 403


def test_a_key_cannot_create_a_key_with_a_scope_it_lacks(
    client: TestClient, session: Session
) -> None:
    principal = service.Principal(key_id="k", name="n", scope="issue revoke", issuer_slug=None)
    assert grants(principal.scope, Scope.read)
    assert not grants(principal.scope, Scope.admin)
    bound_admin = {"Authorization": f"Bearer {make_key(session, Scope.admin)}"}
    world = World(client, session, bound_admin)
    issuer_admin = client.post(
        "/v1/api-keys",
        json={"name": "ia", "scope": "admin", "issuer": world.slug},
        headers=bound_admin,
    ).json()["key"]
    ok = client.post(
        "/v1/api-keys",
        json={"name": "two", "scope": ["revoke", "issue"], "issuer": world.slug},
        headers={"Authorization": f"Bearer {issuer_admin}"},
    )
    assert ok.status_code == 201, ok.text


@pytest.mark.parametrize(
    "scope", [[], ["issue", "root"], ["issue"] * 5, "issue revoke", {"issue": True}]
)
def test_bad_scope_lists_are_refused(
    client: TestClient, admin_headers: dict[str, str], scope: Any
) -> None:
    response = client.post(
        "/v1/api-keys", json={"name": "x", "scope": scope}, headers=admin_headers
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"


def test_a_one_scope_key_stored_before_still_works(
    client: TestClient, session: Session, now: datetime
) -> None:
    record, secret = service.create_key(
        session, name="old", scope=Scope.revoke, issuer_slug=None, now=now, actor="t"
    )
    session.commit()
    assert record.scope == "revoke"
    principal = service.authenticate(session, secret, now=now)
    assert principal.scopes == frozenset({Scope.revoke})
    listed = client.get(
        "/v1/api-keys", headers={"Authorization": f"Bearer {make_key(session, Scope.admin)}"}
    )
    mine = [k for k in listed.json() if k["id"] == record.id]
    assert mine[0]["scope"] == "revoke"
    assert mine[0]["scopes"] == ["revoke"]


def test_the_command_line_takes_scope_more_than_once(
    fresh_database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEARNPROOF_DATABASE_URL", fresh_database_url)
    monkeypatch.setenv("LEARNPROOF_KEYS_DIR", str(tmp_path / "keys"))
    monkeypatch.setenv("LEARNPROOF_ENV", "test")
    runner = CliRunner()
    assert runner.invoke(cli, ["db", "upgrade"]).exit_code == 0
    created = runner.invoke(
        cli, ["apikey", "create", "--name", "ops", "--scope", "issue", "--scope", "revoke"]
    )
    assert created.exit_code == 0, created.output
    assert "scope issue revoke" in created.output
    secret = created.stdout.strip().splitlines()[-1]
    engine = make_engine(fresh_database_url)
    try:
        with make_sessionmaker(engine)() as session:
            principal = service.authenticate(session, secret, now=datetime.now(UTC))
            assert principal.scopes == frozenset({Scope.issue, Scope.revoke})
            stored = session.scalars(select(ApiKey.scope)).all()
            assert stored == ["issue revoke"]
    finally:
        engine.dispose()
    assert "issue revoke" in runner.invoke(cli, ["apikey", "list"]).output
