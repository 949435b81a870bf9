"""A real server for tests that need one (a browser, the CLI fetching did:web and status lists).

uvicorn on a free loopback port, in a thread, over its own committed SQLite database: the
suite's rolled-back transactions are invisible to another connection. It is seeded through
the HTTP API with one issuer, one achievement and one credential whose names need CJK and
Arabic fonts.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from pydantic import SecretStr
from sqlalchemy.orm import Session

from app import migrate
from app.auth import service as auth_service
from app.auth.scopes import Scope
from app.config import Settings
from app.db import make_engine
from app.main import create_app
from tests.conftest import TEST_MASTER_KEY
from tests.credentials.factories import ACHIEVEMENT
from tests.support.issuers import ISSUER

LEARNER = "李小龙 (Zoë)"
ISSUER_NAME = "جامعة المثال · Université d'Exemple"


@dataclass(frozen=True)
class Live:
    url: str
    database_url: str
    credential: dict[str, Any]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def admin_key(database_url: str) -> str:
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            _record, secret = auth_service.create_key(
                session,
                name="live-test",
                scope=Scope.admin,
                issuer_slug=None,
                now=datetime.now(UTC),
                actor="test",
            )
            session.commit()
    finally:
        engine.dispose()
    return secret


def _seed(url: str, admin: dict[str, str]) -> dict[str, Any]:
    slug = ISSUER["slug"]
    with httpx.Client(base_url=url, headers=admin, timeout=30) as http:
        created = http.post("/v1/issuers", json={**ISSUER, "name": ISSUER_NAME})
        assert created.status_code == 201, created.text
        achievement = http.post(f"/v1/issuers/{slug}/achievements", json=ACHIEVEMENT)
        assert achievement.status_code == 201, achievement.text
        issued = http.post(
            f"/v1/issuers/{slug}/credentials",
            json={
                "achievement_id": achievement.json()["id"],
                "recipient": {"name": LEARNER, "email": "li@example.org"},
                "credits_earned": 5,
            },
        )
        assert issued.status_code == 201, issued.text
        body: dict[str, Any] = issued.json()
        return body


@contextmanager
def live_server(folder: Path) -> Iterator[Live]:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    database_url = f"sqlite:///{folder / 'live.db'}"
    migrate.upgrade(database_url)
    settings = Settings(
        env="test",
        database_url=database_url,
        public_url=url,
        keys_dir=folder / "keys",
        master_key=SecretStr(TEST_MASTER_KEY),
        fetch_allow_hosts=["127.0.0.1"],
    )
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive(), "uvicorn stopped while starting"
        assert time.monotonic() < deadline, "uvicorn did not start within 30 s"
        time.sleep(0.05)
    try:
        admin = {"Authorization": f"Bearer {admin_key(database_url)}"}
        yield Live(url, database_url, _seed(url, admin))
    finally:
        server.should_exit = True
        thread.join(timeout=30)
