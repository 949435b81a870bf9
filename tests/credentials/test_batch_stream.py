"""A batch body is spooled, then read item by item (app/credentials/batch_intake.py): no
database statement runs while the body is arriving, and a body that goes wrong anywhere leaves
no job and no chunk behind."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection, event, func, select
from sqlalchemy.orm import Session

from app.config import Settings
from app.credentials.models import IssueJob, IssueJobChunk
from tests.credentials.factories import World


def _item(world: World, i: int, **extra: Any) -> dict[str, Any]:
    return {
        "achievement_id": world.achievement["id"],
        "recipient": {"name": f"Learner {i}", "email": f"l{i}@example.org"},
        **extra,
    }


def _stored(session: Session) -> tuple[int, int]:
    jobs = session.scalar(select(func.count()).select_from(IssueJob))
    chunks = session.scalar(select(func.count()).select_from(IssueJobChunk))
    return jobs or 0, chunks or 0


def _post(world: World, client: TestClient, content: bytes | Iterator[bytes]) -> Any:
    return client.post(
        f"/v1/issuers/{world.slug}/credentials/batch",
        content=content,
        headers={**world.issue_headers, "content-type": "application/json"},
    )


@pytest.fixture
def small_jobs(settings: Settings) -> Settings:
    settings.batch_inline_items = 2
    settings.batch_chunk_items = 2
    return settings


def test_no_statement_runs_until_the_whole_body_has_arrived(
    world: World, app: FastAPI, connection: Connection, small_jobs: Settings
) -> None:
    statements_when_sent: list[int] = []
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(connection, "before_cursor_execute", count)
    items = [json.dumps(_item(world, i)).encode() for i in range(12)]
    parts = [b'{"items": [' + items[0]] + [b"," + item for item in items[1:]] + [b"]}"]
    messages = iter(parts)
    answer: dict[str, Any] = {}

    async def receive() -> dict[str, Any]:
        part = next(messages, None)
        statements_when_sent.append(len(statements))
        if part is None:
            return {"type": "http.disconnect"}
        return {"type": "http.request", "body": part, "more_body": part != parts[-1]}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
        elif message["type"] == "http.response.body":
            answer["body"] = answer.get("body", b"") + message.get("body", b"")

    headers = {**world.issue_headers, "content-type": "application/json"}
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": f"/v1/issuers/{world.slug}/credentials/batch",
        "raw_path": f"/v1/issuers/{world.slug}/credentials/batch".encode(), "query_string": b"",
        "root_path": "", "server": ("127.0.0.1", 8000), "client": ("127.0.0.1", 1),
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
    }  # fmt: skip
    asyncio.run(app(scope, receive, send))
    event.remove(connection, "before_cursor_execute", count)
    assert answer["status"] == 202, answer
    assert json.loads(answer["body"])["total"] == 12
    # A slow upload holds no connection of the pool: the key is looked up, and the chunk
    # rows written, only once the body has ended.
    assert statements_when_sent[: len(parts)] == [0] * len(parts)
    assert sum(s.startswith("INSERT INTO issue_job_chunk") for s in statements) == 6


def test_a_job_body_broken_after_its_first_chunks_leaves_nothing_behind(
    world: World, client: TestClient, session: Session, small_jobs: Settings
) -> None:
    good = ",".join(json.dumps(_item(world, i)) for i in range(7))
    cases = [
        (good + ', {"a": 1, "a": 2}', 400, "more than once"),
        (good + ', {"a": NaN}', 400, "NaN"),
        (good + ', "not an object"', 422, "items[7] must be an object"),
        (good + ", {", 422, "items[7] is not valid JSON"),
        (good + '], "extra": 1', 422, "only the field 'items'"),
    ]
    for inner, status, message in cases:
        response = _post(world, client, f'{{"items": [{inner}]}}'.encode())
        assert response.status_code == status, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert message in response.json()["detail"]
        assert _stored(session) == (0, 0)


def test_item_counts_outside_one_to_fifty_thousand_are_422_and_store_nothing(
    world: World, client: TestClient, session: Session
) -> None:
    for body in (b'{"items": []}', b'{"items": [' + b",".join([b"{}"] * 50_001) + b"]}"):
        response = _post(world, client, body)
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["field"] == "items"
        assert _stored(session) == (0, 0)


def test_a_chunked_body_over_the_size_limit_is_413_and_stores_nothing(
    world: World, client: TestClient, session: Session, settings: Settings
) -> None:
    item = json.dumps(_item(world, 0, external_id="x" * 400)).encode()
    per_part = 100

    def body() -> Iterator[bytes]:
        yield b'{"items": [' + item
        for _ in range(settings.max_body_bytes // (len(item) * per_part) + 2):
            yield (b"," + item) * per_part
        yield b"]}"

    response = _post(world, client, body())
    assert response.status_code == 413, response.text
    assert _stored(session) == (0, 0)


def test_another_tenants_key_is_refused_and_stores_nothing(
    world: World,
    client: TestClient,
    session: Session,
    admin_headers: dict[str, str],
    settings: Settings,
) -> None:
    other = client.post(
        "/v1/issuers",
        json={
            "slug": "other-u",
            "name": "Other",
            "url": "https://o.example",
            "email": "o@o.example",
        },
        headers=admin_headers,
    )
    assert other.status_code == 201, other.text
    items = [_item(world, 0)] * 3
    for inline in (2, 1000):  # a job, and an inline batch
        settings.batch_inline_items = inline
        response = client.post(
            "/v1/issuers/other-u/credentials/batch",
            json={"items": items},
            headers=world.issue_headers,
        )
        assert response.status_code == 403, response.text
        assert _stored(session) == (0, 0)


def test_the_published_request_body_is_the_batch_schema(client: TestClient) -> None:
    operation = client.get("/openapi.json").json()["paths"]["/v1/issuers/{slug}/credentials/batch"]
    schema = operation["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert schema["required"] == ["items"]
    assert schema["properties"]["items"]["maxItems"] == 50_000


def test_the_strict_json_middleware_leaves_a_spooled_body_to_the_route(
    world: World, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app import json_middleware

    checked: list[bytes] = []
    original = json_middleware.strictness_problem

    def counting(body: bytes) -> str:
        checked.append(body)
        return original(body)

    monkeypatch.setattr(json_middleware, "strictness_problem", counting)
    response = _post(world, client, json.dumps({"items": [_item(world, 0)]}).encode())
    assert response.status_code == 200, response.text
    # Parsed once, by the route: the middleware neither held nor parsed it.
    assert checked == []
    single = client.post(
        f"/v1/issuers/{world.slug}/credentials", json=_item(world, 1), headers=world.issue_headers
    )
    assert single.status_code == 201, single.text
    assert len(checked) == 1
