"""The chunked batch path: same results as one by one, shared work, flat job writes."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, event, select
from sqlalchemy.orm import Session

from app.audit.models import AuditEvent
from app.config import Settings
from app.core.urls import PublicUrls
from app.credentials import batch_jobs
from app.status.models import StatusEntry
from tests.credentials.factories import RECIPIENT, World, assert_ob_valid


def _post_batch(world: World, client: TestClient, items: list[dict[str, Any]]) -> Any:
    response = client.post(
        f"/v1/issuers/{world.slug}/credentials/batch",
        json={"items": items},
        headers=world.issue_headers,
    )
    assert response.status_code == 200, response.text
    return response.json()


def _comparable(credential: dict[str, Any]) -> dict[str, Any]:
    """The credential without what differs between two awards (ids, salt, status, proof)."""
    doc = copy.deepcopy(credential)
    doc.pop("id")
    doc.pop("credentialStatus")
    doc["proof"][0].pop("proofValue")
    for identifier in doc["credentialSubject"]["identifier"]:
        identifier.pop("salt")
        identifier.pop("identityHash")
    return doc


def test_a_batch_credential_is_the_single_request_credential(
    world: World, client: TestClient
) -> None:
    body = {
        "recipient": RECIPIENT,
        "credits_earned": 5,
        "result": [{"status": "Completed"}],
        "evidence": [{"id": "https://example.org/project", "name": "Final project"}],
        "valid_until": "2030-01-01T00:00:00Z",
    }
    single = world.issue(**body)["credential"]
    results = _post_batch(world, client, [{"achievement_id": world.achievement["id"], **body}] * 2)[
        "results"
    ]
    for result in results:
        got = client.get(f"/v1/credentials/{result['id']}", headers=world.issue_headers).json()
        assert _comparable(got["credential"]) == _comparable(single)
        assert_ob_valid(got["credential"])
        verified = client.post("/credentials/verify", json={"verifiableCredential": got["jwt"]})
        assert verified.status_code == 200, verified.text
        verified = client.post(
            "/credentials/verify", json={"verifiableCredential": got["credential"]}
        )
        assert verified.status_code == 200, verified.text


def test_repeats_conflicts_and_two_purposes_in_one_chunk(
    world: World, client: TestClient, session: Session
) -> None:
    pausable = world.create_achievement(name="Pausable", suspendable=True)
    plain = {"achievement_id": world.achievement["id"], "recipient": RECIPIENT}
    items = [
        {**plain, "external_id": "x-1"},
        {**plain, "external_id": "x-1"},  # the same request again: a replay
        # the same external id for another learner: 409
        {**plain, "external_id": "x-1", "recipient": {**RECIPIENT, "name": "Someone else"}},
        {"achievement_id": pausable["id"], "recipient": RECIPIENT},
        {"achievement_id": pausable["id"], "recipient": RECIPIENT},
        {**plain, "recipient": {**RECIPIENT, "name": "Bad \u0007 name"}},  # control character: 422
        {"achievement_id": "missing", "recipient": RECIPIENT},  # 404
        plain,
    ]
    body = _post_batch(world, client, items)
    results = body["results"]
    assert [r["index"] for r in results] == list(range(len(items)))
    assert (body["issued"], body["failed"]) == (5, 3)
    assert results[1] == {**results[0], "index": 1, "replayed": True}
    assert results[0]["replayed"] is False
    assert results[2]["error"]["status"] == 409
    assert results[5]["error"]["status"] == 422
    assert results[6]["error"]["status"] == 404
    issued = {r["id"] for r in results if "id" in r}
    assert len(issued) == 4
    entries = session.scalars(
        select(StatusEntry).where(StatusEntry.credential_id.in_(issued))
    ).all()
    assert sorted(e.purpose for e in entries).count("suspension") == 2
    assert len({(e.list_id, e.index) for e in entries}) == len(entries) == 6
    audited = session.scalars(
        select(AuditEvent.credential_id).where(
            AuditEvent.action == "credential.issued", AuditEvent.credential_id.in_(issued)
        )
    ).all()
    assert sorted(audited) == sorted(issued)  # one event per credential, chained at commit
    for r in (results[3], results[4]):
        credential = client.get(f"/v1/credentials/{r['id']}", headers=world.issue_headers).json()
        status = credential["credential"]["credentialStatus"]
        assert [s["statusPurpose"] for s in status] == ["revocation", "suspension"]
    # A second batch replays what the first stored, in one query.
    again = _post_batch(world, client, [items[0], items[2]])["results"]
    assert again[0] == {**results[0], "replayed": True}
    assert again[1]["error"]["status"] == 409


def _job_writes(connection: Connection) -> list[tuple[str, int]]:
    """(statement, size of its parameters) of every write to the job tables."""
    writes: list[tuple[str, int]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        head = statement.lstrip().upper()
        if head.startswith(("INSERT", "UPDATE")) and "ISSUE_JOB" in head.split("SET")[0]:
            writes.append((head.split("(")[0].split(" SET")[0], len(repr(parameters))))

    event.listen(connection, "before_cursor_execute", capture)
    return writes


@pytest.mark.parametrize("chunks", [2, 6])
def test_job_writes_per_chunk_do_not_grow_with_the_job(
    world: World,
    client: TestClient,
    connection: Connection,
    settings: Settings,
    chunks: int,
) -> None:
    settings.batch_inline_items = 1
    settings.batch_chunk_items = 3
    items = [
        {
            "achievement_id": world.achievement["id"],
            "recipient": {"name": f"L{i}", "email": f"l{i}@example.org"},
        }
        for i in range(3 * chunks)
    ]
    response = client.post(
        f"/v1/issuers/{world.slug}/credentials/batch",
        json={"items": items},
        headers=world.issue_headers,
    )
    assert response.status_code == 202, response.text
    job_id = response.json()["job_id"]
    writes = _job_writes(connection)
    app = client.app
    assert batch_jobs.run_next_job(
        app.state.sessionmaker,  # type: ignore[attr-defined]
        app.state.keyring,  # type: ignore[attr-defined]
        app.state.clock,  # type: ignore[attr-defined]
        worker="w",
        urls=PublicUrls("http://127.0.0.1:8000"),
        chunk_items=3,
    )
    # The claim, then per chunk its own chunk row and the job's counters, nothing more: the
    # number and size of the writes are those of the first chunk, whatever the job's size.
    claim, *chunk_writes = writes
    assert len(chunk_writes) == 2 * chunks, writes
    sizes = [size for _statement, size in chunk_writes]
    assert max(sizes) <= 1.2 * max(sizes[:2]), writes
    done = client.get(f"/v1/jobs/{job_id}", headers=world.issue_headers).json()
    assert (done["status"], done["done"], done["failed"]) == ("done", 3 * chunks, 0)
    assert [r["index"] for r in done["results"]] == list(range(3 * chunks))
    # Paged reads cut across chunk boundaries.
    page = client.get(
        f"/v1/jobs/{job_id}", params={"offset": 2, "limit": 3}, headers=world.issue_headers
    ).json()
    assert [r["index"] for r in page["results"]] == [2, 3, 4]
    assert page["next_offset"] == 5
    last = client.get(
        f"/v1/jobs/{job_id}", params={"offset": 3 * chunks - 1}, headers=world.issue_headers
    ).json()
    assert [r["index"] for r in last["results"]] == [3 * chunks - 1]
    assert last["next_offset"] is None
