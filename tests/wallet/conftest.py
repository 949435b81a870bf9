from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.credentials.factories import World
from tests.wallet.holder import Wallet


@pytest.fixture
def world(client: TestClient, session: Session, admin_headers: dict[str, str]) -> World:
    return World(client, session, admin_headers)


@pytest.fixture
def wallet(client: TestClient) -> Wallet:
    return Wallet(client)
