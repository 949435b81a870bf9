from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.webhooks.delivery import Deliverer
from app.webhooks.events import EVENT_TYPES
from tests.credentials.factories import World
from tests.webhooks.receiver import Receiver, loopback_receiver


@pytest.fixture
def now() -> datetime:
    # Real time, so receivers can run the full Standard Webhooks check (5-minute window).
    return datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def world(client: TestClient, session: Session, admin_headers: dict[str, str]) -> World:
    return World(client, session, admin_headers)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with loopback_receiver() as running:
        yield running


@pytest.fixture
def deliverer(app: FastAPI, client: TestClient) -> Deliverer:
    found: Deliverer = app.state.webhooks
    return found


def register(
    world: World, url: str, events: list[str] | tuple[str, ...] = EVENT_TYPES, **extra: Any
) -> dict[str, Any]:
    response = world.client.post(
        f"/v1/issuers/{world.slug}/webhooks",
        json={"url": url, "events": list(events), **extra},
        headers=world.admin,
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body
