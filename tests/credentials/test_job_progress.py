"""A running job's progress and results are readable page by page between its chunks."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from app.config import Settings
from app.core.urls import PublicUrls
from app.credentials import batch_jobs
from tests.conftest import TEST_PUBLIC_URL
from tests.credentials.factories import World

CHUNK = 3
CHUNKS = 4


def test_progress_and_result_pages_while_the_job_runs(
    world: World, client: TestClient, settings: Settings
) -> None:
    settings.batch_inline_items = 1
    settings.batch_chunk_items = CHUNK
    items: list[dict[str, Any]] = [
        {
            "achievement_id": world.achievement["id"],
            "recipient": {"name": f"L{i}", "email": f"l{i}@example.org"},
            "external_id": f"cohort-{i}",
        }
        for i in range(CHUNK * CHUNKS)
    ]
    # One bad item in the second chunk: a failure is part of the progress, not a gap in it.
    items[CHUNK + 1] = {**items[CHUNK + 1], "achievement_id": "no-such-achievement"}
    response = client.post(
        f"/v1/issuers/{world.slug}/credentials/batch", json={"items": items},
        headers=world.issue_headers,
    )  # fmt: skip
    assert response.status_code == 202, response.text
    job_id = response.json()["job_id"]

    def read(**params: int) -> Any:
        got = client.get(f"/v1/jobs/{job_id}", params=params, headers=world.issue_headers)
        assert got.status_code == 200, got.text
        return got.json()

    seen: list[Any] = []

    def between_chunks() -> bool:
        # The worker calls this before each chunk, with the previous chunk committed and the
        # job still claimed: what a client polling a running job sees.
        done = read()["done"]
        seen.append(
            {
                "progress": read(),
                "early": read(offset=0, limit=2),
                "latest": read(offset=max(done - 1, 0), limit=CHUNK),
                "beyond": read(offset=done, limit=CHUNK),
            }
        )
        return False

    state: Any = client.app.state  # type: ignore[attr-defined]
    assert batch_jobs.run_next_job(
        state.sessionmaker, state.keyring, state.clock, worker="w",
        urls=PublicUrls(TEST_PUBLIC_URL), chunk_items=CHUNK, stop=between_chunks,
    )  # fmt: skip

    # Called before each of the chunks (the last chunk finishes the job without a call).
    assert [s["progress"]["done"] for s in seen] == [CHUNK * n for n in range(CHUNKS)]
    for n, s in enumerate(seen):
        done = CHUNK * n
        progress = s["progress"]
        assert (progress["status"], progress["total"]) == ("running", CHUNK * CHUNKS)
        assert progress["failed"] == (1 if n >= 2 else 0)
        assert [r["index"] for r in progress["results"]] == list(range(done))
        assert progress["finished_at"] is None
        # The first page: empty before the first chunk, then the same two results each time.
        assert [r["index"] for r in s["early"]["results"]] == list(range(min(done, 2)))
        if n:
            assert s["early"]["results"] == seen[1]["early"]["results"]
            assert s["early"]["next_offset"] == 2
            assert [r["index"] for r in s["latest"]["results"]] == [done - 1]
        # Past the items done so far: nothing yet, and no next page to follow.
        assert (s["beyond"]["results"], s["beyond"]["next_offset"]) == ([], None)
    failure = seen[2]["progress"]["results"][CHUNK + 1]
    assert failure["error"]["status"] == 404, failure
    assert all("id" in r for i, r in enumerate(seen[-1]["progress"]["results"]) if i != CHUNK + 1)

    finished = read()
    assert (finished["status"], finished["done"], finished["failed"]) == (
        "done", CHUNK * CHUNKS, 1,
    )  # fmt: skip
    assert finished["finished_at"] is not None
    # Results read while the job ran are the results it ends with.
    assert finished["results"][: CHUNK * (CHUNKS - 1)] == seen[-1]["progress"]["results"]
    for result in finished["results"]:
        if "id" in result:
            stored = client.get(f"/v1/credentials/{result['id']}", headers=world.issue_headers)
            assert stored.status_code == 200, stored.text
