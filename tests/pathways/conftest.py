from __future__ import annotations

from datetime import datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.pathways.factories import Bank


@pytest.fixture
def bank(
    client: TestClient, session: Session, admin_headers: dict[str, str], now: datetime
) -> Bank:
    return Bank(client, session, admin_headers, now)
