from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy.orm import Session

from app.config import Settings
from app.issuers.keystore import load_master_key
from app.issuers.signing import KeyRing
from tests.status.factories import StatusWorld


@pytest.fixture
def keyring(settings: Settings) -> KeyRing:
    # The same master secret as the app's, so both unseal the same signing keys.
    return KeyRing(load_master_key(settings))


@pytest.fixture
def world(session: Session, keyring: KeyRing, now: datetime) -> StatusWorld:
    return StatusWorld.create(session, keyring, now)
