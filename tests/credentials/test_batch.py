from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from app.config import Settings
from app.core.urls import PublicUrls
from app.credentials import batch_jobs
from tests.credentials.factories import RECIPIENT, World


def _items(world: World, n: int, **extra: Any) -> list[dict[str, Any]]:
    return [
        {
            "achievement_id": world.achievement["id"],
            "recipient": {"name": f"Learner {i}", "email": f"l{i}@example.org"},
            "external_id": f"cohort-{i}",
            **extra,
        }
        for i in range(n)
    ]


def test_inline_batch_reports_each_item(world: World, client: TestClient) -> None:
    items = _items(world, 3)
    items.insert(1, {"achievement_id": world.achievement["id"], "recipient": {"name": "No id"}})
    items.append({"achievement_id": "missing", "recipient": RECIPIENT})
    response = client.post(
        f"/v1/issuers/{world.slug}/credentials/batch",
        json={"items": items},
        headers=world.issue_headers,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["issued"], body["failed"]) == (3, 2)
    assert [("error" in r) for r in body["results"]] == [False, True, False, False, True]
    assert body["results"][1]["error"]["status"] == 422
    assert body["results"][4]["error"]["status"] == 404
    assert [r["index"] for r in body["results"]] == [0, 1, 2, 3, 4]
    page = client.get(f"/v1/issuers/{world.slug}/credentials", headers=world.issue_headers)
    assert len(page.json()["items"]) == 3
    again = client.post(
        f"/v1/issuers/{world.slug}/credentials/batch",
        json={"items": _items(world, 3)},
        headers=world.issue_headers,
    ).json()
    assert all(r["replayed"] for r in again["results"])


def test_large_batch_becomes_a_job(world: World, client: TestClient, settings: Settings) -> None:
    settings.batch_inline_items = 2
    settings.batch_chunk_items = 2
    items = _items(world, 5)
    items[3]["recipient"] = {"name": "nobody"}
    response = client.post(
        f"/v1/issuers/{world.slug}/credentials/batch",
        json={"items": items},
        headers=world.issue_headers,
    )
    assert response.status_code == 202, response.text
    job_id = response.json()["job_id"]
    pending = client.get(f"/v1/jobs/{job_id}", headers=world.issue_headers).json()
    assert (pending["status"], pending["done"], pending["total"]) == ("pending", 0, 5)
    app = client.app
    ran = batch_jobs.run_next_job(
        app.state.sessionmaker,  # type: ignore[attr-defined]
        app.state.keyring,  # type: ignore[attr-defined]
        app.state.clock,  # type: ignore[attr-defined]
        worker="test-worker",
        urls=PublicUrls("http://127.0.0.1:8000"),
        chunk_items=settings.batch_chunk_items,
    )
    assert ran
    done = client.get(f"/v1/jobs/{job_id}", headers=world.issue_headers).json()
    assert (done["status"], done["done"], done["failed"]) == ("done", 5, 1)
    assert [("error" in r) for r in done["results"]] == [False, False, False, True, False]
    paged = client.get(
        f"/v1/jobs/{job_id}", params={"offset": 4, "limit": 1}, headers=world.issue_headers
    ).json()
    assert [r["index"] for r in paged["results"]] == [4]
    assert not batch_jobs.run_next_job(
        app.state.sessionmaker,  # type: ignore[attr-defined]
        app.state.keyring,  # type: ignore[attr-defined]
        app.state.clock,  # type: ignore[attr-defined]
        worker="test-worker",
        urls=PublicUrls("http://127.0.0.1:8000"),
        chunk_items=settings.batch_chunk_items,
    )
    assert client.get("/v1/jobs/nope", headers=world.issue_headers).status_code == 404


def test_empty_or_non_list_batch_is_422(world: World, client: TestClient) -> None:
    for body in ({"items": []}, {"items": "x"}, {}):
        response = client.post(
            f"/v1/issuers/{world.slug}/credentials/batch", json=body, headers=world.issue_headers
        )
        assert response.status_code == 422
