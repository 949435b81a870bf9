"""POST /v1/credentials/{id}/offer: who may offer, what comes back, and what is stored."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.scopes import Scope
from app.wallet.models import WalletOffer
from tests.conftest import TEST_PUBLIC_URL, make_key
from tests.credentials.factories import World
from tests.support.issuers import create_issuer
from tests.wallet.holder import CONFIGURATION_ID, PRE_AUTHORIZED, make_offer, offer_uri


def _offer(client: TestClient, credential_id: str, key: str | None, **kwargs: Any) -> int:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    response = client.post(f"/v1/credentials/{credential_id}/offer", headers=headers, **kwargs)
    if response.status_code != 201:
        assert response.headers["content-type"] == "application/problem+json", response.text
    return response.status_code


def test_scope_and_issuer_binding(
    world: World, client: TestClient, session: Session, admin_headers: dict[str, str]
) -> None:
    credential_id = world.issue()["id"]
    other = create_issuer(client, admin_headers, slug="other-uni")["slug"]
    assert _offer(client, credential_id, None) == 401
    assert _offer(client, credential_id, "lp_bad_key") == 401
    assert _offer(client, credential_id, make_key(session, Scope.read, world.slug)) == 403
    assert _offer(client, credential_id, make_key(session, Scope.revoke, world.slug)) == 403
    assert _offer(client, credential_id, make_key(session, Scope.issue, other)) == 403
    assert _offer(client, credential_id, make_key(session, Scope.issue, world.slug)) == 201
    assert _offer(client, credential_id, make_key(session, Scope.issue)) == 201
    assert _offer(client, credential_id, make_key(session, Scope.admin)) == 201
    assert _offer(client, "no-such-credential", make_key(session, Scope.admin)) == 404


@pytest.mark.parametrize("body", [{"tx_code": "yes"}, {"tx_code": True, "extra": 1}, [1]])
def test_bad_bodies_are_problems(world: World, client: TestClient, body: Any) -> None:
    response = client.post(
        f"/v1/credentials/{world.issue()['id']}/offer", json=body, headers=world.issue_headers
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"


def test_answer_shape(world: World) -> None:
    offer = make_offer(world, world.issue()["id"], tx_code=False)
    assert set(offer) == {"credential_offer", "credential_offer_uri", "offer_url", "expires_at"}
    assert offer["expires_at"] == "2026-11-26T12:10:00Z"
    assert offer["credential_offer"] == {
        "credential_issuer": TEST_PUBLIC_URL,
        "credential_configuration_ids": [CONFIGURATION_ID],
        "grants": {PRE_AUTHORIZED: {"pre-authorized_code": offer_uri_code(offer)}},
    }
    response = world.client.post(
        f"/v1/credentials/{world.issue()['id']}/offer", headers=world.issue_headers
    )
    assert response.headers["cache-control"] == "no-store"


def offer_uri_code(offer: dict[str, Any]) -> str:
    code: str = offer["credential_offer"]["grants"][PRE_AUTHORIZED]["pre-authorized_code"]
    assert len(code) >= 43  # 256 bits, base64url
    return code


def test_only_digests_are_stored(world: World, session: Session) -> None:
    offer = make_offer(world, world.issue()["id"], tx_code=True)
    code = offer_uri_code(offer)
    secret = offer_uri(offer["offer_url"]).rsplit("/", 1)[1]
    [row] = session.scalars(select(WalletOffer)).all()
    stored = " ".join(str(v) for v in vars(row).values())
    for value in (code, secret, offer["tx_code"]):
        assert value not in stored
    assert row.code_hash == hashlib.sha256(code.encode()).hexdigest()
    assert row.uri_hash == hashlib.sha256(secret.encode()).hexdigest()
    # The transaction code's digest is keyed: a plain SHA-256 of six digits is not stored.
    assert row.tx_code_hash != hashlib.sha256(offer["tx_code"].encode()).hexdigest()
    assert row.tx_code_hash is not None
    assert row.access_token_hash is None


def test_dead_offers_are_purged_when_new_ones_are_made(
    world: World, session: Session, app: FastAPI
) -> None:
    credential_id = world.issue()["id"]
    make_offer(world, credential_id)
    app.state.clock.instant += timedelta(minutes=10)
    make_offer(world, credential_id)
    assert len(session.scalars(select(WalletOffer)).all()) == 1
