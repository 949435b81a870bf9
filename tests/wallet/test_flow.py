"""The whole pre-authorized code flow, driven like a wallet, from the platform's offer or the
learner's public page; the wallet ends up with exactly the stored credential."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.conftest import TEST_PUBLIC_URL
from tests.credentials.factories import World
from tests.interop.node import run_node
from tests.wallet.holder import PRE_AUTHORIZED, Wallet, make_offer, offer_uri

HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def _verifies(client: TestClient, credential: dict[str, Any]) -> None:
    response = client.post("/credentials/verify", json={"verifiableCredential": credential})
    assert response.status_code == 200, response.text
    assert response.json()["verified"] is True


def _audit(world: World, credential_id: str, kind: str) -> list[dict[str, Any]]:
    response = world.client.get(
        "/v1/audit-events",
        params={"credential": credential_id, "kind": kind},
        headers=world.admin,
    )
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def test_api_offer_delivers_exactly_the_stored_credential(
    world: World, wallet: Wallet, client: TestClient
) -> None:
    issued = world.issue()
    offer = make_offer(world, issued["id"])
    assert offer["offer_url"] == (
        "openid-credential-offer://?credential_offer_uri="
        + quote(offer["credential_offer_uri"], "")
    )
    assert offer["credential_offer_uri"].startswith(f"{TEST_PUBLIC_URL}/credential-offers/")
    assert "tx_code" not in offer
    # The offer served by reference is the one returned by value.
    assert wallet.resolve(offer["offer_url"]) == offer["credential_offer"]

    credential = wallet.accept(offer["offer_url"])

    assert credential == issued["credential"]
    assert credential == client.get(f"/credentials/{issued['id']}.json").json()
    _verifies(client, credential)
    [created] = _audit(world, issued["id"], "wallet.offer_created")
    assert created["actor"] == "apikey:test-issue"
    assert created["issuer_slug"] == world.slug
    assert created["details"]["tx_code"] is False
    [delivered] = _audit(world, issued["id"], "wallet.credential_delivered")
    assert delivered["details"]["offer_id"] == created["details"]["offer_id"]
    # Secrets never reach the audit log.
    code = offer["credential_offer"]["grants"][PRE_AUTHORIZED]["pre-authorized_code"]
    assert code not in str(created) + str(delivered)


def test_api_offer_with_a_transaction_code(
    world: World, wallet: Wallet, client: TestClient
) -> None:
    issued = world.issue()
    offer = make_offer(world, issued["id"], tx_code=True)
    assert re.fullmatch(r"[0-9]{6}", offer["tx_code"])
    grant = offer["credential_offer"]["grants"][PRE_AUTHORIZED]
    assert grant["tx_code"]["input_mode"] == "numeric"
    assert grant["tx_code"]["length"] == 6
    assert 0 < len(grant["tx_code"]["description"]) <= 300
    # The code itself is never part of the offer, by value or by reference.
    assert offer["tx_code"] not in str(offer["credential_offer"])
    assert offer["tx_code"] not in client.get(offer_uri(offer["offer_url"])).text

    credential = wallet.accept(offer["offer_url"], tx_code=offer["tx_code"])

    assert credential == issued["credential"]
    [created] = _audit(world, issued["id"], "wallet.offer_created")
    assert created["details"]["tx_code"] is True
    assert offer["tx_code"] not in str(created["details"])


def test_public_offer_from_the_credential_page(
    world: World, wallet: Wallet, client: TestClient
) -> None:
    issued = world.issue()
    page = client.get(f"/credentials/{issued['id']}", headers=HTML).text
    assert f'href="/credentials/{issued["id"]}/offer" rel="nofollow">Add to wallet' in page

    response = client.get(f"/credentials/{issued['id']}/offer")

    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    offer = response.json()
    assert "tx_code" not in offer
    assert "tx_code" not in offer["credential_offer"]["grants"][PRE_AUTHORIZED]
    assert offer["expires_at"] == "2026-11-26T12:10:00Z"
    credential = wallet.accept(offer["offer_url"])
    assert credential == issued["credential"]
    _verifies(client, credential)
    [created] = _audit(world, issued["id"], "wallet.offer_created")
    assert (created["actor"], created["details"]["origin"]) == ("public", "page")


def test_each_public_offer_is_fresh(world: World, client: TestClient) -> None:
    issued = world.issue()
    first = client.get(f"/credentials/{issued['id']}/offer").json()
    second = client.get(f"/credentials/{issued['id']}/offer").json()
    assert first["credential_offer_uri"] != second["credential_offer_uri"]
    assert first["credential_offer"] != second["credential_offer"]


def test_public_offer_page_for_browsers_shows_a_qr_code_and_the_link(
    world: World, client: TestClient
) -> None:
    issued = world.issue()
    response = client.get(f"/credentials/{issued['id']}/offer", headers=HTML)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-store"
    assert "default-src 'self'" in response.headers["content-security-policy"]
    link = re.search(r'<a class="button" href="([^"]+)">Open in wallet</a>', response.text)
    assert link is not None
    assert link.group(1).startswith("openid-credential-offer://?credential_offer_uri=http")
    assert re.search(r'<svg class="qr"[^>]*viewBox="0 0 (\d+) \1"', response.text)
    assert re.search(r'<path fill="#000" d="M\d+ \d+h\d+v1h-\d+z', response.text)


def test_hidden_page_has_no_public_offer(
    world: World, client: TestClient, admin_headers: dict[str, str]
) -> None:
    issued = world.issue()
    hide = client.post(
        f"/v1/credentials/{issued['id']}/page", json={"public": False}, headers=world.issue_headers
    )
    assert hide.status_code == 200, hide.text
    response = client.get(f"/credentials/{issued['id']}/offer")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert client.get(f"/credentials/{issued['id']}/offer", headers=HTML).status_code == 404
    assert client.get("/credentials/no-such-id/offer").status_code == 404
    # The issuer platform can still offer it: the learner gets the link from the platform.
    assert make_offer(world, issued["id"])["credential_offer_uri"]


def test_revoked_credentials_are_not_offered(world: World, client: TestClient) -> None:
    issued = world.issue()
    revoke = client.post(
        f"/v1/credentials/{issued['id']}/revoke",
        json={"reason": "fraud"},
        headers=world.revoke_headers,
    )
    assert revoke.status_code == 200, revoke.text
    assert make_offer(world, issued["id"], expected=409)["status"] == 409
    assert client.get(f"/credentials/{issued['id']}/offer").status_code == 409
    page = client.get(f"/credentials/{issued['id']}", headers=HTML).text
    assert "Add to wallet" not in page


def test_suspended_credentials_are_delivered(world: World, wallet: Wallet) -> None:
    achievement = world.create_achievement(suspendable=True)
    issued = world.issue(achievement_id=achievement["id"])
    offer = make_offer(world, issued["id"])
    suspend = world.client.post(
        f"/v1/credentials/{issued['id']}/suspend", json={"reason": "appeal"},
        headers=world.revoke_headers,
    )  # fmt: skip
    assert suspend.status_code == 200, suspend.text
    assert wallet.accept(offer["offer_url"]) == issued["credential"]


def test_public_offers_per_credential_are_capped(
    world: World, client: TestClient, app: FastAPI
) -> None:
    issued = world.issue()
    url = f"/credentials/{issued['id']}/offer"
    for _ in range(20):
        assert client.get(url).status_code == 200
    refused = client.get(url)
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    # Platform offers are not limited by the page's cap, and the cap frees up with time.
    assert make_offer(world, issued["id"])["credential_offer_uri"]
    app.state.clock.instant += timedelta(minutes=10)
    assert client.get(url).status_code == 200


@pytest.mark.interop
def test_the_delivered_credential_verifies_in_the_reference_stack(
    world: World, wallet: Wallet
) -> None:
    issued = world.issue()
    credential = wallet.accept(make_offer(world, issued["id"])["offer_url"])
    doc = world.did_document()
    result = run_node(
        "verify-di.mjs",
        {
            "items": [{"credential": credential, "now": "2026-11-27T00:00:00Z"}],
            "documents": {doc["id"]: doc},
        },
    )
    [verdict] = result["results"]
    assert verdict["verified"], verdict["errors"]
