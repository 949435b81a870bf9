"""Job leases: a dead worker's job is resumed within seconds; a live one keeps it by heartbeat."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.core.clock import FixedClock
from app.core.urls import PublicUrls
from app.credentials import batch_jobs
from tests.conftest import TEST_PUBLIC_URL
from tests.credentials.factories import World


@pytest.fixture
def job_id(world: World, client: TestClient, settings: Settings) -> str:
    settings.batch_inline_items = 2
    settings.batch_chunk_items = 2
    items = [
        {
            "achievement_id": world.achievement["id"],
            "recipient": {"name": f"L{i}", "email": f"l{i}@example.org"},
        }
        for i in range(6)
    ]
    response = client.post(
        f"/v1/issuers/{world.slug}/credentials/batch", json={"items": items},
        headers=world.issue_headers,
    )  # fmt: skip
    assert response.status_code == 202, response.text
    job: str = response.json()["job_id"]
    return job


def _run(client: TestClient, worker: str, **kwargs: Any) -> bool:
    state: Any = client.app.state  # type: ignore[attr-defined]
    return batch_jobs.run_next_job(
        state.sessionmaker, state.keyring, state.clock, worker=worker,
        urls=PublicUrls(TEST_PUBLIC_URL), chunk_items=2, **kwargs,
    )  # fmt: skip


def _job(world: World, job_id: str) -> Any:
    return world.client.get(f"/v1/jobs/{job_id}", headers=world.issue_headers).json()


def test_a_dead_workers_job_is_resumed_within_seconds(
    world: World, client: TestClient, clock: FixedClock, job_id: str
) -> None:
    # Worker a claims the job and dies before its first chunk (stop() is already true).
    assert _run(client, "a", stop=lambda: True)
    assert _job(world, job_id)["status"] == "running"
    clock.instant += timedelta(seconds=10)
    assert not _run(client, "b"), "the lease still protects a's job"
    clock.instant += timedelta(seconds=6)
    assert _run(client, "b"), "16 s after a's last sign of life, b takes the job over"
    done = _job(world, job_id)
    assert (done["status"], done["done"], done["failed"]) == ("done", 6, 0)
    assert sorted(r["index"] for r in done["results"]) == list(range(6))


def test_a_heartbeat_keeps_the_job_and_a_lost_lease_is_noticed(
    world: World, client: TestClient, clock: FixedClock, job_id: str
) -> None:
    factory = client.app.state.sessionmaker  # type: ignore[attr-defined]
    assert _run(client, "a", stop=lambda: True)
    for _ in range(4):  # a is alive: it renews every few seconds
        clock.instant += timedelta(seconds=10)
        assert batch_jobs.renew_lease(factory, job_id, worker="a", now=clock.now())
        assert not _run(client, "b")
    clock.instant += batch_jobs.LEASE + timedelta(seconds=1)  # a stops beating (it died)
    assert _run(client, "b")
    assert not batch_jobs.renew_lease(factory, job_id, worker="a", now=clock.now())


def test_heartbeat_beats_until_stopped_or_refused() -> None:
    beats: list[int] = []
    third = threading.Event()

    def renew() -> bool:
        beats.append(1)
        if len(beats) == 3:
            third.set()
        return len(beats) < 5

    with batch_jobs.Heartbeat(renew, 0.001):
        assert third.wait(timeout=10)
    count = len(beats)
    assert 3 <= count <= 5
    refused = threading.Event()

    def refuse() -> bool:
        refused.set()
        return False

    heartbeat = batch_jobs.Heartbeat(refuse, 0.001)
    with heartbeat:
        assert refused.wait(timeout=10)
        heartbeat._thread.join(timeout=10)
        assert not heartbeat._thread.is_alive(), "a refused renewal ends the heartbeat"
