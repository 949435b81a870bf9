"""Achievements with valid_for: credentials get validUntil; expiring / expired announcements."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.clock import FixedClock
from app.credentials import expiry
from app.webhooks.models import WebhookEvent
from tests.credentials.factories import World
from tests.webhooks.conftest import register


def _scan(app: FastAPI, clock: FixedClock, days: int = 30) -> int:
    return expiry.scan(app.state.sessionmaker, clock, notice_days=days)


def _events(session: Session, event_type: str) -> list[str]:
    rows = session.scalars(select(WebhookEvent).where(WebhookEvent.type == event_type)).all()
    return [row.payload["data"]["id"] for row in rows]


def test_valid_for_sets_valid_until_in_calendar_units(world: World) -> None:
    achievement = world.create_achievement(name="First aid", valid_for="P2Y")
    assert achievement["valid_for"] == "P2Y"

    leap = world.issue(achievement_id=achievement["id"], valid_from="2024-02-29T10:00:00Z")
    plain = world.issue(achievement_id=achievement["id"])
    explicit = world.issue(
        achievement_id=achievement["id"],
        valid_from="2026-01-01T00:00:00Z",
        valid_until="2026-06-30T00:00:00Z",
    )

    assert leap["credential"]["validUntil"] == "2026-02-28T10:00:00Z"
    assert leap["valid_until"].startswith("2026-02-28T10:00:00")
    assert plain["credential"]["validUntil"] == "2028-11-26T12:00:00Z"
    assert explicit["credential"]["validUntil"] == "2026-06-30T00:00:00Z"  # explicit wins


@pytest.mark.parametrize(
    "value", ["2Y", "P", "PT", "P0D", "P-1Y", "P101Y", "P1Y2", "P" + "1" * 70 + "D", 5, "P2Y "]
)
def test_bad_durations_are_422(world: World, value: object) -> None:
    response = world.client.post(
        f"/v1/issuers/{world.slug}/achievements",
        json={
            "name": "X", "description": "Y", "criteria": {"narrative": "Z"}, "valid_for": value,
        },
        headers=world.issue_headers,
    )  # fmt: skip

    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "valid_for"


def test_expiring_and_expired_are_announced_once_each(
    app: FastAPI, world: World, clock: FixedClock, session: Session
) -> None:
    register(world, "http://127.0.0.1:9/hooks", ["credential.expiring", "credential.expired"])
    achievement = world.create_achievement(name="First aid", valid_for="P90D")
    soon = world.issue(achievement_id=achievement["id"])
    revoked = world.issue(achievement_id=achievement["id"])
    paused_achievement = world.create_achievement(valid_for="P90D", suspendable=True)
    paused = world.issue(achievement_id=paused_achievement["id"])
    world.client.post(f"/v1/credentials/{revoked['id']}/revoke", headers=world.revoke_headers)
    world.client.post(f"/v1/credentials/{paused['id']}/suspend", headers=world.revoke_headers)
    forever = world.issue()

    assert _scan(app, clock) == 0  # 90 days away, more than 30
    clock.instant += timedelta(days=61)
    assert _scan(app, clock) == 1  # suspended and revoked ones are not "expiring"
    assert _scan(app, clock) == 0
    clock.instant += timedelta(days=30)
    assert _scan(app, clock) == 2  # the active and the suspended one have expired
    assert _scan(app, clock) == 0
    clock.instant += timedelta(days=400)
    assert _scan(app, clock) == 0

    assert _events(session, "credential.expiring") == [soon["id"]]
    assert sorted(_events(session, "credential.expired")) == sorted([soon["id"], paused["id"]])
    assert forever["id"] not in _events(session, "credential.expired")


def test_a_credential_found_expired_gets_no_late_expiring_notice(
    app: FastAPI, world: World, clock: FixedClock, session: Session
) -> None:
    register(world, "http://127.0.0.1:9/hooks", ["credential.expiring", "credential.expired"])
    achievement = world.create_achievement(valid_for="P1D")
    issued = world.issue(achievement_id=achievement["id"])

    clock.instant += timedelta(days=3)
    assert _scan(app, clock, days=0) == 1

    assert _events(session, "credential.expiring") == []
    assert _events(session, "credential.expired") == [issued["id"]]


def test_pages_and_verification_show_an_expired_credential_as_expired(
    world: World, client: TestClient, clock: FixedClock
) -> None:
    achievement = world.create_achievement(valid_for="P1Y")
    issued = world.issue(achievement_id=achievement["id"])
    valid = client.post("/credentials/verify", json={"verifiableCredential": issued["credential"]})
    assert valid.status_code == 200

    clock.instant = datetime(2028, 1, 1, tzinfo=UTC)
    page = client.get(f"/credentials/{issued['id']}")
    as_json = client.get(f"/credentials/{issued['id']}", headers={"Accept": "application/json"})
    report = client.post("/credentials/verify", json={"verifiableCredential": issued["credential"]})

    assert "This credential expired on 2027-11-26." in page.text
    assert "Not verified" in page.text
    assert as_json.json()["expired"] is True
    assert as_json.json()["valid_until"].startswith("2027-11-26T12:00:00")
    assert report.status_code == 422
    validity = [c for c in report.json()["checks"] if c["check"] == "validity"]
    assert validity[0]["outcome"] == "failed"
    assert "expired on 2027-11-26" in validity[0]["reason"]
