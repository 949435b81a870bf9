"""Delivery of the outbox: every event type, signatures, retries, giving up, disabling."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.orm import Session
from standardwebhooks.webhooks import Webhook

from app.core.clock import FixedClock
from app.credentials import batch_jobs, expiry
from app.issuers import service as issuer_service
from app.webhooks.delivery import RETRY_SCHEDULE, Deliverer
from app.webhooks.guard import UrlGuard
from app.webhooks.models import WebhookDelivery, WebhookEvent
from tests.credentials.factories import RECIPIENT, World
from tests.webhooks.conftest import register
from tests.webhooks.receiver import Receiver


def _deliveries(world: World, hook: dict[str, Any], **params: Any) -> list[dict[str, Any]]:
    response = world.client.get(
        f"/v1/issuers/{world.slug}/webhooks/{hook['id']}/deliveries",
        params=params,
        headers=world.admin,
    )
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def _status_change(world: World, credential_id: str, action: str) -> None:
    response = world.client.post(
        f"/v1/credentials/{credential_id}/{action}",
        json={"reason": f"test {action}"},
        headers=world.revoke_headers,
    )
    assert response.status_code == 200, response.text


def test_every_event_type_is_delivered_signed(
    app: FastAPI, world: World, receiver: Receiver, deliverer: Deliverer, clock: FixedClock
) -> None:
    hook = register(world, receiver.url)
    pausable = world.create_achievement(name="Lab safety", suspendable=True)
    lapsing = world.create_achievement(name="First aid", valid_for="P2Y")

    issued = world.issue(external_id="enrol-1")
    _status_change(world, issued["id"], "revoke")
    paused = world.issue(achievement_id=pausable["id"])
    _status_change(world, paused["id"], "suspend")
    _status_change(world, paused["id"], "reinstate")
    reissued = world.client.post(
        f"/v1/credentials/{paused['id']}/reissue",
        json={"recipient": {"name": "Ada King"}},
        headers=world.issue_headers,
    )
    assert reissued.status_code == 201, reissued.text
    lapses = world.issue(achievement_id=lapsing["id"])
    with app.state.sessionmaker() as session:
        context = issuer_service.load_context(session, world.slug, urls=app.state.settings.urls)
        item = {"achievement_id": world.achievement["id"], "recipient": RECIPIENT}
        batch_jobs.create_job(
            session, context, [item, item], now=clock.now(), actor="test", chunk_items=100
        )
        session.commit()
    assert batch_jobs.run_next_job(
        app.state.sessionmaker, app.state.keyring, clock, worker="w1",
        urls=app.state.settings.urls, chunk_items=100,
    )  # fmt: skip
    assert deliverer.drain() > 0
    # Near the end of its two years the credential is announced as expiring, then expired.
    clock.instant += timedelta(days=2 * 365 - 10)
    assert expiry.scan(app.state.sessionmaker, clock, notice_days=30) == 1
    clock.instant += timedelta(days=11)
    assert expiry.scan(app.state.sessionmaker, clock, notice_days=30) == 1
    assert expiry.scan(app.state.sessionmaker, clock, notice_days=30) == 0
    deliverer.drain()

    types = {r.type for r in receiver.received}
    assert types == {
        "credential.issued", "credential.revoked", "credential.suspended",
        "credential.reinstated", "credential.expiring", "credential.expired",
        "credential.reissued", "job.finished",
    }  # fmt: skip
    for received in receiver.received:
        assert received.signed_with(hook["secret"]), received.type
        assert received.headers["webhook-id"].startswith("msg_")
        assert received.headers["content-type"] == "application/json"
        assert set(received.json) == {"type", "timestamp", "data"}
    assert len({r.headers["webhook-id"] for r in receiver.received}) == len(receiver.received)
    # Deliveries made at the real time pass the reference verifier, freshness window included.
    first = receiver.received[0]
    assert Webhook(hook["secret"]).verify(first.body, first.headers) == first.json
    by_type = {r.type: r.json["data"] for r in receiver.received}
    revoked = {r.json["data"]["id"]: r.json["data"] for r in receiver.of_type("credential.revoked")}
    assert revoked[issued["id"]]["reason"] == "test revoke"
    assert revoked[paused["id"]]["reason"] == "superseded"  # the re-issue revoked the old one
    assert by_type["credential.expired"]["id"] == lapses["id"]
    ends = lapses["valid_until"].replace("+00:00", "Z")
    assert by_type["credential.expiring"]["valid_until"] == ends
    assert by_type["job.finished"]["total"] == 2
    assert by_type["credential.reissued"]["id"] == reissued.json()["id"]
    assert by_type["credential.reissued"]["predecessor"]["id"] == paused["id"]
    issued_ids = {r.json["data"]["id"] for r in receiver.of_type("credential.issued")}
    assert {issued["id"], paused["id"], lapses["id"], reissued.json()["id"]} <= issued_ids
    assert "Ada" not in str([r.json for r in receiver.received])  # no names in events
    assert all(d["status"] == "delivered" for d in _deliveries(world, hook, limit=200))


def test_only_subscribed_events_of_the_own_issuer_are_sent(
    world: World, receiver: Receiver, deliverer: Deliverer
) -> None:
    register(world, receiver.url, ["credential.revoked"])

    credential = world.issue()
    deliverer.drain()
    assert receiver.received == []
    _status_change(world, credential["id"], "revoke")
    deliverer.drain()

    assert [r.type for r in receiver.received] == ["credential.revoked"]


def test_failed_changes_write_no_event(
    session: Session, world: World, receiver: Receiver, deliverer: Deliverer
) -> None:
    register(world, receiver.url)
    credential = world.issue()
    before = session.scalar(select(WebhookEvent.id).order_by(WebhookEvent.occurred_at).limit(1))
    assert before is not None
    count = len(session.scalars(select(WebhookEvent.id)).all())

    world.issue(expected=404, achievement_id="no-such-achievement")
    _status_change(world, credential["id"], "revoke")
    again = world.client.post(
        f"/v1/credentials/{credential['id']}/revoke", json={}, headers=world.revoke_headers
    )
    assert again.status_code == 409
    bad_batch = world.client.post(
        f"/v1/issuers/{world.slug}/credentials/batch",
        json={"items": [{"achievement_id": "nope", "recipient": RECIPIENT}]},
        headers=world.issue_headers,
    )
    assert bad_batch.json()["failed"] == 1

    # One issued + one revoked; the refusals left nothing behind.
    assert len(session.scalars(select(WebhookEvent.id)).all()) == count + 1


def test_bulk_and_vc_api_changes_are_announced(
    world: World, receiver: Receiver, deliverer: Deliverer
) -> None:
    register(world, receiver.url, ["credential.issued", "credential.revoked"])
    ids = [world.issue()["id"] for _ in range(3)]
    vc = world.client.post(
        "/credentials/issue",
        json={"credential": {
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiableCredential"],
            "credentialSubject": {"id": "did:example:subject"},
            "issuer": world.issuer["did"],
        }},
        headers=world.issue_headers,
    )  # fmt: skip
    assert vc.status_code == 201
    bulk = world.client.post(
        f"/v1/issuers/{world.slug}/credentials/status",
        json={"ids": ids[:2], "action": "revoke", "reason": "cohort cancelled"},
        headers=world.revoke_headers,
    )
    assert bulk.status_code == 200, bulk.text
    vc_status = world.client.post(
        "/credentials/status",
        json={
            "credentialId": vc.json()["verifiableCredential"]["id"],
            "credentialStatus": {"type": "BitstringStatusListEntry", "statusPurpose": "revocation"},
            "status": True,
        },
        headers=world.revoke_headers,
    )
    assert vc_status.status_code == 200, vc_status.text
    deliverer.drain()

    assert len(receiver.of_type("credential.issued")) == 4
    revoked = {r.json["data"]["credential_id"] for r in receiver.of_type("credential.revoked")}
    assert len(revoked) == 3
    assert vc.json()["verifiableCredential"]["id"] in revoked


def test_receiver_answering_500_then_200_gets_the_event_after_a_retry(
    world: World, receiver: Receiver, deliverer: Deliverer, clock: FixedClock
) -> None:
    hook = register(world, receiver.url, ["credential.issued"])
    receiver.script = [500, 503]
    world.issue()

    assert deliverer.drain() == 1
    [pending] = _deliveries(world, hook)
    assert pending["status"] == "pending"
    assert pending["last_status_code"] == 500
    # The first retry is due within 30 seconds (jitter never makes it later).
    wait = _parse(pending["next_attempt_at"]) - _parse(pending["attempt_log"][0]["attempted_at"])
    assert timedelta(0) < wait <= timedelta(seconds=30)
    assert deliverer.drain() == 0  # not due yet
    clock.instant += timedelta(seconds=30)
    assert deliverer.drain() == 1  # 503
    clock.instant += timedelta(seconds=RETRY_SCHEDULE[1])
    assert deliverer.drain() == 1  # 200

    [done] = _deliveries(world, hook)
    assert done["status"] == "delivered"
    assert [a["status_code"] for a in done["attempt_log"]] == [500, 503, 200]
    assert done["attempts"] == 3
    assert len(receiver.received) == 3
    assert len({r.headers["webhook-id"] for r in receiver.received}) == 1  # the same message
    assert all(r.signed_with(hook["secret"]) for r in receiver.received)


def _parse(value: str) -> Any:
    from datetime import datetime

    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def test_retries_last_at_least_24_hours_then_the_endpoint_is_disabled(
    world: World, receiver: Receiver, deliverer: Deliverer, clock: FixedClock, session: Session
) -> None:
    hook = register(world, receiver.url, ["credential.issued", "credential.revoked"])
    receiver.script = [500] * 1000
    start = clock.now()
    credential = world.issue()

    attempts = 0
    while True:
        attempts += deliverer.drain()
        [delivery] = _deliveries(world, hook)
        if delivery["status"] != "pending":
            break
        clock.instant = _parse(delivery["next_attempt_at"])
    assert delivery["status"] == "failed"
    assert clock.now() - start >= timedelta(hours=24)
    assert attempts == delivery["attempts"] >= 8
    # Later events keep failing; after 72 hours of failure the endpoint is switched off.
    clock.instant = start + timedelta(hours=48)
    _status_change(world, credential["id"], "revoke")
    # Its retries (hours apart by then) run until the 72nd hour of failure is passed.
    while clock.now() < start + timedelta(hours=84):
        deliverer.drain()
        clock.instant += timedelta(hours=1)
    endpoint = world.client.get(
        f"/v1/issuers/{world.slug}/webhooks/{hook['id']}", headers=world.admin
    ).json()
    assert endpoint["enabled"] is False
    assert "failed for 72 hours" in endpoint["disabled_reason"]
    audit = world.client.get("/v1/audit-events?kind=webhook.disabled", headers=world.admin).json()[
        "items"
    ]
    assert [a["details"]["webhook_id"] for a in audit] == [hook["id"]]
    # Disabled: no further events are queued or attempted until it is re-enabled.
    received = len(receiver.received)
    world.issue()
    clock.instant += timedelta(hours=1)
    assert deliverer.drain() == 0
    assert len(receiver.received) == received
    enabled = world.client.patch(
        f"/v1/issuers/{world.slug}/webhooks/{hook['id']}",
        json={"enabled": True},
        headers=world.admin,
    )
    assert enabled.json()["enabled"] is True
    assert enabled.json()["disabled_reason"] is None


def test_manual_redelivery_sends_the_same_message_again(
    world: World, receiver: Receiver, deliverer: Deliverer
) -> None:
    hook = register(world, receiver.url, ["credential.issued"])
    world.issue()
    deliverer.drain()
    [delivered] = _deliveries(world, hook)

    again = world.client.post(
        f"/v1/issuers/{world.slug}/webhooks/{hook['id']}/deliveries/{delivered['id']}/redeliver",
        headers=world.admin,
    )
    unknown = world.client.post(
        f"/v1/issuers/{world.slug}/webhooks/{hook['id']}/deliveries/nope/redeliver",
        headers=world.admin,
    )
    deliverer.drain()

    assert again.status_code == 202, again.text
    assert again.json()["event_id"] == delivered["event_id"]
    assert unknown.status_code == 404
    assert [r.headers["webhook-id"] for r in receiver.received] == [delivered["event_id"]] * 2
    assert {d["status"] for d in _deliveries(world, hook)} == {"delivered"}
    assert len(_deliveries(world, hook, status="pending")) == 0


def test_rotation_signs_with_both_secrets_for_a_day(
    world: World, receiver: Receiver, deliverer: Deliverer, clock: FixedClock
) -> None:
    hook = register(world, receiver.url, ["credential.issued"])
    rotated = world.client.post(
        f"/v1/issuers/{world.slug}/webhooks/{hook['id']}/rotate-secret", headers=world.admin
    )
    assert rotated.status_code == 200
    new_secret = rotated.json()["secret"]
    assert new_secret != hook["secret"]
    assert new_secret.startswith("whsec_")

    world.issue()
    deliverer.drain()
    clock.instant += timedelta(hours=25)
    world.issue()
    deliverer.drain()

    during, after = receiver.received
    assert len(during.headers["webhook-signature"].split(" ")) == 2
    assert during.signed_with(hook["secret"])
    assert during.signed_with(new_secret)
    assert after.signed_with(new_secret)
    assert not after.signed_with(hook["secret"])


def test_the_address_is_checked_again_at_delivery(
    app: FastAPI, world: World, receiver: Receiver, deliverer: Deliverer
) -> None:
    hook = register(world, receiver.url, ["credential.issued"])
    # The receiver's address leaves the allow-list (as after DNS rebinding to a private one).
    deliverer.guard = UrlGuard(allow_hosts=[])
    world.issue()

    deliverer.drain()

    [delivery] = _deliveries(world, hook)
    assert receiver.received == []
    assert delivery["status"] == "pending"
    assert "refused" in delivery["last_error"]
    assert delivery["last_status_code"] is None


def test_deliveries_log_pages(world: World, receiver: Receiver, deliverer: Deliverer) -> None:
    hook = register(world, receiver.url, ["credential.issued"])
    for _ in range(3):
        world.issue()
    deliverer.drain()

    first = world.client.get(
        f"/v1/issuers/{world.slug}/webhooks/{hook['id']}/deliveries?limit=2", headers=world.admin
    ).json()
    second = world.client.get(
        f"/v1/issuers/{world.slug}/webhooks/{hook['id']}/deliveries",
        params={"limit": 2, "cursor": first["next_cursor"]},
        headers=world.admin,
    ).json()
    bad = world.client.get(
        f"/v1/issuers/{world.slug}/webhooks/{hook['id']}/deliveries?cursor=!!",
        headers=world.admin,
    )

    assert len(first["items"]) == 2
    assert len(second["items"]) == 1
    assert {i["id"] for i in first["items"]}.isdisjoint({i["id"] for i in second["items"]})
    assert bad.status_code == 400


@pytest.mark.parametrize("limit", [0, 201])
def test_deliveries_log_limit_is_bounded(world: World, receiver: Receiver, limit: int) -> None:
    hook = register(world, receiver.url, ["credential.issued"])
    response = world.client.get(
        f"/v1/issuers/{world.slug}/webhooks/{hook['id']}/deliveries?limit={limit}",
        headers=world.admin,
    )
    assert response.status_code == 422


def test_deleting_an_endpoint_drops_its_pending_deliveries(
    world: World, receiver: Receiver, deliverer: Deliverer, session: Session
) -> None:
    hook = register(world, receiver.url, ["credential.issued"])
    world.issue()
    deleted = world.client.delete(
        f"/v1/issuers/{world.slug}/webhooks/{hook['id']}", headers=world.admin
    )
    assert deleted.status_code == 204
    assert deliverer.drain() == 0
    assert session.scalars(select(WebhookDelivery)).all() == []
