"""An API key's last use is recorded, at most every RESOLUTION, and never fails a request."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from app.auth import service, usage
from app.auth.models import ApiKey
from app.auth.scopes import Scope
from app.core.clock import FixedClock
from tests.conftest import make_key


def _last_used(client: TestClient, headers: dict[str, str]) -> Any:
    """The calling key's own last use, as the listing it just made shows it."""
    [row] = client.get("/v1/api-keys", headers=headers).json()
    return row["last_used_at"]


def test_a_request_records_the_keys_use_at_most_every_few_minutes(
    client: TestClient, session: Session, clock: FixedClock, now: datetime
) -> None:
    admin = {"Authorization": f"Bearer {make_key(session, Scope.admin)}"}
    record = session.scalars(select(ApiKey)).one()
    assert record.last_used_at is None

    assert _last_used(client, admin) == "2026-11-26T12:00:00Z"

    clock.instant = now + usage.RESOLUTION - timedelta(seconds=1)
    assert _last_used(client, admin) == "2026-11-26T12:00:00Z"

    clock.instant = now + usage.RESOLUTION
    assert _last_used(client, admin) == "2026-11-26T12:05:00Z"
    session.expire_all()
    assert session.scalars(select(ApiKey)).one().last_used_at == now + usage.RESOLUTION


def test_a_failure_to_record_the_use_does_not_fail_authentication(
    session: Session, now: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    record, secret = service.create_key(
        session, name="mooc", scope=Scope.read, issuer_slug=None, now=now, actor="t"
    )

    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise OperationalError("UPDATE api_key", {}, Exception("the database went away"))

    # Both ways of writing fail: a separate session (PostgreSQL) and the savepoint (SQLite).
    monkeypatch.setattr(session, "begin_nested", broken)
    principal = service.authenticate(session, secret, now=now, sessions=broken)  # type: ignore[arg-type]

    assert principal.key_id == record.id
    assert record.last_used_at is None
