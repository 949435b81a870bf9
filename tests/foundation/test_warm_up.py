"""A served worker fills its process-wide caches and its pools before its first request
(`app.credentials.warmup`, `app.db.open_pool`), and refuses to start if it cannot verify a
credential it has just signed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection
from sqlalchemy.orm import sessionmaker

from app.config import Settings
from app.core.clock import FixedClock
from app.credentials import warmup
from app.credentials.warmup import WarmUpFailed, warm_caches
from app.crypto import jsonld
from app.db import make_engine, open_pool
from app.main import create_app
from app.verification import structure
from tests.conftest import TEST_PUBLIC_URL

NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)


def _app(settings: Settings, clock: FixedClock, connection: Connection, *, warm: bool) -> Any:
    factory = sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    return create_app(settings, clock=clock, session_factory=factory, warm_up=warm)


def test_the_sample_fills_the_contexts_and_the_schema_validators(settings: Settings) -> None:
    jsonld._known_contexts.cache_clear()
    structure._fast_validator.cache_clear()
    warm_caches(settings.urls, NOW)
    assert jsonld._known_contexts.cache_info().currsize == 1
    assert structure._fast_validator.cache_info().currsize >= 2  # VC DM and Open Badges


def test_a_signature_that_does_not_verify_fails_the_warm_up(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    signed_for_real = warmup.add_proof

    def tampered(*args: Any, **kwargs: Any) -> dict[str, Any]:
        document = signed_for_real(*args, **kwargs)
        return {**document, "name": "Not what was signed"}

    monkeypatch.setattr(warmup, "add_proof", tampered)
    with pytest.raises(WarmUpFailed, match="could not verify a credential it had just signed"):
        warm_caches(settings.urls, NOW)


def test_a_vc_jwt_that_does_not_verify_fails_the_warm_up(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    signed_for_real = warmup.sign_vc_jwt

    def truncated(*args: Any, **kwargs: Any) -> str:
        token: str = signed_for_real(*args, **kwargs)
        return token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")

    monkeypatch.setattr(warmup, "sign_vc_jwt", truncated)
    with pytest.raises(WarmUpFailed):
        warm_caches(settings.urls, NOW)


def test_the_served_app_warms_up_before_it_serves(
    settings: Settings, clock: FixedClock, connection: Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[Any] = []
    monkeypatch.setattr("app.main.warm_caches", lambda urls, now: calls.append((urls, now)))
    app = _app(settings, clock, connection, warm=True)
    assert calls == []
    with TestClient(app, base_url=TEST_PUBLIC_URL) as client:
        assert calls == [(settings.urls, clock.now())]
        assert client.get("/healthz").status_code == 200


def test_other_apps_do_not_warm_up(
    settings: Settings, clock: FixedClock, connection: Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[Any] = []
    monkeypatch.setattr("app.main.warm_caches", lambda urls, now: calls.append(urls))
    with TestClient(_app(settings, clock, connection, warm=False), base_url=TEST_PUBLIC_URL):
        assert calls == []


def test_a_worker_whose_self_test_fails_does_not_start(
    settings: Settings, clock: FixedClock, connection: Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(warmup, "add_proof", lambda document, *_a, **_k: dict(document))
    with (
        pytest.raises(WarmUpFailed),
        TestClient(_app(settings, clock, connection, warm=True), base_url=TEST_PUBLIC_URL),
    ):
        pytest.fail("the app served although its self-test failed")


def test_open_pool_leaves_one_connection_in_the_pool(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'pool.db'}")
    try:
        assert open_pool(engine) is True
        assert engine.pool.checkedin() == 1  # type: ignore[attr-defined]
    finally:
        engine.dispose()


def test_open_pool_tells_an_unreachable_database_without_raising() -> None:
    # Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
    engine = make_engine(
        "postgresql+psycopg://nobody@127.0.0.1:9/none", connect_args={"connect_timeout": 2}
    )
    try:
        assert open_pool(engine) is False
    finally:
        engine.dispose()
