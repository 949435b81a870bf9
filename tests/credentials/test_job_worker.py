"""Background jobs on a committed database, with two instances' workers competing."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import text

from app import migrate
from app.auth.scopes import Scope
from app.config import Settings
from app.credentials import batch_jobs
from app.main import create_app
from tests.conftest import TEST_MASTER_KEY, TEST_PUBLIC_URL, make_key
from tests.credentials.factories import ACHIEVEMENT
from tests.support.issuers import ISSUER


def test_two_workers_issue_every_item_exactly_once(
    fresh_database_url: str, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(batch_jobs, "MAX_INLINE", 2)
    monkeypatch.setattr(batch_jobs, "CHUNK", 4)
    migrate.upgrade(fresh_database_url)
    shared = settings.model_copy(
        update={
            "database_url": fresh_database_url,
            "master_key": SecretStr(TEST_MASTER_KEY),
            "job_worker": True,
        }
    )
    first, second = create_app(shared), create_app(shared)
    with (
        TestClient(first, base_url=TEST_PUBLIC_URL) as a,
        TestClient(second, base_url=TEST_PUBLIC_URL),
    ):
        with first.state.sessionmaker() as session:
            admin = {"Authorization": f"Bearer {make_key(session, Scope.admin)}"}
        assert a.post("/v1/issuers", json=ISSUER, headers=admin).status_code == 201
        achievement = a.post(
            "/v1/issuers/uni-example/achievements", json=ACHIEVEMENT, headers=admin
        ).json()
        items = [
            {
                "achievement_id": achievement["id"],
                "recipient": {"name": f"L{i}", "email": f"l{i}@example.org"},
                "external_id": f"job-{i}",
            }
            for i in range(30)
        ]
        accepted = a.post(
            "/v1/issuers/uni-example/credentials/batch", json={"items": items}, headers=admin
        )
        assert accepted.status_code == 202, accepted.text
        job_url = f"/v1/jobs/{accepted.json()['job_id']}"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            job = a.get(job_url, headers=admin).json()
            if job["status"] == "done":
                break
            time.sleep(0.2)
        assert job["status"] == "done", job
        assert (job["done"], job["failed"]) == (30, 0)
        assert sorted(r["index"] for r in job["results"]) == list(range(30))
        with first.state.sessionmaker() as session:
            count = session.execute(text("SELECT count(*) FROM credential")).scalar_one()
        assert count == 30
