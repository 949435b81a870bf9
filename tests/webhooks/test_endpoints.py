"""Registering, reading, changing and deleting webhook endpoints; SSRF and tenant rules."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from sqlalchemy.orm import Session

from app.auth.scopes import Scope
from app.webhooks.guard import UrlGuard
from tests.conftest import make_key
from tests.credentials.factories import World
from tests.support.issuers import create_issuer
from tests.webhooks.conftest import register
from tests.webhooks.receiver import Receiver


def test_secret_is_shown_once(world: World, receiver: Receiver) -> None:
    created = register(world, receiver.url, ["credential.issued"], description="LMS")

    assert created["secret"].startswith("whsec_")
    assert created["events"] == ["credential.issued"]
    assert created["enabled"] is True
    base = f"/v1/issuers/{world.slug}/webhooks"
    one = world.client.get(f"{base}/{created['id']}", headers=world.admin).json()
    listed = world.client.get(base, headers=world.admin).json()["items"]
    assert "secret" not in one
    assert [item["id"] for item in listed] == [created["id"]]
    assert all("secret" not in item for item in listed)
    events = world.client.get("/v1/audit-events?kind=webhook.created", headers=world.admin).json()[
        "items"
    ]
    assert created["secret"] not in str(events)


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.5/hooks",
        "https://192.168.1.20/hooks",
        "https://172.16.0.1/hooks",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hooks",
        "https://[::ffff:10.0.0.1]/hooks",
        "https://0.0.0.0/hooks",
        "https://224.0.0.1/hooks",
    ],
)
def test_private_addresses_are_refused(world: World, url: str) -> None:
    response = world.client.post(
        f"/v1/issuers/{world.slug}/webhooks",
        json={"url": url, "events": ["credential.issued"]},
        headers=world.admin,
    )

    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert "refused" in response.json()["detail"]


def test_a_name_resolving_to_a_private_address_is_refused(app: FastAPI, world: World) -> None:
    app.state.webhooks.guard = UrlGuard(allow_hosts=[], resolve_host=lambda h, p: ["10.9.8.7"])

    response = world.client.post(
        f"/v1/issuers/{world.slug}/webhooks",
        json={"url": "https://hooks.lms.example/in", "events": ["credential.issued"]},
        headers=world.admin,
    )

    assert response.status_code == 422
    assert "10.9.8.7" in response.json()["detail"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "ftp://127.0.0.1/x", "events": ["credential.issued"]}, "url"),
        ({"url": "https://user:pw@127.0.0.1/x", "events": ["credential.issued"]}, "url"),
        ({"url": "https://127.0.0.1/" + "a" * 2001, "events": ["credential.issued"]}, "url"),
        ({"url": "https://127.0.0.1/x", "events": []}, "events"),
        ({"url": "https://127.0.0.1/x", "events": ["credential.deleted"]}, "events.0"),
        ({"url": "https://127.0.0.1/x", "events": "credential.issued"}, "events"),
        ({"url": "https://127.0.0.1/x", "events": ["credential.issued"], "x": 1}, "x"),
        ({"url": ["https://127.0.0.1/x"], "events": ["credential.issued"]}, "url"),
    ],
)
def test_hostile_shapes_are_422(world: World, body: dict[str, object], field: str) -> None:
    response = world.client.post(
        f"/v1/issuers/{world.slug}/webhooks", json=body, headers=world.admin
    )

    assert response.status_code == 422, response.text
    assert any(e["field"] == field for e in response.json()["errors"]), response.json()


def test_endpoints_per_issuer_are_bounded(world: World, receiver: Receiver) -> None:
    for _ in range(20):
        register(world, receiver.url, ["credential.issued"])

    response = world.client.post(
        f"/v1/issuers/{world.slug}/webhooks",
        json={"url": receiver.url, "events": ["credential.issued"]},
        headers=world.admin,
    )

    assert response.status_code == 409


def test_another_tenant_cannot_see_or_change_webhooks(
    world: World, session: Session, receiver: Receiver
) -> None:
    created = register(world, receiver.url, ["credential.issued"])
    other = create_issuer(world.client, world.admin, slug="other-college")
    other_admin = {
        "Authorization": f"Bearer {make_key(session, Scope.admin, issuer=other['slug'])}"
    }
    mine = f"/v1/issuers/{world.slug}/webhooks"
    theirs = f"/v1/issuers/{other['slug']}/webhooks"
    hook = created["id"]

    for method, path in [
        ("GET", mine),
        ("GET", f"{mine}/{hook}"),
        ("PATCH", f"{mine}/{hook}"),
        ("DELETE", f"{mine}/{hook}"),
        ("POST", f"{mine}/{hook}/rotate-secret"),
        ("GET", f"{mine}/{hook}/deliveries"),
        ("POST", mine),
    ]:
        body = {"url": receiver.url, "events": ["credential.issued"]}
        response = world.client.request(method, path, json=body, headers=other_admin)
        assert response.status_code == 403, (method, path, response.text)
    # Through its own slug, the other issuer's key does not find this endpoint at all.
    for method, path in [
        ("GET", f"{theirs}/{hook}"),
        ("PATCH", f"{theirs}/{hook}"),
        ("DELETE", f"{theirs}/{hook}"),
        ("POST", f"{theirs}/{hook}/rotate-secret"),
        ("GET", f"{theirs}/{hook}/deliveries"),
    ]:
        response = world.client.request(method, path, json={}, headers=other_admin)
        assert response.status_code == 404, (method, path, response.text)
    assert world.client.get(theirs, headers=other_admin).json()["items"] == []
    # Scopes below admin cannot manage webhooks even for their own issuer.
    assert world.client.get(mine, headers=world.issue_headers).status_code == 403
    assert world.client.get(mine, headers=world.revoke_headers).status_code == 403
    assert world.client.get(mine).status_code == 401
    still = world.client.get(f"{mine}/{hook}", headers=world.admin)
    assert still.status_code == 200


def test_update_and_delete(world: World, receiver: Receiver) -> None:
    created = register(world, receiver.url, ["credential.issued"])
    path = f"/v1/issuers/{world.slug}/webhooks/{created['id']}"

    changed = world.client.patch(
        path,
        json={"events": ["credential.revoked", "credential.revoked"], "enabled": False},
        headers=world.admin,
    )
    refused = world.client.patch(path, json={"url": "https://10.1.1.1/"}, headers=world.admin)
    deleted = world.client.delete(path, headers=world.admin)

    assert changed.status_code == 200
    assert changed.json()["events"] == ["credential.revoked"]
    assert changed.json()["enabled"] is False
    assert refused.status_code == 422
    assert deleted.status_code == 204
    assert world.client.get(path, headers=world.admin).status_code == 404
    assert world.client.delete(path, headers=world.admin).status_code == 404
