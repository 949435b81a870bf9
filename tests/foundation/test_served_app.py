"""`learnproof serve` runs `create_served_app`: its start-up heap is frozen out of the
cyclic garbage collector's walks (`app.main`); apps built anywhere else leave it alone."""

from __future__ import annotations

import gc
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection
from sqlalchemy.orm import sessionmaker
from typer.testing import CliRunner

from app.cli import cli
from app.config import Settings
from app.core.clock import FixedClock
from app.main import SERVED_GC_THRESHOLDS, create_app
from tests.conftest import TEST_PUBLIC_URL


@pytest.fixture
def unfrozen() -> Any:
    thresholds = gc.get_threshold()
    gc.unfreeze()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


def _app(settings: Settings, clock: FixedClock, connection: Connection, *, freeze: bool) -> Any:
    factory = sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    return create_app(settings, clock=clock, session_factory=factory, freeze_startup_heap=freeze)


def test_the_served_app_freezes_what_is_alive_once_it_has_started(
    settings: Settings, clock: FixedClock, connection: Connection, unfrozen: None
) -> None:
    app = _app(settings, clock, connection, freeze=True)
    assert gc.get_freeze_count() == 0
    with TestClient(app, base_url=TEST_PUBLIC_URL) as client:
        assert gc.get_freeze_count() > 10_000
        assert gc.get_threshold() == SERVED_GC_THRESHOLDS
        assert client.get("/healthz").status_code == 200


def test_other_apps_leave_the_collector_alone(
    settings: Settings, clock: FixedClock, connection: Connection, unfrozen: None
) -> None:
    before = gc.get_threshold()
    with TestClient(_app(settings, clock, connection, freeze=False), base_url=TEST_PUBLIC_URL):
        assert gc.get_freeze_count() == 0
        assert gc.get_threshold() == before


@pytest.mark.parametrize("workers", [1, 2])
def test_serve_runs_the_served_factory(
    workers: int, fresh_database_url: str, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEARNPROOF_DATABASE_URL", fresh_database_url)
    monkeypatch.setenv("LEARNPROOF_KEYS_DIR", str(tmp_path / "keys"))
    monkeypatch.setenv("LEARNPROOF_ENV", "test")
    apps: list[tuple[str, bool, int]] = []
    monkeypatch.setattr(
        "uvicorn.run", lambda app, **kwargs: apps.append((app, kwargs["factory"], 1))
    )
    monkeypatch.setattr(
        "app.cli.server.run_workers",
        lambda config, **_placed: apps.append((config.app, config.factory, config.workers)),
    )
    result = CliRunner().invoke(cli, ["serve", "--port", "0", "--workers", str(workers)])
    assert result.exit_code == 0, result.output
    assert apps == [("app.main:create_served_app", True, workers)]
