"""A status change of our own credential shows in the very next verification, with caching on.

Production keeps our own keys and level meanings for a moment
(``LEARNPROOF_OWN_DOCUMENTS_CACHE_SECONDS``); status lists are never served stale from that
cache, so a reinstated credential is not reported "suspended" for the next seconds.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.config import Settings
from app.verification.fetch import Fetcher
from app.verification.state import OwnDocumentCaches, VerificationState
from tests.credentials.factories import World


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # Far longer than a test: a stale answer could only come from the cache.
    return settings.model_copy(update={"own_documents_cache_seconds": 300})


@pytest.fixture(autouse=True)
def caching_state(app: FastAPI, fetcher: Fetcher) -> VerificationState:
    state = VerificationState(fetcher=fetcher, own_documents=OwnDocumentCaches.with_ttl(300))
    app.state.verification = state
    return state


def _status(client: TestClient, credential: Any) -> list[str]:
    body = client.post("/credentials/verify", json={"verifiableCredential": credential}).json()
    return [c["outcome"] + ": " + c["reason"] for c in body["checks"] if c["check"] == "status"]


def test_suspend_then_reinstate_shows_at_once(world: World) -> None:
    world.achievement = world.create_achievement(suspendable=True)
    issued = world.issue()
    vc, path = issued["credential"], f"/v1/credentials/{issued['id']}"
    client = world.client
    assert all(s.startswith("passed") for s in _status(client, vc))

    assert client.post(f"{path}/suspend", headers=world.revoke_headers).status_code == 200
    assert any(s.startswith("failed: suspended") for s in _status(client, vc))
    page = client.get(f"/credentials/{issued['id']}").text
    assert "The issuer has suspended this credential" in page

    assert client.post(f"{path}/reinstate", headers=world.revoke_headers).status_code == 200
    assert all(s.startswith("passed") for s in _status(client, vc)), _status(client, vc)
    page = client.get(f"/credentials/{issued['id']}").text
    assert '<h2 id="result-title">Verified</h2>' in page

    assert client.post(f"{path}/revoke", headers=world.revoke_headers).status_code == 200
    assert any(s.startswith("failed: revoked") for s in _status(client, vc))


def _key_binding(client: TestClient, credential: Any) -> dict[str, Any]:
    body = client.post("/credentials/verify", json={"verifiableCredential": credential}).json()
    return next(c for c in body["checks"] if c["check"] == "key_binding")


def test_a_cached_key_goes_with_its_issuer_context(
    world: World, caching_state: VerificationState
) -> None:
    """Our keys, read as verification methods, are kept with the issuer context they came
    from: once that context is read afresh (its cache time is over), so is the key."""
    vc = world.issue()["credential"]
    assert _key_binding(world.client, vc)["outcome"] == "passed"
    assert world.client.post(
        f"/v1/issuers/{world.slug}/keys", json={}, headers=world.admin
    ).status_code == 201  # fmt: skip
    kid = vc["proof"][0]["verificationMethod"].split("#")[1]
    revoked = world.client.post(
        f"/v1/issuers/{world.slug}/keys/{kid}/revoke",
        json={"reason": "laptop stolen"},
        headers=world.admin,
    )
    assert revoked.status_code == 200, revoked.text
    # Within the cache time the context, and so the key, are the ones read before.
    assert _key_binding(world.client, vc)["outcome"] == "passed"

    caching_state.own_documents.issuers.clear()  # as when the cache time is over
    binding = _key_binding(world.client, vc)
    assert binding["outcome"] == "failed"
    assert "laptop stolen" in binding["reason"]
